"""The ratings service: the one way a plugin credits an officer, and the
queries that read an officer's performance record from the rollups.

Scores are normalised to 0–100 as *value ÷ scale maximum × 100*, the same
conversion the SKM uses (a 1–4 answer of 3 is 75), so that the SKM grade
bands apply to every score unchanged.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib
import math
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func

from portal.core.models import (
    Agency,
    AgencyPlugin,
    CommentState,
    Officer,
    RatingEvent,
    RatingRollup,
    RatingScore,
    ReviewState,
)
from portal.core.plugin_system import plugins
from portal.core.util.rows import execute_direct, insert_loaded
from portal.core.util.timeutil import month_start, utcnow
from portal.extensions import db


class RatingError(ValueError):
    """A rating was refused; ``str(error)`` says why, in the user's language."""


# ---------------------------------------------------------------- held for review

#: Review states of a :class:`RatingEvent` (see its ``review`` column).
REVIEW_NONE, REVIEW_HELD, REVIEW_ACCEPTED, REVIEW_REJECTED = ReviewState
#: The states whose ratings count.
REVIEW_COUNTED = (REVIEW_NONE, REVIEW_ACCEPTED)

#: Why a rating may be held for review, as people read it. A plugin passes
#: one of these codes as ``record_rating(..., hold=code)``.
HOLD_REASONS = {
    "kapasitas": _l(
        "Kapasitas loket terlampaui: lebih banyak penilaian daripada yang dapat dilayani petugas yang berjaga"
    ),
    "kebiasaan": _l("Di luar kebiasaan loket: jauh lebih banyak penilaian daripada biasanya"),
    "alamat": _l("Lonjakan penilaian dari satu alamat jaringan"),
    "pola": _l("Pola jawaban identik berulang dalam waktu singkat"),
    "perangkat_petugas": _l(
        "QR sekali pakai dijawab dari perangkat atau jaringan petugas yang menerbitkannya"
    ),
    "kiosk_mundur": _l("Kiosk: tanggal penilaian mundur melebihi batas"),
    "luar_jadwal": _l("Kiosk: petugas yang dinilai tidak terjadwal di loket itu pada waktu tersebut"),
}


def hold_label(code: str) -> str:
    """The reason ``code`` as people read it (the code itself if unknown)."""
    label = HOLD_REASONS.get(code)
    return str(label) if label is not None else code


# ---------------------------------------------------------------- recording


