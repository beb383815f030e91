"""Catalogue, activities, participants, JP, reactions, behaviour and upward
feedback: the rules and the bad input of the pengembangan module."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import load_workbook

from plugins.pengembangan import service
from plugins.pengembangan.models import (
    PengembanganActivity,
    PengembanganBehaviour,
    PengembanganParticipant,
    PengembanganReaction,
    PengembanganTheme,
    PengembanganUpward,
)
from portal.extensions import db
from portal.testing import login, post_form
from tests.error_summary import assert_error_summary
from tests.pengembangan.conftest import make_activity, participant_id, today

BASE = "/kelola/alpha/pengembangan"


def _count(app, model, **where):
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(model).filter_by(**where))


# --- catalogue -----------------------------------------------------------------


def test_admin_edits_the_catalogue_and_others_may_not(app, client, world, dev):
    login(client, world["alpha"]["emails"]["admin"])
    r = post_form(
        client, f"{BASE}/katalog", {"name": "Literasi digital", "unsur": "8, 5", "sources": "survei"}
    )
    assert r.status_code == 302
    with app.app_context():
        theme = db.session.execute(
            db.select(PengembanganTheme).filter_by(name="Literasi digital")
        ).scalar_one()
        assert (theme.unsur, theme.sources) == ("5,8", "survei")
    page = client.get(f"{BASE}/katalog").get_data(as_text=True)
    assert "Literasi digital" in page and "5,8" in page
    r = post_form(client, f"{BASE}/katalog", {"name": "Tema keliru", "unsur": "6,10"})
    assert r.status_code == 400 and "nomor unsur SKM 1–9" in r.get_data(as_text=True)
    r = post_form(client, f"{BASE}/katalog", {"name": "pelayanan PRIMA"})
    assert r.status_code == 400 and "sudah ada" in r.get_data(as_text=True)
    r = post_form(client, f"{BASE}/katalog", {"name": "Sumber keliru", "sources": "pajak"})
    assert r.status_code == 400 and "Pilih sumber penilaian dari daftar" in r.get_data(as_text=True)
    assert _count(app, PengembanganTheme) == 2
    client = app.test_client()
    login(client, world["alpha"]["emails"]["supervisor"])
    assert client.get(f"{BASE}/katalog").status_code == 403


# --- activities and JP -------------------------------------------------------


def _activity_form(**over):
    data = {
        "title": "Kursus Komunikasi",
        "kind": "kursus",
        "starts_on": "2026-03-02",
        "ends_on": "2026-03-03",
        "jp": "16",
        "behaviour_weeks": "12",
        "window_days": "90",
    }
    data.update(over)
    return data


def test_activity_with_bad_dates_or_jp_is_refused_and_nothing_stored(app, client, world, dev):
    login(client, world["alpha"]["emails"]["admin"])
    for over, message in (
        ({"jp": "-4"}, "JP harus paling sedikit 1."),
        ({"jp": "0"}, "JP harus paling sedikit 1."),
        ({"jp": "500"}, "500 JP tidak masuk akal untuk 2 hari: paling banyak 24 JP"),
        ({"jp": "abc"}, "Harus berupa bilangan bulat."),
        ({"jp": ""}, "Isi jumlah JP."),
        ({"ends_on": "2026-03-01"}, "Tanggal selesai tidak boleh sebelum tanggal mulai."),
        ({"kind": "piknik"}, "Pilih jenis kegiatan."),
        ({"themes": "99999"}, "Pilih tema dari katalog instansi ini."),
    ):
        r = post_form(client, f"{BASE}/kegiatan/baru", _activity_form(**over))
        assert r.status_code == 400, over
        assert message in r.get_data(as_text=True), over
    assert _count(app, PengembanganActivity) == 0
    r = post_form(client, f"{BASE}/kegiatan/baru", _activity_form(themes=str(dev["theme"])))
    assert r.status_code == 302
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Kursus Komunikasi" in page and "Pelayanan prima" in page


def test_forms_answered_with_errors_open_with_a_summary_linked_to_the_fields(app, client, world, dev):
    login(client, world["alpha"]["emails"]["admin"])
    r = post_form(client, f"{BASE}/kegiatan/baru", _activity_form(title="", kind="piknik", themes="99999"))
    assert r.status_code == 400
    # The radio group and the theme checkboxes are laid out by hand: their
    # fieldsets carry the ids the summary links to.
    assert_error_summary(r.get_data(as_text=True), "title", "kind", "themes")
    officer = app.test_client()
    login(officer, world["alpha"]["emails"]["officer"])
    r = post_form(officer, f"{BASE}/umpan-balik", {"environment": "3", "leadership": "9"})
    assert r.status_code == 400
    assert_error_summary(r.get_data(as_text=True), "work_process", "leadership")


def test_a_theme_of_another_agency_cannot_be_attached(app, client, world, dev):
    with app.app_context():
        other = PengembanganTheme(agency_id=world["beta"]["agency"], name="Tema beta")
        db.session.add(other)
        db.session.commit()
        other_id = other.id
    login(client, world["alpha"]["emails"]["admin"])
    r = post_form(client, f"{BASE}/kegiatan/baru", _activity_form(themes=str(other_id)))
    assert r.status_code == 400 and "Pilih tema dari katalog instansi ini." in r.get_data(as_text=True)
    assert _count(app, PengembanganActivity) == 0


def test_a_participant_from_another_agency_is_refused(app, client, world, dev):
    day = today(app, world)
    activity = make_activity(app, world, starts=day + dt.timedelta(days=5), ends=day + dt.timedelta(days=6))
    login(client, world["alpha"]["emails"]["admin"])
    r = post_form(
        client,
        f"{BASE}/kegiatan/{activity}/peserta",
        {"officer_id": [str(world["alpha"]["staff"]), str(world["beta"]["staff"])]},
        token_from=f"{BASE}/kegiatan/{activity}",
        follow_redirects=True,
    )
    assert "Peserta harus pegawai aktif instansi ini. Tidak ada yang ditambahkan." in r.get_data(as_text=True)
    assert _count(app, PengembanganParticipant) == 0
    r = post_form(
        client,
        f"{BASE}/kegiatan/{activity}/peserta",
        {"officer_id": [str(world["alpha"]["staff"])]},
        token_from=f"{BASE}/kegiatan/{activity}",
        follow_redirects=True,
    )
    assert "1 peserta ditambahkan." in r.get_data(as_text=True)
    assert _count(app, PengembanganParticipant) == 1


def test_twenty_jp_are_counted_per_year_of_completion(app, client, world, dev):
    staff = world["alpha"]["staff"]
    make_activity(
        app, world, starts=dt.date(2025, 12, 15), ends=dt.date(2025, 12, 16), jp=12, officers=[staff]
    )
    # across New Year: counts in 2026, the year it ends
    make_activity(app, world, starts=dt.date(2025, 12, 29), ends=dt.date(2026, 1, 2), jp=8, officers=[staff])
    make_activity(app, world, starts=dt.date(2026, 1, 20), ends=dt.date(2026, 1, 20), jp=10, officers=[staff])
    # registered but absent: no JP
    make_activity(
        app,
        world,
        starts=dt.date(2026, 2, 3),
        ends=dt.date(2026, 2, 3),
        jp=8,
        officers=[staff],
        attended=False,
    )
    with app.app_context():
        assert service.jp_by_officer([staff], 2025) == {staff: 12}
        assert service.jp_by_officer([staff], 2026) == {staff: 18}
    make_activity(
        app, world, starts=dt.date(2026, 12, 30), ends=dt.date(2026, 12, 31), jp=2, officers=[staff]
    )
    with app.app_context():
        assert service.jp_by_officer([staff], 2026) == {staff: 20}
        assert service.jp_by_officer([staff], 2027) == {staff: 0}


def test_team_page_and_export_show_jp_against_the_minimum(app, client, world, dev):
    staff = world["alpha"]["staff"]
    make_activity(app, world, starts=dt.date(2025, 12, 29), ends=dt.date(2026, 1, 2), jp=8, officers=[staff])
    login(client, world["alpha"]["emails"]["admin"])
    page = client.get(f"{BASE}/tim?tahun=2026").get_data(as_text=True)
    assert "Staf alpha" in page and "kurang 12" in page
    r = client.get(f"{BASE}/ekspor.csv?tahun=2026")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    lines = r.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0].startswith("NIP,Nama,Jabatan,Unit,JP 2026,Di bawah 20 JP")
    staff_line = next(line for line in lines if "Staf alpha" in line)
    assert ",8,ya," in staff_line
    book = load_workbook(io.BytesIO(client.get(f"{BASE}/ekspor.xlsx?tahun=2026").data))
    rows = list(book.active.values)
    assert rows[0][4] == "JP 2026" and any(r[1] == "Staf alpha" and r[4] == 8 for r in rows[1:])
    assert client.get(f"{BASE}/tim?tahun=abc").status_code == 400


# --- reaction (level 1) -----------------------------------------------------------


def test_reaction_before_the_end_or_twice_is_refused(app, client, world, dev):
    day = today(app, world)
    staff = world["alpha"]["staff"]
    upcoming = make_activity(app, world, starts=day, ends=day + dt.timedelta(days=2), officers=[staff])
    done = make_activity(
        app, world, starts=day - dt.timedelta(days=3), ends=day - dt.timedelta(days=1), officers=[staff]
    )
    login(client, world["alpha"]["emails"]["officer"])
    answer = {"overall": "5", "material": "4", "trainer": "4", "application": "Daftar periksa di loket."}
    r = post_form(client, f"{BASE}/kegiatan/{upcoming}/reaksi", answer)
    assert r.status_code == 409 and "dibuka setelah kegiatan selesai" in r.get_data(as_text=True)
    assert _count(app, PengembanganReaction) == 0
    r = post_form(client, f"{BASE}/kegiatan/{done}/reaksi", {**answer, "overall": "9"})
    assert r.status_code == 400 and "Pilih nilai 1–5" in r.get_data(as_text=True)
    r = post_form(client, f"{BASE}/kegiatan/{done}/reaksi", answer)
    assert r.status_code == 302
    r = post_form(client, f"{BASE}/kegiatan/{done}/reaksi", answer, token_from=f"{BASE}/")
    assert r.status_code == 409 and "sudah memberi penilaian" in r.get_data(as_text=True)
    assert _count(app, PengembanganReaction) == 1
    with app.app_context():
        row = db.session.scalars(db.select(PengembanganReaction)).one()
        assert not hasattr(row, "officer_id") and not hasattr(row, "participant_id")
    # someone who did not take part has no reaction form
    client = app.test_client()
    login(client, dev["emails"]["a"])
    assert client.get(f"{BASE}/kegiatan/{done}/reaksi").status_code == 404


def test_reactions_are_shown_to_the_organiser_from_five_on(app, client, world, dev):
    day = today(app, world)
    officers = [world["alpha"]["boss"], world["alpha"]["staff"], *dev["ids"].values()]
    activity = make_activity(
        app, world, starts=day - dt.timedelta(days=2), ends=day - dt.timedelta(days=1), officers=officers
    )
    emails = [
        world["alpha"]["emails"]["supervisor"],
        world["alpha"]["emails"]["officer"],
        *dev["emails"].values(),
    ]
    admin = app.test_client()
    login(admin, world["alpha"]["emails"]["admin"])
    for n, email in enumerate(emails[:5], start=1):
        client = app.test_client()
        login(client, email)
        r = post_form(
            client,
            f"{BASE}/kegiatan/{activity}/reaksi",
            {"overall": "4", "material": str(1 + n % 5), "trainer": "5", "application": f"Rencana {n}"},
        )
        assert r.status_code == 302
        page = admin.get(f"{BASE}/kegiatan/{activity}").get_data(as_text=True)
        if n < 5:
            assert f"{n} jawaban." in page and "setelah ada 5 jawaban" in page
            assert "Rencana 1" not in page and "Manfaat keseluruhan" not in page
        else:
            assert "5 jawaban." in page and "Manfaat keseluruhan" in page
            assert "4,00 / 5" in page  # overall: all 4
            assert "3,00 / 5" in page  # material: 2, 3, 4, 5, 1
            assert all(f"Rencana {i}" in page for i in range(1, 6))


# --- behaviour (level 3) ----------------------------------------------------


def test_behaviour_questionnaire_opens_when_due_and_is_answered_once(app, client, world, dev):
    day = today(app, world)
    staff = world["alpha"]["staff"]
    recent = make_activity(
        app, world, starts=day - dt.timedelta(days=10), ends=day - dt.timedelta(days=9), officers=[staff]
    )
    old = make_activity(
        app,
        world,
        starts=day - dt.timedelta(days=90),
        ends=day - dt.timedelta(days=85),
        officers=[staff],
        behaviour_weeks=12,
    )
    login(client, world["alpha"]["emails"]["supervisor"])
    answer = {"applies": "3", "improved": "3", "shares": "2", "example": "Menjelaskan syarat dengan daftar."}
    pid = participant_id(app, recent, staff)
    r = post_form(client, f"{BASE}/perilaku/{pid}", answer)
    assert r.status_code == 409 and "dibuka mulai" in r.get_data(as_text=True)
    assert _count(app, PengembanganBehaviour) == 0
    pid = participant_id(app, old, staff)
    r = post_form(client, f"{BASE}/perilaku/{pid}", {**answer, "applies": "7"})
    assert r.status_code == 400
    r = post_form(client, f"{BASE}/perilaku/{pid}", answer)
    assert r.status_code == 302
    r = post_form(client, f"{BASE}/perilaku/{pid}", answer, token_from=f"{BASE}/")
    assert r.status_code == 409 and "sudah dijawab" in r.get_data(as_text=True)
    assert _count(app, PengembanganBehaviour) == 1
    # the officer cannot answer about themself; another unit's supervisor does not see it
    for email, status in ((world["alpha"]["emails"]["officer"], 403), (dev["emails"]["c"], 404)):
        other = app.test_client()
        login(other, email)
        assert other.get(f"{BASE}/perilaku/{pid}").status_code == status


def test_due_questionnaires_are_reminded_once(app, client, world, dev):
    from portal.core.models import User

    day = today(app, world)
    staff = world["alpha"]["staff"]
    make_activity(
        app, world, starts=day - dt.timedelta(days=100), ends=day - dt.timedelta(days=90), officers=[staff]
    )
    runner = app.test_cli_runner()
    first = runner.invoke(args=["pengembangan", "remind"])
    assert first.exit_code == 0, first.output
    assert "1 pemberitahuan" in first.output
    second = runner.invoke(args=["pengembangan", "remind"])
    assert "0 pemberitahuan" in second.output
    with app.app_context():
        boss = db.session.execute(
            db.select(User).filter_by(email=world["alpha"]["emails"]["supervisor"])
        ).scalar_one()
        assert boss.officer_id == world["alpha"]["boss"]


# --- upward feedback --------------------------------------------------------------


def test_upward_feedback_once_per_half_year_and_shown_from_five(app, client, world, dev):
    answer = {
        "work_process": "4",
        "environment": "3",
        "leadership": "5",
        "suggestion": "Piket dibagi lebih awal.",
    }
    head = app.test_client()
    login(head, world["alpha"]["emails"]["supervisor"])
    emails = [world["alpha"]["emails"]["officer"], dev["emails"]["a"], dev["emails"]["b"]]
    for email in emails:
        client = app.test_client()
        login(client, email)
        assert post_form(client, f"{BASE}/umpan-balik", answer).status_code == 302
    r = post_form(client, f"{BASE}/umpan-balik", answer)
    assert r.status_code == 409 and "sudah memberi umpan balik" in r.get_data(as_text=True)
    assert _count(app, PengembanganUpward) == 3
    page = head.get(f"{BASE}/umpan-balik/hasil").get_data(as_text=True)
    assert "3 jawaban; ditampilkan mulai 5 jawaban." in page and "Piket dibagi" not in page
    # two more officers join the unit and answer
    from portal.core.models import Officer

    with app.app_context():
        for key in ("c", "d"):
            db.session.get(Officer, dev["ids"][key]).unit_id = world["alpha"]["unit"]
        db.session.commit()
    for key in ("c", "d"):
        client = app.test_client()
        login(client, dev["emails"][key])
        assert post_form(client, f"{BASE}/umpan-balik", answer).status_code == 302
    page = head.get(f"{BASE}/umpan-balik/hasil").get_data(as_text=True)
    assert "5 jawaban." in page and "Piket dibagi lebih awal." in page and "4,00 / 5" in page
    # an officer does not read the results
    assert client.get(f"{BASE}/umpan-balik/hasil").status_code == 403
    r = post_form(client, f"{BASE}/umpan-balik", {**answer, "work_process": "0"}, token_from=f"{BASE}/")
    assert r.status_code in (400, 409)
    assert _count(app, PengembanganUpward) == 5
