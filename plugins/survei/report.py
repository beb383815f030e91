"""SKM report: NRR per unsur, IKM and grade, respondents against the
Krejcie–Morgan minimum, respondent profile and suggestions, per unit or
agency for a period; CSV and XLSX renderings."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func

from plugins.survei import skm
from plugins.survei.models import (
    SurveiAnswer,
    SurveiKind,
    SurveiPopulation,
    SurveiQuestion,
    SurveiQuestionType,
    SurveiResponse,
    counted,
)
from portal.plugin import Agency, Unit, day_bounds, db


@dataclass
class ExtraResult:
    """Answers to one of the agency's own questions in the period."""

    question: SurveiQuestion
    answers: int = 0
    counts: list[tuple[str, int]] = field(default_factory=list)  # choice or scale value → count
    mean: float | None = None  # scale questions
    texts: list[str] = field(default_factory=list)  # text questions (staff only)


@dataclass
class SkmReport:
    agency: Agency
    unit: Unit | None
    start: dt.date
    end: dt.date  # exclusive
    respondents: int = 0
    nrr: list[Fraction | None] = field(default_factory=list)
    ikm: Decimal | None = None
    grade: tuple | None = None
    population: int | None = None
    minimum: int | None = None
    profile: dict[str, list[tuple[str, str, int]]] = field(default_factory=dict)
    suggestions: list[tuple[dt.datetime, str]] = field(default_factory=list)
    quick_count: int = 0
    quick_faces: dict[int, int] = field(default_factory=dict)
    units: list[tuple[Unit, int, Decimal | None, tuple | None]] = field(default_factory=list)
    extra: list[ExtraResult] = field(default_factory=list)

    @property
    def last_day(self) -> dt.date:
        return self.end - dt.timedelta(days=1)

    @property
    def nrr_weighted(self) -> list[Fraction | None]:
        return [n * Fraction(1, 9) if n is not None else None for n in self.nrr]

    @property
    def satisfied_share(self) -> float | None:
        if not self.quick_count:
            return None
        return (self.quick_faces.get(3, 0) + self.quick_faces.get(4, 0)) / self.quick_count


def _scope(query, agency, unit, lo, hi):
    # Responses held for review (or rejected) are in no figure of the report.
    query = query.where(
        SurveiResponse.agency_id == agency.id,
        SurveiResponse.created_at >= lo,
        SurveiResponse.created_at < hi,
        counted(),
    )
    if unit is not None:
        query = query.where(SurveiResponse.unit_id == unit.id)
    return query


#: An agency's counted responses in [lo, hi), built once (the dashboard's "today").
COUNTED_BETWEEN = db.select(func.count(SurveiResponse.id)).where(
    SurveiResponse.agency_id == db.bindparam("agency_id"),
    SurveiResponse.created_at >= db.bindparam("lo"),
    SurveiResponse.created_at < db.bindparam("hi"),
    counted(),
)


@functools.cache
def _sums_statement(per_unit: bool):
    """Respondents and each unsur's sum and count over a period (the NRR), as
    one statement built once."""
    columns = [func.count(SurveiResponse.id)]
    for n in range(1, 10):
        column = getattr(SurveiResponse, f"u{n}")
        columns += [func.coalesce(func.sum(column), 0), func.count(column)]
    query = db.select(*columns).where(
        SurveiResponse.kind == SurveiKind.SKM,
        SurveiResponse.agency_id == db.bindparam("agency_id"),
        SurveiResponse.created_at >= db.bindparam("lo"),
        SurveiResponse.created_at < db.bindparam("hi"),
        counted(),
    )
    if per_unit:
        query = query.where(SurveiResponse.unit_id == db.bindparam("unit_id"))
    return query


def build(
    agency: Agency,
    unit: Unit | None,
    start: dt.date,
    end: dt.date,
    *,
    with_text: bool = True,
    summary: bool = False,
) -> SkmReport:
    """The SKM report of ``unit`` (or the whole agency) over [start, end).
    With ``summary``, only respondents, NRR, IKM and grade (one query), for
    places such as the dashboard that show nothing else."""
    lo, hi = day_bounds(start, end - dt.timedelta(days=1), agency.timezone)  # end is exclusive
    report = SkmReport(agency=agency, unit=unit, start=start, end=end)
    skm_only = SurveiResponse.kind == SurveiKind.SKM
    params = {"agency_id": agency.id, "lo": lo, "hi": hi, "unit_id": unit.id if unit is not None else None}
    row = db.session.execute(_sums_statement(unit is not None), params).one()
    report.respondents = row[0]
    report.nrr = [skm.nrr(int(row[1 + 2 * i]), int(row[2 + 2 * i])) for i in range(9)]
    if report.respondents and all(n is not None for n in report.nrr):
        report.ikm = skm.ikm(report.nrr)
        report.grade = skm.grade(report.ikm)
    if summary:
        return report

    for name, options in skm.PROFILE.items():
        column = getattr(SurveiResponse, name)
        counts = dict(
            db.session.execute(
                _scope(
                    db.select(column, func.count(SurveiResponse.id)).where(skm_only), agency, unit, lo, hi
                ).group_by(column)
            ).all()
        )
        rows = [(value, str(label), counts.get(value, 0)) for value, label in options]
        rows.append(("", str(_l("Tidak diisi")), counts.get(None, 0) + counts.get("", 0)))
        report.profile[name] = rows

    faces = dict(
        db.session.execute(
            _scope(
                db.select(SurveiResponse.face, func.count(SurveiResponse.id)).where(
                    SurveiResponse.kind == SurveiKind.QUICK
                ),
                agency,
                unit,
                lo,
                hi,
            ).group_by(SurveiResponse.face)
        ).all()
    )
    report.quick_faces = {int(k): v for k, v in faces.items() if k is not None}
    report.quick_count = sum(report.quick_faces.values())

    if unit is not None:
        report.population = db.session.scalar(
            db.select(SurveiPopulation.users).filter_by(unit_id=unit.id, period_start=start, period_end=end)
        )
        if report.population:
            report.minimum = skm.krejcie_morgan(report.population)
    else:
        for each_unit in db.session.scalars(
            db.select(Unit).filter_by(agency_id=agency.id).order_by(Unit.name)
        ):
            unit_report = build(agency, each_unit, start, end, with_text=False)
            report.units.append((each_unit, unit_report.respondents, unit_report.ikm, unit_report.grade))
    if with_text:
        report.extra = _extra_results(agency, unit, lo, hi)
        report.suggestions = list(
            db.session.execute(
                _scope(
                    db.select(SurveiResponse.created_at, SurveiResponse.comment).where(
                        skm_only, SurveiResponse.comment.isnot(None)
                    ),
                    agency,
                    unit,
                    lo,
                    hi,
                ).order_by(SurveiResponse.created_at)
            ).all()
        )
    return report


