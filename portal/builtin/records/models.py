"""Supervisors' feedback (umpan balik) on an officer's record: dated notes,
agreed actions and replies. The tables were created by core's migration
0003 and keep their names."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.models import Officer, User
from portal.core.util.timeutil import utcnow
from portal.extensions import db


class FeedbackNote(db.Model):
    """Umpan balik: a supervisor's dated note to an officer. Kept as history:
    never edited; the officer acknowledges it and may reply."""

    __tablename__ = "feedback_note"
    __table_args__ = (Index("ix_feedback_note_officer_created", "officer_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officer.id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    strengths: Mapped[str] = mapped_column(Text, default="")
    improvements: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    officer: Mapped[Officer] = relationship()
    author: Mapped[User | None] = relationship()
    actions: Mapped[list[FeedbackAction]] = relationship(
        back_populates="note", order_by="FeedbackAction.id", cascade="all, delete-orphan"
    )
    replies: Mapped[list[FeedbackReply]] = relationship(
        back_populates="note", order_by="FeedbackReply.created_at", cascade="all, delete-orphan"
    )


class FeedbackAction(db.Model):
    """An agreed action of a feedback note, with its due date."""

    __tablename__ = "feedback_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("feedback_note.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    due_date: Mapped[dt.date | None] = mapped_column(Date)

    note: Mapped[FeedbackNote] = relationship(back_populates="actions")


class FeedbackReply(db.Model):
    """The officer's (or the supervisor's) reply on a feedback note."""

    __tablename__ = "feedback_reply"

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("feedback_note.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    note: Mapped[FeedbackNote] = relationship(back_populates="replies")
    user: Mapped[User | None] = relationship()
