"""What supervisors' feedback says an officer should improve, for readers
outside the records pages (the plugin API's ``feedback_improvements``)."""

from __future__ import annotations

import datetime as dt

from portal.builtin.records.models import FeedbackNote
from portal.core.util.timeutil import day_bounds, local
from portal.extensions import db


def feedback_improvements(officer, start: dt.date, end: dt.date) -> list[tuple[dt.date, str]]:
    """``(local date, text)`` of every non-empty "what to improve" of the
    feedback notes about ``officer`` in their agency written from ``start``
    to ``end`` (local dates, inclusive), newest first."""
    agency = officer.agency
    lo, hi = day_bounds(start, end, agency.timezone)
    rows = db.session.execute(
        db.select(FeedbackNote.created_at, FeedbackNote.improvements)
        .where(
            FeedbackNote.agency_id == agency.id,
            FeedbackNote.officer_id == officer.id,
            FeedbackNote.created_at >= lo,
            FeedbackNote.created_at < hi,
        )
        .order_by(FeedbackNote.created_at.desc(), FeedbackNote.id.desc())
    ).all()
    return [
        (local(created, agency.timezone).date(), text.strip())
        for created, text in rows
        if text and text.strip()
    ]
