"""The performance record pages: weights, distribution and trend, team
filters and movers, feedback notes, comment moderation and exports."""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest

from portal.builtin.records.models import FeedbackNote
from portal.core.models import (
    Agency,
    AuditLog,
    Officer,
    RatingEvent,
    RatingRollup,
    RatingScore,
    Unit,
)
from portal.core.record.ratings import (
    agency_ranking,
    officer_record,
    officer_trend,
    period_bounds,
    recompute_missing_scores,
    record_rating,
)
from portal.extensions import db
from portal.testing import login, nip, post_form

JUNE = dt.datetime(2026, 6, 10, 3, 0)
MAY = dt.datetime(2026, 5, 10, 3, 0)
JUNE_ARGS = "periode=bulan&tanggal=2026-06-15"


def _rate(
    app,
    world,
    who,
    values,
    *,
    at=JUNE,
    source="survei",
    kind="skm",
    verified=False,
    comment=None,
    slug="alpha",
):
    with app.app_context():
        agency = db.session.get(Agency, world[slug]["agency"])
        officer = db.session.get(Officer, world[slug][who])
        for v in values:
            record_rating(
                agency=agency,
                officer=officer,
                source=source,
                kind=kind,
                value=v,
                at=at,
                verified=verified,
                comment=comment,
            )


def test_weights_page_changes_scores_from_rollups_and_is_audited(app, client, world):
    _rate(app, world, "staff", [4], verified=True)  # 100
    _rate(app, world, "staff", [2])  # 50
    _rate(app, world, "staff", [5], source="pengaduan", kind="penanganan")  # 100
    login(client, world["alpha"]["emails"]["admin"])
    page = client.get(f"/kinerja/pegawai/{world['alpha']['staff']}?{JUNE_ARGS}").get_data(as_text=True)
    assert "83,33" in page  # (100 + 50 + 100) / 3

    r = post_form(
        client,
        "/kelola/alpha/bobot",
        {"w_survei": "1", "w_pengaduan": "0", "w_dialog_publik": "1", "verified": "3,0", "unverified": "1"},
    )
    assert r.status_code == 302
    page = client.get(f"/kinerja/pegawai/{world['alpha']['staff']}?{JUNE_ARGS}").get_data(as_text=True)
    assert "87,50" in page  # (3·100 + 50) / 4; complaints weigh nothing
    with app.app_context():
        row = db.session.scalars(db.select(AuditLog).filter_by(action="weights_changed")).one()
        assert "pengaduan: 1 → 0" in row.detail and "terverifikasi: 1 → 3" in row.detail
        # Raw events and rollups are untouched by a change of weights; the
        # weighted scores the rankings read were recomputed from the rollups.
        assert db.session.scalar(db.select(db.func.sum(RatingRollup.count))) == 3
        score = db.session.scalars(db.select(RatingScore).filter_by(span="bulan")).one()
        assert (score.count, score.w, score.s) == (3, 4.0, 350.0)
        agency = db.session.get(Agency, world["alpha"]["agency"])
        start, end = period_bounds("bulan", JUNE.date())
        _everyone, ranked = agency_ranking(agency, start, end)
        assert ranked[0].stat.mean == 87.5
        # A rating recorded after the change is weighted with the new weights.
    _rate(app, world, "staff", [4], verified=True)
    with app.app_context():
        score = db.session.scalars(db.select(RatingScore).filter_by(span="bulan")).one()
        assert (score.count, score.w, score.s) == (4, 7.0, 650.0)


def test_scores_missing_after_an_upgrade_are_filled_from_rollups(app, world):
    _rate(app, world, "staff", [4, 3])
    _rate(app, world, "boss", [2], at=MAY)
    with app.app_context():
        rows = db.session.scalars(db.select(RatingScore))
        before = {(r.officer_id, r.span, r.period): (r.count, r.s) for r in rows}
        db.session.execute(db.delete(RatingScore))
        db.session.commit()
        assert recompute_missing_scores() == ["alpha"]
        rows = db.session.scalars(db.select(RatingScore))
        after = {(r.officer_id, r.span, r.period): (r.count, r.s) for r in rows}
        assert after == before and len(after) == 2 * 4  # month, quarter, semester, year
        assert recompute_missing_scores() == []  # nothing left to fill


@pytest.mark.parametrize("bad", ["-1", "11", "abc", "", "nan", "1,2,3"])
def test_weights_refuse_bad_numbers_in_indonesian(client, world, bad):
    login(client, world["alpha"]["emails"]["admin"])
    r = post_form(
        client,
        "/kelola/alpha/bobot",
        {"w_survei": bad, "w_pengaduan": "1", "w_dialog_publik": "1", "verified": "1", "unverified": "1"},
    )
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "Periksa kembali isian" in html
    assert any(
        m in html for m in ("Angka harus di antara 0 dan 10", "Harus berupa angka", "Kolom ini wajib diisi")
    )


