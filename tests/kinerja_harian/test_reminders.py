"""The daily reminder job: officers hear once about each day whose
deadline passed without a report; supervisors once a day about days
waiting for them; a second run sends nothing."""

from __future__ import annotations

import datetime as dt

from portal.core.models import Notification
from portal.extensions import db
from portal.testing import post_form
from tests.kinerja_harian.conftest import ACTIVITY, day_url, send_day


def _notices(app):
    with app.app_context():
        return sorted((n.user.email, n.title) for n in db.session.scalars(db.select(Notification)))


def test_remind_twice_notifies_once(app, world, people, runner):
    # Thursday 10 December: the staff officer reported Tuesday the 8th, which waits.
    tuesday = dt.date(2026, 12, 8)
    post_form(
        people["officer"],
        day_url(world, tuesday, tail="/kegiatan"),
        ACTIVITY,
        token_from=day_url(world, tuesday),
    )
    send_day(people["officer"], world, tuesday)
    result = runner.invoke(args=["kinerja-harian", "remind", "--tanggal", "2026-12-10"])
    assert result.exit_code == 0, result.output
    notices = _notices(app)
    staff = [title for email, title in notices if email == world["alpha"]["emails"]["officer"]]
    # Days of the last week whose deadline (the next working day) is before today: 3, 4 and 7 December;
    # the 8th was reported and the 9th is due today.
    assert staff == [
        "Laporan harian 2026-12-03 belum dikirim",
        "Laporan harian 2026-12-04 belum dikirim",
        "Laporan harian 2026-12-07 belum dikirim",
    ]
    boss = [title for email, title in notices if email == world["alpha"]["emails"]["supervisor"]]
    assert "1 laporan harian tim menunggu penilaian Anda" in boss
    assert not [e for e, _t in notices if e == world["alpha"]["emails"]["admin"]]
    again = runner.invoke(args=["kinerja-harian", "remind", "--tanggal", "2026-12-10"])
    assert again.exit_code == 0 and "0 pengingat untuk pegawai, 0 untuk atasan." in again.output
    assert _notices(app) == notices
    page = people["officer"].get("/pemberitahuan/").get_data(as_text=True)
    assert "Laporan harian 2026-12-03 belum dikirim" in page


def test_a_bad_date_for_the_job_is_a_clear_error(app, runner):
    result = runner.invoke(args=["kinerja-harian", "remind", "--tanggal", "kemarin"])
    assert result.exit_code != 0 and "YYYY-MM-DD" in result.output
