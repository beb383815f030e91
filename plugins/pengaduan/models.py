"""Pengaduan tables (prefixed ``pengaduan_``)."""

from __future__ import annotations

import datetime as dt
import json
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.plugin import Officer, Unit, User, db, utcnow


class TicketStatus(StrEnum):
    """Where a complaint is in its workflow (stored in ``pengaduan_ticket.status``)."""

    BARU = "baru"
    DIVERIFIKASI = "diverifikasi"
    DITOLAK = "ditolak"
    DIPROSES = "diproses"
    SELESAI = "selesai"
    DITUTUP = "ditutup"

    @classmethod
    def open_statuses(cls) -> tuple[TicketStatus, ...]:
        """The statuses of a complaint still waiting for the agency."""
        return (cls.BARU, cls.DIVERIFIKASI, cls.DIPROSES)

    @classmethod
    def in_follow_up(cls) -> tuple[TicketStatus, ...]:
        """Verified and not yet resolved: the follow-up deadline runs."""
        return (cls.DIVERIFIKASI, cls.DIPROSES)

    @classmethod
    def ended(cls) -> tuple[TicketStatus, ...]:
        """Resolved, closed or rejected: nothing more is asked of the agency."""
        return (cls.SELESAI, cls.DITUTUP, cls.DITOLAK)


class RejectionReason(StrEnum):
    """Why staff rejected a complaint (stored in ``pengaduan_ticket.rejection_reason``)."""

    BUKAN_WEWENANG = "bukan_wewenang"
    TIDAK_LENGKAP = "tidak_lengkap"
    DUPLIKAT = "duplikat"
    TIDAK_JELAS = "tidak_jelas"
    LAINNYA = "lainnya"


class OverdueStage(StrEnum):
    """The deadline a complaint missed (stored in ``pengaduan_ticket.escalated_stage``)."""

    VERIFIKASI = "verifikasi"
    TINDAK_LANJUT = "tindak_lanjut"


class EventActor(StrEnum):
    """Who made a timeline entry (stored in ``pengaduan_event.actor``)."""

    STAF = "staf"
    PELAPOR = "pelapor"
    SISTEM = "sistem"


class TicketAction(StrEnum):
    """What staff do to a complaint; a response template is kept for one
    of them (stored in ``pengaduan_template.status``)."""

    VERIFY = "verify"
    REJECT = "reject"
    ASSIGN = "assign"
    RESOLVE = "resolve"
    CLOSE = "close"
    RESPOND = "respond"
    NOTE = "note"


class PengaduanSettings(db.Model):
    """An agency's complaint settings (no row: the defaults)."""

    __tablename__ = "pengaduan_settings"

    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), primary_key=True)
    verify_days: Mapped[int] = mapped_column(SmallInteger, default=3)
    followup_days: Mapped[int] = mapped_column(SmallInteger, default=5)
    reopen_days: Mapped[int] = mapped_column(SmallInteger, default=14)


class PengaduanCategory(db.Model):
    """A kind of complaint; the Open311 services of the agency."""

    __tablename__ = "pengaduan_category"
    __table_args__ = (UniqueConstraint("agency_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    verify_days: Mapped[int | None] = mapped_column(SmallInteger)
    followup_days: Mapped[int | None] = mapped_column(SmallInteger)
    fields_json: Mapped[str] = mapped_column(Text, default="[]")  # [{"code","label","required"}]
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    @property
    def fields(self) -> list[dict]:
        try:
            data = json.loads(self.fields_json or "[]")
        except ValueError:
            return []
        return [f for f in data if isinstance(f, dict) and f.get("code")]


class PengaduanTicket(db.Model):
    __tablename__ = "pengaduan_ticket"
    __table_args__ = (
        Index("ix_pengaduan_ticket_agency_status", "agency_id", "status", "created_at"),
        # The queue's order: its first page stops after 25 rows instead of sorting them all.
        Index("ix_pengaduan_ticket_agency_created", "agency_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    #: The citizen's private tracking code (see plugins.pengaduan.codes): a
    #: credential, shown once to the citizen and never on any other page.
    code: Mapped[str] = mapped_column(String(20), unique=True)
    #: The public reference ("nomor referensi"): Open311, staff pages, exports.
    reference: Mapped[str] = mapped_column(String(13), unique=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("pengaduan_category.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    title: Mapped[str] = mapped_column(String(150))
    description: Mapped[str] = mapped_column(Text)
    address: Mapped[str] = mapped_column(String(300), default="")
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    extra_json: Mapped[str] = mapped_column(Text, default="{}")
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    #: *Rahasia*: in no public list or feed (only in counts); its title, text
    #: and place only on the tracking page (private code) and to staff, its
    #: complainant's identity only to the agency's admins.
    confidential: Mapped[bool] = mapped_column(Boolean, default=False)
    name: Mapped[str] = mapped_column(String(150), default="")
    phone: Mapped[str] = mapped_column(String(30), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    status: Mapped[str] = mapped_column(String(15), default=TicketStatus.BARU)
    assigned_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    assigned_officer_id: Mapped[int | None] = mapped_column(ForeignKey("officer.id"), index=True)
    rejection_reason: Mapped[str] = mapped_column(String(20), default="")
    resolution: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    verified_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    verify_due: Mapped[dt.date] = mapped_column(Date)
    resolve_due: Mapped[dt.date | None] = mapped_column(Date)
    escalated_stage: Mapped[str] = mapped_column(String(15), default="")
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    rating: Mapped[int | None] = mapped_column(SmallInteger)
    rated_resolved: Mapped[bool | None] = mapped_column(Boolean)
    rating_comment: Mapped[str | None] = mapped_column(Text)

    category: Mapped[PengaduanCategory] = relationship()
    unit: Mapped[Unit | None] = relationship(foreign_keys=[unit_id])
    assigned_unit: Mapped[Unit | None] = relationship(foreign_keys=[assigned_unit_id])
    assigned_officer: Mapped[Officer | None] = relationship()
    events: Mapped[list[PengaduanEvent]] = relationship(back_populates="ticket", order_by="PengaduanEvent.id")
    attachments: Mapped[list[PengaduanAttachment]] = relationship(
        back_populates="ticket", order_by="PengaduanAttachment.id"
    )

    @property
    def extra(self) -> dict:
        try:
            return json.loads(self.extra_json or "{}")
        except ValueError:
            return {}

    @property
    def is_open(self) -> bool:
        return self.status in TicketStatus.open_statuses()


class PengaduanEvent(db.Model):
    """The ticket's timeline: every transition (who, when, from, to), public
    responses and internal notes."""

    __tablename__ = "pengaduan_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("pengaduan_ticket.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    actor: Mapped[str] = mapped_column(String(20), default=EventActor.STAF)
    from_status: Mapped[str] = mapped_column(String(15), default="")
    to_status: Mapped[str] = mapped_column(String(15), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    public: Mapped[bool] = mapped_column(Boolean, default=True)

    ticket: Mapped[PengaduanTicket] = relationship(back_populates="events")
    user: Mapped[User | None] = relationship()


class PengaduanAttachment(db.Model):
    """A file stored outside the web root under a random name."""

    __tablename__ = "pengaduan_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("pengaduan_ticket.id"), index=True)
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    original_name: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(60))
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    ticket: Mapped[PengaduanTicket] = relationship(back_populates="attachments")


class PengaduanTemplate(db.Model):
    """A response template for a status."""

    __tablename__ = "pengaduan_template"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    status: Mapped[str] = mapped_column(String(15))
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
