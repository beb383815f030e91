"""Portal Warga: citizens rate and talk to the civil servants who serve them.

``create_app`` is the application factory; ``hookimpl`` marks a plugin's hook
implementations (see ``docs/plugins.md``).
"""

from __future__ import annotations

import logging
import os

from flask import Flask

from portal.config import ROOT
from portal.core.plugin_system.hookspecs import hookimpl

__all__ = ["ROOT", "create_app", "hookimpl"]


log = logging.getLogger(__name__)


def create_app(config: dict | None = None) -> Flask:
    """Build the portal. ``config`` overrides values read from the environment."""
    from portal import config as defaults
    from portal.core.web import wiring as setup

    app = Flask(
        __name__,
        instance_path=defaults.instance_path(),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    # Made before anything is read from it or written to it (the default
    # SQLite database, uploads): a fresh install has no instance folder yet.
    try:
        os.makedirs(app.instance_path, exist_ok=True)
    except OSError as error:
        raise SystemExit(
            f"Portal Warga tidak dijalankan: folder instance {app.instance_path} tidak dapat dibuat "
            f"({error.strerror}).\n"
            "Tentukan folder yang dapat ditulis dengan PORTAL_INSTANCE_PATH, misalnya:\n"
            "  export PORTAL_INSTANCE_PATH=/var/lib/portal-warga"
        ) from error
    app.config.from_mapping(defaults.DEFAULTS)
    app.config.from_mapping(defaults.from_environment(app.instance_path))
    # Optional settings files for what has no PORTAL_* variable (rate limits,
    # plugin options): instance/portal.cfg, then the file PORTAL_CONFIG names.
    app.config.from_pyfile("portal.cfg", silent=True)
    if os.environ.get("PORTAL_CONFIG"):
        app.config.from_envvar("PORTAL_CONFIG")
    if config:
        app.config.from_mapping(config)
    if not (app.debug or app.testing) and (
        app.config["SECRET_KEY"] in defaults.INSECURE_SECRET_KEYS or len(app.config["SECRET_KEY"]) < 16
    ):
        raise SystemExit(
            "Portal Warga tidak dijalankan: PORTAL_SECRET_KEY belum diisi atau terlalu lemah.\n"
            "Isi dengan nilai acak minimal 16 karakter, misalnya:\n"
            "  export PORTAL_SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))')\n"
            "(Untuk pengembangan saja: PORTAL_DEBUG=1.)"
        )
    if not app.config["SECRET_KEY"]:
        # Debug or testing without a key: a throw-away one, so sessions work
        # until the process ends.
        import secrets

        app.config["SECRET_KEY"] = secrets.token_hex(32)
        log.warning("PORTAL_SECRET_KEY is not set; using a temporary key (debug only)")
    secure = app.config.get("PORTAL_SECURE_COOKIES")
    if secure is None:
        secure = not (app.debug or app.testing)
    app.config["SESSION_COOKIE_SECURE"] = app.config["REMEMBER_COOKIE_SECURE"] = bool(secure)
    setup.init_app(app)
    return app
