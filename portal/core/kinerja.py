"""Performance record pages (``/kinerja/``): an officer's own record, and the
officers a supervisor or admin may see, all read from rollups."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from portal.core import plugins
from portal.core.models import ROLE_ADMIN, ROLE_SUPERVISOR, Agency, Officer
from portal.core.ratings import PERIOD_KINDS, agency_ranking, band, officer_record, period_bounds
from portal.core.timeutil import local, utcnow
from portal.extensions import db

bp = Blueprint("kinerja", __name__, url_prefix="/kinerja")


@bp.before_request
@login_required
def _require_login():
    return None


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


def _period(agency: Agency):
    kind = request.args.get("periode", "bulan")
    if kind not in PERIOD_KINDS:
        kind = "bulan"
    try:
        day = dt.date.fromisoformat(request.args.get("tanggal", ""))
    except ValueError:
        day = local(utcnow(), agency.timezone).date()
    start, end = period_bounds(kind, day)
    return kind, day, start, end


@bp.route("/")
def index():
    if current_user.is_superadmin:
        return redirect(url_for("kelola.index"))
    if current_user.role not in (ROLE_ADMIN, ROLE_SUPERVISOR):
        if current_user.officer is None:
            abort(404)
        return redirect(url_for("kinerja.officer", officer_id=current_user.officer.id))
    return redirect(url_for("kinerja.team", slug=current_user.agency.slug))


@bp.route("/<slug>/tim")
def team(slug):
    agency = db.session.execute(db.select(Agency).filter_by(slug=slug)).scalar_one_or_none()
    if agency is None or not current_user.can_access_agency(agency):
        abort(404)
    g.agency = agency
    visible = visible_officer_ids(current_user, agency)
    kind, day, start, end = _period(agency)
    mean, ranked = agency_ranking(agency, start, end, officer_ids=visible)
    query = db.select(Officer).filter_by(agency_id=agency.id, active=True).order_by(Officer.name)
    if visible is not None:
        query = query.where(Officer.id.in_(visible))
    officers = {o.id: o for o in db.session.scalars(query)}
    rows = [(officers[r.officer_id], r) for r in ranked if r.officer_id in officers]
    unrated = [o for oid, o in officers.items() if oid not in {r.officer_id for r in ranked}]
    return render_template("kinerja/team.html", agency=agency, rows=rows, unrated=unrated,
                           agency_mean=mean, kind=kind, day=day, start=start,
                           last=end - dt.timedelta(days=1), band=band,
                           kinds=PERIOD_KINDS)


@bp.route("/pegawai/<int:officer_id>")
def officer(officer_id):
    person = db.session.get(Officer, officer_id)
    if person is None or not can_view(current_user, person):
        abort(404)
    g.agency = person.agency
    kind, day, start, end = _period(person.agency)
    record = officer_record(person, start, end)
    panels = plugins.collect("portal_officer_panels", agency=person.agency, officer=person,
                             viewer=current_user)
    labels = {name: name for name in plugins.installed()}
    return render_template("kinerja/officer.html", officer=person, record=record, panels=panels,
                           kind=kind, day=day, start=start, last=end - dt.timedelta(days=1), band=band,
                           labels=labels,
                           kinds=PERIOD_KINDS)
