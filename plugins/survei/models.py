"""Survei tables (prefixed ``survei_``)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.models import Desk, Unit
from portal.extensions import db

KINDS = ("cepat", "skm")


class DeskSurvey(db.Model):
    """Which survey a desk's QR code opens (no row: the quick survey)."""

    __tablename__ = "survei_desk_survey"

    desk_id: Mapped[int] = mapped_column(ForeignKey("desk.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), default="cepat")


def desks_with_kind(agency):
    """(desk, survey kind) for the agency's active desks, by unit and name."""
    rows = db.session.execute(
        db.select(Desk, DeskSurvey.kind)
        .join(Unit, Desk.unit_id == Unit.id)
        .outerjoin(DeskSurvey, DeskSurvey.desk_id == Desk.id)
        .where(Unit.agency_id == agency.id, Desk.active.is_(True))
        .order_by(Unit.name, Desk.name)
    ).all()
    return [(desk, kind or "cepat") for desk, kind in rows]
