"""Who may see and coach whom: the roles' reach inside an agency.

An officer sees their own record; a supervisor also every officer below them
(at any depth); an agency admin the whole agency; a superadmin everything.
Coaching (feedback, moderation, review of held ratings) is for admins of the
agency and supervisors above the officer, never oneself.
"""

from __future__ import annotations

from portal.core.models import ROLE_ADMIN, ROLE_SUPERVISOR, Agency, Officer, RatingEvent
from portal.extensions import db


def visible_officer_ids(user, agency: Agency) -> set[int] | None:
    """Officers of ``agency`` that ``user`` may see; None means all of them."""
    if user.is_superadmin or (user.role == ROLE_ADMIN and user.agency_id == agency.id):
        return None
    if user.agency_id != agency.id or user.officer is None:
        return set()
    ids = {user.officer.id}
    if user.role == ROLE_SUPERVISOR:
        ids |= user.officer.subordinate_ids()
    return ids


def can_view(user, officer: Officer) -> bool:
    visible = visible_officer_ids(user, officer.agency)
    return visible is None or officer.id in visible


def can_coach(user, officer: Officer) -> bool:
    """May ``user`` write feedback on, and moderate comments about, ``officer``?
    Admins of the agency and supervisors above the officer; never oneself."""
    if user.officer_id == officer.id:
        return False
    visible = visible_officer_ids(user, officer.agency)
    if visible is None:
        return True
    return user.role == ROLE_SUPERVISOR and officer.id in visible


def coached_events(agency: Agency, user, *conditions):
    """Rating events of ``agency`` matching ``conditions`` about officers
    ``user`` may coach (as :func:`can_coach`: admins the agency, supervisors
    their team, never their own), or None when ``user`` coaches nobody."""
    query = db.select(RatingEvent).where(RatingEvent.agency_id == agency.id, *conditions)
    visible = visible_officer_ids(user, agency)
    if visible is not None and user.role != ROLE_SUPERVISOR:
        return None
    if visible is not None:
        query = query.where(RatingEvent.officer_id.in_((visible - {user.officer_id}) or {-1}))
    elif user.officer_id is not None:
        query = query.where(RatingEvent.officer_id != user.officer_id)
    return query
