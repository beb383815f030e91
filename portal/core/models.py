"""Core tables: tenancy (agency → unit → desk, officers), logins, plugin
switches, the performance record (rating events and their rollups) and the
audit log. Plugins keep their own tables, prefixed with the plugin's name."""

from __future__ import annotations

import datetime as dt
import secrets
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from portal.core.util.timeutil import DEFAULT_TZ, utcnow
from portal.extensions import db


class Role(StrEnum):
    """What a login may do (stored in ``User.role``)."""

    SUPERADMIN = "superadmin"
    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    OFFICER = "officer"


ROLE_SUPERADMIN, ROLE_ADMIN, ROLE_SUPERVISOR, ROLE_OFFICER = Role
ROLES = tuple(role.value for role in Role)  # plain strings, for choices


class ReviewState(StrEnum):
    """Review of a :class:`RatingEvent` (its ``review`` column): counted at
    once, held, accepted or rejected."""

    NONE = ""
    HELD = "ditahan"
    ACCEPTED = "diterima"
    REJECTED = "ditolak"


class CommentState(StrEnum):
    """A citizen's comment on a :class:`RatingEvent` (its ``comment_state``)."""

    NONE = ""
    NEW = "baru"  # waiting for moderation
    SHOWN = "tampil"  # shown on the officer's record
    HIDDEN = "tolak"


def new_desk_token() -> str:
    """An unguessable QR token (128 bits, URL-safe)."""
    return secrets.token_urlsafe(16)


class Agency(db.Model):
    __tablename__ = "agency"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    timezone: Mapped[str] = mapped_column(String(40), default=DEFAULT_TZ)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    #: Weights of ratings from a per-service one-time QR (verified) and of the
    #: rest in the officer's overall score; multiplied with the source weight.
    verified_weight: Mapped[float] = mapped_column(Float, default=1.0, server_default="1")
    unverified_weight: Mapped[float] = mapped_column(Float, default=1.0, server_default="1")
    #: The agency's logo as a PNG (re-encoded on upload, see portal.core.util.logo),
    #: kept in the database so every host serves it; loaded only when asked.
    logo: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    logo_updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    #: Contact details every page of the agency shows in its footer.
    address: Mapped[str] = mapped_column(String(300), default="", server_default="")
    phone: Mapped[str] = mapped_column(String(30), default="", server_default="")
    service_hours: Mapped[str] = mapped_column(String(200), default="", server_default="")
    complaint_hotline: Mapped[str] = mapped_column(String(30), default="", server_default="")

    units: Mapped[list[Unit]] = relationship(back_populates="agency", order_by="Unit.name")

    def __repr__(self) -> str:
        return f"<Agency {self.slug}>"


