"""Rules of the pengembangan plugin: who sees whom, JP per year, behaviour
questionnaires that are due, and the results evaluation (before/after and
difference in differences). The needs analysis is in ``needs.py``."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import lazy_gettext as _l

from plugins.pengembangan.models import (
    PengembanganActivity,
    PengembanganActivityTheme,
    PengembanganParticipant,
)
from portal.plugin import ROLE_ADMIN, ROLE_SUPERVISOR, Officer, db, local, utcnow

#: Every PNS has a right to at least this many JP of development a year.
MIN_JP = 20
#: Reactions and upward feedback are shown from this many answers on.
ANONYMITY = 5


def today(agency) -> dt.date:
    return local(utcnow(), agency.timezone).date()


def min_ratings() -> int:
    """Ratings a window needs before its mean is shown or compared."""
    return int(current_app.config.get("PENGEMBANGAN_MIN_RATINGS", 5))


# --- who sees whom ---------------------------------------------------------


def is_organiser(user, agency) -> bool:
    return user.can_manage_agency(agency)


def visible_officer_ids(user, agency) -> set[int] | None:
    """Officers of ``agency`` whose development ``user`` may see; None: all."""
    if user.can_manage_agency(agency):
        return None
    if user.agency_id != agency.id or not user.officer_id:
        return set()
    own = {user.officer_id}
    if user.role == ROLE_SUPERVISOR:
        officer = db.session.get(Officer, user.officer_id)
        if officer is not None:
            own |= officer.subordinate_ids()
    return own


def can_see(user, officer) -> bool:
    if officer is None:
        return False
    ids = visible_officer_ids(user, officer.agency)
    return ids is None or officer.id in ids


def is_supervisor_of(user, officer) -> bool:
    """``user`` is above ``officer`` (directly or further up), or an admin."""
    if user.can_manage_agency(officer.agency):
        return True
    if user.role != ROLE_SUPERVISOR or not user.officer_id or user.officer_id == officer.id:
        return False
    boss = db.session.get(Officer, user.officer_id)
    return boss is not None and officer.id in boss.subordinate_ids()


def visible_officers(user, agency, unit_id: int | None = None) -> list[Officer]:
    query = db.select(Officer).filter_by(agency_id=agency.id, active=True)
    ids = visible_officer_ids(user, agency)
    if ids is not None:
        query = query.where(Officer.id.in_(ids or {0}))
    if unit_id:
        query = query.where(Officer.unit_id == unit_id)
    return list(db.session.scalars(query.order_by(Officer.name)))


def unit_heads(unit_id: int, user) -> bool:
    """Whether ``user`` may read a unit's upward feedback: an admin, or a
    supervisor who works in that unit."""
    if user.role == ROLE_ADMIN or user.is_superadmin:
        return True
    if user.role != ROLE_SUPERVISOR or not user.officer_id:
        return False
    officer = db.session.get(Officer, user.officer_id)
    return officer is not None and officer.unit_id == unit_id


# --- JP ----------------------------------------------------------------------


def jp_by_officer(officer_ids, year: int) -> dict[int, int]:
    """JP each officer completed in ``year``: activities they attended that
    *ended* in that year (an activity across New Year counts in the year it
    ended, when its certificate is earned)."""
    ids = list(officer_ids)
    totals = dict.fromkeys(ids, 0)
    if not ids:
        return totals
    rows = db.session.execute(
        db.select(PengembanganParticipant.officer_id, db.func.sum(PengembanganActivity.jp))
        .join(PengembanganActivity, PengembanganActivity.id == PengembanganParticipant.activity_id)
        .where(
            PengembanganParticipant.officer_id.in_(ids),
            PengembanganParticipant.attended.is_(True),
            PengembanganActivity.ends_on >= dt.date(year, 1, 1),
            PengembanganActivity.ends_on <= dt.date(year, 12, 31),
        )
        .group_by(PengembanganParticipant.officer_id)
    ).all()
    for officer_id, total in rows:
        totals[officer_id] = int(total or 0)
    return totals


def jp_short_count(user, agency, year: int) -> tuple[int, int]:
    """(officers ``user`` may see, how many of them have fewer than
    :data:`MIN_JP` JP in ``year``), counted in the database in one query
    by the same rules as :func:`visible_officers` and :func:`jp_by_officer`."""
    jp = (
        db.select(db.func.coalesce(db.func.sum(PengembanganActivity.jp), 0))
        .select_from(PengembanganParticipant)
        .join(PengembanganActivity, PengembanganActivity.id == PengembanganParticipant.activity_id)
        .where(
            PengembanganParticipant.officer_id == Officer.id,
            PengembanganParticipant.attended.is_(True),
            PengembanganActivity.ends_on >= dt.date(year, 1, 1),
            PengembanganActivity.ends_on <= dt.date(year, 12, 31),
        )
        .correlate(Officer)
        .scalar_subquery()
    )
    query = db.select(db.func.count(Officer.id), db.func.count(db.case((jp < MIN_JP, 1)))).where(
        Officer.agency_id == agency.id, Officer.active.is_(True)
    )
    ids = visible_officer_ids(user, agency)
    if ids is not None:
        query = query.where(Officer.id.in_(ids or {0}))
    officers, short = db.session.execute(query).one()
    return int(officers or 0), int(short or 0)


def covered_theme_ids(officer_id: int, year: int) -> set[int]:
    """Themes of activities the officer takes part in that end in ``year`` or later."""
    rows = db.session.scalars(
        db.select(PengembanganActivityTheme.theme_id)
        .join(PengembanganActivity, PengembanganActivity.id == PengembanganActivityTheme.activity_id)
        .join(PengembanganParticipant, PengembanganParticipant.activity_id == PengembanganActivity.id)
        .where(
            PengembanganParticipant.officer_id == officer_id,
            PengembanganActivity.ends_on >= dt.date(year, 1, 1),
        )
    )
    return set(rows)


# --- evaluation timing -----------------------------------------------------


def ended(activity: PengembanganActivity, day: dt.date) -> bool:
    return activity.ends_on <= day


def behaviour_due(activity: PengembanganActivity) -> dt.date:
    return activity.ends_on + dt.timedelta(weeks=activity.behaviour_weeks)


def windows(activity: PengembanganActivity) -> tuple[tuple[dt.date, dt.date], tuple[dt.date, dt.date]]:
    """The before and after windows of the results evaluation (inclusive)."""
    days = dt.timedelta(days=activity.window_days)
    one = dt.timedelta(days=1)
    before = (activity.starts_on - days, activity.starts_on - one)
    after = (activity.ends_on + one, activity.ends_on + days)
    return before, after


# --- results: before/after and difference in differences ------------------


@dataclass
class Window:
    """A window's citizen score: mean 0–100, count, 95% interval."""

    mean: float | None
    count: int
    ci: tuple[float, float] | None = None

    @classmethod
    def of(cls, stat) -> Window:
        ci = tuple(stat.ci) if getattr(stat, "ci", None) else None
        return cls(stat.mean, int(stat.count or 0), ci)

    def enough(self, minimum: int) -> bool:
        return self.mean is not None and self.count >= minimum

    @property
    def se(self) -> float | None:
        """Standard error implied by the 95% interval (normal approximation)."""
        if not self.ci:
            return None
        return (self.ci[1] - self.ci[0]) / (2 * 1.96)