def record_rating(
    *,
    agency: Agency | int,
    officer: Officer | int | None,
    source: str,
    kind: str,
    value: float,
    ref: str = "",
    verified: bool = False,
    comment: str | None = None,
    at: dt.datetime | None = None,
    hold: str | None = None,
) -> RatingEvent:
    """Credit ``officer`` with a rating and commit.

    ``agency`` and ``officer`` are the objects or their ids: what is checked
    is read from the database in one query either way. Checks that plugin
    ``source`` is on for ``agency``, that it declared ``kind``, that
    ``value`` lies on the kind's scale and that the officer belongs to the
    agency and is active; raises :class:`RatingError` otherwise. Appends a
    :class:`RatingEvent` and updates the officer × month × source rollup in
    the same transaction, which also commits whatever the caller added to the
    session before (so a plugin's own row and its rating land together).
    Then calls the ``portal_rating_recorded`` hook. A ``comment`` (the
    citizen's words, never their identity) waits for a supervisor's
    moderation before the officer's record shows it.

    With ``hold`` (a code of :data:`HOLD_REASONS`) the rating looks
    implausible: the event is stored as held, touches no rollup or score and
    calls no hook, until :func:`accept_held` counts it or
    :func:`reject_held` keeps it out for good.
    """
    if hold is not None and hold not in HOLD_REASONS:
        raise ValueError(f"unknown hold reason {hold!r}")
    declared = plugins.state().rating_kinds.get(source, {})
    rating_kind = declared.get(kind)
    if rating_kind is None:
        raise RatingError(_l("Jenis penilaian %(source)s/%(kind)s tidak dikenal.", source=source, kind=kind))
    agency_id = getattr(agency, "id", agency)
    officer_id = getattr(officer, "id", officer)
    # The switch, the officer and the weights in one round trip. A counted
    # rating first takes the agency's weights lock shared, so that a
    # concurrent change of weights either comes first (and this rating gets
    # the new weight) or waits and recomputes with this rating counted.
    if not hold:
        weights_lock(agency_id)
    row = execute_direct(
        _CHECK, {"agency_id": agency_id, "officer_id": officer_id or 0, "source": source}
    ).one_or_none()
    if row is None or not row.enabled:
        raise RatingError(_l("Modul %(source)s tidak aktif untuk instansi ini.", source=source))
    if officer_id is None or row.officer_agency != agency_id:
        raise RatingError(_l("Pegawai tidak terdaftar di instansi ini."))
    if not row.officer_active:
        raise RatingError(_l("Pegawai sudah tidak aktif."))
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise RatingError(_l("Nilai penilaian harus berupa angka.")) from None
    if not math.isfinite(number) or not rating_kind.scale_min <= number <= rating_kind.scale_max:
        raise RatingError(
            _l(
                "Nilai %(value)s di luar skala %(lo)s–%(hi)s.",
                value=value,
                lo=_fmt(rating_kind.scale_min),
                hi=_fmt(rating_kind.scale_max),
            )
        )

    created = at or utcnow()
    period = month_start(created, row.timezone)
    score = normalise(number, rating_kind)
    comment = (comment or "").strip() or None
    event = insert_loaded(
        RatingEvent,
        agency_id=agency_id,
        officer_id=officer_id,
        source=source,
        kind=kind,
        value=number,
        scale_min=rating_kind.scale_min,
        scale_max=rating_kind.scale_max,
        score=score,
        verified=bool(verified),
        ref=ref[:120],
        comment=comment,
        comment_state=CommentState.NEW if comment else CommentState.NONE,
        period=period,
        created_at=created,
        review=REVIEW_HELD if hold else REVIEW_NONE,
        hold_reason=hold or "",
    )
    if hold:
        db.session.commit()
        return event
    weights = _row_weights(row, source)
    _bump_rollup(agency_id, officer_id, period, source, kind, bool(verified), score)
    _bump_score(agency_id, officer_id, period, weights.of(source, kind, bool(verified)), score)
    db.session.commit()
    plugins.manager().hook.portal_rating_recorded(event=event)
    return event


def _check_statement():
    """What :func:`record_rating` checks, as one statement built once: the
    agency's zone and weights, the source's switch and weight, and the
    officer's agency and state (NULL when there is no such officer)."""
    plugin = db.aliased(AgencyPlugin)
    return (
        db.select(
            Agency.timezone,
            Agency.verified_weight,
            Agency.unverified_weight,
            plugin.enabled.label("enabled"),
            plugin.weight.label("source_weight"),
            Officer.agency_id.label("officer_agency"),
            Officer.active.label("officer_active"),
        )
        .select_from(Agency)
        .outerjoin(plugin, (plugin.agency_id == Agency.id) & (plugin.plugin == db.bindparam("source")))
        .outerjoin(Officer, Officer.id == db.bindparam("officer_id"))
        .where(Agency.id == db.bindparam("agency_id"))
    )


_CHECK = _check_statement()

#: The class of the advisory locks that order ratings and changes of weights.
_WEIGHTS_LOCK_CLASS = 0x5057