def test_distribution_and_trend_come_from_rollups(app, world):
    _rate(app, world, "staff", [4, 4, 3, 2, 1])  # A A C D D
    _rate(app, world, "staff", [4, 4], at=MAY)  # A A
    _rate(app, world, "staff", [4], source="pengaduan", kind="penanganan")  # 80 → B
    with app.app_context():
        officer = db.session.get(Officer, world["alpha"]["staff"])
        start, end = period_bounds("bulan", JUNE.date())
        rec = officer_record(officer, start, end)
        assert rec.bands == {"A": 2, "B": 1, "C": 1, "D": 2}
        trend = dict(officer_trend(officer, dt.date(2026, 6, 1)))
        assert len(trend) == 12 and min(trend) == dt.date(2025, 7, 1)
        assert trend[dt.date(2026, 5, 1)].count == 2 and trend[dt.date(2026, 5, 1)].mean == 100
        assert trend[dt.date(2026, 6, 1)].count == 6
        assert trend[dt.date(2026, 4, 1)].count == 0


def test_team_view_filters_sorts_and_shows_movers(app, client, world):
    with app.app_context():
        agency = db.session.get(Agency, world["alpha"]["agency"])
        other_unit = Unit(agency=agency, name="Unit Kedua")
        third = Officer(agency=agency, unit=other_unit, nip=nip(70), name="Ahmad Ketiga")
        db.session.add_all([other_unit, third])
        db.session.commit()
        world["alpha"]["third"] = third.id
    _rate(app, world, "staff", [2, 2], at=MAY)
    _rate(app, world, "staff", [4, 4])  # up by 50
    _rate(app, world, "boss", [4, 4], at=MAY)
    _rate(app, world, "boss", [3, 3])  # down by 25
    _rate(app, world, "third", [5, 5, 5], source="pengaduan", kind="penanganan")
    login(client, world["alpha"]["emails"]["admin"])
    html = client.get(f"/kinerja/alpha/tim?{JUNE_ARGS}").get_data(as_text=True)
    movers = html.split("Perubahan terbesar")[1].split("Peringkat")[0]
    assert movers.index("Staf alpha") < movers.index("Atasan alpha")
    assert "▲ 50,00" in movers and "▼ 25,00" in movers
    assert "Perbandingan unit dengan instansi" in html and "Unit Kedua" in html

    by_name = client.get(f"/kinerja/alpha/tim?{JUNE_ARGS}&urut=nama").get_data(as_text=True)
    ranking = by_name.split("Peringkat")[1]
    assert ranking.index("Ahmad Ketiga") < ranking.index("Atasan alpha") < ranking.index("Staf alpha")

    only_complaints = client.get(f"/kinerja/alpha/tim?{JUNE_ARGS}&sumber=pengaduan").get_data(as_text=True)
    ranking = only_complaints.split("Peringkat")[1]
    assert "Ahmad Ketiga" in ranking and "Staf alpha" not in ranking.split("Belum dinilai")[0]

    unit_id = world["alpha"]["unit"]
    one_unit = client.get(f"/kinerja/alpha/tim?{JUNE_ARGS}&unit={unit_id}").get_data(as_text=True)
    ranking = one_unit.split("Peringkat")[1]
    assert "Staf alpha" in ranking and "Ahmad Ketiga" not in ranking


def test_supervisor_sees_only_their_team(app, client, world):
    _rate(app, world, "staff", [4])
    _rate(app, world, "boss", [3])
    with app.app_context():
        agency = db.session.get(Agency, world["alpha"]["agency"])
        db.session.add(Officer(agency=agency, nip=nip(71), name="Pegawai Lain"))
        db.session.commit()
    login(client, world["alpha"]["emails"]["supervisor"])
    html = client.get(f"/kinerja/alpha/tim?{JUNE_ARGS}").get_data(as_text=True)
    assert "Staf alpha" in html and "Atasan alpha" in html and "Pegawai Lain" not in html


