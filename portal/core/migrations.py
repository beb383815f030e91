"""Alembic through Flask-Migrate, set up only where migrations are used.

Flask-Migrate and Alembic weigh about 11 MB in every process that imports
them, and a web worker never migrates: ``create_app`` does not import them.
The ``flask db`` command group (see :mod:`portal.core.cli`) calls
:func:`init_app` when it runs; so does code that calls Flask-Migrate's
functions directly (``flask_migrate.upgrade()`` in a test)::

    from portal.core import migrations

    migrations.init_app(app)
    with app.app_context():
        flask_migrate.upgrade(revision="heads")
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask
    from flask_migrate import Migrate

MIGRATIONS_DIR = "migrations"

_migrate: Migrate | None = None


def get() -> Migrate:
    """The portal's one ``Migrate`` (made on first use; each app gets its
    settings from :func:`init_app`)."""
    global _migrate
    if _migrate is None:
        from flask_migrate import Migrate

        _migrate = Migrate()
        _migrate.configure(_version_locations)
    return _migrate


def init_app(app: Flask) -> Migrate:
    """Bind migrations to ``app`` (once; later calls return at once)."""
    from portal.config import ROOT
    from portal.extensions import db

    migrate = get()
    if "migrate" in app.extensions:
        return migrate
    # Flask-Migrate registers its own ``db`` group; the portal's (upgrade to
    # every head, scores filled afterwards) stays.
    ours = app.cli.commands.get("db")
    migrate.init_app(app, db, directory=str(ROOT / MIGRATIONS_DIR), render_as_batch=True)
    if ours is not None:
        app.cli.add_command(ours, "db")
    return migrate


def _version_locations(config):
    """Core's versions plus every plugin's Alembic branch."""
    from flask import current_app

    from portal.config import ROOT
    from portal.core.plugin_system import plugins

    locations = [str(ROOT / MIGRATIONS_DIR / "versions")]
    locations += plugins.migration_dirs(plugins.manager(current_app))
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", os.pathsep.join(locations))
    return config
