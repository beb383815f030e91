"""Dialog publik tables (prefixed ``dialog_publik_``)."""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum

from flask_babel import lazy_gettext as _l
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
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.plugin import Officer, Unit, db, utcnow

#: Check-in (and registration at the door) opens this long before the start
#: and closes at the end: early arrivals are let in, nobody is marked present
#: days ahead or after everyone went home.
CHECKIN_OPENS_BEFORE = dt.timedelta(hours=2)


class DialogEventStatus(StrEnum):
    """Stored in ``DialogEvent.status``."""

    DRAFT = "draf"
    PUBLISHED = "terbit"
    FINISHED = "selesai"
    CANCELLED = "dibatalkan"


class DialogEventMode(StrEnum):
    """Stored in ``DialogEvent.mode``: in person, online, or both."""

    IN_PERSON = "tatap_muka"
    ONLINE = "daring"
    HYBRID = "hibrida"


class DialogRegistrationStatus(StrEnum):
    """Stored in ``DialogRegistration.status``: a seat, a place on the waitlist, or cancelled."""

    REGISTERED = "terdaftar"
    WAITLISTED = "antre"
    CANCELLED = "batal"


EVENT_LABELS = {
    DialogEventStatus.DRAFT: _l("Draf"),
    DialogEventStatus.PUBLISHED: _l("Terbit"),
    DialogEventStatus.FINISHED: _l("Selesai"),
    DialogEventStatus.CANCELLED: _l("Dibatalkan"),
}
REGISTRATION_LABELS = {
    DialogRegistrationStatus.REGISTERED: _l("Terdaftar"),
    DialogRegistrationStatus.WAITLISTED: _l("Daftar tunggu"),
    DialogRegistrationStatus.CANCELLED: _l("Batal"),
}


