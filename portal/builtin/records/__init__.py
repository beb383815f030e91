"""Built-in plugin: officers' performance records under ``/kinerja/`` (an
officer's own record, team and agency views, supervisors' feedback,
moderation of citizens' comments, exports)."""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l

from portal.core.plugin_system.hookspecs import hookimpl
from portal.core.plugin_system.plugins import NavItem

NAME = "portal.records"


@hookimpl
def portal_models():
    from portal.builtin.records import models

    return models


@hookimpl
def portal_blueprints(app):
    from portal.builtin.records.views import bp

    return [bp]


@hookimpl
def portal_account_links(user):
    if user.is_superadmin:  # a superadmin runs the installation; nobody's record is theirs
        return []
    return [NavItem(20, _l("Rekam kinerja"), url_for("kinerja.index"))]
