"""A plugin whose module path ends otherwise than its NAME (as a third-party
package's often does): it must still be known by its NAME."""

from __future__ import annotations

from flask import g

from portal.plugin import AgencyBlueprint, hookimpl

NAME = "antrean"

bp = AgencyBlueprint(NAME, __name__, path="antrean")


@bp.route("/")
def index():
    return f"antrean {g.agency.slug}"


@hookimpl
def portal_blueprints(app):
    return [bp]
