"""Survei tables (prefixed ``survei_``)."""

from __future__ import annotations

import datetime as dt
import secrets
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.plugin import REVIEW_COUNTED, Desk, Officer, Unit, db, utcnow


class SurveiKind(StrEnum):
    """Stored in ``SurveiDeskSurvey.kind`` and ``SurveiResponse.kind``; also the
    rating kinds the plugin credits (see ``portal_rating_sources``)."""

    QUICK = "cepat"  # one question, four faces
    SKM = "skm"  # the nine unsur of PermenPANRB 14/2017 and the respondent's profile


class SurveiQuestionType(StrEnum):
    """Stored in ``SurveiQuestion.type``: how an agency's own question is answered."""

    TEXT = "text"
    CHOICE = "choice"
    SCALE4 = "scale4"
    SCALE5 = "scale5"


class SurveiCommentStatus(StrEnum):
    """Stored in ``SurveiResponse.comment_status``: a comment's moderation."""

    NONE = "none"  # no comment
    PENDING = "pending"
    APPROVED = "approved"  # shown on the officer's record
    REJECTED = "rejected"


class SurveiReview(StrEnum):
    """Stored in ``SurveiResponse.review``: core's review states of a rating
    (``portal.plugin.REVIEW_HELD``, ``REVIEW_COUNTED``). Only ``NONE`` and
    ``ACCEPTED`` enter the SKM report and the IKM."""

    NONE = ""  # counted, never held
    HELD = "ditahan"
    ACCEPTED = "diterima"
    REJECTED = "ditolak"


class SurveiHoldReason(StrEnum):
    """Stored in ``SurveiResponse.hold_reason`` ("" when not held): why a
    response is held for review, codes of ``portal.plugin.HOLD_REASONS``."""

    NONE = ""
    CAPACITY = "kapasitas"  # more responses than the officers on duty can serve
    HISTORY = "kebiasaan"  # far more than the desk's usual hour
    ADDRESS_BURST = "alamat"  # a burst from one network address
    PATTERN = "pola"  # identical answers again and again
    ISSUER_DEVICE = "perangkat_petugas"  # a one-time QR answered from its issuer's device or network
    KIOSK_BACKDATED = "kiosk_mundur"  # a kiosk item older than the accepted age
    OFF_ROSTER = "luar_jadwal"  # a kiosk names an officer not rostered at the desk then


