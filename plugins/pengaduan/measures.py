"""What the complaint module can measure and what it saw an officer do.

- Indicator ``pengaduan.sla_share`` (officer: complaints assigned to them;
  unit: complaints assigned to, or else about, the unit): of the complaints
  resolved in the period, the share resolved by their follow-up deadline.
- Indicators ``pengaduan.sla_share.kategori.<code>.unit``, one per active
  category of the agency: the same unit share, of that category's complaints.
- Evidence: each complaint the officer verified, answered, or resolved on
  the day (from the complaint's history, by the officer's own login).
- Follow-up for a citizen after a bad experience: the complaint form.
"""

from __future__ import annotations

import datetime as dt
from functools import partial

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_

from plugins.pengaduan.models import PengaduanCategory, PengaduanEvent, PengaduanTicket, TicketStatus
from portal.plugin import Evidence, Indicator, Measurement, NavItem, User, day_bounds, db, local

#: Resolved complaints below which the share is not shown as a number.
MIN_RESOLVED = 5

#: The steps of a complaint that are an officer's work of the day.
ACTIONS = (TicketStatus.DIVERIFIKASI, TicketStatus.DIPROSES, TicketStatus.SELESAI, TicketStatus.DITOLAK)


def indicators(agency) -> list[Indicator]:
    label = _l("Pengaduan selesai tepat waktu")
    found = [
        Indicator(
            "pengaduan.sla_share", label, "officer", partial(sla_share, "officer"), "%", plugin="pengaduan"
        ),
        Indicator(
            "pengaduan.sla_share.unit", label, "unit", partial(sla_share, "unit"), "%", plugin="pengaduan"
        ),
    ]
    categories = db.session.execute(
        db.select(PengaduanCategory.id, PengaduanCategory.code, PengaduanCategory.name)
        .filter_by(agency_id=agency.id, active=True)
        .order_by(PengaduanCategory.code)
    ).all()
    for category_id, code, name in categories:
        found.append(
            Indicator(
                f"pengaduan.sla_share.kategori.{code}.unit",
                _l("Pengaduan %(kategori)s selesai tepat waktu", kategori=name),
                "unit",
                partial(sla_share, "unit", category_id=category_id),
                "%",
                plugin="pengaduan",
            )
        )
    return found


def sla_share(
    scope: str, subject, start: dt.date, end: dt.date, category_id: int | None = None
) -> Measurement:
    agency = subject.agency
    lo, hi = day_bounds(start, end, agency.timezone)
    query = db.select(PengaduanTicket.resolved_at, PengaduanTicket.resolve_due).where(
        PengaduanTicket.agency_id == agency.id,
        PengaduanTicket.resolved_at >= lo,
        PengaduanTicket.resolved_at < hi,
    )
    if category_id is not None:
        query = query.where(PengaduanTicket.category_id == category_id)
    if scope == "officer":
        query = query.where(PengaduanTicket.assigned_officer_id == subject.id)
    else:
        query = query.where(
            or_(
                PengaduanTicket.assigned_unit_id == subject.id,
                (PengaduanTicket.assigned_unit_id.is_(None)) & (PengaduanTicket.unit_id == subject.id),
            )
        )
    rows = db.session.execute(query).all()
    if len(rows) < MIN_RESOLVED:
        return Measurement(None, len(rows), enough=False)
    on_time = sum(
        1 for resolved, due in rows if due is None or local(resolved, agency.timezone).date() <= due
    )
    return Measurement(round(100.0 * on_time / len(rows), 1), len(rows))


def evidence(officer, day: dt.date) -> list[Evidence]:
    logins = db.select(User.id).where(User.officer_id == officer.id)
    lo, hi = day_bounds(day, day, officer.agency.timezone)
    rows = db.session.execute(
        db.select(PengaduanEvent.to_status, PengaduanTicket.id, PengaduanTicket.reference)
        .join(PengaduanTicket, PengaduanTicket.id == PengaduanEvent.ticket_id)
        .where(
            PengaduanTicket.agency_id == officer.agency_id,
            PengaduanEvent.user_id.in_(logins),
            PengaduanEvent.created_at >= lo,
            PengaduanEvent.created_at < hi,
            PengaduanEvent.to_status.in_(list(ACTIONS)),
        )
        .order_by(PengaduanEvent.created_at)
    ).all()
    return [
        Evidence(
            f"pengaduan:{status}:{ticket_id}",
            "pengaduan",
            _action(status, reference),
            str(_l("pengaduan")),
            1,
            url=f"/kelola/{officer.agency.slug}/pengaduan/tiket/{reference}",
        )
        for status, ticket_id, reference in rows
    ]


def _action(status, reference) -> str:
    from flask_babel import gettext

    messages = {
        TicketStatus.DIVERIFIKASI: gettext("Memverifikasi pengaduan %(ref)s", ref=reference),
        TicketStatus.DIPROSES: gettext("Menindaklanjuti pengaduan %(ref)s", ref=reference),
        TicketStatus.SELESAI: gettext("Menyelesaikan pengaduan %(ref)s", ref=reference),
        TicketStatus.DITOLAK: gettext("Menolak pengaduan %(ref)s dengan alasan", ref=reference),
    }
    return messages[status]


def followups(agency, unit) -> list[NavItem]:
    return [NavItem(10, str(_l("Sampaikan pengaduan")), f"/{agency.slug}/pengaduan/baru")]