def test_feedback_notes_acknowledged_and_answered(app, client, world):
    staff = world["alpha"]["staff"]
    page = f"/kinerja/pegawai/{staff}"
    login(client, world["alpha"]["emails"]["supervisor"])
    empty = post_form(client, f"{page}/umpan-balik", {}, token_from=page)
    assert empty.status_code == 400 and "Tulis sedikitnya kekuatan" in empty.get_data(as_text=True)
    r = post_form(
        client,
        f"{page}/umpan-balik",
        {
            "strengths": "Ramah <b>kepada</b> warga lansia.",
            "improvements": "Kelengkapan berkas dicek di awal.",
            "actions-0-text": "Ikuti pelatihan layanan prima",
            "actions-0-due_date": "2026-12-31",
            "actions-1-due_date": "2026-12-01",
        },
        token_from=page,
    )
    assert r.status_code == 400 and "Tulis tindak lanjut untuk tenggat ini" in r.get_data(as_text=True)
    r = post_form(
        client,
        f"{page}/umpan-balik",
        {
            "strengths": "Ramah <b>kepada</b> warga lansia.",
            "improvements": "Kelengkapan berkas dicek di awal.",
            "actions-0-text": "Ikuti pelatihan layanan prima",
            "actions-0-due_date": "2026-12-31",
        },
        token_from=page,
    )
    assert r.status_code == 302
    with app.app_context():
        note = db.session.scalars(db.select(FeedbackNote)).one()
        note_id = note.id
        assert [a.due_date for a in note.actions] == [dt.date(2026, 12, 31)]

    client = app.test_client()
    login(client, world["alpha"]["emails"]["officer"])
    html = client.get(page).get_data(as_text=True)
    assert "Ramah &lt;b&gt;kepada&lt;/b&gt; warga lansia." in html and "31 Desember 2026" in html
    assert "Belum dibaca pegawai" in html and "Tulis umpan balik baru" not in html
    # The officer may not write feedback on themselves.
    assert (
        post_form(client, f"{page}/umpan-balik", {"strengths": "Saya hebat"}, token_from=page).status_code
        == 403
    )
    post_form(client, f"{page}/umpan-balik/{note_id}/terima", {}, token_from=page)
    post_form(
        client, f"{page}/umpan-balik/{note_id}/tanggapan", {"body": "Siap, terima kasih."}, token_from=page
    )
    html = client.get(page).get_data(as_text=True)
    assert "Sudah dibaca pegawai" in html and "Siap, terima kasih." in html
    with app.app_context():
        actions = set(db.session.scalars(db.select(AuditLog.action)))
        assert {"feedback_written", "feedback_acknowledged", "feedback_replied"} <= actions

    # The supervisor cannot acknowledge on the officer's behalf.
    client = app.test_client()
    login(client, world["alpha"]["emails"]["supervisor"])
    assert post_form(client, f"{page}/umpan-balik/{note_id}/terima", {}, token_from=page).status_code == 403


def test_feedback_is_invisible_across_agencies(app, client, world):
    page = f"/kinerja/pegawai/{world['alpha']['staff']}"
    login(client, world["beta"]["emails"]["admin"])
    r = post_form(client, f"{page}/umpan-balik", {"strengths": "x"}, token_from="/kinerja/beta/tim")
    assert r.status_code == 404


def test_comments_wait_for_moderation_before_the_officer_sees_them(app, client, world):
    _rate(
        app,
        world,
        "staff",
        [5],
        source="pengaduan",
        kind="penanganan",
        comment="Petugasnya sabar sekali menjelaskan.",
    )
    _rate(app, world, "staff", [1], source="pengaduan", kind="penanganan", comment="kata kasar")
    page = f"/kinerja/pegawai/{world['alpha']['staff']}?{JUNE_ARGS}"
    login(client, world["alpha"]["emails"]["officer"])
    assert "Petugasnya sabar" not in client.get(page).get_data(as_text=True)
    assert client.get("/kinerja/alpha/komentar").status_code == 403

    client = app.test_client()
    login(client, world["alpha"]["emails"]["supervisor"])
    queue = client.get("/kinerja/alpha/komentar").get_data(as_text=True)
    assert "Petugasnya sabar" in queue and "kata kasar" in queue
    with app.app_context():
        events = {e.comment: e.id for e in db.session.scalars(db.select(RatingEvent))}
    post_form(
        client,
        "/kinerja/alpha/komentar",
        {"event": events["Petugasnya sabar sekali menjelaskan."], "decision": "tampil"},
    )
    post_form(client, "/kinerja/alpha/komentar", {"event": events["kata kasar"], "decision": "tolak"})
    assert "Tidak ada komentar yang menunggu" in client.get("/kinerja/alpha/komentar").get_data(as_text=True)

    client = app.test_client()
    login(client, world["alpha"]["emails"]["officer"])
    html = client.get(page).get_data(as_text=True)
    assert "Petugasnya sabar sekali menjelaskan." in html and "kata kasar" not in html
    client = app.test_client()
    login(client, world["beta"]["emails"]["admin"])
    assert client.get("/kinerja/alpha/komentar").status_code == 404