class SurveiDeskSurvey(db.Model):
    """Which survey a desk's QR code opens (no row: the quick survey)."""

    __tablename__ = "survei_desk_survey"

    desk_id: Mapped[int] = mapped_column(ForeignKey("desk.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), default=SurveiKind.QUICK)


class SurveiRoster(db.Model):
    """A weekly shift of an officer at a desk (times in the agency's zone)."""

    __tablename__ = "survei_roster"

    id: Mapped[int] = mapped_column(primary_key=True)
    desk_id: Mapped[int] = mapped_column(ForeignKey("desk.id"), index=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officer.id"), index=True)
    weekday: Mapped[int] = mapped_column(SmallInteger)  # 0 = Senin … 6 = Minggu
    start: Mapped[dt.time] = mapped_column(Time)
    end: Mapped[dt.time] = mapped_column(Time)

    officer: Mapped[Officer] = relationship()
    desk: Mapped[Desk] = relationship()


class SurveiQuestion(db.Model):
    """An agency's own question for a unit, asked after the standard ones."""

    __tablename__ = "survei_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(String(300))
    type: Mapped[str] = mapped_column(String(10))
    choices: Mapped[str] = mapped_column(Text, default="")  # one per line, for SurveiQuestionType.CHOICE
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    unit: Mapped[Unit] = relationship()

    @property
    def choice_list(self) -> list[str]:
        return [c.strip() for c in self.choices.splitlines() if c.strip()]

    @property
    def scale_top(self) -> int | None:
        """The highest answer of a scale question (None for the other types)."""
        return {SurveiQuestionType.SCALE4: 4, SurveiQuestionType.SCALE5: 5}.get(self.type)


class SurveiTicket(db.Model):
    """A one-time QR shown by an officer after serving: bound to that officer
    and desk, usable once, expiring; its response is marked verified."""

    __tablename__ = "survei_ticket"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True, default=lambda: secrets.token_urlsafe(16))
    desk_id: Mapped[int] = mapped_column(ForeignKey("desk.id"), index=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officer.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    #: The issuing browser's device marker (a random value in its
    #: ``survei_petugas`` cookie) and a keyed hash of its network address:
    #: the ticket answered from either is held for review.
    device: Mapped[str | None] = mapped_column(String(32))
    origin: Mapped[str | None] = mapped_column(String(16))

    desk: Mapped[Desk] = relationship()
    officer: Mapped[Officer] = relationship()


class SurveiResponse(db.Model):
    """One citizen's answers. ``nonce`` (one per form view) and
    ``client_uuid`` (one per kiosk capture) are unique, so a replay is never
    stored twice."""

    __tablename__ = "survei_response"
    __table_args__ = (
        Index("ix_survei_response_unit_created", "unit_id", "created_at"),
        Index("ix_survei_response_agency_created", "agency_id", "created_at"),
        # The plausibility checks of each new response read one desk's recent ones.
        Index("ix_survei_response_desk_created", "desk_id", "created_at"),
        # The officer page's latest approved comments: only those are indexed.
        Index(
            "ix_survei_response_officer_comment",
            "officer_id",
            "created_at",
            sqlite_where=text("comment_status = 'approved'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    desk_id: Mapped[int] = mapped_column(ForeignKey("desk.id"), index=True)
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officer.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    nonce: Mapped[str | None] = mapped_column(String(64), unique=True)
    client_uuid: Mapped[str | None] = mapped_column(String(36), unique=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("survei_ticket.id"), unique=True)
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    face: Mapped[int | None] = mapped_column(SmallInteger)
    u1: Mapped[int | None] = mapped_column(SmallInteger)
    u2: Mapped[int | None] = mapped_column(SmallInteger)
    u3: Mapped[int | None] = mapped_column(SmallInteger)
    u4: Mapped[int | None] = mapped_column(SmallInteger)
    u5: Mapped[int | None] = mapped_column(SmallInteger)
    u6: Mapped[int | None] = mapped_column(SmallInteger)
    u7: Mapped[int | None] = mapped_column(SmallInteger)
    u8: Mapped[int | None] = mapped_column(SmallInteger)
    u9: Mapped[int | None] = mapped_column(SmallInteger)
    sex: Mapped[str | None] = mapped_column(String(1))
    age_group: Mapped[str | None] = mapped_column(String(8))
    education: Mapped[str | None] = mapped_column(String(10))
    occupation: Mapped[str | None] = mapped_column(String(10))
    comment: Mapped[str | None] = mapped_column(Text)  # cepat: comment; skm: saran
    comment_status: Mapped[str] = mapped_column(String(10), default=SurveiCommentStatus.NONE)
    #: Held for review (see portal.core.record.ratings): a SurveiReview.
    review: Mapped[str] = mapped_column(String(10), default=SurveiReview.NONE, server_default="")
    hold_reason: Mapped[str] = mapped_column(String(30), default=SurveiHoldReason.NONE, server_default="")
    #: A keyed hash of the sender's network address (never the address) and
    #: of the answers, for the burst and identical-pattern checks.
    origin: Mapped[str | None] = mapped_column(String(16))
    pattern: Mapped[str | None] = mapped_column(String(16))

    desk: Mapped[Desk] = relationship()
    officer: Mapped[Officer | None] = relationship()
    answers: Mapped[list[SurveiAnswer]] = relationship(
        back_populates="response", cascade="all, delete-orphan"
    )


def counted():
    """The condition on responses that count in every figure (report, IKM,
    counts, comments): neither held for review nor rejected."""
    return SurveiResponse.review.in_(REVIEW_COUNTED)


class SurveiAnswer(db.Model):
    """The answer to one of the agency's own questions."""

    __tablename__ = "survei_answer"
    __table_args__ = (UniqueConstraint("response_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("survei_response.id"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("survei_question.id"), index=True)
    value: Mapped[str] = mapped_column(Text)

    response: Mapped[SurveiResponse] = relationship(back_populates="answers")
    question: Mapped[SurveiQuestion] = relationship()


class SurveiPopulation(db.Model):
    """Service users of a unit in a period, entered by the admin, for the
    Krejcie–Morgan minimum sample."""

    __tablename__ = "survei_population"

    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), primary_key=True)
    period_start: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    period_end: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    users: Mapped[int] = mapped_column(Integer)


def active_questions(unit_id: int) -> list[SurveiQuestion]:
    """The unit's own questions shown on its forms, in their order."""
    return list(
        db.session.scalars(
            db.select(SurveiQuestion)
            .filter_by(unit_id=unit_id, active=True)
            .order_by(SurveiQuestion.position, SurveiQuestion.id)
        )
    )


def desk_kind(desk_id: int) -> str:
    kind = db.session.scalar(db.select(SurveiDeskSurvey.kind).where(SurveiDeskSurvey.desk_id == desk_id))
    return kind or SurveiKind.QUICK


def desks_with_kind(agency):
    """(desk, survey kind) for the agency's active desks, by unit and name."""
    rows = db.session.execute(
        db.select(Desk, SurveiDeskSurvey.kind)
        .join(Unit, Desk.unit_id == Unit.id)
        .outerjoin(SurveiDeskSurvey, SurveiDeskSurvey.desk_id == Desk.id)
        .where(Unit.agency_id == agency.id, Desk.active.is_(True))
        .order_by(Unit.name, Desk.name)
    ).all()
    return [(desk, kind or SurveiKind.QUICK) for desk, kind in rows]


# ---------------------------------------------------------------- the published SKM report
# The signing official and the follow-up plans (rencana tindak lanjut) of the
# SKM report (PermenPANRB 14/2017: results are published and each period's
# weakest unsur get a plan whose progress the next period's report shows).


class SurveiFollowUpStatus(StrEnum):
    """Stored in ``SurveiFollowUp.status``: how far a follow-up plan has come."""

    PLANNED = "direncanakan"
    RUNNING = "berjalan"
    DONE = "selesai"


class SurveiReportSettings(db.Model):
    """The signature block of an agency's SKM reports: where it is signed,
    and the official who signs (name, position, NIP)."""

    __tablename__ = "survei_report_settings"

    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), primary_key=True)
    place: Mapped[str] = mapped_column(String(80), default="")
    official_name: Mapped[str] = mapped_column(String(120), default="")
    official_position: Mapped[str] = mapped_column(String(160), default="")
    official_nip: Mapped[str] = mapped_column(String(18), default="")
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    @property
    def complete(self) -> bool:
        return bool(self.place and self.official_name and self.official_position)


class SurveiFollowUp(db.Model):
    """A follow-up plan (RTL) for one unsur found weak in a period, for a unit
    (``unit_id``) or the whole agency (None), and its progress."""

    __tablename__ = "survei_follow_up"
    __table_args__ = (Index("ix_survei_follow_up_agency_period", "agency_id", "period_start", "period_end"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    #: The report period the plan answers ([start, end) local dates) and its kind
    #: (``bulan``, ``triwulan``, ``semester``, ``tahun``).
    period_kind: Mapped[str] = mapped_column(String(10))
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    unsur: Mapped[int] = mapped_column(SmallInteger)  # 1–9
    priority: Mapped[int] = mapped_column(SmallInteger, default=1)  # 1 = first
    activity: Mapped[str] = mapped_column(Text)  # programme / activity
    timeframe: Mapped[str] = mapped_column(String(120))
    responsible: Mapped[str] = mapped_column(String(160))  # unit or officer
    status: Mapped[str] = mapped_column(String(15), default=SurveiFollowUpStatus.PLANNED)
    progress_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    unit: Mapped[Unit | None] = relationship()


def follow_ups(agency_id: int, unit_id: int | None, start: dt.date, end: dt.date) -> list[SurveiFollowUp]:
    """The follow-up plans recorded for a report's scope and period, by priority."""
    return list(
        db.session.scalars(
            db.select(SurveiFollowUp)
            .where(
                SurveiFollowUp.agency_id == agency_id,
                SurveiFollowUp.unit_id.is_(None) if unit_id is None else SurveiFollowUp.unit_id == unit_id,
                SurveiFollowUp.period_start == start,
                SurveiFollowUp.period_end == end,
            )
            .order_by(SurveiFollowUp.priority, SurveiFollowUp.unsur, SurveiFollowUp.id)
        )
    )


# ---------------------------------------------------------------- kiosks, call-backs
# (the waiting-room board, same-day alerts and the offline kiosk: plugins/survei/board.py,
# alerts.py and kiosk.py)


class SurveiKiosk(db.Model):
    """A tablet enrolled to one desk. The admin creates it and is shown a
    one-time enrolment code (only its hash is kept); the tablet trades the
    code for its own credential (``pwk_<prefix>_<secret>``, only the hash
    kept), which the sync API accepts for this desk only, until revoked."""

    __tablename__ = "survei_kiosk"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    desk_id: Mapped[int] = mapped_column(ForeignKey("desk.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    code_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    code_expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    enrolled_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    token_prefix: Mapped[str | None] = mapped_column(String(16), unique=True)
    token_hash: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_sync_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    desk: Mapped[Desk] = relationship()


class SurveiKioskCapture(db.Model):
    """Which kiosk captured a synced response (by the response's client
    UUID): the response's channel is "kiosk". Stored in the response's own
    transaction."""

    __tablename__ = "survei_kiosk_capture"

    client_uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    kiosk_id: Mapped[int] = mapped_column(ForeignKey("survei_kiosk.id"), index=True)


class SurveiCallbackStatus(StrEnum):
    """Stored in ``SurveiCallback.status``."""

    OPEN = "terbuka"
    DONE = "selesai"


class SurveiCallback(db.Model):
    """A citizen who gave a low rating asked to be called back: one per
    response, due a number of working days later, on the staff follow-up list."""

    __tablename__ = "survei_callback"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    desk_id: Mapped[int] = mapped_column(ForeignKey("desk.id"))
    response_id: Mapped[int] = mapped_column(ForeignKey("survei_response.id"), unique=True)
    phone: Mapped[str | None] = mapped_column(String(20))  # +62…; emptied by the retention job
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    due_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default=SurveiCallbackStatus.OPEN)
    done_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    done_note: Mapped[str] = mapped_column(String(300), default="")

    desk: Mapped[Desk] = relationship()
    unit: Mapped[Unit] = relationship()
    response: Mapped[SurveiResponse] = relationship()
