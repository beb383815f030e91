"""Kinerja harian rules: who may see and evaluate whom, the working-day
calendar and the deadline, days and their activities, submission and
evaluation, target progress and reporting compliance."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError

from plugins.kinerja_harian.models import (
    DayStatus,
    KinerjaHarianActivity,
    KinerjaHarianDay,
    KinerjaHarianTarget,
    TargetKind,
    TargetStatus,
)
from portal.plugin import (
    ROLE_ADMIN,
    ROLE_SUPERVISOR,
    Agency,
    Officer,
    daily_evidence,
    db,
    indicators,
    local,
    utcnow,
    workdays,
)

#: Most a day can hold: 24 hours.
DAY_MINUTES = 24 * 60
DEFAULT_DEADLINE_DAYS = 1


class ReportError(ValueError):
    """Something the user asked that is not allowed; ``str()`` says why, in Indonesian."""


# ---------------------------------------------------------------- who may do what


def visible_ids(user, agency: Agency) -> set[int] | None:
    """Officers of ``agency`` whose reports ``user`` may see; None: all of them."""
    if not getattr(user, "is_authenticated", False):
        return set()
    if user.is_superadmin or (user.role == ROLE_ADMIN and user.agency_id == agency.id):
        return None
    if user.agency_id != agency.id or user.officer is None:
        return set()
    ids = {user.officer.id}
    if user.role == ROLE_SUPERVISOR:
        ids |= user.officer.subordinate_ids()
    return ids


def can_view(user, officer: Officer) -> bool:
    visible = visible_ids(user, officer.agency)
    return visible is None or officer.id in visible


def can_evaluate(user, officer: Officer) -> bool:
    """Approve or return days, agree targets, write the monthly evaluation:
    the agency's admins and the supervisors above the officer; never oneself."""
    if user.officer_id == officer.id:
        return False
    visible = visible_ids(user, officer.agency)
    if visible is None:
        return True
    return user.role == ROLE_SUPERVISOR and officer.id in visible


def team_ids(user, agency: Agency) -> set[int] | None:
    """Officers ``user`` evaluates (None: the whole agency)."""
    visible = visible_ids(user, agency)
    if visible is None:
        return None
    if user.role != ROLE_SUPERVISOR:
        return set()
    return visible - {user.officer_id}


# ---------------------------------------------------------------- calendar


def today_for(agency: Agency, now: dt.datetime | None = None) -> dt.date:
    return local(now or utcnow(), agency.timezone).date()


def deadline_days() -> int:
    return int(current_app.config.get("KINERJA_HARIAN_DEADLINE_DAYS", DEFAULT_DEADLINE_DAYS))


def deadline(agency: Agency, day: dt.date) -> dt.date:
    """The last day (agency-local, inclusive) a report of ``day`` is on time:
    ``KINERJA_HARIAN_DEADLINE_DAYS`` working days after it (0: the day itself)."""
    days = deadline_days()
    return day if days <= 0 else workdays.add_working_days(agency, day, days)


def is_late(agency: Agency, day: dt.date, moment: dt.datetime) -> bool:
    """Is a report of ``day`` sent at ``moment`` (naive UTC) after its deadline?"""
    return local(moment, agency.timezone).date() > deadline(agency, day)


def check_reportable(agency: Agency, day: dt.date, today: dt.date | None = None) -> None:
    """Raise :class:`ReportError` unless ``day`` may be reported: not in the
    future, a working day."""
    today = today or today_for(agency)
    if day > today:
        raise ReportError(
            _l(
                "Tanggal %(day)s belum tiba: laporan hanya untuk hari yang sudah berjalan.",
                day=day.isoformat(),
            )
        )
    if not workdays.is_working_day(agency, day):
        raise ReportError(
            _l(
                "%(day)s bukan hari kerja (akhir pekan, libur nasional atau cuti bersama): "
                "tidak ada laporan untuk hari itu.",
                day=day.isoformat(),
            )
        )


# ---------------------------------------------------------------- days


def find_day(officer: Officer, day: dt.date) -> KinerjaHarianDay | None:
    return db.session.execute(
        db.select(KinerjaHarianDay).filter_by(officer_id=officer.id, day=day)
    ).scalar_one_or_none()


def get_or_create_day(officer: Officer, day: dt.date) -> KinerjaHarianDay:
    """The officer's report of ``day``, created (as a draft) when missing;
    two requests creating it at once end with one row."""
    found = find_day(officer, day)
    if found is not None:
        return found
    try:
        with db.session.begin_nested():
            report = KinerjaHarianDay(agency_id=officer.agency_id, officer_id=officer.id, day=day)
            db.session.add(report)
    except IntegrityError:
        found = find_day(officer, day)
        if found is None:
            raise
        return found
    return report