@dataclass
class Change:
    before: Window
    after: Window
    minimum: int

    @property
    def enough(self) -> bool:
        return self.before.enough(self.minimum) and self.after.enough(self.minimum)

    @property
    def value(self) -> float | None:
        return self.after.mean - self.before.mean if self.enough else None

    @property
    def se(self) -> float | None:
        if not self.enough or self.before.se is None or self.after.se is None:
            return None
        return math.hypot(self.before.se, self.after.se)


#: Why a participant has no effect figure.
STATUS_LABELS = {
    "ok": _l("Dihitung"),
    "pending": _l("Jendela sesudah kegiatan belum selesai"),
    "too_few": _l("Penilaian belum cukup"),
    "control_too_few": _l("Penilaian kelompok pembanding belum cukup"),
    "no_control": _l("Tidak ada kelompok pembanding"),
}


@dataclass
class ParticipantResult:
    participant: PengembanganParticipant
    own: Change
    control: Change | None  # None: nobody in the unit who did not take part
    control_size: int
    status: str
    unsur: list = field(default_factory=list)  # [(number, before Measurement, after Measurement)]

    @property
    def effect(self) -> float | None:
        if self.status != "ok":
            return None
        return self.own.value - self.control.value

    @property
    def effect_ci(self) -> tuple[float, float] | None:
        if self.effect is None or self.own.se is None or self.control.se is None:
            return None
        half = 1.96 * math.hypot(self.own.se, self.control.se)
        return (self.effect - half, self.effect + half)