def _extra_results(agency, unit, lo, hi) -> list[ExtraResult]:
    """Every own question answered in the period: counts per value for
    choice and scale questions (with the mean for a scale), the answers
    themselves for text questions."""
    answered = _scope(
        db.select(SurveiAnswer.question_id, SurveiAnswer.value, func.count(SurveiAnswer.id)).join(
            SurveiResponse, SurveiResponse.id == SurveiAnswer.response_id
        ),
        agency,
        unit,
        lo,
        hi,
    )
    counts: dict[int, dict[str, int]] = {}
    for question_id, value, count in db.session.execute(
        answered.group_by(SurveiAnswer.question_id, SurveiAnswer.value)
    ):
        counts.setdefault(question_id, {})[value] = count
    if not counts:
        return []
    questions = db.session.scalars(
        db.select(SurveiQuestion)
        .where(SurveiQuestion.id.in_(counts))
        .join(Unit)
        .order_by(Unit.name, SurveiQuestion.position, SurveiQuestion.id)
    ).all()
    results = []
    for question in questions:
        values = counts[question.id]
        result = ExtraResult(question=question, answers=sum(values.values()))
        if question.type == SurveiQuestionType.TEXT:
            # Emptied answers (see service.anonymise) are counted, not listed.
            result.texts = [value for value, count in sorted(values.items()) if value for _n in range(count)]
        elif question.type == SurveiQuestionType.CHOICE:
            order = question.choice_list + sorted(set(values) - set(question.choice_list))
            result.counts = [(choice, values.get(choice, 0)) for choice in order]
        else:
            top = question.scale_top or 4
            result.counts = [(str(n), values.get(str(n), 0)) for n in range(1, top + 1)]
            scored = [(int(v), c) for v, c in values.items() if v.isdigit()]
            total = sum(c for _v, c in scored)
            result.mean = sum(v * c for v, c in scored) / total if total else None
        results.append(result)
    return results


def _fmt(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
        return f"{value:.4f}"
    return str(value)


def rows(report: SkmReport) -> list[list[str]]:
    """The report as table rows (used by CSV and XLSX)."""
    scope = report.unit.name if report.unit else report.agency.name
    out = [
        [_("Laporan Survei Kepuasan Masyarakat (PermenPANRB 14/2017)")],
        [_("Instansi"), report.agency.name],
        [_("Unit layanan"), scope],
        [_("Periode"), report.start.isoformat(), report.last_day.isoformat()],
        [_("Jumlah responden"), str(report.respondents)],
        [_("Populasi pengguna layanan"), _fmt(report.population)],
        [_("Sampel minimum (Krejcie-Morgan)"), _fmt(report.minimum)],
        [],
        [_("No"), _("Unsur"), "NRR", _("NRR tertimbang (x 1/9)")],
    ]
    for unsur, nrr, weighted in zip(skm.UNSUR, report.nrr, report.nrr_weighted, strict=True):
        out.append([str(unsur.number), str(unsur.name), _fmt(nrr), _fmt(weighted)])
    grade_text = f"{report.grade[0]} ({report.grade[1]})" if report.grade else ""
    out += [[], [_("IKM (konversi x 25)"), _fmt(report.ikm)], [_("Mutu pelayanan"), grade_text], []]
    names = {
        "sex": _("Jenis kelamin"),
        "age_group": _("Usia"),
        "education": _("Pendidikan"),
        "occupation": _("Pekerjaan"),
    }
    for name, table in report.profile.items():
        out.append([names[name], _("Jumlah")])
        out += [[label, str(count)] for _value, label, count in table]
        out.append([])
    if report.units:
        out.append([_("Unit layanan"), _("Responden"), "IKM", _("Mutu")])
        out += [[u.name, str(n), _fmt(ikm), grade[0] if grade else ""] for u, n, ikm, grade in report.units]
        out.append([])
    for result in report.extra:
        out.append([_("Pertanyaan tambahan"), result.question.text, str(result.answers)])
        if result.mean is not None:
            out.append([_("Rata-rata"), f"{result.mean:.2f}"])
        out += [[value, str(count)] for value, count in result.counts]
        out += [["", text] for text in result.texts]
        out.append([])
    out.append([_("Saran dan masukan")])
    out += [[when.isoformat(sep=" ", timespec="minutes"), text] for when, text in report.suggestions]
    return out