class DialogEvent(db.Model):
    __tablename__ = "dialog_publik_event"
    __table_args__ = (Index("ix_dialog_publik_event_agency_start", "agency_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True, default=lambda: str(uuid.uuid4()))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    title: Mapped[str] = mapped_column(String(200))
    topic: Mapped[str] = mapped_column(String(100), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    mode: Mapped[str] = mapped_column(String(12), default=DialogEventMode.IN_PERSON)
    venue: Mapped[str] = mapped_column(String(300), default="")
    online_url: Mapped[str] = mapped_column(String(300), default="")
    starts_at: Mapped[dt.datetime] = mapped_column(DateTime)  # naive UTC
    ends_at: Mapped[dt.datetime] = mapped_column(DateTime)
    capacity: Mapped[int] = mapped_column(Integer, default=50)
    registration_opens_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    registration_closes_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    publish_at: Mapped[dt.datetime | None] = mapped_column(DateTime)  # scheduled publication
    waitlist: Mapped[bool] = mapped_column(Boolean, default=True)  # when full: waitlist, or refuse
    # Anyone may ask, not only registrants.
    public_questions: Mapped[bool] = mapped_column(Boolean, default=False)
    # Upvotes without a registration code, one per device (a cookie). Off: only
    # registrations of the event may support a question, one vote each.
    anonymous_votes: Mapped[bool] = mapped_column(Boolean, default=False)
    minutes: Mapped[str] = mapped_column(Text, default="")  # notulen: summary after the event
    status: Mapped[str] = mapped_column(String(12), default=DialogEventStatus.DRAFT)
    sequence: Mapped[int] = mapped_column(Integer, default=0)  # iCalendar SEQUENCE, bumped on change
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    unit: Mapped[Unit | None] = relationship()
    panelists: Mapped[list[DialogPanelist]] = relationship(
        cascade="all, delete-orphan", order_by="DialogPanelist.id"
    )
    agenda: Mapped[list[DialogAgendaItem]] = relationship(
        cascade="all, delete-orphan", order_by="DialogAgendaItem.position"
    )

    def visible(self, now: dt.datetime) -> bool:
        """Shown to the public: published (now or by schedule), or finished/cancelled."""
        if self.status in (DialogEventStatus.FINISHED, DialogEventStatus.CANCELLED):
            return True
        return self.status == DialogEventStatus.PUBLISHED and (
            self.publish_at is None or self.publish_at <= now
        )

    # ------------------------------------------------------------ time rules
    # Each action belongs to its moment. Boundaries are inclusive at the
    # start of a window and exclusive at its end, except check-in, which is
    # allowed up to and including the end time.

    def has_started(self, now: dt.datetime) -> bool:
        """From the start on: attendance counts, minutes and ratings exist."""
        return now >= self.starts_at

    def has_ended(self, now: dt.datetime) -> bool:
        return now > self.ends_at

    @property
    def checkin_opens_at(self) -> dt.datetime:
        return self.starts_at - CHECKIN_OPENS_BEFORE

    def checkin_open(self, now: dt.datetime) -> bool:
        """Check-in and walk-in registration: a published event, from
        :data:`CHECKIN_OPENS_BEFORE` before its start until its end."""
        return self.status == DialogEventStatus.PUBLISHED and self.checkin_opens_at <= now <= self.ends_at

    def questions_open(self, now: dt.datetime) -> bool:
        """Questions are asked until the end of a published event."""
        return self.status == DialogEventStatus.PUBLISHED and now <= self.ends_at

    def rating_open(self, now: dt.datetime) -> bool:
        """Attendees rate once the event has started (and it was not cancelled)."""
        return self.status != DialogEventStatus.CANCELLED and self.has_started(now)

    def cancellable(self, now: dt.datetime) -> bool:
        """A registrant may give their seat back until the start."""
        return self.status == DialogEventStatus.PUBLISHED and now < self.starts_at

    def registration_open(self, now: dt.datetime) -> bool:
        return (
            self.status == DialogEventStatus.PUBLISHED
            and self.visible(now)
            and now < self.starts_at
            and (self.registration_opens_at is None or self.registration_opens_at <= now)
            and (self.registration_closes_at is None or now < self.registration_closes_at)
        )


class DialogPanelist(db.Model):
    __tablename__ = "dialog_publik_panelist"
    __table_args__ = (UniqueConstraint("event_id", "officer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("dialog_publik_event.id"), index=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officer.id"))

    officer: Mapped[Officer] = relationship()


class DialogAgendaItem(db.Model):
    __tablename__ = "dialog_publik_agenda"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("dialog_publik_event.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(200))
    minutes: Mapped[int] = mapped_column(SmallInteger, default=15)


class DialogRegistration(db.Model):
    """A seat (or a place on the waitlist). ``contact_key`` (phone digits or
    lower-case e-mail) finds a second registration by the same person."""

    __tablename__ = "dialog_publik_registration"
    __table_args__ = (
        Index("ix_dialog_publik_registration_event_status", "event_id", "status", "id"),
        Index(
            "uq_dialog_publik_registration_active_contact",
            "event_id",
            "contact_key",
            unique=True,
            # PostgreSQL gets the same condition when the portal uses it.
            sqlite_where=db.text(f"status != '{DialogRegistrationStatus.CANCELLED}'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("dialog_publik_event.id"))
    code: Mapped[str] = mapped_column(String(8), unique=True)
    name: Mapped[str] = mapped_column(String(150))
    contact: Mapped[str] = mapped_column(String(254))
    contact_key: Mapped[str] = mapped_column(String(254))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(10), default=DialogRegistrationStatus.REGISTERED)
    walk_in: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    promoted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    checked_in_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    event: Mapped[DialogEvent] = relationship()


class DialogRating(db.Model):
    """A checked-in attendee's rating of the event (officer_id 0) or of a panelist."""

    __tablename__ = "dialog_publik_rating"
    __table_args__ = (UniqueConstraint("registration_id", "officer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("dialog_publik_registration.id"))
    officer_id: Mapped[int] = mapped_column(Integer, default=0)  # 0: the event itself
    rating: Mapped[int] = mapped_column(SmallInteger)
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class DialogQuestionStatus(StrEnum):
    """Stored in ``DialogQuestion.status``: moderation of a question."""

    PENDING = "menunggu"
    APPROVED = "disetujui"
    REJECTED = "ditolak"
    MERGED = "digabung"


class DialogQuestion(db.Model):
    __tablename__ = "dialog_publik_question"
    __table_args__ = (Index("ix_dialog_publik_question_event_status", "event_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("dialog_publik_event.id"))
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("dialog_publik_registration.id"))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default=DialogQuestionStatus.PENDING)
    reject_reason: Mapped[str] = mapped_column(String(200), default="")
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("dialog_publik_question.id"))
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("officer.id"))
    answered_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    answered_by: Mapped[Officer | None] = relationship()


class DialogVote(db.Model):
    """One upvote per registration or device (``voter``) per question."""

    __tablename__ = "dialog_publik_vote"
    __table_args__ = (UniqueConstraint("question_id", "voter"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("dialog_publik_question.id"), index=True)
    voter: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class DialogCommitmentState(StrEnum):
    """Stored in ``DialogCommitment.state``: progress of a promised follow-up."""

    NOT_STARTED = "belum"
    IN_PROGRESS = "proses"
    DONE = "selesai"


COMMITMENT_LABELS = {
    DialogCommitmentState.NOT_STARTED: _l("belum dimulai"),
    DialogCommitmentState.IN_PROGRESS: _l("sedang dikerjakan"),
    DialogCommitmentState.DONE: _l("selesai"),
}


def labels() -> dict:
    """Display names of the stored states, for the templates."""
    return {"event": EVENT_LABELS, "registration": REGISTRATION_LABELS, "commitment": COMMITMENT_LABELS}


class DialogCommitment(db.Model):
    """A follow-up promised at the event, with owner and due date, shown publicly."""

    __tablename__ = "dialog_publik_commitment"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("dialog_publik_event.id"), index=True)
    text: Mapped[str] = mapped_column(String(500))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("officer.id"))
    due: Mapped[dt.date | None] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(10), default=DialogCommitmentState.NOT_STARTED)

    owner: Mapped[Officer | None] = relationship()
