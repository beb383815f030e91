"""Public pages of core: the installation's home, each agency's home, and
the health check."""

from __future__ import annotations

import logging
import time

from flask import Blueprint, abort, g, jsonify, render_template
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from portal.core.models import Agency
from portal.core.plugin_system import plugins
from portal.extensions import csrf, db

bp = Blueprint("public", __name__)
log = logging.getLogger(__name__)


@bp.route("/")
def index():
    agencies = db.session.scalars(db.select(Agency).order_by(Agency.name)).all()
    return render_template("index.html", agencies=agencies)


@bp.route("/<slug>/logo.png")
def agency_logo(slug):
    """The agency's logo. Its URL carries the upload time, so it may be
    cached for long."""
    from flask import Response

    logo = db.session.scalar(db.select(Agency.logo).filter_by(slug=slug))
    if not logo:
        abort(404)
    response = Response(logo, mimetype="image/png")
    response.headers["Cache-Control"] = "public, max-age=604800"
    return response


@bp.route("/<slug>/")
def agency_home(slug):
    agency = db.session.execute(db.select(Agency).filter_by(slug=slug)).scalar_one_or_none()
    if agency is None:
        abort(404)
    g.agency = agency
    sections = plugins.collect("portal_agency_home", agency=agency)
    return render_template("agency_home.html", agency=agency, sections=sections)


@bp.route("/healthz")
@csrf.exempt
def healthz():
    """Liveness and database check: 200 when the database answers, 503 with
    the reason when it does not."""
    started = time.perf_counter()
    try:
        db.session.execute(text("SELECT 1"))
        db.session.rollback()
    except SQLAlchemyError as error:
        db.session.rollback()
        # The full message may name internal hosts: it goes to the log only.
        log.error("health check: database unreachable: %s", error)
        reason = type(getattr(error, "orig", None) or error).__name__
        return jsonify(
            {"status": "error", "database": "unreachable", "reason": f"database unreachable ({reason})"}
        ), 503
    return jsonify(
        {"status": "ok", "database": "ok", "latency_ms": round((time.perf_counter() - started) * 1000, 2)}
    )
