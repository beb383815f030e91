"""What the survey module can measure and what it saw an officer do.

- Indicators (``portal_indicators``): the unit's IKM (25–100, from the SKM
  responses) and, per SKM unsur, the converted value (25–100) for a unit or
  for the officer the responses credited; each says "not enough" below a
  minimum of respondents.
- Evidence (``portal_daily_evidence``): one-time QR services the officer
  issued on the day, and the survey ratings credited to them that day.
"""

from __future__ import annotations

import datetime as dt
from functools import partial

from flask_babel import lazy_gettext as _l
from sqlalchemy import func

from plugins.survei import skm
from plugins.survei.models import SurveiKind, SurveiResponse, SurveiTicket, counted
from portal.plugin import Evidence, Indicator, Measurement, Stat, day_bounds, db, stat_measurement

#: Respondents below which a unit's IKM or an unsur value is not shown as a number.
MIN_UNIT = 10
#: SKM responses credited to an officer below which their unsur value is not shown.
MIN_OFFICER = 5


def indicators(agency) -> list[Indicator]:
    found = [Indicator("survei.ikm", _l("IKM unit (SKM)"), "unit", unit_ikm, unit="/100", plugin="survei")]
    for unsur in skm.UNSUR:
        label = _l("Unsur SKM U%(n)d: %(name)s", n=unsur.number, name=unsur.name)
        for scope in ("officer", "unit"):
            found.append(
                Indicator(
                    f"survei.unsur.U{unsur.number}" + ("" if scope == "officer" else ".unit"),
                    label,
                    scope,
                    partial(unsur_value, unsur.number),
                    unit="/100",
                    plugin="survei",
                )
            )
    return found


def unit_ikm(unit, start: dt.date, end: dt.date) -> Measurement:
    from plugins.survei.report import build

    report = build(unit.agency, unit, start, end + dt.timedelta(days=1), summary=True)
    if report.ikm is None or report.respondents < MIN_UNIT:
        return Measurement(None, report.respondents, enough=False)
    return Measurement(float(report.ikm), report.respondents)


def unsur_value(number: int, subject, start: dt.date, end: dt.date) -> Measurement:
    """The converted value (answer × 25) of unsur ``number`` for an officer or
    a unit, with its 95% confidence interval."""
    from portal.plugin import Officer

    column = getattr(SurveiResponse, f"u{number}")
    agency = subject.agency
    lo, hi = day_bounds(start, end, agency.timezone)
    query = db.select(func.count(column), func.sum(column), func.sum(column * column)).where(
        SurveiResponse.agency_id == agency.id,
        SurveiResponse.kind == SurveiKind.SKM,
        SurveiResponse.created_at >= lo,
        SurveiResponse.created_at < hi,
        counted(),
    )
    if isinstance(subject, Officer):
        query, minimum = query.where(SurveiResponse.officer_id == subject.id), MIN_OFFICER
    else:
        query, minimum = query.where(SurveiResponse.unit_id == subject.id), MIN_UNIT
    count, total, total_sq = db.session.execute(query).one()
    stat = Stat()
    stat.add(1.0, int(count or 0), 25.0 * (total or 0), 625.0 * (total_sq or 0))
    return stat_measurement(stat, minimum)


def evidence(officer, day: dt.date) -> list[Evidence]:
    lo, hi = day_bounds(day, day, officer.agency.timezone)
    found = []
    served = db.session.scalar(
        db.select(func.count(SurveiTicket.id)).where(
            SurveiTicket.officer_id == officer.id, SurveiTicket.created_at >= lo, SurveiTicket.created_at < hi
        )
    )
    if served:
        found.append(
            Evidence(
                f"survei:layanan-qr:{officer.id}:{day.isoformat()}",
                "survei",
                str(_l("Melayani warga dengan QR sekali pakai")),
                str(_l("layanan")),
                served,
            )
        )
    rated = db.session.scalar(
        db.select(func.count(SurveiResponse.id)).where(
            SurveiResponse.agency_id == officer.agency_id,
            SurveiResponse.officer_id == officer.id,
            SurveiResponse.created_at >= lo,
            SurveiResponse.created_at < hi,
            counted(),
        )
    )
    if rated:
        found.append(
            Evidence(
                f"survei:penilaian:{officer.id}:{day.isoformat()}",
                "survei",
                str(_l("Menerima penilaian warga melalui survei")),
                str(_l("penilaian")),
                rated,
                url=f"/kinerja/pegawai/{officer.id}",
            )
        )
    return found
