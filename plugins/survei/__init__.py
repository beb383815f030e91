"""Survei: QR counter surveys and SKM/IKM reports.

This is the plugin's skeleton: its public page, its place on the agency home
and in the menu, the rating kinds it will record and its own Alembic branch
(``survei``) with the per-desk survey setting.
"""

from __future__ import annotations

from pathlib import Path

from flask import g, render_template, url_for
from flask_babel import lazy_gettext as _l

from portal import hookimpl
from portal.core.plugins import AgencyBlueprint, HomeSection, NavItem, RatingKind

NAME = "survei"
bp = AgencyBlueprint(NAME, __name__, path="survei")


@bp.route("/")
def index():
    from plugins.survei.models import desks_with_kind

    return render_template("survei/index.html", agency=g.agency, desks=desks_with_kind(g.agency))


@hookimpl
def portal_blueprints(app):
    return [bp]


@hookimpl
def portal_models():
    from plugins.survei import models

    return models


@hookimpl
def portal_migrations_dir():
    return str(Path(__file__).parent / "migrations")


@hookimpl
def portal_rating_sources():
    return [
        RatingKind("skm", _l("SKM: kompetensi dan perilaku pelaksana"), 1, 4),
        RatingKind("cepat", _l("Survei cepat"), 1, 4),
    ]


@hookimpl
def portal_nav_items(agency):
    return [NavItem(10, _l("Survei"), url_for("survei.index", agency_slug=agency.slug))]


@hookimpl
def portal_agency_home(agency):
    return [HomeSection(10, _l("Survei Kepuasan Masyarakat"),
                        _l("Nilai layanan yang Anda terima dengan memindai kode QR di loket."),
                        url_for("survei.index", agency_slug=agency.slug))]
