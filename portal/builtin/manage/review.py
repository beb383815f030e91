"""The review queue under ``/kelola/<slug>/tinjauan``: ratings held for
review (implausible ones, see ``portal.core.record.ratings.HOLD_REASONS``) wait here
until an admin of the agency, or a supervisor above the officer, accepts
(then they count) or rejects them (kept for audit, never counted).

Who sees what: an agency admin the whole agency; a supervisor the officers
below them, never their own ratings; an officer nothing (403). Another
agency's queue does not exist for anyone else (404)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func
from sqlalchemy.orm import joinedload

from portal.core.accounts.access import can_coach, coached_events
from portal.core.accounts.auth import agency_for
from portal.core.models import Agency, Officer, RatingEvent, audit
from portal.core.record.ratings import REVIEW_HELD, accept_held, hold_label, reject_held
from portal.core.web.forms import BaseForm
from portal.extensions import db

bp = Blueprint("tinjauan", __name__)
PAGE_SIZE = 50


@bp.before_request
@login_required
def _require_login():
    return None


def held_query(agency: Agency, user):
    """Held ratings of ``agency`` that ``user`` may review, or None if none at all."""
    return coached_events(agency, user, RatingEvent.review == REVIEW_HELD)


def held_count(agency: Agency, user) -> int:
    """How many ratings wait for ``user``'s review (0 if they review none)."""
    query = held_query(agency, user)
    if query is None:
        return 0
    return db.session.scalar(db.select(func.count()).select_from(query.subquery())) or 0


def _queue(slug):
    agency = agency_for(slug)
    g.agency = agency
    query = held_query(agency, current_user)
    if query is None:
        abort(403)
    return agency, query


@bp.route("/<slug>/tinjauan")
def queue(slug):
    agency, query = _queue(slug)
    total = db.session.scalar(db.select(func.count()).select_from(query.subquery())) or 0
    held = db.session.scalars(
        query.options(joinedload(RatingEvent.officer).joinedload(Officer.unit))
        .order_by(RatingEvent.created_at, RatingEvent.id)
        .limit(PAGE_SIZE)
    ).all()
    return render_template(
        "kelola/review.html", agency=agency, held=held, total=total, form=BaseForm(), hold_label=hold_label
    )


@bp.route("/<slug>/tinjauan/<int:event_id>", methods=["POST"])
def decide(slug, event_id):
    agency, _query = _queue(slug)
    event = db.session.get(RatingEvent, event_id)
    if (
        event is None
        or event.agency_id != agency.id
        or event.review != REVIEW_HELD
        or not can_coach(current_user, event.officer)
    ):
        abort(404)
    if not BaseForm().validate_on_submit():
        abort(400)
    decision = request.form.get("keputusan")
    if decision not in ("terima", "tolak"):
        abort(400)
    # The audit row rides in the decision's transaction: the decision is one
    # conditional UPDATE, and if another reviewer was first both roll back.
    audit(
        "rating_accepted" if decision == "terima" else "rating_rejected",
        event.officer,
        agency=agency,
        detail=f"rating {event.id}: {event.hold_reason}",
    )
    decide_held = accept_held if decision == "terima" else reject_held
    if decide_held(event_id, current_user) is None:
        flash(_("Penilaian ini sudah ditinjau orang lain; tidak ada yang diubah."), "info")
    else:
        flash(
            _("Penilaian diterima dan kini dihitung pada rekam kinerja.")
            if decision == "terima"
            else _("Penilaian ditolak; disimpan untuk audit dan tidak pernah dihitung."),
            "success",
        )
    return redirect(url_for("kelola.tinjauan.queue", slug=agency.slug))