def check_editable(report: KinerjaHarianDay) -> None:
    if report.status == DayStatus.DISETUJUI:
        raise ReportError(_l("Laporan hari ini sudah disetujui atasan dan tidak dapat diubah lagi."))
    if report.status == DayStatus.DIAJUKAN:
        raise ReportError(
            _l(
                "Laporan sudah dikirim dan menunggu penilaian atasan; "
                "tunggu sampai disetujui atau dikembalikan."
            )
        )


def bump(report: KinerjaHarianDay, expected: int, **values) -> None:
    """Change the day only if nobody else changed it since it was read
    (compare-and-set on ``version``)."""
    result = db.session.execute(
        update(KinerjaHarianDay)
        .where(KinerjaHarianDay.id == report.id, KinerjaHarianDay.version == expected)
        .values(version=expected + 1, **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.rollback()
        raise ReportError(
            _l("Laporan ini baru saja diubah di tempat lain. Muat ulang halaman lalu coba lagi.")
        )
    db.session.expire(report)


def check_minutes(
    report: KinerjaHarianDay, minutes: int, replacing: KinerjaHarianActivity | None = None
) -> None:
    others = sum(a.minutes for a in report.activities if a is not replacing)
    if others + minutes > DAY_MINUTES:
        raise ReportError(
            _l(
                "Jumlah durasi kegiatan dalam sehari tidak boleh lebih dari 24 jam: "
                "sudah tercatat %(used)d menit, "
                "tersisa %(left)d menit.",
                used=others,
                left=max(0, DAY_MINUTES - others),
            )
        )


def usable_targets(officer: Officer, day: dt.date) -> list[KinerjaHarianTarget]:
    """The agreed targets an activity of ``day`` may serve: the officer's own
    and their unit's, whose period holds the day."""
    owner = KinerjaHarianTarget.officer_id == officer.id
    if officer.unit_id:
        owner = owner | (KinerjaHarianTarget.unit_id == officer.unit_id)
    return list(
        db.session.scalars(
            db.select(KinerjaHarianTarget)
            .where(
                KinerjaHarianTarget.agency_id == officer.agency_id,
                owner,
                KinerjaHarianTarget.status == TargetStatus.DISEPAKATI,
                KinerjaHarianTarget.start <= day,
                KinerjaHarianTarget.end >= day,
            )
            .order_by(KinerjaHarianTarget.title)
        )
    )


def check_target(officer: Officer, day: dt.date, target_id: int | None) -> KinerjaHarianTarget | None:
    if not target_id:
        return None
    target = next((t for t in usable_targets(officer, day) if t.id == target_id), None)
    if target is None:
        raise ReportError(
            _l(
                "Target itu bukan target Anda (atau unit Anda) yang sudah disepakati untuk periode hari ini. "
                "Pilih salah satu dari daftar."
            )
        )
    return target


def proposals(officer: Officer, day: dt.date, report: KinerjaHarianDay | None = None) -> list:
    """The portal's evidence of ``day`` not yet in the report."""
    used = {a.evidence_key for a in report.activities} if report is not None else set()
    return [e for e in daily_evidence(officer, day) if e.key not in used]


def evidence_by_key(officer: Officer, day: dt.date, keys: list[str]) -> list:
    """The evidence named by ``keys``; :class:`ReportError` if any is not the
    officer's evidence of that day (another officer's, another agency's, made up)."""
    known = {e.key: e for e in daily_evidence(officer, day)}
    unknown = [k for k in keys if k not in known]
    if unknown:
        raise ReportError(
            _l(
                "Bukti %(key)s tidak tercatat atas nama Anda pada hari itu; "
                "hanya bukti dari portal untuk Anda "
                "yang dapat diusulkan.",
                key=unknown[0][:120],
            )
        )
    return [known[k] for k in keys]


# ---------------------------------------------------------------- targets


@dataclass
class Progress:
    """A target's progress now. ``value`` None: not enough data (``note`` says why)."""

    value: float | None
    count: int
    percent: float | None
    achieved: bool
    low: float | None = None
    high: float | None = None
    available: bool = True
    note: str = ""


def target_available(target: KinerjaHarianTarget):
    """The indicator that measures ``target`` (None when its plugin is off or gone)."""
    scope = "officer" if target.officer_id else "unit"
    return indicators(target.agency, scope=scope).get(target.indicator_key)


def progress(target: KinerjaHarianTarget, today: dt.date | None = None) -> Progress:
    today = today or today_for(target.agency)
    end = min(target.end, today)
    if target.kind == TargetKind.TERUKUR:
        indicator = target_available(target)
        if indicator is None:
            return Progress(None, 0, None, False, available=False)
        if end < target.start:
            return Progress(None, 0, None, False)
        subject = target.officer if target.officer_id else target.unit
        measurement = indicator.measure(subject, target.start, end)
        if measurement.value is None or not measurement.enough:
            return Progress(None, measurement.count, None, False, note=measurement.note)
        value = float(measurement.value)
        return Progress(
            value,
            measurement.count,
            _percent(value, target),
            _achieved(value, target),
            measurement.low,
            measurement.high,
            note=measurement.note,
        )
    query = (
        db.select(
            func.coalesce(func.sum(KinerjaHarianActivity.quantity), 0), func.count(KinerjaHarianActivity.id)
        )
        .join(KinerjaHarianDay, KinerjaHarianActivity.day_id == KinerjaHarianDay.id)
        .where(
            KinerjaHarianActivity.target_id == target.id,
            KinerjaHarianDay.status == DayStatus.DISETUJUI,
            KinerjaHarianDay.day >= target.start,
            KinerjaHarianDay.day <= target.end,
        )
    )
    total, count = db.session.execute(query).one()
    value = float(total or 0)
    return Progress(value, int(count), _percent(value, target), _achieved(value, target))


def _percent(value: float, target: KinerjaHarianTarget) -> float | None:
    if not target.target_value:
        return None
    if target.higher_is_better:
        return value / target.target_value * 100
    return target.target_value / value * 100 if value else None


def _achieved(value: float, target: KinerjaHarianTarget) -> bool:
    return value >= target.target_value if target.higher_is_better else value <= target.target_value


def is_closed(target: KinerjaHarianTarget, today: dt.date | None = None) -> bool:
    return target.end < (today or today_for(target.agency))


# ---------------------------------------------------------------- compliance


ON_TIME, LATE, MISSING, OPEN = "tepat", "terlambat", "tidak", "belum"


@dataclass
class Compliance:
    working: int  # working days of the month up to today
    on_time: int
    late: int
    missing: int
    open: int  # not reported, deadline not yet passed
    returned: int
    waiting: int  # sent, not yet evaluated

    @property
    def settled(self) -> int:
        return self.on_time + self.late + self.missing

    @property
    def percent(self) -> float | None:
        return self.on_time / self.settled * 100 if self.settled else None


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    first = month.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


def day_states(
    agency: Agency, officer_id: int, first: dt.date, last: dt.date, today: dt.date, reports
) -> list:
    """[(day, state, report or None)] for the working days in [first, min(last, today)]."""
    out = []
    for day in workdays.working_days(agency, first, min(last, today)):
        report = reports.get((officer_id, day))
        if report is not None and report.status in DayStatus.reported():
            state = LATE if report.late else ON_TIME
        elif deadline(agency, day) < today:
            state = MISSING
        else:
            state = OPEN
        out.append((day, state, report))
    return out


def reports_between(officer_ids, first: dt.date, last: dt.date) -> dict:
    rows = db.session.scalars(
        db.select(KinerjaHarianDay).where(
            KinerjaHarianDay.officer_id.in_(list(officer_ids) or [-1]),
            KinerjaHarianDay.day >= first,
            KinerjaHarianDay.day <= last,
        )
    )
    return {(r.officer_id, r.day): r for r in rows}


def compliance(
    agency: Agency, officer_ids, month: dt.date, today: dt.date | None = None
) -> dict[int, Compliance]:
    today = today or today_for(agency)
    first, last = month_bounds(month)
    reports = reports_between(officer_ids, first, last)
    out = {}
    for officer_id in officer_ids:
        states = day_states(agency, officer_id, first, last, today, reports)
        count = {state: 0 for state in (ON_TIME, LATE, MISSING, OPEN)}
        returned = waiting = 0
        for _day, state, report in states:
            count[state] += 1
            if report is not None and report.status == DayStatus.DIKEMBALIKAN:
                returned += 1
            if report is not None and report.status == DayStatus.DIAJUKAN:
                waiting += 1
        out[officer_id] = Compliance(
            len(states), count[ON_TIME], count[LATE], count[MISSING], count[OPEN], returned, waiting
        )
    return out


#: Fewest settled days before the on-time share is shown as a number.
MIN_SETTLED_DAYS = 5


def measure_on_time(officer: Officer, start: dt.date, end: dt.date):
    """The indicator ``kinerja_harian.on_time``: the share (%) of the
    officer's settled working days in [start, end] reported on time."""
    from portal.plugin import Measurement

    today = today_for(officer.agency)
    last = min(end, today)
    if last < start:
        return Measurement(None, 0, enough=False)
    reports = reports_between([officer.id], start, last)
    states = [state for _d, state, _r in day_states(officer.agency, officer.id, start, last, today, reports)]
    settled = sum(1 for state in states if state != OPEN)
    on_time = sum(1 for state in states if state == ON_TIME)
    if settled < MIN_SETTLED_DAYS:
        return Measurement(None, settled, enough=False)
    return Measurement(on_time / settled * 100, settled)
