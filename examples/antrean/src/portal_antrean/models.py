"""The plugin's one table, ``antrean_ticket`` (prefixed with its name)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.plugin import Desk, db, utcnow

#: Characters of a ticket's code (from ``CODE_ALPHABET``): the secret in the
#: ticket's address that lets its holder, and nobody else, rate the service.
CODE_LENGTH = 10


class AntreanTicket(db.Model):
    """A queue number taken at a desk on one day (the agency's local day)."""

    __tablename__ = "antrean_ticket"
    __table_args__ = (
        # Numbers restart every day at every desk; two citizens never get the same one.
        UniqueConstraint("desk_id", "day", "number", name="uq_antrean_ticket_desk_day_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    desk_id: Mapped[int] = mapped_column(ForeignKey("desk.id"))
    day: Mapped[dt.date] = mapped_column(Date)
    number: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(CODE_LENGTH), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    #: When the citizen rated the service (at most once per ticket).
    rated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    desk: Mapped[Desk] = relationship()
