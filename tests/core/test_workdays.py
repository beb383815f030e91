"""The portal's one working-day calendar: weekends, national holidays (Idul
Fitri with its cuti bersama included) and the agency's own days off."""

import datetime as dt

import pytest

from portal.core.models import Agency, LeaveDay
from portal.core.tenancy import workdays
from portal.core.tenancy.workdays import Calendar
from portal.extensions import db
from portal.testing import PASSWORD, login, post_form

D = dt.date


def test_weekend_is_skipped():
    assert Calendar().add_working_days(D(2026, 11, 20), 3) == D(2026, 11, 25)  # Fri → Wed


def test_christmas_is_skipped():
    assert not Calendar().is_working_day(D(2026, 12, 25))
    assert Calendar().add_working_days(D(2026, 12, 24), 3) == D(2026, 12, 30)  # Thu → Mon, Tue, Wed


def test_filed_just_before_idul_fitri_with_cuti_bersama():
    # 2027: Nyepi Mon 8 March, Idul Fitri Wed 10 and Thu 11 March.
    assert Calendar().add_working_days(D(2027, 3, 5), 3) == D(2027, 3, 15)
    # The agency declares Fri 12 March cuti bersama: one more day.
    assert Calendar(leave={D(2027, 3, 12)}).add_working_days(D(2027, 3, 5), 3) == D(2027, 3, 16)


def test_working_days_in_the_idul_fitri_week():
    week = Calendar(leave={D(2027, 3, 12)}).working_days(D(2027, 3, 8), D(2027, 3, 14))
    assert week == [D(2027, 3, 9)]  # Mon Nyepi, Wed–Thu Idul Fitri, Fri cuti bersama, weekend


def test_working_days_between():
    assert Calendar().working_days_between(D(2026, 11, 20), D(2026, 11, 25)) == 3
    assert Calendar().working_days_between(D(2026, 11, 25), D(2026, 11, 20)) == 0


def test_a_calendar_without_working_days_is_an_error_not_a_hang():
    every_day = {D(2026, 1, 1) + dt.timedelta(days=i) for i in range(4000)}
    with pytest.raises(ValueError):
        Calendar(leave=every_day).add_working_days(D(2026, 1, 1), 1)


def test_an_agencys_leave_days_move_its_deadlines_only(app, world):
    with app.app_context():
        alpha = db.session.execute(db.select(Agency).filter_by(slug="alpha")).scalar_one()
        beta = db.session.execute(db.select(Agency).filter_by(slug="beta")).scalar_one()
        db.session.add(LeaveDay(agency_id=alpha.id, day=D(2027, 3, 12), name="Cuti bersama Idul Fitri"))
        db.session.commit()
        assert workdays.add_working_days(alpha, D(2027, 3, 5), 3) == D(2027, 3, 16)
        assert workdays.add_working_days(beta, D(2027, 3, 5), 3) == D(2027, 3, 15)
        assert not workdays.is_working_day(alpha, D(2027, 3, 12))
        assert workdays.is_working_day(beta, D(2027, 3, 12))


def test_the_admin_keeps_the_leave_days(app, client, world):
    login(client, world["alpha"]["emails"]["admin"], PASSWORD)
    url = "/kelola/alpha/hari-kerja"
    page = client.get(url).get_data(as_text=True)
    assert "Hari Raya Idul Fitri" in page or "Idul Fitri" in page  # the national holidays are listed
    response = post_form(client, url, {"day": "2026-12-24", "name": "Cuti bersama Natal"})
    assert response.status_code == 302
    again = post_form(client, url, {"day": "2026-12-24"})
    assert again.status_code == 422 and "sudah terdaftar" in again.get_data(as_text=True)
    for bad, message in (
        ("2026-12-26", "Sabtu atau Minggu"),
        ("2026-12-25", "libur nasional"),
        ("9999-01-01", "tahun dari sekarang"),
        ("bukan-tanggal", "Tanggal"),
    ):
        response = post_form(client, url, {"day": bad})
        assert response.status_code == 422, bad
        assert message in response.get_data(as_text=True), bad
    with app.app_context():
        rows = db.session.scalars(db.select(LeaveDay)).all()
        assert [(r.day, r.name) for r in rows] == [(D(2026, 12, 24), "Cuti bersama Natal")]


@pytest.mark.parametrize("role", ["supervisor", "officer"])
def test_only_admins_change_the_calendar(app, client, world, role):
    login(client, world["alpha"]["emails"][role], PASSWORD)
    assert client.get("/kelola/alpha/hari-kerja").status_code == 403
    posted = post_form(
        client, "/kelola/alpha/hari-kerja", {"day": "2026-12-24"}, token_from="/kinerja/alpha/tim"
    )
    assert posted.status_code == 403
