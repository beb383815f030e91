"""The daily report: an officer records a working day's activities and
sends them; the supervisor approves or returns the day; lateness is
decided at the boundary of the deadline; bad input stores nothing."""

from __future__ import annotations

import datetime as dt
import io

from plugins.kinerja_harian.models import (
    DayStatus,
    KinerjaHarianActivity,
    KinerjaHarianDay,
    KinerjaHarianTarget,
)
from portal.extensions import db
from portal.testing import csrf_token, post_form
from tests.error_summary import assert_error_summary
from tests.kinerja_harian.conftest import ACTIVITY, PDF, TODAY, YESTERDAY, day_url, png_bytes


def _days(app):
    with app.app_context():
        return [
            (r.officer_id, r.day, r.status, r.late, len(r.activities))
            for r in db.session.scalars(db.select(KinerjaHarianDay))
        ]


def _activities(app):
    with app.app_context():
        return db.session.scalar(db.select(db.func.count(KinerjaHarianActivity.id)))


def _add(client, world, day, data=None, **kwargs):
    return post_form(
        client,
        day_url(world, day, tail="/kegiatan"),
        dict(data or ACTIVITY),
        token_from=day_url(world, day),
        **kwargs,
    )


def _submit(client, world, day):
    return post_form(
        client,
        day_url(world, day, tail="/kirim"),
        {"version": _version(client, world, day)},
        token_from=day_url(world, day),
    )


def _version(client, world, day):
    import re

    page = client.get(day_url(world, day)).get_data(as_text=True)
    match = re.search(r'name="version" type="hidden" value="(\d*)"', page) or re.search(
        r'id="version" name="version" type="hidden" value="(\d*)"', page
    )
    return match.group(1) if match else ""


def test_an_officer_fills_a_day_and_the_supervisor_approves_it(app, world, people):
    page = people["officer"].get(day_url(world, YESTERDAY)).get_data(as_text=True)
    assert "Tambah kegiatan" in page and "Kamis, 10 Desember 2026" in page  # the deadline
    assert _add(people["officer"], world, YESTERDAY).status_code == 302
    page = people["officer"].get(day_url(world, YESTERDAY)).get_data(as_text=True)
    assert "Melayani permohonan KTP di loket 1" in page and "12 berkas" in page and "180 menit" in page
    assert _submit(people["officer"], world, YESTERDAY).status_code == 302
    assert _days(app) == [(world["alpha"]["staff"], YESTERDAY, DayStatus.DIAJUKAN, False, 1)]
    team = people["supervisor"].get("/kelola/alpha/kinerja-harian/tim?bulan=2026-12").get_data(as_text=True)
    assert "Staf alpha" in team and "Menunggu penilaian" in team
    response = post_form(
        people["supervisor"],
        day_url(world, YESTERDAY, tail="/nilai"),
        {"decision": "setujui", "note": "", "version": _version(people["supervisor"], world, YESTERDAY)},
        token_from=day_url(world, YESTERDAY),
    )
    assert response.status_code == 302
    assert _days(app)[0][2] == DayStatus.DISETUJUI
    page = people["officer"].get(day_url(world, YESTERDAY)).get_data(as_text=True)
    assert "Disetujui" in page and "Tambah kegiatan" not in page


def test_a_returned_day_needs_a_note_and_goes_back_to_the_officer(app, world, people):
    _add(people["officer"], world, YESTERDAY)
    _submit(people["officer"], world, YESTERDAY)
    version = _version(people["supervisor"], world, YESTERDAY)
    response = post_form(
        people["supervisor"],
        day_url(world, YESTERDAY, tail="/nilai"),
        {"decision": "kembalikan", "note": "", "version": version},
        token_from=day_url(world, YESTERDAY),
    )
    assert response.status_code == 400
    assert "Tulis apa yang perlu diperbaiki" in response.get_data(as_text=True)
    assert _days(app)[0][2] == DayStatus.DIAJUKAN
    response = post_form(
        people["supervisor"],
        day_url(world, YESTERDAY, tail="/nilai"),
        {"decision": "kembalikan", "note": "Sebutkan nomor berkasnya.", "version": version},
        token_from=day_url(world, YESTERDAY),
    )
    assert response.status_code == 302
    page = people["officer"].get(day_url(world, YESTERDAY)).get_data(as_text=True)
    assert "Dikembalikan" in page and "Sebutkan nomor berkasnya." in page and "Kirim ulang ke atasan" in page
    # Fixed and sent again: waiting again, still on time.
    assert (
        _add(
            people["officer"],
            world,
            YESTERDAY,
            {**ACTIVITY, "description": "Nomor berkas 1-12", "minutes": "10"},
        ).status_code
        == 302
    )
    assert _submit(people["officer"], world, YESTERDAY).status_code == 302
    assert _days(app)[0][2:] == (DayStatus.DIAJUKAN, False, 2)


