"""Built-in plugin: the portal's front page and each agency's public home."""

from __future__ import annotations

from portal.core.plugin_system.hookspecs import hookimpl

NAME = "portal.home"


@hookimpl(trylast=True)
def portal_blueprints(app):
    """Registered after every other plugin's: its ``/<agency_slug>/`` rule must
    not shadow anything."""
    from portal.builtin.home.views import bp

    return [bp]