def weights_lock(agency_id: int, exclusive: bool = False) -> None:
    """Order this transaction with the agency's ratings and changes of
    weights (PostgreSQL; SQLite's write lock already does): a rating takes
    the lock shared, a change of weights exclusively, until the transaction
    ends. A transaction-scoped advisory lock, not a share lock on the agency
    row: many ratings at once then write nothing to that row and do not
    queue on it. Take it in its own statement, before reading the weights,
    so that the reading statement sees what a change that went first
    committed."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    take = func.pg_advisory_xact_lock if exclusive else func.pg_advisory_xact_lock_shared
    execute_direct(db.select(take(_WEIGHTS_LOCK_CLASS, agency_id)))


def _count(agency, officer_id, period, source, kind, verified, score):
    _bump_rollup(agency.id, officer_id, period, source, kind, verified, score)
    _bump_score(agency.id, officer_id, period, _locked_weight(agency, source, kind, verified), score)


def _decide(event_id: int, decision: str, user=None) -> RatingEvent | None:
    """Move a held event to ``decision`` with a conditional UPDATE (only
    from "ditahan"), so that of two reviewers acting at once exactly one
    wins. Returns the event if this call made the change, else None."""
    changed = db.session.execute(
        db.update(RatingEvent)
        .where(RatingEvent.id == event_id, RatingEvent.review == REVIEW_HELD)
        .values(review=decision, reviewed_at=utcnow(), reviewed_by_id=getattr(user, "id", None))
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        db.session.rollback()
        return None
    return db.session.get(RatingEvent, event_id, populate_existing=True)


def accept_held(event_id: int, user=None) -> RatingEvent | None:
    """Accept a held rating: count it (rollup and score) and call the
    ``portal_rating_reviewed`` hook in the same transaction as the change of
    state, commit, then call the ``portal_rating_recorded`` hook. Returns the event, or None when it was
    not held (already decided, by this reviewer or another one): a rating
    accepted twice is counted once."""
    event = _decide(event_id, REVIEW_ACCEPTED, user)
    if event is None:
        return None
    agency = db.session.get(Agency, event.agency_id)
    _count(
        agency, event.officer_id, event.period, event.source, event.kind, bool(event.verified), event.score
    )
    plugins.manager().hook.portal_rating_reviewed(event=event)
    db.session.commit()
    plugins.manager().hook.portal_rating_recorded(event=event)
    return event


def reject_held(event_id: int, user=None) -> RatingEvent | None:
    """Reject a held rating: kept for audit, never counted; the
    ``portal_rating_reviewed`` hook runs in the same transaction. Commits. Returns
    the event, or None when it was not held."""
    event = _decide(event_id, REVIEW_REJECTED, user)
    if event is None:
        return None
    plugins.manager().hook.portal_rating_reviewed(event=event)
    db.session.commit()
    return event


def held_counts(officer: Officer) -> dict[str, int]:
    """{reason code: ratings held for review} for one officer."""
    rows = db.session.execute(
        db.select(RatingEvent.hold_reason, func.count(RatingEvent.id))
        .where(
            RatingEvent.agency_id == officer.agency_id,
            RatingEvent.officer_id == officer.id,
            RatingEvent.review == REVIEW_HELD,
        )
        .group_by(RatingEvent.hold_reason)
    )
    return {reason: int(n) for reason, n in rows}


def normalise(value: float, rating_kind) -> float:
    """Score 0–100 for ``value`` on the kind's scale (value ÷ maximum × 100)."""
    return round(value / rating_kind.scale_max * 100.0, 6)


def _fmt(x: float) -> str:
    return f"{x:g}"


#: INSERT … ON CONFLICT, per database kind.
def _upsert(dialect: str):
    """``INSERT`` for ``dialect`` with ``ON CONFLICT``; each dialect's module
    is imported when first used (a SQLite worker never loads PostgreSQL's)."""
    module = importlib.import_module(f"sqlalchemy.dialects.{dialect}")
    return module.insert


def _bump_rollup(agency_id, officer_id, period, source, kind, verified, score):
    execute_direct(
        _rollup_upsert(db.session.get_bind().dialect.name, BAND_COLUMNS[band(score)[0]]),
        {
            "officer_id": officer_id,
            "period": period,
            "source": source,
            "kind": kind,
            "verified": verified,
            "agency_id": agency_id,
            "score": score,
            "score_sq": score * score,
        },
    )


@functools.cache
def _rollup_upsert(dialect: str, column: str):
    """INSERT … ON CONFLICT adding one score to a rollup row, counted in
    band ``column``: built once per database kind and band."""
    table = RatingRollup.__table__
    score, score_sq = db.bindparam("score", type_=db.Float), db.bindparam("score_sq", type_=db.Float)
    stmt = _upsert(dialect)(table).values(
        officer_id=db.bindparam("officer_id"),
        period=db.bindparam("period"),
        source=db.bindparam("source"),
        kind=db.bindparam("kind"),
        verified=db.bindparam("verified"),
        agency_id=db.bindparam("agency_id"),
        count=1,
        total=score,
        total_sq=score_sq,
        **{name: int(name == column) for name in BAND_COLUMNS.values()},
    )
    return stmt.on_conflict_do_update(
        index_elements=["officer_id", "period", "source", "kind", "verified"],
        set_={
            "count": table.c.count + 1,
            "total": table.c.total + score,
            "total_sq": table.c.total_sq + score_sq,
            column: table.c[column] + 1,
        },
    )


def _spans(month: dt.date) -> list[tuple[str, dt.date]]:
    """(span, first day) of the month, quarter, semester and year of ``month``."""
    return [(kind, period_bounds(kind, month)[0]) for kind in PERIOD_KINDS]


