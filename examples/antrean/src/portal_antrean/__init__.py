"""Antrean: a citizen takes a queue number at one of the agency's desks and,
once served, rates the officer who served them (one rating per ticket).

A complete third-party plugin for Portal Warga, written from docs/plugins.md
and docs/internals.md alone: it imports nothing of the portal but
``portal.plugin``.
"""

from __future__ import annotations

from pathlib import Path

from flask import url_for
from flask_babel import lazy_gettext as _l

from portal.plugin import HomeSection, NavItem, RatingKind, hookimpl

#: The plugin's name: its switch, the source of its ratings, its blueprint
#: and the prefix of its tables. The same as its entry point's name.
NAME = "antrean"
LABEL = _l("Antrean")
#: The one kind of rating this plugin records.
KIND = "layanan"


@hookimpl
def portal_blueprints(app):
    from portal_antrean.views import bp

    return [bp]


@hookimpl
def portal_models():
    from portal_antrean import models

    return models


@hookimpl
def portal_migrations_dir():
    return str(Path(__file__).parent / "migrations")


@hookimpl
def portal_rating_sources():
    return [RatingKind(KIND, _l("Layanan di loket antrean"), 1, 5)]


@hookimpl
def portal_nav_items(agency):
    return [NavItem(40, _l("Antrean"), url_for("antrean.index", agency_slug=agency.slug))]


@hookimpl
def portal_agency_home(agency):
    return [
        HomeSection(
            40,
            _l("Antrean"),
            _l("Ambil nomor antrean di loket, lalu nilai petugas yang melayani Anda."),
            url_for("antrean.index", agency_slug=agency.slug),
        )
    ]
