"""Tables of the pengembangan plugin: the agency's competency catalogue,
assessments of needs by officers and supervisors, development activities
with their participants, and the four levels of evaluation.

Reactions and upward feedback are stored without the person who gave them:
a participant (or an officer for a period) is only marked as having
answered, in the same transaction, so a second answer is refused and the
answers themselves cannot be traced back."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.plugin import Officer, db, utcnow

#: Kinds of activity: classical ones first, then the others.
CLASSICAL = ("kursus", "seminar", "lokakarya")
NON_CLASSICAL = ("coaching", "mentoring", "elearning", "rotasi", "proyek")
KINDS = CLASSICAL + NON_CLASSICAL

#: Who assessed a need.
BY_SELF = "pegawai"
BY_SUPERVISOR = "atasan"


class PengembanganTheme(db.Model):
    """A theme of the agency's competency catalogue, linked to the SKM unsur
    and rating sources it addresses."""

    __tablename__ = "pengembangan_theme"
    __table_args__ = (UniqueConstraint("agency_id", "name", name="uq_pengembangan_theme_agency_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    #: SKM unsur numbers, comma-separated ("6,7").
    unsur: Mapped[str] = mapped_column(String(40), default="")
    #: Rating sources (plugin names), comma-separated ("survei,pengaduan").
    sources: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    @property
    def unsur_list(self) -> list[int]:
        return [int(x) for x in self.unsur.split(",") if x.strip().isdigit()]

    @property
    def source_list(self) -> list[str]:
        return [x.strip() for x in self.sources.split(",") if x.strip()]


class PengembanganAssessment(db.Model):
    """How much an officer needs a theme in a year, in the officer's own view
    or their supervisor's (0 none … 3 high). One per officer, theme, year
    and side; a new answer replaces the old."""

    __tablename__ = "pengembangan_assessment"
    __table_args__ = (
        UniqueConstraint(
            "officer_id", "theme_id", "year", "by", name="uq_pengembangan_assessment_officer_theme"
        ),
        CheckConstraint("level BETWEEN 0 AND 3", name="level_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officer.id"), index=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("pengembangan_theme.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    by: Mapped[str] = mapped_column(String(10))
    level: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(String(500), default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    theme: Mapped[PengembanganTheme] = relationship()


class PengembanganActivityTheme(db.Model):
    __tablename__ = "pengembangan_activity_theme"

    activity_id: Mapped[int] = mapped_column(ForeignKey("pengembangan_activity.id"), primary_key=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("pengembangan_theme.id"), primary_key=True)


class PengembanganActivity(db.Model):
    """A development activity (course, seminar, coaching, …)."""

    __tablename__ = "pengembangan_activity"
    __table_args__ = (
        CheckConstraint("jp > 0 AND jp <= 1000", name="jp_range"),
        CheckConstraint("ends_on >= starts_on", name="dates_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text, default="")
    provider: Mapped[str] = mapped_column(String(200), default="")
    place: Mapped[str] = mapped_column(String(300), default="")
    link: Mapped[str] = mapped_column(String(300), default="")
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date, index=True)
    jp: Mapped[int] = mapped_column(Integer)
    open_registration: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Weeks after the end when the supervisor answers the behaviour questionnaire.
    behaviour_weeks: Mapped[int] = mapped_column(Integer, default=12)
    #: Days of the before and after windows of the results evaluation.
    window_days: Mapped[int] = mapped_column(Integer, default=90)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    themes: Mapped[list[PengembanganTheme]] = relationship(
        secondary="pengembangan_activity_theme", order_by="PengembanganTheme.name"
    )
    participants: Mapped[list[PengembanganParticipant]] = relationship(
        back_populates="activity", order_by="PengembanganParticipant.id", cascade="all, delete-orphan"
    )

    @property
    def classical(self) -> bool:
        return self.kind in CLASSICAL


class PengembanganParticipant(db.Model):
    """An officer taking part in an activity."""

    __tablename__ = "pengembangan_participant"
    __table_args__ = (
        UniqueConstraint("activity_id", "officer_id", name="uq_pengembangan_participant_activity_officer"),
        CheckConstraint("pre_score IS NULL OR (pre_score >= 0 AND pre_score <= 100)", name="pre_range"),
        CheckConstraint("post_score IS NULL OR (post_score >= 0 AND post_score <= 100)", name="post_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("pengembangan_activity.id"), index=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officer.id"), index=True)
    #: "nominasi" (from the needs list or by the organiser) or "daftar" (registered themself).
    origin: Mapped[str] = mapped_column(String(10), default="nominasi")
    attended: Mapped[bool] = mapped_column(Boolean, default=False)
    certificate: Mapped[str] = mapped_column(String(100), default="")
    pre_score: Mapped[float | None] = mapped_column(Float)
    post_score: Mapped[float | None] = mapped_column(Float)
    #: The participant has given their (anonymous) reaction.
    reacted: Mapped[bool] = mapped_column(Boolean, default=False)
    reminded_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    activity: Mapped[PengembanganActivity] = relationship(back_populates="participants")
    officer: Mapped[Officer] = relationship()
    behaviour: Mapped[PengembanganBehaviour | None] = relationship(back_populates="participant")


class PengembanganReaction(db.Model):
    """A participant's reaction (level 1), stored without who gave it."""

    __tablename__ = "pengembangan_reaction"
    __table_args__ = (
        CheckConstraint("overall BETWEEN 1 AND 5", name="overall_range"),
        CheckConstraint("material BETWEEN 1 AND 5", name="material_range"),
        CheckConstraint("trainer BETWEEN 1 AND 5", name="trainer_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("pengembangan_activity.id"), index=True)
    overall: Mapped[int] = mapped_column(Integer)
    material: Mapped[int] = mapped_column(Integer)
    trainer: Mapped[int] = mapped_column(Integer)
    application: Mapped[str] = mapped_column(Text, default="")


class PengembanganBehaviour(db.Model):
    """The supervisor's behaviour questionnaire (level 3) about one participant."""

    __tablename__ = "pengembangan_behaviour"
    __table_args__ = (
        CheckConstraint("applies BETWEEN 1 AND 4", name="applies_range"),
        CheckConstraint("improved BETWEEN 1 AND 4", name="improved_range"),
        CheckConstraint("shares BETWEEN 1 AND 4", name="shares_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("pengembangan_participant.id"), unique=True, index=True
    )
    applies: Mapped[int] = mapped_column(Integer)
    improved: Mapped[int] = mapped_column(Integer)
    shares: Mapped[int] = mapped_column(Integer)
    example: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    participant: Mapped[PengembanganParticipant] = relationship(back_populates="behaviour")


class PengembanganUpwardVoter(db.Model):
    """That an officer gave upward feedback for a unit and half-year (not what)."""

    __tablename__ = "pengembangan_upward_voter"
    __table_args__ = (
        UniqueConstraint("officer_id", "period", name="uq_pengembangan_upward_voter_officer_period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officer.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    period: Mapped[str] = mapped_column(String(7))  # "2026-S1"


class PengembanganUpward(db.Model):
    """Upward feedback on a unit's work processes and environment, anonymous."""

    __tablename__ = "pengembangan_upward"
    __table_args__ = (
        CheckConstraint("process BETWEEN 1 AND 5", name="process_range"),
        CheckConstraint("environment BETWEEN 1 AND 5", name="environment_range"),
        CheckConstraint("leadership BETWEEN 1 AND 5", name="leadership_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    period: Mapped[str] = mapped_column(String(7), index=True)
    process: Mapped[int] = mapped_column(Integer)
    environment: Mapped[int] = mapped_column(Integer)
    leadership: Mapped[int] = mapped_column(Integer)
    suggestion: Mapped[str] = mapped_column(Text, default="")