_SCORE_ADDED = ("count", "w", "w2", "s", "q")


@functools.cache
def _score_upsert(dialect: str):
    """INSERT … ON CONFLICT adding to the sums: built once, compiled once."""
    table = RatingScore.__table__
    stmt = _upsert(dialect)(table)
    return stmt.on_conflict_do_update(
        index_elements=["officer_id", "span", "period"],
        set_={k: table.c[k] + stmt.excluded[k] for k in _SCORE_ADDED},
    )


def _bump_score(agency_id, officer_id, period, weight, score):
    """Add one weighted score to the officer's month, quarter, semester and
    year rows (one statement, executed for the four rows)."""
    values = {
        "count": 1,
        "w": weight,
        "w2": weight * weight,
        "s": weight * score,
        "q": weight * score * score,
    }
    rows = [
        {"officer_id": officer_id, "span": span, "period": start, "agency_id": agency_id, **values}
        for span, start in _spans(period)
    ]
    execute_direct(_score_upsert(db.session.get_bind().dialect.name), rows)


def recompute_scores(agency: Agency) -> int:
    """Rebuild ``agency``'s weighted scores from its rollups with its current
    weights (after a change of weights). Does not commit; the caller commits
    it with the change. Returns the number of rows written."""
    weights = weights_of(agency, lock=True)
    db.session.execute(db.delete(RatingScore).where(RatingScore.agency_id == agency.id))
    rows: dict[tuple, list[float]] = {}
    query = db.select(
        RatingRollup.officer_id,
        RatingRollup.period,
        RatingRollup.source,
        RatingRollup.kind,
        RatingRollup.verified,
        RatingRollup.count,
        RatingRollup.total,
        RatingRollup.total_sq,
    ).where(RatingRollup.agency_id == agency.id)
    spans: dict[dt.date, list] = {}
    for oid, period, source, kind, verified, n, total, total_sq in db.session.execute(query):
        wt = weights.of(source, kind, bool(verified))
        if period not in spans:
            spans[period] = _spans(period)
        for span, start in spans[period]:
            acc = rows.setdefault((oid, span, start), [0, 0.0, 0.0, 0.0, 0.0])
            acc[0] += n
            acc[1] += wt * n
            acc[2] += wt * wt * n
            acc[3] += wt * total
            acc[4] += wt * total_sq
    payload = [
        {
            "officer_id": oid,
            "span": span,
            "period": start,
            "agency_id": agency.id,
            "count": a[0],
            "w": a[1],
            "w2": a[2],
            "s": a[3],
            "q": a[4],
        }
        for (oid, span, start), a in rows.items()
    ]
    for i in range(0, len(payload), 5000):
        db.session.execute(db.insert(RatingScore), payload[i : i + 5000])
    return len(payload)


def recompute_missing_scores() -> list[str]:
    """Fill the scores of every agency that has rollups but no scores (after
    the migration that added them). Commits; returns the agencies' slugs."""
    done = []
    for agency in db.session.scalars(db.select(Agency).order_by(Agency.id)):
        has_rollups = db.session.scalar(
            db.select(RatingRollup.officer_id).where(RatingRollup.agency_id == agency.id).limit(1)
        )
        has_scores = db.session.scalar(
            db.select(RatingScore.officer_id).where(RatingScore.agency_id == agency.id).limit(1)
        )
        if has_rollups is not None and has_scores is None:
            recompute_scores(agency)
            db.session.commit()
            done.append(agency.slug)
    return done


# ---------------------------------------------------------------- periods

PERIOD_KINDS = ("bulan", "triwulan", "semester", "tahun")


def source_label(source: str) -> str:
    """A rating source (a plugin's name) as people read it, in their
    language: "Dialog publik" / "Public dialogue"."""
    return plugins.label(source)


def rating_sources() -> list[str]:
    """Installed plugins that declare rating kinds, in load order."""
    kinds = plugins.state().rating_kinds
    return [name for name in plugins.installed() if name in kinds]


