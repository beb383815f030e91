"""What the public dialogue module can measure and what it saw an officer do.

- Indicator ``dialog_publik.commitments_done`` (officer): of the follow-up
  commitments they own that fell due in the period, the share marked done.
  (A commitment records its state, not the day it was done, so "done by its
  due date" cannot be told apart from "done later".)
- Evidence: a forum held that day with the officer on its panel, and the
  citizens' questions the officer answered that day.
"""

from __future__ import annotations

import datetime as dt

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import func

from plugins.dialog_publik.models import (
    DialogCommitment,
    DialogCommitmentState,
    DialogEvent,
    DialogEventStatus,
    DialogPanelist,
    DialogQuestion,
)
from portal.plugin import Evidence, Indicator, Measurement, day_bounds, db

#: Commitments below which the share is not shown as a number.
MIN_COMMITMENTS = 3


def indicators(agency) -> list[Indicator]:
    return [
        Indicator(
            "dialog_publik.commitments_done",
            _l("Komitmen forum yang jatuh tempo dan selesai"),
            "officer",
            commitments_done,
            "%",
            plugin="dialog_publik",
        )
    ]


def commitments_done(officer, start: dt.date, end: dt.date) -> Measurement:
    rows = (
        db.session.execute(
            db.select(DialogCommitment.state)
            .join(DialogEvent, DialogEvent.id == DialogCommitment.event_id)
            .where(
                DialogEvent.agency_id == officer.agency_id,
                DialogCommitment.owner_id == officer.id,
                DialogCommitment.due >= start,
                DialogCommitment.due <= end,
            )
        )
        .scalars()
        .all()
    )
    if len(rows) < MIN_COMMITMENTS:
        return Measurement(None, len(rows), enough=False)
    done = sum(1 for state in rows if state == DialogCommitmentState.DONE)
    return Measurement(round(100.0 * done / len(rows), 1), len(rows))


def evidence(officer, day: dt.date) -> list[Evidence]:
    agency = officer.agency
    lo, hi = day_bounds(day, day, agency.timezone)
    found = []
    events = db.session.execute(
        db.select(DialogEvent.id, DialogEvent.title, DialogEvent.starts_at, DialogEvent.ends_at)
        .join(DialogPanelist, DialogPanelist.event_id == DialogEvent.id)
        .where(
            DialogEvent.agency_id == agency.id,
            DialogPanelist.officer_id == officer.id,
            DialogEvent.status.in_([DialogEventStatus.PUBLISHED, DialogEventStatus.FINISHED]),
            DialogEvent.starts_at >= lo,
            DialogEvent.starts_at < hi,
        )
    ).all()
    for event_id, title, starts, ends in events:
        minutes = max(0, int((ends - starts).total_seconds() // 60)) if ends and starts else None
        found.append(
            Evidence(
                f"dialog_publik:narasumber:{event_id}:{officer.id}",
                "dialog_publik",
                gettext("Menjadi narasumber forum “%(title)s”", title=title),
                gettext("forum"),
                1,
                minutes=min(minutes, 24 * 60) if minutes is not None else None,
                url=f"/kelola/{agency.slug}/dialog/acara/{event_id}",
            )
        )
    answered = db.session.scalar(
        db.select(func.count(DialogQuestion.id))
        .join(DialogEvent, DialogEvent.id == DialogQuestion.event_id)
        .where(
            DialogEvent.agency_id == agency.id,
            DialogQuestion.answered_by_id == officer.id,
            DialogQuestion.answered_at >= lo,
            DialogQuestion.answered_at < hi,
        )
    )
    if answered:
        found.append(
            Evidence(
                f"dialog_publik:jawaban:{officer.id}:{day.isoformat()}",
                "dialog_publik",
                gettext("Menjawab pertanyaan warga di forum"),
                gettext("pertanyaan"),
                answered,
            )
        )
    return found
