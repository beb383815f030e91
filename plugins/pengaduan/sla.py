"""The daily SLA check: overdue complaints are escalated once per stage to
the handling officer's supervisor (or the agency's admins) through the
portal's notification centre (in the portal and by e-mail)."""

from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l

from plugins.pengaduan.models import OverdueStage, PengaduanTicket, TicketStatus
from plugins.pengaduan.service import overdue_stage, today_for
from portal.plugin import ROLE_ADMIN, Agency, Officer, User, db, is_enabled, notify


def recipients(ticket: PengaduanTicket) -> list[User]:
    """The supervisor's login of the officer handling it; else the admins."""
    if ticket.assigned_officer_id:
        officer = db.session.get(Officer, ticket.assigned_officer_id)
        if officer and officer.supervisor_id:
            boss = db.session.execute(
                db.select(User).filter_by(officer_id=officer.supervisor_id, active=True)
            ).scalar_one_or_none()
            if boss is not None:
                return [boss]
    return list(
        db.session.scalars(
            db.select(User).filter_by(agency_id=ticket.agency_id, role=ROLE_ADMIN, active=True)
        )
    )


def check(now: dt.datetime | None = None) -> list[tuple[PengaduanTicket, str, list[User]]]:
    """Escalate every newly overdue complaint; returns what was escalated."""
    done = []
    for agency in db.session.scalars(db.select(Agency)):
        if not is_enabled(agency, "pengaduan"):
            continue
        today = today_for(agency, now)
        tickets = db.session.scalars(
            db.select(PengaduanTicket).where(
                PengaduanTicket.agency_id == agency.id,
                PengaduanTicket.status.in_(TicketStatus.open_statuses()),
            )
        )
        for ticket in tickets:
            stage = overdue_stage(ticket, today)
            if stage is None or ticket.escalated_stage == stage:
                continue
            due = ticket.verify_due if stage == OverdueStage.VERIFIKASI else ticket.resolve_due
            text = str(
                _l(
                    "Pengaduan %(code)s (%(title)s) melewati batas %(stage)s (%(due)s).",
                    code=ticket.reference,
                    title=ticket.title,
                    stage=_l("verifikasi") if stage == OverdueStage.VERIFIKASI else _l("tindak lanjut"),
                    due=due.isoformat(),
                )
            )
            people = recipients(ticket)
            notify(
                people,
                str(_l("Pengaduan melewati batas waktu")),
                body=text,
                url=f"/kelola/{agency.slug}/pengaduan/tiket/{ticket.reference}",
                key=f"pengaduan:terlambat:{ticket.id}:{stage}",
            )
            ticket.escalated_stage = stage
            done.append((ticket, stage, people))
        db.session.commit()
    return done