def period_bounds(kind: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """[start, end) months of the period of ``kind`` containing ``day``."""
    months = {"bulan": 1, "triwulan": 3, "semester": 6, "tahun": 12}[kind]
    first = (day.month - 1) // months * months + 1
    start = dt.date(day.year, first, 1)
    end_month = first + months
    end = dt.date(day.year + (end_month - 1) // 12, (end_month - 1) % 12 + 1, 1)
    return start, end


# ---------------------------------------------------------------- statistics

# Two-sided 95% Student t quantiles for 1..30 degrees of freedom.
_T975 = (
    12.706,
    4.303,
    3.182,
    2.776,
    2.571,
    2.447,
    2.365,
    2.306,
    2.262,
    2.228,
    2.201,
    2.179,
    2.160,
    2.145,
    2.131,
    2.120,
    2.110,
    2.101,
    2.093,
    2.086,
    2.080,
    2.074,
    2.069,
    2.064,
    2.060,
    2.056,
    2.052,
    2.048,
    2.045,
    2.042,
)


def t975(df: float) -> float:
    if df < 1:
        return math.inf
    return _T975[int(df) - 1] if df <= 30 else 1.96


@dataclass
class Stat:
    """Weighted statistics of a set of scores, from rollup sums.

    ``count`` is the number of ratings; ``mean`` their weighted mean; ``ci``
    the 95% confidence interval of the mean (None with fewer than 2 ratings).
    """

    count: int = 0
    weight_sum: float = 0.0  # Σ w·n
    weight_sq_sum: float = 0.0  # Σ w²·n
    weighted_sum: float = 0.0  # Σ w·Σx
    weighted_sq_sum: float = 0.0  # Σ w·Σx²

    def add(self, weight: float, count: int, total: float, total_sq: float) -> None:
        self.count += count
        self.weight_sum += weight * count
        self.weight_sq_sum += weight * weight * count
        self.weighted_sum += weight * total
        self.weighted_sq_sum += weight * total_sq

    def merge(self, other: Stat) -> None:
        self.count += other.count
        self.weight_sum += other.weight_sum
        self.weight_sq_sum += other.weight_sq_sum
        self.weighted_sum += other.weighted_sum
        self.weighted_sq_sum += other.weighted_sq_sum

    @property
    def mean(self) -> float | None:
        return self.weighted_sum / self.weight_sum if self.weight_sum > 0 else None

    @property
    def n_eff(self) -> float:
        return self.weight_sum * self.weight_sum / self.weight_sq_sum if self.weight_sq_sum > 0 else 0.0

    @property
    def ci(self) -> tuple[float, float] | None:
        n = self.n_eff
        if self.count < 2 or n <= 1:
            return None
        m = self.mean
        var = max(self.weighted_sq_sum / self.weight_sum - m * m, 0.0) * n / (n - 1)
        half = t975(n - 1) * math.sqrt(var / n)
        return max(0.0, m - half), min(100.0, m + half)


@dataclass
class Record:
    """An officer's record for a period: overall, per source, verified vs
    not, and how many ratings fell in each SKM grade band."""

    overall: Stat = field(default_factory=Stat)
    by_source: dict[str, Stat] = field(default_factory=dict)
    verified: dict[bool, Stat] = field(default_factory=dict)
    bands: dict[str, int] = field(default_factory=lambda: dict.fromkeys("ABCD", 0))

    def add(self, weight, source, verified, count, total, total_sq, bands) -> None:
        """Count one rollup row (its band counts in A, B, C, D order)."""
        self.overall.add(weight, count, total, total_sq)
        self.by_source.setdefault(source, Stat()).add(weight, count, total, total_sq)
        self.verified.setdefault(verified, Stat()).add(weight, count, total, total_sq)
        for letter, n in zip("ABCD", bands, strict=True):
            self.bands[letter] += int(n or 0)


@dataclass(frozen=True)
class Weights:
    """An agency's weights: per source (``AgencyPlugin.weight``, default the
    kind's declared weight) and for verified vs unverified ratings. Applied
    when reading rollups, so a change re-scores every period at once."""

    sources: dict[str, float]
    verified: float = 1.0
    unverified: float = 1.0

    def of(self, source: str, kind: str, verified: bool) -> float:
        rk = plugins.state().rating_kinds.get(source, {}).get(kind)
        base = rk.default_weight if rk is not None else 1.0
        return base * self.sources.get(source, 1.0) * (self.verified if verified else self.unverified)


def weights_of(agency: Agency, lock: bool = False) -> Weights:
    """The agency's weights. ``lock`` takes the agency's weights lock
    exclusively (:func:`weights_lock`) and reads them afresh, so a rating
    recorded while the scores are recomputed is weighted with the new ones or
    counted in the recompute, never lost between the two; otherwise they come
    with the module switches read once per request."""
    if not lock:
        sources = {
            name: (1.0 if weight is None else weight)
            for name, (_on, weight) in plugins.switches(agency).items()
        }
        return Weights(sources, _or_one(agency.verified_weight), _or_one(agency.unverified_weight))
    weights_lock(agency.id, exclusive=True)
    query = db.select(Agency.verified_weight, Agency.unverified_weight).where(Agency.id == agency.id)
    verified, unverified = db.session.execute(query).one()
    rows = db.session.execute(
        db.select(AgencyPlugin.plugin, AgencyPlugin.weight).where(AgencyPlugin.agency_id == agency.id)
    )
    sources = {name: (1.0 if weight is None else weight) for name, weight in rows}
    return Weights(sources, _or_one(verified), _or_one(unverified))


def _locked_weight(agency: Agency, source: str, kind: str, verified: bool) -> float:
    """The weight of one new rating, read after taking the agency's weights
    lock shared (:func:`weights_lock`), so that a concurrent change of
    weights either comes first (and this rating gets the new weight) or waits
    and recomputes with this rating counted."""
    weights_lock(agency.id)
    row = db.session.execute(_CHECK, {"agency_id": agency.id, "officer_id": 0, "source": source}).one()
    return _row_weights(row, source).of(source, kind, verified)


def _row_weights(row, source: str) -> Weights:
    """The weights a row of :data:`_CHECK` carries, for ``source``."""
    return Weights(
        {source: _or_one(row.source_weight)}, _or_one(row.verified_weight), _or_one(row.unverified_weight)
    )


def _or_one(x):
    return 1.0 if x is None else float(x)


_SUMS = (func.sum(RatingRollup.count), func.sum(RatingRollup.total), func.sum(RatingRollup.total_sq))
_BAND_SUMS = (
    func.sum(RatingRollup.band_a),
    func.sum(RatingRollup.band_b),
    func.sum(RatingRollup.band_c),
    func.sum(RatingRollup.band_d),
)


def _filtered(query, agency, start, end, officer_ids=None, sources=None):
    query = query.where(
        RatingRollup.agency_id == agency.id, RatingRollup.period >= start, RatingRollup.period < end
    )
    if officer_ids is not None:
        query = query.where(RatingRollup.officer_id.in_(list(officer_ids)))
    if sources:
        query = query.where(RatingRollup.source.in_(list(sources)))
    return query


def _officer_filtered(query, officer: Officer, start, end, sources=None):
    """One officer's rollups over months [start, end): a range of the primary
    key (officer, period, …). No condition on the agency: an officer belongs
    to one agency for good and every rollup row of theirs carries it, while
    the condition tempted PostgreSQL into intersecting with the agency's whole
    ``agency_id`` index, a cost growing with the agency instead of the officer."""
    query = query.where(
        RatingRollup.officer_id == officer.id, RatingRollup.period >= start, RatingRollup.period < end
    )
    if sources:
        query = query.where(RatingRollup.source.in_(list(sources)))
    return query


def _rollup_rows(agency: Agency, start: dt.date, end: dt.date, officer_ids=None, sources=None):
    query = db.select(
        RatingRollup.officer_id, RatingRollup.source, RatingRollup.kind, RatingRollup.verified, *_SUMS
    ).group_by(RatingRollup.officer_id, RatingRollup.source, RatingRollup.kind, RatingRollup.verified)
    return db.session.execute(_filtered(query, agency, start, end, officer_ids, sources)).all()


def officer_record(officer: Officer, start: dt.date, end: dt.date, sources=None) -> Record:
    """``officer``'s record over months [start, end), from rollups only."""
    weights = weights_of(officer.agency)
    record = Record()
    query = db.select(
        RatingRollup.source, RatingRollup.kind, RatingRollup.verified, *_SUMS, *_BAND_SUMS
    ).group_by(RatingRollup.source, RatingRollup.kind, RatingRollup.verified)
    rows = db.session.execute(_officer_filtered(query, officer, start, end, sources))
    for source, kind, verified, n, total, total_sq, *bands in rows:
        weight = weights.of(source, kind, bool(verified))
        record.add(weight, source, bool(verified), n, total, total_sq, bands)
    return record


def officer_source_stats(agency: Agency, start: dt.date, end: dt.date, officer_ids, sources=None):
    """{officer id: {source: Stat}} for many officers in one rollup query."""
    weights = weights_of(agency)
    out: dict[int, dict[str, Stat]] = {}
    for oid, source, kind, verified, n, total, total_sq in _rollup_rows(
        agency, start, end, officer_ids, sources
    ):
        out.setdefault(oid, {}).setdefault(source, Stat()).add(
            weights.of(source, kind, bool(verified)), n, total, total_sq
        )
    return out


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def officer_trend(officer: Officer, last_month: dt.date, months: int = 12) -> list[tuple[dt.date, Stat]]:
    """The officer's weighted score per month for the ``months`` months
    ending with ``last_month`` (oldest first; months without ratings have an
    empty Stat)."""
    first = add_months(last_month.replace(day=1), -(months - 1))
    weights = weights_of(officer.agency)
    per_month = {add_months(first, i): Stat() for i in range(months)}
    query = db.select(
        RatingRollup.period, RatingRollup.source, RatingRollup.kind, RatingRollup.verified, *_SUMS
    ).group_by(RatingRollup.period, RatingRollup.source, RatingRollup.kind, RatingRollup.verified)
    rows = db.session.execute(_officer_filtered(query, officer, first, add_months(first, months)))
    for period, source, kind, verified, n, total, total_sq in rows:
        stat = per_month.get(period.replace(day=1))
        if stat is not None:
            stat.add(weights.of(source, kind, bool(verified)), n, total, total_sq)
    return sorted(per_month.items())


def officer_record_and_trend(officer: Officer, start: dt.date, end: dt.date, months: int = 12):
    """(:func:`officer_record` for [start, end), :func:`officer_trend` of the
    ``months`` months ending with the period's last month), from one query:
    the period always lies inside the trend's window."""
    first = add_months(add_months(end, -1), -(months - 1))
    if start < first:
        return officer_record(officer, start, end), officer_trend(officer, add_months(end, -1), months)
    weights = weights_of(officer.agency)
    record = Record()
    per_month = {add_months(first, i): Stat() for i in range(months)}
    query = db.select(
        RatingRollup.period,
        RatingRollup.source,
        RatingRollup.kind,
        RatingRollup.verified,
        RatingRollup.count,
        RatingRollup.total,
        RatingRollup.total_sq,
        RatingRollup.band_a,
        RatingRollup.band_b,
        RatingRollup.band_c,
        RatingRollup.band_d,
    )
    rows = db.session.execute(_officer_filtered(query, officer, first, end))
    for period, source, kind, verified, n, total, total_sq, *bands in rows:
        w = weights.of(source, kind, bool(verified))
        per_month[period].add(w, n, total, total_sq)
        if period >= start:
            record.add(w, source, bool(verified), n, total, total_sq, bands)
    return record, sorted(per_month.items())


_SCORE_SUMS = (
    func.sum(RatingScore.count),
    func.sum(RatingScore.w),
    func.sum(RatingScore.w2),
    func.sum(RatingScore.s),
    func.sum(RatingScore.q),
)


def _stat_of(row) -> Stat:
    count, w, w2, s, q = row
    return Stat(int(count or 0), float(w or 0), float(w2 or 0), float(s or 0), float(q or 0))


def _span_of(start: dt.date, end: dt.date) -> str:
    """The span whose rows cover exactly [start, end), or "bulan" (sum months)."""
    for kind in PERIOD_KINDS:
        if period_bounds(kind, start) == (start, end):
            return kind
    return "bulan"


def _score_filter(query, agency, start, end):
    span = _span_of(start, end)
    query = query.where(RatingScore.agency_id == agency.id, RatingScore.span == span)
    if span == "bulan":
        return query.where(RatingScore.period >= start, RatingScore.period < end)
    return query.where(RatingScore.period == start)


def agency_stat(agency: Agency, start: dt.date, end: dt.date) -> Stat:
    """The whole agency's weighted statistics over months [start, end)."""
    return _stat_of(db.session.execute(_score_filter(db.select(*_SCORE_SUMS), agency, start, end)).one())


def officer_stats(agency: Agency, start: dt.date, end: dt.date, sources=None):
    """{officer id: Stat} over months [start, end): from the weighted scores
    (one row per officer and month), or from the rollups when only some
    sources count."""
    per_officer: dict[int, Stat] = {}
    if not sources:
        if _span_of(start, end) != "bulan" or add_months(start, 1) == end:
            # One row per officer: no grouping needed.
            query = db.select(
                RatingScore.officer_id,
                RatingScore.count,
                RatingScore.w,
                RatingScore.w2,
                RatingScore.s,
                RatingScore.q,
            )
        else:
            query = db.select(RatingScore.officer_id, *_SCORE_SUMS).group_by(RatingScore.officer_id)
        for oid, *sums in db.session.execute(_score_filter(query, agency, start, end)):
            per_officer[oid] = _stat_of(sums)
        return per_officer
    weights = weights_of(agency)
    for oid, source, kind, verified, n, total, total_sq in _rollup_rows(agency, start, end, sources=sources):
        per_officer.setdefault(oid, Stat()).add(weights.of(source, kind, bool(verified)), n, total, total_sq)
    return per_officer


def shrink(stat: Stat, mu: float | None, prior: float) -> float | None:
    """``stat``'s mean pulled toward ``mu`` with the strength of ``prior``
    ratings (its effective count against the prior)."""
    if stat.mean is None:
        return None
    if mu is None:
        return stat.mean
    return (stat.n_eff * stat.mean + prior * mu) / (stat.n_eff + prior)


@dataclass
class Ranked:
    officer_id: int
    stat: Stat
    shrunk: float


def officer_stats_by_period(agency: Agency, periods, sources=None) -> list[dict[int, Stat]]:
    """:func:`officer_stats` for several periods; standard periods of one
    kind (this semester and the last, say) are read in a single query."""
    spans = {_span_of(start, end) for start, end in periods}
    monthly = [start for start, end in periods if add_months(start, 1) == end]
    if sources or len(spans) != 1 or ("bulan" in spans and len(monthly) != len(periods)):
        return [officer_stats(agency, start, end, sources) for start, end in periods]
    starts = [start for start, _end in periods]
    out: dict[dt.date, dict[int, Stat]] = {start: {} for start in starts}
    query = db.select(
        RatingScore.period,
        RatingScore.officer_id,
        RatingScore.count,
        RatingScore.w,
        RatingScore.w2,
        RatingScore.s,
        RatingScore.q,
    ).where(
        RatingScore.agency_id == agency.id, RatingScore.span == spans.pop(), RatingScore.period.in_(starts)
    )
    for period, oid, *sums in db.session.execute(query):
        out[period][oid] = _stat_of(sums)
    return [out[start] for start in starts]


def agency_ranking(
    agency: Agency,
    start: dt.date,
    end: dt.date,
    officer_ids=None,
    sources=None,
    stats: dict[int, Stat] | None = None,
):
    """(agency Stat, [Ranked…] sorted by shrunk score, best first).

    The shrunk score pulls each officer's mean toward the agency mean with the
    strength of ``PORTAL_SHRINKAGE_PRIOR`` ratings, so two perfect ratings do
    not outrank two hundred good ones. ``officer_ids`` limits the list (the
    agency mean stays the whole agency's); ``sources`` limits both. ``stats``
    are the period's :func:`officer_stats` when the caller already has them.
    """
    everyone = Stat()
    per_officer = {}
    if stats is None:
        stats = officer_stats(agency, start, end, sources)
    for oid, stat in stats.items():
        everyone.merge(stat)
        if officer_ids is None or oid in officer_ids:
            per_officer[oid] = stat
    prior = float(current_app.config["PORTAL_SHRINKAGE_PRIOR"])
    mu = everyone.mean
    ranked = []
    for oid, stat in per_officer.items():
        if stat.mean is None:
            continue  # only ratings weighted 0: nothing to rank by
        shrunk = shrink(stat, mu, prior)
        ranked.append(Ranked(oid, stat, shrunk))
    ranked.sort(key=lambda r: (-r.shrunk, -r.stat.count, r.officer_id))
    return everyone, ranked


# ---------------------------------------------------------------- bands

#: SKM grades (PermenPANRB 14/2017), lower bound of the converted value.
BANDS = (
    (88.31, "A", _l("Sangat Baik")),
    (76.61, "B", _l("Baik")),
    (65.00, "C", _l("Kurang Baik")),
    (0.0, "D", _l("Tidak Baik")),
)


def band(score: float | None):
    """(letter, label) of the SKM grade for a 0–100 score, or None."""
    if score is None:
        return None
    value = round(score, 2)
    for lower, letter, label in BANDS:
        if value >= lower:
            return letter, label
    return BANDS[-1][1], BANDS[-1][2]


BAND_COLUMNS = {"A": "band_a", "B": "band_b", "C": "band_c", "D": "band_d"}