@dataclass
class ActivityResult:
    before: tuple[dt.date, dt.date]
    after: tuple[dt.date, dt.date]
    sources: list[str] | None
    minimum: int
    pending: bool
    rows: list[ParticipantResult]

    @property
    def counted(self) -> list[ParticipantResult]:
        return [r for r in self.rows if r.effect is not None]

    @property
    def mean_effect(self) -> float | None:
        values = [r.effect for r in self.counted]
        return sum(values) / len(values) if values else None


def addressed_sources(activity: PengembanganActivity) -> list[str] | None:
    """Rating sources the activity's themes address; None: every source."""
    sources = sorted({s for theme in activity.themes for s in theme.source_list})
    return sources or None


def addressed_unsur(activity: PengembanganActivity) -> list[int]:
    return sorted({n for theme in activity.themes for n in theme.unsur_list})


def evaluate(activity: PengembanganActivity, day: dt.date | None = None) -> ActivityResult:
    """Results (level 4) of an activity: for each participant who attended,
    their citizen score on the addressed sources before and after, and the
    same change for the colleagues of their unit who did not take part."""
    from portal.plugin import indicators, score_stat

    agency = _agency(activity)
    day = day or today(agency)
    before, after = windows(activity)
    minimum = min_ratings()
    sources = addressed_sources(activity)
    pending = day <= after[1]
    taking_part = {p.officer_id for p in activity.participants}
    unsur = addressed_unsur(activity)
    officer_indicators = indicators(agency, scope="officer") if unsur else {}
    rows = []
    for participant in activity.participants:
        if not participant.attended:
            continue
        officer = participant.officer
        own = Change(
            Window.of(score_stat([officer], *before, sources=sources)),
            Window.of(score_stat([officer], *after, sources=sources)) if not pending else Window(None, 0),
            minimum,
        )
        colleagues = []
        if officer.unit_id is not None:
            colleagues = list(
                db.session.scalars(
                    db.select(Officer.id).where(
                        Officer.agency_id == activity.agency_id,
                        Officer.unit_id == officer.unit_id,
                        Officer.active.is_(True),
                        Officer.id.not_in(taking_part),
                    )
                )
            )
        control = None
        if colleagues:
            control = Change(
                Window.of(score_stat(colleagues, *before, sources=sources)),
                Window.of(score_stat(colleagues, *after, sources=sources))
                if not pending
                else Window(None, 0),
                minimum,
            )
        if pending:
            status = "pending"
        elif not own.enough:
            status = "too_few"
        elif control is None:
            status = "no_control"
        elif not control.enough:
            status = "control_too_few"
        else:
            status = "ok"
        per_unsur = []
        for number in unsur:
            indicator = officer_indicators.get(f"survei.unsur.U{number}")
            if indicator is None:
                continue
            per_unsur.append(
                (
                    number,
                    indicator.measure(officer, *before),
                    None if pending else indicator.measure(officer, *after),
                )
            )
        rows.append(ParticipantResult(participant, own, control, len(colleagues), status, per_unsur))
    return ActivityResult(before, after, sources, minimum, pending, rows)


def _agency(activity):
    from portal.plugin import Agency

    return db.session.get(Agency, activity.agency_id)
