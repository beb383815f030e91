"""Kinerja harian tables (prefixed ``kinerja_harian_``)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import Boolean, Date, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.plugin import Agency, Officer, Unit, User, db, utcnow


class TargetKind(StrEnum):
    """How a target's progress is known (``kinerja_harian_target.kind``)."""

    TERUKUR = "terukur"  # measured by the portal through an indicator
    DILAPORKAN = "dilaporkan"  # reported in daily activities the supervisor approved


class TargetStatus(StrEnum):
    """Where a target is in its agreement (``kinerja_harian_target.status``)."""

    DRAF = "draf"
    DISEPAKATI = "disepakati"


class PeriodKind(StrEnum):
    """The span of a target (``kinerja_harian_target.period_kind``)."""

    TRIWULAN = "triwulan"
    SEMESTER = "semester"
    TAHUN = "tahun"


class DayStatus(StrEnum):
    """Where a day's report is (``kinerja_harian_day.status``)."""

    DRAF = "draf"
    DIAJUKAN = "diajukan"
    DISETUJUI = "disetujui"
    DIKEMBALIKAN = "dikembalikan"

    @classmethod
    def editable(cls) -> tuple[DayStatus, ...]:
        """The officer may still change the activities."""
        return (cls.DRAF, cls.DIKEMBALIKAN)

    @classmethod
    def reported(cls) -> tuple[DayStatus, ...]:
        """The officer has sent the day (it may since have been returned)."""
        return (cls.DIAJUKAN, cls.DISETUJUI, cls.DIKEMBALIKAN)


class Conclusion(StrEnum):
    """A supervisor's monthly view of work behaviour (``kinerja_harian_evaluation.conclusion``),
    in the words of PermenPANRB 6/2022's feedback; not the official SKP predicate."""

    DI_ATAS = "di_atas"
    SESUAI = "sesuai"
    DI_BAWAH = "di_bawah"


class KinerjaHarianTarget(db.Model):
    """A target (rencana kinerja) of one officer or one unit for a period."""

    __tablename__ = "kinerja_harian_target"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officer.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    period_kind: Mapped[str] = mapped_column(String(10))
    start: Mapped[dt.date] = mapped_column(Date)
    #: The period's last day (inclusive).
    end: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(12))
    title: Mapped[str] = mapped_column(String(200))
    #: For a measured target: the key of the indicator that measures it.
    indicator_key: Mapped[str] = mapped_column(String(80), default="")
    target_value: Mapped[float] = mapped_column(Float)
    unit_label: Mapped[str] = mapped_column(String(40), default="")
    higher_is_better: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(12), default=TargetStatus.DRAF)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    agreed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    agreed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    agency: Mapped[Agency] = relationship()
    officer: Mapped[Officer | None] = relationship()
    unit: Mapped[Unit | None] = relationship()
    agreed_by: Mapped[User | None] = relationship(foreign_keys=[agreed_by_id])


class KinerjaHarianDay(db.Model):
    """One officer's report of one working day."""

    __tablename__ = "kinerja_harian_day"
    __table_args__ = (UniqueConstraint("officer_id", "day", name="uq_kinerja_harian_day_officer_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officer.id"), index=True)
    day: Mapped[dt.date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(12), default=DayStatus.DRAF)
    #: First submission (UTC); a returned day sent again keeps it.
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    #: Sent after its deadline: set at the first submission, never cleared.
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    review_note: Mapped[str] = mapped_column(Text, default="")
    #: Raised on every change, so two hands never overwrite each other.
    version: Mapped[int] = mapped_column(Integer, default=1)

    agency: Mapped[Agency] = relationship()
    officer: Mapped[Officer] = relationship()
    reviewed_by: Mapped[User | None] = relationship()
    activities: Mapped[list[KinerjaHarianActivity]] = relationship(
        back_populates="report", order_by="KinerjaHarianActivity.id", cascade="all, delete-orphan"
    )

    @property
    def minutes(self) -> int:
        return sum(a.minutes for a in self.activities)


class KinerjaHarianActivity(db.Model):
    """One activity of a day: what, its output and quantity, how long, the
    target it serves, and the portal evidence it came from (if any)."""

    __tablename__ = "kinerja_harian_activity"
    __table_args__ = (
        UniqueConstraint("day_id", "evidence_key", name="uq_kinerja_harian_activity_day_evidence"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    day_id: Mapped[int] = mapped_column(ForeignKey("kinerja_harian_day.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    output: Mapped[str] = mapped_column(String(60))
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    minutes: Mapped[int] = mapped_column(Integer)
    target_id: Mapped[int | None] = mapped_column(ForeignKey("kinerja_harian_target.id"), index=True)
    #: ``source:kind:id`` of the portal evidence it was proposed from; None when typed.
    evidence_key: Mapped[str | None] = mapped_column(String(120))
    evidence_source: Mapped[str] = mapped_column(String(60), default="")
    evidence_url: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    report: Mapped[KinerjaHarianDay] = relationship(back_populates="activities")
    target: Mapped[KinerjaHarianTarget | None] = relationship()
    attachments: Mapped[list[KinerjaHarianAttachment]] = relationship(
        back_populates="activity", order_by="KinerjaHarianAttachment.id", cascade="all, delete-orphan"
    )


class KinerjaHarianAttachment(db.Model):
    """A file backing an activity, stored outside the web root under a random name."""

    __tablename__ = "kinerja_harian_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("kinerja_harian_activity.id"), index=True)
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    original_name: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(60))
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    activity: Mapped[KinerjaHarianActivity] = relationship(back_populates="attachments")


class KinerjaHarianEvaluation(db.Model):
    """A supervisor's evaluation of one officer's month."""

    __tablename__ = "kinerja_harian_evaluation"
    __table_args__ = (
        UniqueConstraint("officer_id", "month", name="uq_kinerja_harian_evaluation_officer_month"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officer.id"), index=True)
    #: The first day of the month.
    month: Mapped[dt.date] = mapped_column(Date)
    conclusion: Mapped[str] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(Text, default="")
    evaluator_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    evaluator: Mapped[User | None] = relationship()
