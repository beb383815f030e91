"""Dialog publik: public dialogue forums.

This is the plugin's skeleton: its public page, its place on the agency home
and in the menu, and the rating kind it will record for panelists.
"""

from __future__ import annotations

from flask import g, render_template, url_for
from flask_babel import lazy_gettext as _l

from portal import hookimpl
from portal.core.plugins import AgencyBlueprint, HomeSection, NavItem, RatingKind

NAME = "dialog_publik"
bp = AgencyBlueprint(NAME, __name__, path="dialog")


@bp.route("/")
def index():
    return render_template("dialog_publik/index.html", agency=g.agency)


@hookimpl
def portal_blueprints(app):
    return [bp]


@hookimpl
def portal_rating_sources():
    return [RatingKind("panel", _l("Penilaian narasumber dialog publik"), 1, 5)]


@hookimpl
def portal_nav_items(agency):
    return [NavItem(20, _l("Dialog publik"), url_for("dialog_publik.index", agency_slug=agency.slug))]


@hookimpl
def portal_agency_home(agency):
    return [HomeSection(20, _l("Dialog Publik"),
                        _l("Ikuti forum tanya jawab terbuka bersama instansi."),
                        url_for("dialog_publik.index", agency_slug=agency.slug))]
