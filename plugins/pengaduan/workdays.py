"""Working days: weekends, Indonesian public holidays (the ``holidays``
package) and the agency's own leave days (cuti bersama) are not counted."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import lru_cache


@lru_cache(maxsize=32)
def national(year: int) -> frozenset[dt.date]:
    import holidays

    return frozenset(holidays.country_holidays("ID", years=year))


def is_working_day(day: dt.date, leave: Iterable[dt.date] = ()) -> bool:
    return day.weekday() < 5 and day not in national(day.year) and day not in set(leave)


def add_working_days(start: dt.date, days: int, leave: Iterable[dt.date] = ()) -> dt.date:
    """The date ``days`` working days after ``start`` (the day of filing does
    not count): filed on Friday with 3 days → due Wednesday."""
    leave = set(leave)
    day = start
    remaining = days
    while remaining > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day, leave):
            remaining -= 1
    return day


def working_days_between(start: dt.date, end: dt.date, leave: Iterable[dt.date] = ()) -> int:
    """Working days after ``start`` up to and including ``end`` (0 if end ≤ start)."""
    leave = set(leave)
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        if is_working_day(day, leave):
            count += 1
    return count
