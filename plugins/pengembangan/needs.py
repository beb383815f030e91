"""Needs analysis (AKPK): evidence from the portal's indicators and from
people (self-assessment, supervisor's view), mapped to the agency's
competency catalogue and ranked.

A difference between an officer and their unit or agency is evidence only
when it is credible: both sides rest on at least the minimum count and
their 95% intervals do not overlap."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import format_decimal
from flask_babel import gettext as _

from plugins.pengembangan.models import BY_SELF, BY_SUPERVISOR, PengembanganAssessment, PengembanganTheme
from plugins.pengembangan.service import covered_theme_ids, min_ratings, today
from portal.plugin import Officer, Unit, db

#: Weight of each kind of evidence in the ranking.
WEIGHT_CREDIBLE = 3.0
WEIGHT_UNIT = 1.0
WEIGHT_SELF = 0.5  # × the level (0–3)
WEIGHT_SUPERVISOR = 1.0  # × the level (0–3)
#: Weight of each complaint category of a unit handled late (below the
#: target): on top of the unit's overall share, so half a unit item.
WEIGHT_CATEGORY = 0.5
#: Unit indicators of one complaint category: ``<prefix><code>.unit``.
CATEGORY_PREFIX = "pengaduan.sla_share.kategori."


@dataclass
class Ref:
    value: float | None
    count: int
    low: float | None = None
    high: float | None = None
    enough: bool = True

    @classmethod
    def of_measurement(cls, m) -> Ref:
        return cls(m.value, int(m.count or 0), m.low, m.high, bool(m.enough) and m.value is not None)

    @classmethod
    def of_stat(cls, stat) -> Ref:
        ci = tuple(stat.ci) if stat.ci else (None, None)
        return cls(stat.mean, int(stat.count or 0), ci[0], ci[1], stat.mean is not None)

    def usable(self, minimum: int) -> bool:
        return self.enough and self.value is not None and self.count >= minimum

    def text(self, unit: str = "") -> str:
        value = format_decimal(round(self.value, 1), format="#,##0.0")
        if self.low is not None and self.high is not None:
            return _(
                "%(v)s%(u)s (n=%(n)d; 95%%: %(lo)s–%(hi)s)",
                v=value,
                u=unit,
                n=self.count,
                lo=format_decimal(round(self.low, 1), format="#,##0.0"),
                hi=format_decimal(round(self.high, 1), format="#,##0.0"),
            )
        return _("%(v)s%(u)s (n=%(n)d)", v=value, u=unit, n=self.count)


def credibly_worse(own: Ref, ref: Ref, higher_is_better: bool, minimum: int) -> bool:
    """Both rest on enough observations, both intervals are known, and they
    do not overlap with ``own`` on the bad side."""
    if not (own.usable(minimum) and ref.usable(minimum)):
        return False
    if None in (own.low, own.high, ref.low, ref.high):
        return False
    return own.high < ref.low if higher_is_better else own.low > ref.high


@dataclass
class Evidence:
    kind: str  # "bukti", "unit", "diri", "atasan"
    text: str
    weight: float
    unsur: int | None = None
    source: str | None = None
    theme_id: int | None = None

    def addresses(self, theme: PengembanganTheme) -> bool:
        if self.theme_id is not None:
            return self.theme_id == theme.id
        return (self.unsur is not None and self.unsur in theme.unsur_list) or (
            self.source is not None and self.source in theme.source_list
        )


@dataclass
class Need:
    theme: PengembanganTheme
    score: float
    evidence: list[Evidence] = field(default_factory=list)
    covered: bool = False


def target(key: str) -> tuple[int | None, str | None]:
    """What an indicator key is about: an SKM unsur or a rating source."""
    if key.startswith("survei.unsur.U") and key[len("survei.unsur.U") :].isdigit():
        return int(key[len("survei.unsur.U") :]), None
    if key.startswith("core.score."):
        return None, key[len("core.score.") :]
    if key.startswith("core."):
        return None, None
    return None, key.split(".", 1)[0]


def sla_target() -> float:
    """``PENGEMBANGAN_SLA_TARGET``: the share (%) of complaints handled on
    time below which a unit's complaints, overall or of one category, are
    evidence of a need."""
    return float(current_app.config.get("PENGEMBANGAN_SLA_TARGET", 80))


def year_bounds(agency, year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), min(dt.date(year, 12, 31), today(agency))


class Analysis:
    """The needs analysis of one agency for one year; keeps unit and agency
    figures so that a page about many officers measures each once."""

    def __init__(self, agency, year: int):
        from portal.plugin import indicators

        self.agency = agency
        self.year = year
        self.start, self.end = year_bounds(agency, year)
        self.minimum = min_ratings()
        self.officer_indicators = indicators(agency, scope="officer")
        self.unit_indicators = indicators(agency, scope="unit")
        self.themes = list(
            db.session.scalars(
                db.select(PengembanganTheme)
                .filter_by(agency_id=agency.id, active=True)
                .order_by(PengembanganTheme.name)
            )
        )
        self._unit: dict = {}
        self._agency: dict = {}
        self._unit_evidence: dict = {}

    # --- reference figures ---------------------------------------------------

    def unit_indicator(self, key: str):
        """The unit-scope counterpart of officer indicator ``key``: by
        convention ``<key>.unit`` (keys are unique across scopes), or ``key``."""
        return self.unit_indicators.get(f"{key}.unit") or self.unit_indicators.get(key)

    def _stat(self, officer_ids, source) -> Ref:
        from portal.plugin import score_stat

        return Ref.of_stat(score_stat(list(officer_ids), self.start, self.end, sources=[source]))

    def unit_ref(self, key: str, officer: Officer) -> Ref | None:
        cache_key = (key, officer.unit_id, officer.id)
        if cache_key not in self._unit:
            ref = None
            if officer.unit_id is not None:
                counterpart = self.unit_indicator(key)
                if counterpart is not None:
                    unit = db.session.get(Unit, officer.unit_id)
                    ref = Ref.of_measurement(counterpart.measure(unit, self.start, self.end))
                elif key.startswith("core.score."):
                    colleagues = db.session.scalars(
                        db.select(Officer.id).where(
                            Officer.unit_id == officer.unit_id,
                            Officer.id != officer.id,
                            Officer.active.is_(True),
                        )
                    ).all()
                    if colleagues:
                        ref = self._stat(colleagues, key[len("core.score.") :])
            self._unit[cache_key] = ref
        return self._unit[cache_key]

    def agency_ref(self, key: str) -> Ref | None:
        if not key.startswith("core.score."):
            return None
        if key not in self._agency:
            everyone = db.session.scalars(
                db.select(Officer.id).where(Officer.agency_id == self.agency.id, Officer.active.is_(True))
            ).all()
            self._agency[key] = self._stat(everyone, key[len("core.score.") :])
        return self._agency[key]

    # --- evidence ------------------------------------------------------------

    def officer_evidence(self, officer: Officer) -> list[Evidence]:
        found = []
        for key, indicator in sorted(self.officer_indicators.items()):
            unsur, source = target(key)
            if unsur is None and source is None:
                continue
            own = Ref.of_measurement(indicator.measure(officer, self.start, self.end))
            if not own.usable(self.minimum):
                continue
            for where, ref in (
                (_("unit"), self.unit_ref(key, officer)),
                (_("instansi"), self.agency_ref(key)),
            ):
                if ref is not None and credibly_worse(own, ref, indicator.higher_is_better, self.minimum):
                    found.append(
                        Evidence(
                            "bukti",
                            _(
                                "%(label)s: %(own)s, di bawah %(where)s %(ref)s; selang kepercayaan tidak "
                                "bertumpang tindih.",
                                label=str(indicator.label),
                                own=own.text(indicator.unit),
                                where=where,
                                ref=ref.text(indicator.unit),
                            ),
                            WEIGHT_CREDIBLE,
                            unsur,
                            source,
                        )
                    )
                    break
        return found + self.unit_evidence(officer.unit_id)

    def unit_evidence(self, unit_id: int | None) -> list[Evidence]:
        """The unit's weakest SKM unsur and its share of complaints handled late."""
        if unit_id is None:
            return []
        if unit_id not in self._unit_evidence:
            unit = db.session.get(Unit, unit_id)
            found = []
            scores = []
            for number in range(1, 10):
                indicator = self.unit_indicator(f"survei.unsur.U{number}")
                if indicator is None:
                    continue
                ref = Ref.of_measurement(indicator.measure(unit, self.start, self.end))
                if ref.usable(self.minimum):
                    scores.append((ref.value, number, indicator, ref))
            if len(scores) >= 2:
                value, number, indicator, ref = min(scores, key=lambda s: (s[0], s[1]))
                found.append(
                    Evidence(
                        "unit",
                        _(
                            "Unsur SKM terlemah unit %(unit)s: %(label)s, %(ref)s.",
                            unit=unit.name,
                            label=str(indicator.label),
                            ref=ref.text(indicator.unit),
                        ),
                        WEIGHT_UNIT,
                        unsur=number,
                    )
                )
            target_share = sla_target()
            sla = self.unit_indicator("pengaduan.sla_share")
            if sla is not None:
                ref = Ref.of_measurement(sla.measure(unit, self.start, self.end))
                if ref.usable(self.minimum) and ref.value < target_share:
                    found.append(
                        Evidence(
                            "unit",
                            _(
                                "Pengaduan di unit %(unit)s yang selesai tepat waktu: %(ref)s, di bawah "
                                "sasaran %(target)s%%.",
                                unit=unit.name,
                                ref=ref.text(sla.unit),
                                target=format_decimal(target_share),
                            ),
                            WEIGHT_UNIT,
                            source="pengaduan",
                        )
                    )
            found += self._late_categories(unit, target_share)
            self._unit_evidence[unit_id] = found
        return self._unit_evidence[unit_id]

    def _late_categories(self, unit, target_share: float) -> list[Evidence]:
        """Each complaint category of the unit whose share handled on time is
        known and below the target, lowest share first."""
        late = []
        for key, indicator in self.unit_indicators.items():
            if not (key.startswith(CATEGORY_PREFIX) and key.endswith(".unit")):
                continue
            ref = Ref.of_measurement(indicator.measure(unit, self.start, self.end))
            if ref.usable(self.minimum) and ref.value < target_share:
                late.append((ref.value, str(indicator.label), indicator, ref))
        return [
            Evidence(
                "unit",
                _(
                    "%(label)s di unit %(unit)s: %(ref)s, di bawah sasaran %(target)s%%.",
                    label=label,
                    unit=unit.name,
                    ref=ref.text(indicator.unit),
                    target=format_decimal(target_share),
                ),
                WEIGHT_CATEGORY,
                source="pengaduan",
            )
            for _value, label, indicator, ref in sorted(late, key=lambda r: (r[0], r[1]))
        ]

    def feedback(self, officer: Officer) -> list[tuple[dt.date, str]]:
        """The supervisors' "what to improve" about ``officer`` in the year,
        newest first. Free text: shown on the officer's own needs page as the
        supervisor's words, it adds no weight and names no theme (the
        supervisor's view on the catalogue is what maps it to a theme), and
        it never enters a unit's figures."""
        from portal.plugin import feedback_improvements

        return feedback_improvements(officer, self.start, self.end)

    def people_evidence(self, officer: Officer) -> list[Evidence]:
        from plugins.pengembangan.forms import LEVEL_LABELS

        rows = db.session.scalars(
            db.select(PengembanganAssessment).filter_by(officer_id=officer.id, year=self.year)
        ).all()
        found = []
        for row in rows:
            if row.level <= 0:
                continue
            who = _("Penilaian diri") if row.by == BY_SELF else _("Pandangan atasan")
            weight = (WEIGHT_SELF if row.by == BY_SELF else WEIGHT_SUPERVISOR) * row.level
            text = _("%(who)s: kebutuhan %(level)s.", who=who, level=str(LEVEL_LABELS[row.level]).lower())
            if row.note:
                text += " " + _("Catatan: %(note)s", note=row.note)
            found.append(
                Evidence("diri" if row.by == BY_SELF else "atasan", text, weight, theme_id=row.theme_id)
            )
        return found

    # --- output --------------------------------------------------------------

    def officer_needs(self, officer: Officer) -> list[Need]:
        evidence = self.officer_evidence(officer) + self.people_evidence(officer)
        covered = covered_theme_ids(officer.id, self.year)
        needs = []
        for theme in self.themes:
            mine = [e for e in evidence if e.addresses(theme)]
            score = sum(e.weight for e in mine)
            if score > 0:
                needs.append(Need(theme, score, mine, theme.id in covered))
        needs.sort(key=lambda n: (-n.score, n.theme.name))
        return needs

    def unit_needs(self, officers) -> list[tuple[PengembanganTheme, int, float, int]]:
        """(theme, officers with the need, summed score, of whom unaddressed), ranked."""
        totals: dict[int, list] = {}
        for officer in officers:
            for need in self.officer_needs(officer):
                row = totals.setdefault(need.theme.id, [need.theme, 0, 0.0, 0])
                row[1] += 1
                row[2] += need.score
                row[3] += 0 if need.covered else 1
        return sorted((tuple(r) for r in totals.values()), key=lambda r: (-r[2], r[0].name))


BY_LABELS = {BY_SELF: "pegawai", BY_SUPERVISOR: "atasan"}
