"""Pengaduan: complaints with tracking, SLAs and Open311.

This is the plugin's skeleton: its public page, its place on the agency home
and in the menu, and the rating kind it will record for the handling officer.
"""

from __future__ import annotations

from flask import g, render_template, url_for
from flask_babel import lazy_gettext as _l

from portal import hookimpl
from portal.core.plugins import AgencyBlueprint, HomeSection, NavItem, RatingKind

NAME = "pengaduan"
bp = AgencyBlueprint(NAME, __name__, path="pengaduan")


@bp.route("/")
def index():
    return render_template("pengaduan/index.html", agency=g.agency)


@hookimpl
def portal_blueprints(app):
    return [bp]


@hookimpl
def portal_rating_sources():
    return [RatingKind("penanganan", _l("Penilaian penanganan pengaduan"), 1, 5)]


@hookimpl
def portal_nav_items(agency):
    return [NavItem(30, _l("Pengaduan"), url_for("pengaduan.index", agency_slug=agency.slug))]


@hookimpl
def portal_agency_home(agency):
    return [HomeSection(30, _l("Pengaduan"),
                        _l("Sampaikan pengaduan tentang layanan dan pantau tindak lanjutnya."),
                        url_for("pengaduan.index", agency_slug=agency.slug))]