def test_exports_have_one_row_per_officer(app, client, world):
    _rate(app, world, "staff", [4, 3])
    _rate(app, world, "staff", [5], source="pengaduan", kind="penanganan")
    login(client, world["alpha"]["emails"]["admin"])
    r = client.get(f"/kinerja/alpha/ekspor.xlsx?{JUNE_ARGS}")
    assert r.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(r.data)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    header = rows[1]
    assert header[:3] == ["NIP", "Nama", "Unit"] and header[-1] == "Predikat"
    by_name = {row[1]: dict(zip(header, row, strict=True)) for row in rows[2:]}
    assert set(by_name) == {"Staf alpha", "Atasan alpha"}
    staff = by_name["Staf alpha"]
    assert staff["Survei: jumlah"] == 2 and staff["Survei: nilai"] == 87.5
    assert staff["Pengaduan: jumlah"] == 1 and staff["Pengaduan: nilai"] == 100
    assert staff["Jumlah penilaian"] == 3 and staff["Nilai"] == 91.67
    assert staff["Predikat"] == "A (Sangat Baik)"
    assert by_name["Atasan alpha"]["Jumlah penilaian"] == 0

    text = client.get(f"/kinerja/alpha/ekspor.csv?{JUNE_ARGS}").data.decode("utf-8-sig")
    assert len(list(csv.reader(io.StringIO(text)))) == 4
    client = app.test_client()
    login(client, world["alpha"]["emails"]["officer"])
    assert client.get(f"/kinerja/alpha/ekspor.csv?{JUNE_ARGS}").status_code == 403


def test_printable_summary(app, client, world):
    _rate(app, world, "staff", [4, 4, 3])
    login(client, world["alpha"]["emails"]["officer"])
    url = f"/kinerja/pegawai/{world['alpha']['staff']}/ringkasan?{JUNE_ARGS}"
    html = client.get(url).get_data(as_text=True)
    assert "Ringkasan rekam kinerja" in html and "1 Juni 2026 – 30 Juni 2026" in html
    assert "91,67" in html and "3 penilaian" in html and "bukan predikat kinerja SKP resmi" in html


@pytest.mark.parametrize("kind", ["bulan", "triwulan", "semester", "tahun"])
def test_span_scores_agree_with_rollups(app, world, kind):
    """The per-span weighted scores give the same ranking as summing the
    rollups month by month with the weights."""
    _rate(app, world, "staff", [4, 3, 2], at=MAY)
    _rate(app, world, "staff", [5, 2], at=JUNE, source="pengaduan", kind="penanganan", verified=True)
    _rate(app, world, "boss", [1, 4], at=dt.datetime(2026, 2, 3))
    with app.app_context():
        agency = db.session.get(Agency, world["alpha"]["agency"])
        agency.verified_weight = 2.5
        from portal.core.record.ratings import recompute_scores

        recompute_scores(agency)
        db.session.commit()
        start, end = period_bounds(kind, JUNE.date())
        everything = ["survei", "pengaduan", "dialog_publik"]
        fast_all, fast = agency_ranking(agency, start, end)
        slow_all, slow = agency_ranking(agency, start, end, sources=everything)
        assert [r.officer_id for r in fast] == [r.officer_id for r in slow]
        for a, b in zip(fast, slow, strict=True):
            assert a.stat.count == b.stat.count
            assert (a.stat.mean, a.shrunk) == pytest.approx((b.stat.mean, b.shrunk))
        assert fast_all.mean == pytest.approx(slow_all.mean)


@pytest.mark.parametrize("kind", ["bulan", "triwulan", "semester", "tahun"])
def test_record_and_trend_in_one_query_equal_the_separate_reads(app, world, kind):
    from portal.core.record.ratings import officer_record_and_trend

    _rate(app, world, "staff", [4, 3], at=MAY)
    _rate(app, world, "staff", [5, 1], at=JUNE, source="pengaduan", kind="penanganan", verified=True)
    _rate(app, world, "staff", [2], at=dt.datetime(2025, 12, 30))
    with app.app_context():
        officer = db.session.get(Officer, world["alpha"]["staff"])
        start, end = period_bounds(kind, JUNE.date())
        record, trend = officer_record_and_trend(officer, start, end)
        alone = officer_record(officer, start, end)
        assert (record.overall.count, record.bands) == (alone.overall.count, alone.bands)
        assert record.overall.mean == pytest.approx(alone.overall.mean)
        assert {s: st.count for s, st in record.by_source.items()} == {
            s: st.count for s, st in alone.by_source.items()
        }
        last = dt.date(end.year - (end.month == 1), (end.month - 2) % 12 + 1, 1)
        assert [(m, st.count) for m, st in trend] == [(m, st.count) for m, st in officer_trend(officer, last)]
