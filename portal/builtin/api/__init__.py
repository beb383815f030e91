"""Built-in plugin: the JSON resources of ``/api/v1/`` (the key's agency, its
units, officers and their records), for e-Kinerja/SKP tools and kiosks."""

from __future__ import annotations

from portal.core.plugin_system.hookspecs import hookimpl
from portal.core.web.api import API_PREFIX

NAME = "portal.api"


@hookimpl
def portal_blueprints(app):
    from portal.builtin.api.resources import bp

    return [bp]


@hookimpl
def portal_api_schemas():
    from portal.builtin.api.resources import SCHEMAS

    return SCHEMAS


@hookimpl
def portal_api_paths():
    from portal.builtin.api.resources import PATHS

    return {API_PREFIX + path: item for path, item in PATHS.items()}
