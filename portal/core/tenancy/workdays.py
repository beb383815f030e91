"""The working-day calendar every module counts with.

A working day is a weekday that is neither an Indonesian national holiday
(from the ``holidays`` package, which follows the government's decrees,
Idul Fitri and Idul Adha included) nor one of the agency's own days off
(:class:`portal.core.models.LeaveDay`: cuti bersama, regional holidays),
which the agency admin keeps at ``/kelola/<slug>/hari-kerja``.

Complaint deadlines, daily reports and reminders all ask this module, so
an agency that adds a cuti bersama day moves every deadline at once.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from portal.extensions import db

#: How far :func:`add_working_days` looks before it gives up (a calendar with
#: no working day in it is a data error, not a reason to loop forever).
MAX_SPAN_DAYS = 3660


@lru_cache(maxsize=64)
def _national(year: int, language: str = "id") -> dict[dt.date, str]:
    import holidays  # imported here: only what counts days pays for it

    return dict(holidays.country_holidays("ID", years=year, language=language))


def national(year: int) -> frozenset[dt.date]:
    """Indonesia's national holidays in ``year``."""
    return frozenset(_national(year))


def national_name(day: dt.date) -> str | None:
    """The name of the national holiday on ``day``, if it is one, in the
    user's language (Indonesian, or English)."""
    from flask_babel import get_locale

    locale = get_locale()
    return _national(day.year, "en_US" if locale and locale.language == "en" else "id").get(day)


def leave_days(agency) -> set[dt.date]:
    """The agency's own days off (cuti bersama and the like)."""
    from portal.core.models import LeaveDay

    agency_id = agency if isinstance(agency, int) else agency.id
    return set(db.session.scalars(db.select(LeaveDay.day).filter_by(agency_id=agency_id)))


class Calendar:
    """One agency's working days, with its leave days read once."""

    def __init__(self, agency=None, leave=None):
        if leave is None:
            leave = leave_days(agency) if agency is not None else ()
        self.leave = set(leave)

    def is_working_day(self, day: dt.date) -> bool:
        return day.weekday() < 5 and day not in _national(day.year) and day not in self.leave

    def add_working_days(self, start: dt.date, days: int) -> dt.date:
        """The date ``days`` working days after ``start`` (``start`` itself does
        not count): from Friday with 3 days → Wednesday (no holidays)."""
        day, remaining = start, days
        for _ in range(MAX_SPAN_DAYS):
            if remaining <= 0:
                return day
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        raise ValueError("no working days in the calendar")

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after ``start`` up to and including ``end`` (0 when end ≤ start)."""
        count, day = 0, start
        while day < end:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count

    def working_days(self, first: dt.date, last: dt.date) -> list[dt.date]:
        """The working days in [first, last]."""
        days, day = [], first
        while day <= last:
            if self.is_working_day(day):
                days.append(day)
            day += dt.timedelta(days=1)
        return days


def calendar(agency) -> Calendar:
    """The calendar of ``agency`` (reads its leave days once: use it for loops)."""
    return Calendar(agency)


def is_working_day(agency, day: dt.date) -> bool:
    return Calendar(agency).is_working_day(day)


def add_working_days(agency, start: dt.date, days: int) -> dt.date:
    return Calendar(agency).add_working_days(start, days)


def working_days_between(agency, start: dt.date, end: dt.date) -> int:
    return Calendar(agency).working_days_between(start, end)


def working_days(agency, first: dt.date, last: dt.date) -> list[dt.date]:
    return Calendar(agency).working_days(first, last)
