"""Notices: the daily reminder job (officers who missed a deadline,
supervisors with days waiting) and the officer's notice when a day is
approved or returned. Every notice carries an idempotency key, so the job
can run twice a day and nobody hears twice."""

from __future__ import annotations

import datetime as dt

from flask import url_for
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _

from plugins.kinerja_harian import service
from plugins.kinerja_harian.models import DayStatus, KinerjaHarianDay
from portal.plugin import Agency, Officer, User, db, is_enabled, notify, workdays

NAME = "kinerja_harian"
#: How far back a missed day is still worth a reminder.
LOOKBACK_DAYS = 7


def _login(officer_id: int) -> User | None:
    return db.session.execute(
        db.select(User).filter_by(officer_id=officer_id, active=True)
    ).scalar_one_or_none()


def _day_url(agency: Agency, officer_id: int, day: dt.date) -> str:
    return url_for("kinerja_harian.day", agency_slug=agency.slug, officer_id=officer_id, day=day.isoformat())


def notify_officer_review(report: KinerjaHarianDay, returning: bool, note: str) -> None:
    """Tell the officer their day was approved or returned (once per decision)."""
    user = _login(report.officer_id)
    if user is None:
        return
    day = report.day
    with force_locale("id"):
        if returning:
            title = _("Laporan harian %(day)s dikembalikan", day=day.isoformat())
        else:
            title = _("Laporan harian %(day)s disetujui", day=day.isoformat())
    decision = "returned" if returning else "approved"
    notify(
        user,
        title,
        body=note,
        url=_day_url(report.agency, report.officer_id, day),
        key=f"kinerja_harian:{decision}:{report.id}:{report.version}",
    )


def remind(today: dt.date | None = None) -> dict[str, int]:
    """Remind, for every agency the plugin is on for: each officer with a
    login of every working day (of the last week) whose deadline has passed
    without a report, and each supervisor of the days waiting for them.
    The caller commits. Returns how many notices were created."""
    counts = {"pegawai": 0, "atasan": 0}
    for agency in db.session.scalars(db.select(Agency).order_by(Agency.id)):
        if not is_enabled(agency, NAME):
            continue
        local_today = today or service.today_for(agency)
        counts["pegawai"] += _remind_officers(agency, local_today)
        counts["atasan"] += _remind_supervisors(agency, local_today)
    return counts


def _remind_officers(agency: Agency, today: dt.date) -> int:
    first = today - dt.timedelta(days=LOOKBACK_DAYS)
    days = [d for d in workdays.working_days(agency, first, today) if service.deadline(agency, d) < today]
    if not days:
        return 0
    people = db.session.execute(
        db.select(Officer, User)
        .join(User, User.officer_id == Officer.id)
        .where(Officer.agency_id == agency.id, Officer.active.is_(True), User.active.is_(True))
    ).all()
    reports = service.reports_between([o.id for o, _u in people], days[0], days[-1])
    created = 0
    for person, user in people:
        for day in days:
            report = reports.get((person.id, day))
            if report is not None and report.status in DayStatus.reported():
                continue
            with force_locale("id"):
                title = _("Laporan harian %(day)s belum dikirim", day=day.isoformat())
                body = _(
                    "Batas pengiriman laporan kegiatan harian %(day)s sudah lewat (%(deadline)s). "
                    "Laporan yang "
                    "dikirim sekarang tercatat terlambat.",
                    day=day.isoformat(),
                    deadline=service.deadline(agency, day).isoformat(),
                )
            created += notify(
                user,
                title,
                body=body,
                url=_day_url(agency, person.id, day),
                key=f"kinerja_harian:missing:{day.isoformat()}",
            )
    return created


def _remind_supervisors(agency: Agency, today: dt.date) -> int:
    waiting = db.session.execute(
        db.select(Officer.supervisor_id, db.func.count(KinerjaHarianDay.id))
        .join(Officer, Officer.id == KinerjaHarianDay.officer_id)
        .where(KinerjaHarianDay.agency_id == agency.id, KinerjaHarianDay.status == DayStatus.DIAJUKAN)
        .group_by(Officer.supervisor_id)
    ).all()
    created = 0
    for supervisor_id, count in waiting:
        if supervisor_id is None:
            continue
        user = _login(supervisor_id)
        if user is None:
            continue
        with force_locale("id"):
            title = ngettext(
                "%(num)d laporan harian tim menunggu penilaian Anda",
                "%(num)d laporan harian tim menunggu penilaian Anda",
                count,
            )
        created += notify(
            user,
            title,
            url=url_for("kinerja_harian.team", agency_slug=agency.slug),
            key=f"kinerja_harian:waiting:{today.isoformat()}",
        )
    return created