def test_lateness_is_decided_at_the_deadline_boundary(app, world, people, clock):
    """Deadline of Wednesday 9 December: the next working day, Thursday 10,
    until 23:59:59 in Jakarta (16:59:59 UTC)."""
    day = YESTERDAY
    _add(people["officer"], world, day)
    clock.set(dt.datetime(2026, 12, 10, 16, 59, 59))
    _submit(people["officer"], world, day)
    assert _days(app)[0][2:4] == (DayStatus.DIAJUKAN, False)
    other = dt.date(2026, 12, 8)
    clock.set(dt.datetime(2026, 12, 9, 16, 59, 59))  # Tuesday's deadline is Wednesday 23:59:59
    _add(people["officer"], world, other)
    clock.set(dt.datetime(2026, 12, 9, 17, 0, 0))  # Thursday 00:00 in Jakarta
    response = _submit(people["officer"], world, other)
    assert response.status_code == 302
    late = [d for d in _days(app) if d[1] == other][0]
    assert late[2:4] == (DayStatus.DIAJUKAN, True)
    page = people["officer"].get(day_url(world, other)).get_data(as_text=True)
    assert "terlambat" in page


def test_friday_is_due_on_monday(app, world, people, clock):
    friday = dt.date(2026, 12, 4)
    _add(people["officer"], world, friday)
    clock.set(dt.datetime(2026, 12, 7, 16, 0))  # Monday 23:00 WIB
    _submit(people["officer"], world, friday)
    assert _days(app)[0][2:4] == (DayStatus.DIAJUKAN, False)


# ---------------------------------------------------------------- bad input


def _refused(response, text):
    assert response.status_code == 400, response.status_code
    assert text in response.get_data(as_text=True)


def test_a_future_day_is_refused(app, world, people):
    tomorrow = TODAY + dt.timedelta(days=1)
    page = people["officer"].get(day_url(world, tomorrow)).get_data(as_text=True)
    assert "belum tiba" in page and "Tambah kegiatan" not in page
    _refused(_add(people["officer"], world, tomorrow), "belum tiba")
    assert _days(app) == [] and _activities(app) == 0


def test_a_weekend_or_holiday_is_refused(app, world, people):
    for day in (dt.date(2026, 12, 5), dt.date(2025, 12, 25)):  # a Saturday; Christmas
        _refused(_add(people["officer"], world, day), "bukan hari kerja")
    assert _days(app) == []


def test_more_than_24_hours_in_a_day_is_refused(app, world, people):
    _refused(_add(people["officer"], world, YESTERDAY, {**ACTIVITY, "minutes": "1441"}), "1440")
    assert _add(people["officer"], world, YESTERDAY, {**ACTIVITY, "minutes": "800"}).status_code == 302
    _refused(
        _add(people["officer"], world, YESTERDAY, {**ACTIVITY, "minutes": "700"}),
        "tidak boleh lebih dari 24 jam",
    )
    assert _days(app)[0][4] == 1


def test_a_target_of_another_officer_is_refused(app, world, people):
    with app.app_context():
        boss_target = KinerjaHarianTarget(
            agency_id=world["alpha"]["agency"],
            officer_id=world["alpha"]["boss"],
            period_kind="triwulan",
            start=dt.date(2026, 10, 1),
            end=dt.date(2026, 12, 31),
            kind="dilaporkan",
            title="Target atasan",
            target_value=10,
            unit_label="berkas",
            status="disepakati",
        )
        db.session.add(boss_target)
        db.session.commit()
        target_id = boss_target.id
    _refused(
        _add(people["officer"], world, YESTERDAY, {**ACTIVITY, "target_id": str(target_id)}),
        "bukan target Anda",
    )
    assert _activities(app) == 0