class Unit(db.Model):
    """Unit layanan: a service unit of an agency."""

    __tablename__ = "unit"
    __table_args__ = (UniqueConstraint("agency_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(300), default="")

    agency: Mapped[Agency] = relationship(back_populates="units")
    desks: Mapped[list[Desk]] = relationship(back_populates="unit", order_by="Desk.name")


class Desk(db.Model):
    """Loket: a service counter; its QR token is the target of ``/s/<token>``."""

    __tablename__ = "desk"
    __table_args__ = (UniqueConstraint("unit_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    qr_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_desk_token)
    token_rotated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    unit: Mapped[Unit] = relationship(back_populates="desks")

    @property
    def agency(self) -> Agency:
        return self.unit.agency

    def rotate_token(self) -> None:
        self.qr_token = new_desk_token()
        self.token_rotated_at = utcnow()


class Officer(db.Model):
    """Pegawai (ASN) whose service is rated: one employment at one agency.

    The NIP is unique within an agency, not across the installation: an ASN
    transferred to another agency gets a new row there, and no agency can
    learn from the portal that a NIP is employed elsewhere."""

    __tablename__ = "officer"
    __table_args__ = (UniqueConstraint("agency_id", "nip"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("officer.id"), index=True)
    nip: Mapped[str] = mapped_column(String(18), index=True)
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    agency: Mapped[Agency] = relationship()
    unit: Mapped[Unit | None] = relationship()
    supervisor: Mapped[Officer | None] = relationship(remote_side=[id], back_populates="team")
    team: Mapped[list[Officer]] = relationship(back_populates="supervisor")

    def subordinate_ids(self) -> set[int]:
        """Ids of every officer below this one, at any depth (cycles are safe)."""
        seen: set[int] = set()
        frontier = [self.id]
        while frontier:
            rows = db.session.execute(
                db.select(Officer.id).where(Officer.supervisor_id.in_(frontier))
            ).scalars()
            frontier = [i for i in rows if i not in seen and i != self.id]
            seen.update(frontier)
        return seen


class User(UserMixin, db.Model):
    """A login. Superadmins have no agency; everyone else belongs to one."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(20))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"), index=True)
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officer.id"), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Part of every session's id (see ``get_id``): raising it ends every
    #: session of the user (logout, password change or reset).
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    agency: Mapped[Agency | None] = relationship()
    officer: Mapped[Officer | None] = relationship()

    def get_id(self) -> str:  # Flask-Login: what the session stores
        return f"{self.id}:{self.session_generation or 0}"

    def set_password(self, password: str) -> None:
        """Set a new password; every session of the user ends (a session
        that should go on is re-issued with ``login_user`` after commit)."""
        from flask import current_app

        method = current_app.config.get("PORTAL_PASSWORD_HASH", "scrypt")
        self.password_hash = generate_password_hash(password, method=method)
        self.session_generation = (self.session_generation or 0) + 1

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login
        return bool(self.active)

    @property
    def is_superadmin(self) -> bool:
        return self.role == ROLE_SUPERADMIN

    def can_access_agency(self, agency: Agency) -> bool:
        return self.is_superadmin or self.agency_id == agency.id

    def can_manage_agency(self, agency: Agency) -> bool:
        return self.is_superadmin or (self.role == ROLE_ADMIN and self.agency_id == agency.id)


class AgencyPlugin(db.Model):
    """Whether a plugin is on for an agency (no row: off), and its weight
    in the agency's overall score (NULL: the plugin's declared default)."""

    __tablename__ = "agency_plugin"

    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), primary_key=True)
    plugin: Mapped[str] = mapped_column(String(60), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    weight: Mapped[float | None] = mapped_column(Float)


class RatingEvent(db.Model):
    """One rating credited to one officer. Append-only."""

    __tablename__ = "rating_event"
    __table_args__ = (
        Index("ix_rating_event_officer_created", "officer_id", "created_at"),
        # Only the comments shown on a record: the officer page's latest ten are
        # read from this small index, however many ratings the officer has.
        Index(
            "ix_rating_event_comment_shown",
            "officer_id",
            "created_at",
            sqlite_where=text("comment_state = 'tampil'"),
        ),
        # Only the comments waiting for moderation: a small partial index.
        Index(
            "ix_rating_event_comment_waiting",
            "agency_id",
            "officer_id",
            # The condition is PostgreSQL's too (mirrored when the app uses
            # PostgreSQL: portal.core.web.wiring.mirror_partial_indexes).
            sqlite_where=text("comment_state = 'baru'"),
        ),
        # Only the ratings held for review: the queue and the record's held counts.
        Index(
            "ix_rating_event_held",
            "agency_id",
            "officer_id",
            sqlite_where=text("review = 'ditahan'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officer.id"))
    source: Mapped[str] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(60))
    value: Mapped[float] = mapped_column(Float)
    scale_min: Mapped[float] = mapped_column(Float)
    scale_max: Mapped[float] = mapped_column(Float)
    score: Mapped[float] = mapped_column(Float)
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    ref: Mapped[str] = mapped_column(String(120), default="")
    comment: Mapped[str | None] = mapped_column(Text)
    #: Moderation of ``comment`` before the officer sees it: "" (no comment),
    #: "baru" (waiting), "tampil" (shown on the record), "tolak" (hidden).
    comment_state: Mapped[str] = mapped_column(String(10), default="", server_default="")
    #: Review of an implausible rating: "" (counted at once), "ditahan" (held:
    #: stored, counted nowhere), "diterima" (accepted: counted from then on),
    #: "ditolak" (rejected: kept for audit, never counted). ``hold_reason`` is
    #: one of ``portal.core.record.ratings.HOLD_REASONS``.
    review: Mapped[str] = mapped_column(String(10), default="", server_default="")
    hold_reason: Mapped[str] = mapped_column(String(30), default="", server_default="")
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    period: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    officer: Mapped[Officer] = relationship()


class RatingRollup(db.Model):
    """Count, sum and sum of squares of scores per officer × month × source ×
    kind × verified, maintained in the same transaction as each event insert."""

    __tablename__ = "rating_rollup"

    officer_id: Mapped[int] = mapped_column(ForeignKey("officer.id"), primary_key=True)
    period: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    source: Mapped[str] = mapped_column(String(60), primary_key=True)
    kind: Mapped[str] = mapped_column(String(60), primary_key=True)
    verified: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[float] = mapped_column(Float, default=0.0)
    total_sq: Mapped[float] = mapped_column(Float, default=0.0)
    # How many of the scores fall in each SKM grade band (A best … D).
    band_a: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    band_b: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    band_c: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    band_d: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class RatingScore(db.Model):
    """Per officer × span (month, quarter, semester, year), the rollups with
    the agency's current weights applied: count, Σw·n, Σw²·n, Σw·Σx and
    Σw·Σx². ``period`` is the first day of the span. A ranking of a whole
    agency for one of these spans reads one row per officer. Kept in step by
    ``record_rating``; recomputed from the rollups — never from raw events —
    when the agency's weights change."""

    __tablename__ = "rating_score"
    # Covering index: an agency's ranking for a span is read from the index alone.
    __table_args__ = (
        Index(
            "ix_rating_score_agency_span",
            "agency_id",
            "span",
            "period",
            "officer_id",
            "count",
            "w",
            "w2",
            "s",
            "q",
        ),
    )

    officer_id: Mapped[int] = mapped_column(ForeignKey("officer.id"), primary_key=True)
    span: Mapped[str] = mapped_column(String(10), primary_key=True)
    period: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    count: Mapped[int] = mapped_column(Integer, default=0)
    w: Mapped[float] = mapped_column(Float, default=0.0)
    w2: Mapped[float] = mapped_column(Float, default=0.0)
    s: Mapped[float] = mapped_column(Float, default=0.0)
    q: Mapped[float] = mapped_column(Float, default=0.0)


class AuditLog(db.Model):
    """Who did what to which object, for admin actions."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str] = mapped_column(String(60), default="")
    object_id: Mapped[str] = mapped_column(String(60), default="")
    detail: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)

    user: Mapped[User | None] = relationship()


class ApiKey(db.Model):
    """An agency's key for /api/v1/. Only a SHA-256 hash of the key is kept
    (the key is 192 random bits, so a slow hash adds nothing); ``prefix``
    finds the row without revealing the key."""

    __tablename__ = "api_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    scope: Mapped[str] = mapped_column(String(10))  # "read" or "write"
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    agency: Mapped[Agency] = relationship()

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def audit(action: str, obj=None, *, agency=None, detail: str = "", user=None) -> AuditLog:
    """Add an audit row to the current session (committed with the change)."""
    from flask_login import current_user

    if user is None and current_user and getattr(current_user, "is_authenticated", False):
        user = current_user
    if agency is None and obj is not None:
        agency = obj if isinstance(obj, Agency) else getattr(obj, "agency", None)
    row = AuditLog(
        action=action,
        agency_id=agency.id if agency is not None else None,
        user_id=user.id if user is not None else None,
        object_type=type(obj).__name__ if obj is not None else "",
        object_id=str(getattr(obj, "id", "") or "") if obj is not None else "",
        detail=detail,
    )
    db.session.add(row)
    return row


class LeaveDay(db.Model):
    """A weekday the agency does not work (cuti bersama, or a regional
    holiday). Weekends and national holidays are known without a row: see
    :mod:`portal.core.tenancy.workdays`."""

    __tablename__ = "agency_leave_day"
    __table_args__ = (UniqueConstraint("agency_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    day: Mapped[dt.date] = mapped_column(Date)
    name: Mapped[str] = mapped_column(String(120), default="Cuti bersama")


class Notification(db.Model):
    """An in-portal message to one login (the notification centre).

    ``key`` makes :func:`portal.core.notify.notify` idempotent per user: a
    daily job run twice notifies once."""

    __tablename__ = "notification"
    __table_args__ = (
        UniqueConstraint("user_id", "key"),
        Index("ix_notification_user_unread", "user_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    key: Mapped[str | None] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    read_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    user: Mapped[User] = relationship()
