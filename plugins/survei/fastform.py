"""The QR survey form, answered from the worker's page cache.

A desk's form is the same for every citizen who scans its QR code while the
same officers are on duty; only the signed nonce differs. ``GET /s/<token>``
therefore costs one query that must be exact — the token exists, the desk
is active, the module is on for the agency — plus a cached page with a fresh
nonce. Everything else the page shows (desk and unit names, questions,
officers on duty, the agency's header) comes from :mod:`portal.core.web.pagecache`
and is at most ``PORTAL_PAGE_CACHE_SECONDS`` old; edits made in this worker
empty the cache at once.

The first view of a form after a change is rendered the ordinary way
(:func:`plugins.survei.views._survey`), which also fills the cache.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from flask import current_app, request
from sqlalchemy import bindparam, select

from plugins.survei import NAME
from plugins.survei.models import (
    SurveiDeskSurvey,
    SurveiQuestion,
    SurveiResponse,
    SurveiRoster,
    active_questions,
    desk_kind,
)
from plugins.survei.service import (
    Place,
    issue_nonce,
    open_nonce,
    origin_hash,
    recently_answered,
    store,
    validate,
)
from portal.plugin import Agency, Desk, Officer, Unit, db, pagecache, same_origin, utcnow

#: Stands in for the nonce in a cached page; replaced on every answer.
NONCE_MARK = "__survei_nonce__"

_DESK_STATE = (
    select(Desk.id, Desk.active, Agency.timezone, Agency.id, pagecache.module_on(NAME))
    .join(Unit, Unit.id == Desk.unit_id)
    .join(Agency, Agency.id == Unit.agency_id)
    .where(Desk.qr_token == bindparam("token"))
)


def pages():
    return pagecache.cache("survei.pages").watch(
        Agency, Unit, Desk, Officer, SurveiDeskSurvey, SurveiQuestion, SurveiRoster
    )


def rosters():
    return pagecache.cache("survei.rosters").watch(Desk, Officer, SurveiRoster)


def desk_state(token: str):
    """(desk id, active, agency zone, agency id, module on) or None: one query."""
    return pagecache.first_row(_DESK_STATE, token=token)


def _shifts(desk_id: int, agency_id: int) -> tuple:
    """The desk's weekly shifts of active officers of its agency (cached)."""
    found = rosters().get(desk_id)
    if found is None:
        with db.engine.connect() as conn:
            found = tuple(
                conn.execute(
                    select(SurveiRoster.weekday, SurveiRoster.start, SurveiRoster.end, Officer.id)
                    .join(Officer, Officer.id == SurveiRoster.officer_id)
                    .where(
                        SurveiRoster.desk_id == desk_id,
                        Officer.active.is_(True),
                        Officer.agency_id == agency_id,
                    )
                )
            )
        rosters().put(desk_id, found)
    return found


def choices_key(offered_ids, fixed_id: int | None) -> tuple:
    """What decides the "who served me" part of the form: (ids offered, id
    credited without asking)."""
    return ((), fixed_id) if fixed_id is not None else (tuple(sorted(offered_ids)), None)


def duty_key(shifts, zone: str, now: dt.datetime | None = None) -> tuple:
    """:func:`choices_key` read from the cached shifts, by the same rule as
    :func:`plugins.survei.service.officer_choices`."""
    moment = (now or utcnow()).replace(tzinfo=dt.UTC).astimezone(ZoneInfo(zone))
    clock, day = moment.time().replace(tzinfo=None), moment.weekday()
    duty = {oid for weekday, start, end, oid in shifts if weekday == day and start <= clock < end}
    if len(duty) == 1:
        return choices_key((), next(iter(duty)))
    return choices_key(duty or {oid for *_rest, oid in shifts}, None)


def page_key(desk_id: int, key: tuple) -> tuple:
    return desk_id, pagecache.language(), key


def _cached_page(token: str) -> tuple[int, str] | None:
    """(desk id, the cached page with NONCE_MARK) of an open desk, or None."""
    state = desk_state(token)
    if state is None:
        return None
    desk_id, active, zone, agency_id, enabled = state
    if not (active and enabled):
        return None
    html = pages().get(page_key(desk_id, duty_key(_shifts(desk_id, agency_id), zone)))
    return None if html is None else (desk_id, html)


def cached_form(token: str):
    """The form for a plain visit from the cache, or None to render it."""
    if not pagecache.anonymous_visit():
        return None
    found = _cached_page(token)
    if found is None or recently_answered(request.cookies, found[0]):
        return None
    desk_id, html = found
    return current_app.response_class(html.replace(NONCE_MARK, issue_nonce(desk_id)), mimetype="text/html")


def early_form(token: str) -> str | None:
    """The form for a first scan (no cookie at all), answered before Flask
    (the ``portal_early_pages`` hook): the same cached page with a fresh
    nonce, after the same exact query; None when Flask must answer."""
    found = _cached_page(token)
    if found is None:
        return None
    desk_id, html = found
    return html.replace(NONCE_MARK, issue_nonce(desk_id))


# ---------------------------------------------------------------- sending


@dataclass(frozen=True)
class Question:
    """What checking an answer reads of a :class:`SurveiQuestion`."""

    id: int
    required: bool
    type: str
    choice_list: tuple[str, ...]
    scale_top: int | None


@dataclass(frozen=True)
class Who:
    """An officer the form offers (or credits without asking), by id."""

    id: int


def forms():
    return pagecache.cache("survei.forms").watch(Desk, SurveiDeskSurvey, SurveiQuestion)


def _form_of(desk_id: int) -> tuple:
    """(unit id, survey kind, the unit's own questions) of a desk (cached)."""
    found = forms().get(desk_id)
    if found is None:
        unit_id = db.session.scalar(select(Desk.unit_id).where(Desk.id == desk_id))
        found = (
            unit_id,
            desk_kind(desk_id),
            tuple(
                Question(q.id, bool(q.required), q.type, tuple(q.choice_list), q.scale_top)
                for q in active_questions(unit_id)
            ),
        )
        forms().put(desk_id, found)
    return found


@dataclass
class Sent:
    """A response stored by :func:`submit`: what the reply needs."""

    response: SurveiResponse
    desk_id: int
    zone: str


def submit(token: str) -> Sent | None:
    """Store a plain citizen's answer to ``/s/<token>`` the short way, or
    return None (nothing stored) for the ordinary path to handle: any
    notice, a form with errors, a replayed nonce.

    What must be exact is read per request — the desk (token, active,
    module on, one query), the nonce, the recent responses for the
    plausibility check — and the officer is checked by ``record_rating``
    in the database; the desk's kind, questions and roster come from the
    same cache as the form the citizen was shown."""
    state = desk_state(token)
    if state is None:
        return None
    desk_id, active, zone, agency_id, enabled = state
    form = request.form
    if not (active and enabled) or form.get("website") or not same_origin():
        return None
    if recently_answered(request.cookies, desk_id):
        return None
    nonce = open_nonce(form.get("nonce", ""), desk_id)
    if nonce is None:
        return None
    unit_id, kind, questions = _form_of(desk_id)
    offered, fixed = duty_key(_shifts(desk_id, agency_id), zone)
    submission = validate(form, kind, questions, [Who(i) for i in offered], Who(fixed) if fixed else None)
    if not submission.ok:
        return None
    session = db.session()
    expire, session.expire_on_commit = session.expire_on_commit, False  # the reply reads the response
    try:
        response = store(Place(desk_id, unit_id, agency_id), submission, nonce=nonce, origin=origin_hash())
    finally:
        session.expire_on_commit = expire
    if response is None:
        return None
    return Sent(response, desk_id, zone)
