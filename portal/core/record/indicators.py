"""What the portal can measure, and what it saw an officer do on a day.

Two registries filled by hooks, so that a module never reads another
module's tables:

- **indicators** (``portal_indicators``): named measures of an officer or a
  unit over a date range — the citizen score, a unit's IKM, the share of
  complaints handled within the SLA… A consumer (targets, needs analyses)
  stores an indicator's ``key`` and asks for a :class:`Measurement` when it
  shows progress. A measurement says honestly when there is not enough data.
- **evidence** (``portal_daily_evidence``): the work the portal recorded for
  an officer on one day (a complaint verified, a forum panel sat on, one-time
  QR services), proposed as entries of a daily report.

Core provides the record's own indicators (``core.score``,
``core.score.<source>``, ``core.verified_share``) through the built-in
records plugin; :func:`score_stat` measures raw ratings over any window.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy import func

from portal.core.models import Officer, RatingEvent
from portal.core.plugin_system import plugins
from portal.core.record.ratings import REVIEW_COUNTED, Stat, weights_of
from portal.core.util.timeutil import day_bounds
from portal.extensions import db

SCOPES = ("officer", "unit")


@dataclass(frozen=True)
class Measurement:
    """One measured value. ``value`` None or ``enough`` False: not enough data
    to say anything (show that, never a number). ``low``/``high``: a 95%
    confidence interval when known; ``count``: the observations behind it."""

    value: float | None
    count: int = 0
    low: float | None = None
    high: float | None = None
    enough: bool = True
    note: str = ""

    @property
    def known(self) -> bool:
        return self.enough and self.value is not None


@dataclass(frozen=True)
class Indicator:
    """A measure the portal can take of an officer (``scope="officer"``) or a
    unit (``scope="unit"``) over local dates [start, end], inclusive."""

    key: str
    label: str
    scope: str
    measure: Callable[..., Measurement] = field(compare=False, repr=False)
    unit: str = ""
    higher_is_better: bool = True
    plugin: str = ""

    def __post_init__(self):
        if self.scope not in SCOPES:
            raise ValueError(f"indicator {self.key}: scope must be one of {SCOPES}")


@dataclass(frozen=True, order=True)
class Evidence:
    """Work the portal recorded for an officer on one day. ``key`` is unique
    and stable (``source:kind:id``) so a report entry can cite it."""

    key: str
    source: str = field(compare=False)
    title: str = field(compare=False)
    output: str = field(compare=False, default="")
    quantity: float = field(compare=False, default=1)
    minutes: int | None = field(compare=False, default=None)
    url: str | None = field(compare=False, default=None)


def indicators(agency, scope: str | None = None) -> dict[str, Indicator]:
    """The indicators available to ``agency`` (from the plugins switched on
    for it, and core's), by key, optionally of one scope."""
    found: dict[str, Indicator] = {}
    for result in plugins.hook_for(agency, "portal_indicators")(agency=agency):
        for indicator in result or []:
            if scope is None or indicator.scope == scope:
                found.setdefault(indicator.key, indicator)
    return dict(sorted(found.items()))


def daily_evidence(officer: Officer, day: dt.date) -> list[Evidence]:
    """What the plugins on for the officer's agency recorded of ``officer``'s
    work on local day ``day``, de-duplicated by key and sorted."""
    seen: dict[str, Evidence] = {}
    for result in plugins.hook_for(officer.agency, "portal_daily_evidence")(officer=officer, day=day):
        for item in result or []:
            seen.setdefault(item.key, item)
    return sorted(seen.values())


def citizen_followups(agency, unit=None) -> list:
    """Links a citizen may follow after a bad experience (a complaint form…),
    from the plugins on for ``agency``."""
    return plugins.collect("portal_citizen_followups", agency=agency, unit=unit)


def score_stat(officers: Iterable, start: dt.date, end: dt.date, sources=None) -> Stat:
    """The weighted citizen score (0–100) of the counted ratings of
    ``officers`` (Officer objects or ids, one agency) on local days
    [start, end], read from the rating events themselves so any window works."""
    officers = list(officers)
    if not officers:
        return Stat()
    ids = [o if isinstance(o, int) else o.id for o in officers]
    first = officers[0] if not isinstance(officers[0], int) else db.session.get(Officer, ids[0])
    agency = first.agency
    begin, finish = day_bounds(start, end, agency.timezone)
    query = (
        db.select(
            RatingEvent.source,
            RatingEvent.kind,
            RatingEvent.verified,
            func.count(RatingEvent.id),
            func.sum(RatingEvent.score),
            func.sum(RatingEvent.score * RatingEvent.score),
        )
        .where(
            RatingEvent.agency_id == agency.id,
            RatingEvent.officer_id.in_(ids),
            RatingEvent.created_at >= begin,
            RatingEvent.created_at < finish,
            RatingEvent.review.in_(list(REVIEW_COUNTED)),
        )
        .group_by(RatingEvent.source, RatingEvent.kind, RatingEvent.verified)
    )
    if sources:
        query = query.where(RatingEvent.source.in_(list(sources)))
    weights = weights_of(agency)
    stat = Stat()
    for source, kind, verified, n, total, total_sq in db.session.execute(query):
        stat.add(weights.of(source, kind, bool(verified)), n, total or 0.0, total_sq or 0.0)
    return stat


def stat_measurement(stat: Stat, minimum: int) -> Measurement:
    """A :class:`Measurement` of a score :class:`Stat`, not enough below ``minimum`` ratings."""
    ci = stat.ci
    if stat.count < minimum or stat.mean is None:
        return Measurement(None, stat.count, enough=False)
    return Measurement(
        round(stat.mean, 2), stat.count, round(ci[0], 2) if ci else None, round(ci[1], 2) if ci else None
    )
