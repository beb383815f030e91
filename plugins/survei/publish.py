"""The SKM report an agency signs and publishes: per unsur its NRR, weighted
NRR, converted value and grade, the weakest and strongest unsur, the
respondent profile with percentages, the comparison with the previous period,
the follow-up plans (RTL) of this period and how the previous period's went,
and the signature block. Also the public results (per unit, latest periods).

Built on :mod:`plugins.survei.report` (the figures) and :mod:`skm` (the rules).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import func

from plugins.survei import report as skm_report
from plugins.survei import skm
from plugins.survei.models import (
    SurveiFollowUp,
    SurveiFollowUpStatus,
    SurveiKind,
    SurveiReportSettings,
    SurveiResponse,
    counted,
    follow_ups,
)
from portal.plugin import Agency, Unit, day_bounds, db, local, period_bounds, utcnow

PERIOD_KINDS = ("bulan", "triwulan", "semester", "tahun")
ROMAN = ("I", "II", "III", "IV")


def largest_remainder(counts: list[int], places: int = 1) -> list[Decimal | None]:
    """Percentages of ``counts`` rounded to ``places`` decimals that sum to
    exactly 100 (Hamilton's largest-remainder method): each share is rounded
    down, and the units left over go to the largest remainders (ties: the
    larger count, then the first). None for each when there is nothing to share."""
    total = sum(counts)
    if total <= 0:
        return [None] * len(counts)
    scale = 10**places
    quotas = [Fraction(count * 100 * scale, total) for count in counts]
    floors = [quota.numerator // quota.denominator for quota in quotas]
    left = 100 * scale - sum(floors)
    order = sorted(range(len(counts)), key=lambda i: (-(quotas[i] - floors[i]), -counts[i], i))
    for i in order[:left]:
        floors[i] += 1
    return [Decimal(value).scaleb(-places) for value in floors]


def converted(nrr: Fraction | None) -> Decimal | None:
    """An unsur's NRR on the 25–100 scale (× 25), rounded half-up to two decimals."""
    if nrr is None:
        return None
    exact = nrr * 25
    return (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )


def period_label(kind: str, start: dt.date, end: dt.date) -> str:
    """The period as people name it: "Semester I 2027", "Triwulan III 2027",
    "Maret 2027", "Tahun 2027" (a range of dates for anything else)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if start.day == 1 and end.day == 1:
        if kind == "semester" and months == 6:
            return _("Semester %(n)s %(year)d", n=ROMAN[(start.month - 1) // 6], year=start.year)
        if kind == "triwulan" and months == 3:
            return _("Triwulan %(n)s %(year)d", n=ROMAN[(start.month - 1) // 3], year=start.year)
        if kind == "bulan" and months == 1:
            return format_date(start, "MMMM yyyy")
        if kind == "tahun" and months == 12:
            return _("Tahun %(year)d", year=start.year)
    last = end - dt.timedelta(days=1)
    return f"{format_date(start, 'd MMMM yyyy')} – {format_date(last, 'd MMMM yyyy')}"


def previous_period(kind: str, start: dt.date) -> tuple[dt.date, dt.date]:
    return period_bounds(kind, start - dt.timedelta(days=1))


@dataclass
class UnsurResult:
    unsur: skm.Unsur
    nrr: Fraction | None
    weighted: Fraction | None
    value: Decimal | None  # converted, 25–100
    grade: tuple | None
    previous: Decimal | None = None  # converted value in the previous period
    change: Decimal | None = None

    @property
    def nrr_decimal(self) -> Decimal | None:
        return None if self.nrr is None else Decimal(self.nrr.numerator) / Decimal(self.nrr.denominator)

    @property
    def weighted_decimal(self) -> Decimal | None:
        w = self.weighted
        return None if w is None else Decimal(w.numerator) / Decimal(w.denominator)


@dataclass
class CarriedPlan:
    """A follow-up plan of the previous period, and whether its unsur moved."""

    plan: SurveiFollowUp
    before: Decimal | None  # the unsur's converted value in the plan's period
    after: Decimal | None  # ... in this period
    change: Decimal | None

    @property
    def unsur(self) -> skm.Unsur:
        return skm.UNSUR[self.plan.unsur - 1]


@dataclass
class ProfileRow:
    value: str
    label: str
    count: int
    percent: Decimal | None


@dataclass
class SignedReport:
    data: skm_report.SkmReport
    kind: str
    label: str
    previous: skm_report.SkmReport
    previous_label: str
    unsur: list[UnsurResult] = field(default_factory=list)
    weakest: list[UnsurResult] = field(default_factory=list)
    strongest: list[UnsurResult] = field(default_factory=list)
    ikm_change: Decimal | None = None
    profile: dict[str, list[ProfileRow]] = field(default_factory=dict)
    plans: list[SurveiFollowUp] = field(default_factory=list)
    carried: list[CarriedPlan] = field(default_factory=list)
    signature: SurveiReportSettings | None = None
    signed_on: dt.date | None = None

    @property
    def scope(self) -> str:
        return self.data.unit.name if self.data.unit else self.data.agency.name

    @property
    def enough(self) -> bool | None:
        """Whether the respondents reach the Krejcie–Morgan minimum (None: unknown)."""
        if not self.data.minimum:
            return None
        return self.data.respondents >= self.data.minimum


def profile_title(name: str) -> str:
    return {
        "sex": _("Jenis kelamin"),
        "age_group": _("Usia"),
        "education": _("Pendidikan"),
        "occupation": _("Pekerjaan"),
    }[name]


def build(agency: Agency, unit: Unit | None, kind: str, start: dt.date, end: dt.date) -> SignedReport:
    """The whole signed report of ``unit`` (None: the agency) for a period."""
    data = skm_report.build(agency, unit, start, end)
    prev_start, prev_end = previous_period(kind, start)
    previous = skm_report.build(agency, unit, prev_start, prev_end, summary=True)
    result = SignedReport(
        data=data,
        kind=kind,
        label=period_label(kind, start, end),
        previous=previous,
        previous_label=period_label(kind, prev_start, prev_end),
    )
    for unsur, nrr, weighted, before in zip(
        skm.UNSUR, data.nrr, data.nrr_weighted, previous.nrr, strict=True
    ):
        value = converted(nrr)
        prior = converted(before)
        result.unsur.append(
            UnsurResult(
                unsur=unsur,
                nrr=nrr,
                weighted=weighted,
                value=value,
                grade=skm.grade(value) if value is not None else None,
                previous=prior,
                change=value - prior if value is not None and prior is not None else None,
            )
        )
    scored = [u for u in result.unsur if u.value is not None]
    if scored:
        low = min(u.value for u in scored)
        high = max(u.value for u in scored)
        if low != high:  # when every unsur scores the same, none is the weakest
            result.weakest = [u for u in scored if u.value == low]
            result.strongest = [u for u in scored if u.value == high]
    if data.ikm is not None and previous.ikm is not None:
        result.ikm_change = data.ikm - previous.ikm
    for name, rows in data.profile.items():
        shares = largest_remainder([count for _v, _l, count in rows])
        result.profile[name] = [
            ProfileRow(value, label, count, share)
            for (value, label, count), share in zip(rows, shares, strict=True)
        ]
    unit_id = unit.id if unit else None
    result.plans = follow_ups(agency.id, unit_id, start, end)
    by_number = {u.unsur.number: u for u in result.unsur}
    for plan in follow_ups(agency.id, unit_id, prev_start, prev_end):
        now = by_number[plan.unsur]
        result.carried.append(CarriedPlan(plan=plan, before=now.previous, after=now.value, change=now.change))
    result.signature = db.session.get(SurveiReportSettings, agency.id)
    result.signed_on = local(utcnow(), agency.timezone).date()
    return result


# ---------------------------------------------------------------- public results


@dataclass
class UnitTrend:
    """A unit's IKM and grade for each of the latest periods, oldest first."""

    unit: Unit | None  # None: the whole agency
    points: list[tuple[str, int, Decimal | None, tuple | None]]  # label, respondents, IKM, grade

    @property
    def latest(self):
        return self.points[-1]

    @property
    def change(self) -> Decimal | None:
        known = [p[2] for p in self.points if p[2] is not None]
        if len(known) < 2 or self.points[-1][2] is None:
            return None
        return known[-1] - known[-2]


def _ikm_by_unit(agency: Agency, start: dt.date, end: dt.date) -> dict:
    """{unit_id or None (agency): (respondents, IKM, grade)} in one grouped query."""
    lo, hi = day_bounds(start, end - dt.timedelta(days=1), agency.timezone)  # end is exclusive
    columns = [func.count(SurveiResponse.id)]
    for n in range(1, 10):
        column = getattr(SurveiResponse, f"u{n}")
        columns += [func.coalesce(func.sum(column), 0), func.count(column)]
    rows = db.session.execute(
        db.select(SurveiResponse.unit_id, *columns)
        .where(
            SurveiResponse.agency_id == agency.id,
            SurveiResponse.kind == SurveiKind.SKM,
            SurveiResponse.created_at >= lo,
            SurveiResponse.created_at < hi,
            counted(),
        )
        .group_by(SurveiResponse.unit_id)
    ).all()
    out = {}
    totals = [0] * 19
    for row in rows:
        values = [int(v) for v in row[1:]]
        totals = [a + b for a, b in zip(totals, values, strict=True)]
        out[row[0]] = _summary(values)
    out[None] = _summary(totals)
    return out


def _summary(values: list[int]):
    respondents = values[0]
    nrrs = [skm.nrr(values[1 + 2 * i], values[2 + 2 * i]) for i in range(9)]
    if not respondents or any(n is None for n in nrrs):
        return respondents, None, None
    value = skm.ikm(nrrs)
    return respondents, value, skm.grade(value)


def public_results(agency: Agency, periods: int = 4, kind: str = "semester") -> dict:
    """Per unit and for the agency: IKM and grade for the ``periods`` latest
    periods (the current one last), and the follow-up plans of those periods."""
    today = local(utcnow(), agency.timezone).date()
    bounds = [period_bounds(kind, today)]
    while len(bounds) < periods:
        bounds.insert(0, previous_period(kind, bounds[0][0]))
    units = db.session.scalars(db.select(Unit).filter_by(agency_id=agency.id).order_by(Unit.name)).all()
    figures = [(period_label(kind, s, e), _ikm_by_unit(agency, s, e)) for s, e in bounds]
    empty = (0, None, None)
    trends = [UnitTrend(None, [(label, *by_unit.get(None, empty)) for label, by_unit in figures])]
    for unit in units:
        trends.append(UnitTrend(unit, [(label, *by_unit.get(unit.id, empty)) for label, by_unit in figures]))
    plans = db.session.scalars(
        db.select(SurveiFollowUp)
        .where(SurveiFollowUp.agency_id == agency.id, SurveiFollowUp.period_start >= bounds[0][0])
        .order_by(SurveiFollowUp.period_start.desc(), SurveiFollowUp.priority, SurveiFollowUp.id)
        .limit(100)
    ).all()
    return {"trends": trends, "plans": plans, "label": period_label}


def status_label(status: str) -> str:
    return {
        SurveiFollowUpStatus.PLANNED: _("Direncanakan"),
        SurveiFollowUpStatus.RUNNING: _("Berjalan"),
        SurveiFollowUpStatus.DONE: _("Selesai"),
    }.get(status, status)