def test_an_approved_day_cannot_be_changed(app, world, people):
    _add(people["officer"], world, YESTERDAY)
    _submit(people["officer"], world, YESTERDAY)
    post_form(
        people["supervisor"],
        day_url(world, YESTERDAY, tail="/nilai"),
        {"decision": "setujui", "version": _version(people["supervisor"], world, YESTERDAY)},
        token_from=day_url(world, YESTERDAY),
    )
    token = csrf_token(people["officer"], day_url(world, YESTERDAY))
    response = people["officer"].post(
        day_url(world, YESTERDAY, tail="/kegiatan"), data={**ACTIVITY, "csrf_token": token}
    )
    _refused(response, "sudah disetujui atasan")
    with app.app_context():
        activity_id = db.session.scalar(db.select(KinerjaHarianActivity.id))
    response = people["officer"].post(
        day_url(world, YESTERDAY, tail=f"/kegiatan/{activity_id}"),
        data={**ACTIVITY, "description": "Diubah", "csrf_token": token},
    )
    _refused(response, "sudah disetujui atasan")
    response = people["officer"].post(
        day_url(world, YESTERDAY, tail=f"/kegiatan/{activity_id}/hapus"), data={"csrf_token": token}
    )
    _refused(response, "sudah disetujui atasan")
    assert _activities(app) == 1
    with app.app_context():
        assert db.session.scalar(db.select(KinerjaHarianActivity.description)) == ACTIVITY["description"]


def test_a_stale_page_does_not_overwrite_a_newer_change(app, world, people):
    _add(people["officer"], world, YESTERDAY)
    stale = _version(people["officer"], world, YESTERDAY)
    _add(people["officer"], world, YESTERDAY, {**ACTIVITY, "minutes": "5"})
    response = post_form(
        people["officer"],
        day_url(world, YESTERDAY, tail="/kirim"),
        {"version": stale},
        token_from=day_url(world, YESTERDAY),
    )
    _refused(response, "baru saja diubah")
    assert _days(app)[0][2] == DayStatus.DRAF


def test_bad_month_and_date_parameters_are_clear(app, world, people):
    response = people["officer"].get(
        f"/kelola/alpha/kinerja-harian/pegawai/{world['alpha']['staff']}?bulan=2026-13"
    )
    assert response.status_code == 400 and "YYYY-MM" in response.get_data(as_text=True)
    assert (
        people["officer"].get(day_url(world, YESTERDAY).replace(YESTERDAY.isoformat(), "kemarin")).status_code
        == 404
    )


def test_forms_answered_with_errors_open_with_a_summary_linked_to_the_fields(app, world, people):
    wrong = {**ACTIVITY, "description": "", "quantity": "banyak"}
    response = _add(people["officer"], world, YESTERDAY, wrong)
    assert response.status_code == 400
    assert_error_summary(response.get_data(as_text=True), "description", "quantity")
    assert _add(people["officer"], world, YESTERDAY).status_code == 302
    assert _submit(people["officer"], world, YESTERDAY).status_code == 302
    response = post_form(
        people["supervisor"],
        day_url(world, YESTERDAY, tail="/nilai"),
        {"note": "", "version": _version(people["supervisor"], world, YESTERDAY)},
        token_from=day_url(world, YESTERDAY),
    )
    assert response.status_code == 400
    # The review form has its own summary; the radio group's fieldset is the link's target.
    assert_error_summary(response.get_data(as_text=True), "decision", summary_id="ringkasan-galat-penilaian")


# ---------------------------------------------------------------- attachments


def test_attachments_are_checked_by_content_and_served_as_downloads(app, world, people):
    fake = b"<html><script>alert(1)</script></html>"
    response = _add(
        people["officer"],
        world,
        YESTERDAY,
        {**ACTIVITY, "attachments": [(io.BytesIO(fake), "foto.png")]},
        content_type="multipart/form-data",
    )
    _refused(response, "bukan gambar (JPEG, PNG, WebP) atau PDF yang sah")
    assert _activities(app) == 0
    files = [(io.BytesIO(png_bytes()), "bukti.png"), (io.BytesIO(PDF), "surat.pdf")]
    response = _add(
        people["officer"],
        world,
        YESTERDAY,
        {**ACTIVITY, "attachments": files},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    page = people["officer"].get(day_url(world, YESTERDAY)).get_data(as_text=True)
    assert "bukti.png" in page and "surat.pdf" in page
    import re

    links = re.findall(r'href="(/kelola/alpha/kinerja-harian/lampiran/\d+)"', page)
    assert len(links) == 2
    for link in links:
        download = people["supervisor"].get(link)
        assert download.status_code == 200
        assert download.headers["Content-Disposition"].startswith("attachment")
        assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert people["beta"].get(links[0]).status_code == 404
