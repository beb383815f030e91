"""Reminders for behaviour questionnaires that are due."""

from __future__ import annotations

from flask import url_for
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _

from plugins.pengembangan import NAME, service
from plugins.pengembangan.models import PengembanganActivity, PengembanganBehaviour, PengembanganParticipant
from portal.plugin import ROLE_ADMIN, Agency, User, db, is_enabled


def recipients(participant) -> list[User]:
    """The officer's supervisor's login, or else the agency's admins."""
    officer = participant.officer
    users = []
    if officer.supervisor_id:
        users = list(
            db.session.scalars(db.select(User).filter_by(officer_id=officer.supervisor_id, active=True))
        )
    if not users:
        users = list(
            db.session.scalars(
                db.select(User).filter_by(agency_id=officer.agency_id, role=ROLE_ADMIN, active=True)
            )
        )
    return users


def remind_behaviour() -> int:
    """Notify supervisors of every due, unanswered questionnaire, once each
    (the notification key makes a second run send nothing)."""
    from flask import current_app, has_request_context

    if not has_request_context():  # from cron: links need a request context
        with current_app.test_request_context("/"):
            return remind_behaviour()
    from portal.plugin import notify

    sent = 0
    for agency in db.session.scalars(db.select(Agency)):
        if not is_enabled(agency, NAME):
            continue
        day = service.today(agency)
        rows = db.session.scalars(
            db.select(PengembanganParticipant)
            .join(PengembanganActivity, PengembanganActivity.id == PengembanganParticipant.activity_id)
            .outerjoin(
                PengembanganBehaviour, PengembanganBehaviour.participant_id == PengembanganParticipant.id
            )
            .where(
                PengembanganActivity.agency_id == agency.id,
                PengembanganParticipant.attended.is_(True),
                PengembanganBehaviour.id.is_(None),
            )
        ).all()
        for participant in rows:
            if service.behaviour_due(participant.activity) > day:
                continue
            with force_locale("id"):
                title = _(
                    "Kuesioner perilaku: %(name)s setelah %(title)s",
                    name=participant.officer.name,
                    title=participant.activity.title,
                )
                body = ngettext(
                    "Sudah %(num)d minggu sejak kegiatan selesai. Mohon jawab kuesioner singkat tentang "
                    "penerapannya dalam pekerjaan.",
                    "Sudah %(num)d minggu sejak kegiatan selesai. Mohon jawab kuesioner singkat tentang "
                    "penerapannya dalam pekerjaan.",
                    participant.activity.behaviour_weeks,
                )
            url = url_for("pengembangan.behaviour", agency_slug=agency.slug, participant_id=participant.id)
            sent += notify(
                recipients(participant),
                title,
                body=body,
                url=url,
                key=f"pengembangan:perilaku:{participant.id}",
            )
    db.session.commit()
    return sent
