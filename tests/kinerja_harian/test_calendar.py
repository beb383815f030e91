"""The working-day calendar across Idul Fitri 1447 H (21–22 March 2026)
with the agency's cuti bersama (20, 23 and 24 March), as the admin enters
them at /kelola/<slug>/hari-kerja: those days take no report, and the
deadline of the day before the holidays falls after them."""

from __future__ import annotations

import datetime as dt

from plugins.kinerja_harian.models import KinerjaHarianDay
from portal.extensions import db
from portal.testing import post_form
from tests.kinerja_harian.conftest import ACTIVITY, day_url, send_day

CUTI_BERSAMA = [dt.date(2026, 3, 20), dt.date(2026, 3, 23), dt.date(2026, 3, 24)]


def _leave(people):
    for day in CUTI_BERSAMA:
        response = post_form(
            people["admin"],
            "/kelola/alpha/hari-kerja",
            {"day": day.isoformat(), "name": "Cuti bersama Idulfitri"},
        )
        assert response.status_code in (200, 302)


def test_idul_fitri_and_cuti_bersama_are_not_working_days(app, world, people, clock):
    _leave(people)
    clock.set(dt.datetime(2026, 3, 31, 3, 0))
    page = (
        people["officer"]
        .get(f"/kelola/alpha/kinerja-harian/pegawai/{world['alpha']['staff']}?bulan=2026-03")
        .get_data(as_text=True)
    )
    # Nyepi (19), cuti bersama (20, 23, 24) and Idul Fitri (21–22, a weekend) are not listed.
    for listed in ("Rabu, 18 Maret", "Rabu, 25 Maret"):
        assert listed in page
    for absent in ("Kamis, 19 Maret", "Jumat, 20 Maret", "Senin, 23 Maret", "Selasa, 24 Maret"):
        assert absent not in page
    for day in (dt.date(2026, 3, 19), *CUTI_BERSAMA):
        response = post_form(
            people["officer"],
            day_url(world, day, tail="/kegiatan"),
            ACTIVITY,
            token_from=day_url(world, dt.date(2026, 3, 18)),
        )
        assert response.status_code == 400 and "bukan hari kerja" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(KinerjaHarianDay.id))) == 0


def test_the_day_before_the_holidays_is_due_after_them(app, world, people, clock):
    _leave(people)
    wednesday = dt.date(2026, 3, 18)
    clock.set(dt.datetime(2026, 3, 18, 9, 0))
    page = people["officer"].get(day_url(world, wednesday)).get_data(as_text=True)
    assert "Rabu, 25 Maret 2026" in page  # the next working day
    post_form(
        people["officer"],
        day_url(world, wednesday, tail="/kegiatan"),
        ACTIVITY,
        token_from=day_url(world, wednesday),
    )
    clock.set(dt.datetime(2026, 3, 25, 16, 30))  # Wednesday 25 March, 23:30 WIB
    send_day(people["officer"], world, wednesday)
    with app.app_context():
        report = db.session.scalars(db.select(KinerjaHarianDay)).one()
        assert report.status == "diajukan" and report.late is False


def test_a_report_sent_after_the_holidays_deadline_is_late(app, world, people, clock):
    _leave(people)
    tuesday = dt.date(2026, 3, 17)  # due Wednesday 18 March
    clock.set(dt.datetime(2026, 3, 17, 9, 0))
    post_form(
        people["officer"],
        day_url(world, tuesday, tail="/kegiatan"),
        ACTIVITY,
        token_from=day_url(world, tuesday),
    )
    clock.set(
        dt.datetime(2026, 3, 18, 17, 0)
    )  # Thursday 19 March, 00:00 WIB: a holiday, yet past the deadline
    send_day(people["officer"], world, tuesday)
    with app.app_context():
        assert db.session.scalars(db.select(KinerjaHarianDay.late)).one() is True
