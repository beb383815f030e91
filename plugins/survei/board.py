"""The waiting-room board: a full-screen page for a TV, per agency or unit.

``/<slug>/survei/layar/`` (the whole agency) and ``/<slug>/survei/layar/unit/<id>``:
this semester's IKM and grade, today's responses, today's quick-survey
satisfaction and recently approved comments. It reloads itself every
``SURVEI_BOARD_REFRESH_SECONDS`` with a meta refresh (no JavaScript). Public:
no names, no personal data; comments only once staff approved them.
"""

from __future__ import annotations

import datetime as dt

from flask import abort, current_app, g, make_response, render_template
from sqlalchemy import case, func

from plugins.survei import NAME, report
from plugins.survei.models import SurveiCommentStatus, SurveiKind, SurveiResponse, counted
from portal.plugin import AgencyBlueprint, Unit, day_bounds, db, local, period_bounds, utcnow

REFRESH_SECONDS = 60  # default of SURVEI_BOARD_REFRESH_SECONDS
COMMENTS = 4
COMMENT_DAYS = 30
COMMENT_CHARS = 180

board = AgencyBlueprint(
    "survei_board",
    __name__,
    path="survei/layar",
    plugin=NAME,
    static_folder="static",
    static_url_path="/static",
)


def _day_bounds(agency) -> tuple[dt.datetime, dt.datetime]:
    """Today in the agency's zone, as naive UTC bounds."""
    today = local(utcnow(), agency.timezone).date()
    return day_bounds(today, today, agency.timezone)


def _scoped(query, agency, unit):
    query = query.where(SurveiResponse.agency_id == agency.id, counted())
    if unit is not None:
        query = query.where(SurveiResponse.unit_id == unit.id)
    return query


def figures(agency, unit) -> dict:
    """What the board shows (no personal data)."""
    today = local(utcnow(), agency.timezone).date()
    start, end = period_bounds("semester", today)
    period = report.build(agency, unit, start, end, summary=True)
    lo, hi = _day_bounds(agency)
    quick = SurveiResponse.kind == SurveiKind.QUICK
    row = db.session.execute(
        _scoped(
            db.select(
                func.count(SurveiResponse.id),
                func.count(case((quick, 1))),
                func.count(case((quick & (SurveiResponse.face >= 3), 1))),
            ),
            agency,
            unit,
        ).where(SurveiResponse.created_at >= lo, SurveiResponse.created_at < hi)
    ).one()
    responses, quick_count, satisfied = (int(value or 0) for value in row)
    comments = db.session.execute(
        _scoped(
            db.select(SurveiResponse.created_at, SurveiResponse.comment),
            agency,
            unit,
        )
        .where(
            SurveiResponse.comment_status == SurveiCommentStatus.APPROVED,
            SurveiResponse.comment.isnot(None),
            SurveiResponse.created_at >= utcnow() - dt.timedelta(days=COMMENT_DAYS),
        )
        .order_by(SurveiResponse.created_at.desc())
        .limit(COMMENTS)
    ).all()
    return {
        "period": period,
        "today": today,
        "responses": responses,
        "quick_count": quick_count,
        "satisfied_share": (100 * satisfied / quick_count) if quick_count else None,
        "comments": [(at, _shorten(text)) for at, text in comments],
    }


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= COMMENT_CHARS else text[: COMMENT_CHARS - 1].rstrip() + "…"


def _render(unit):
    refresh = int(current_app.config.get("SURVEI_BOARD_REFRESH_SECONDS", REFRESH_SECONDS))
    reply = make_response(
        render_template(
            "survei/board.html",
            agency=g.agency,
            unit=unit,
            refresh=max(10, refresh),
            shown_at=local(utcnow(), g.agency.timezone),
            **figures(g.agency, unit),
        )
    )
    reply.headers["Cache-Control"] = "no-cache"
    return reply


@board.route("/")
def agency_board():
    return _render(None)


@board.route("/unit/<int:unit_id>")
def unit_board(unit_id):
    unit = db.session.get(Unit, unit_id)
    if unit is None or unit.agency_id != g.agency.id:
        abort(404)
    return _render(unit)
