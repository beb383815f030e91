"""Time helpers: the database stores naive UTC; people see their agency's zone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

DEFAULT_TZ = "Asia/Jakarta"


def utcnow() -> dt.datetime:
    """Current time as naive UTC, the form every timestamp is stored in."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def local(moment: dt.datetime, tz: str = DEFAULT_TZ) -> dt.datetime:
    """A stored naive-UTC timestamp in the given zone."""
    return moment.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(tz))


def month_start(moment: dt.datetime, tz: str = DEFAULT_TZ) -> dt.date:
    """First day of the month that ``moment`` (naive UTC) falls in, in zone ``tz``."""
    return local(moment, tz).date().replace(day=1)


def day_bounds(first: dt.date, last: dt.date, tz: str = DEFAULT_TZ) -> tuple[dt.datetime, dt.datetime]:
    """The naive-UTC instants [start, end) that local days ``first``..``last``
    (inclusive) cover in zone ``tz``."""
    zone = ZoneInfo(tz)
    start = dt.datetime.combine(first, dt.time(), zone).astimezone(dt.UTC).replace(tzinfo=None)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), zone)
    return start, end.astimezone(dt.UTC).replace(tzinfo=None)
