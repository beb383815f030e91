"""Temporary stand-ins until the core calendar, notifications, indicators
and evidence are in ``portal.plugin``."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import holidays

try:  # pragma: no cover
    from portal.plugin import daily_evidence, indicators, notify, workdays  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover

    def _is_working(agency, day):
        return day.weekday() < 5 and day not in holidays.country_holidays("ID", years=day.year)

    def _add(agency, start, n):
        day = start
        while n > 0:
            day += dt.timedelta(days=1)
            if _is_working(agency, day):
                n -= 1
        return day

    def _between(agency, first, last):
        out, day = [], first
        while day <= last:
            if _is_working(agency, day):
                out.append(day)
            day += dt.timedelta(days=1)
        return out

    workdays = SimpleNamespace(is_working_day=_is_working, add_working_days=_add, working_days=_between)

    def daily_evidence(officer, day):
        return []

    def indicators(agency, scope=None):
        return {}

    def notify(users, title, *, body="", url=None, key=None, mail=True):
        return 0
