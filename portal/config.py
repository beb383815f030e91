"""Configuration read from the environment.

Only ``PORTAL_*`` variables are read; everything has a safe default for
development except the secret key, which ``create_app`` insists on outside
debug and testing.
"""

from __future__ import annotations

import os
from pathlib import Path


def _data_root() -> Path:
    package = Path(__file__).resolve().parent
    # An installed wheel carries the top-level folders inside the package
    # (setup.cfg's package_dir); a checkout has them beside it.
    return package if (package / "templates").is_dir() else package.parent


#: The folder that holds ``templates/``, ``static/`` and ``migrations/``: the
#: top level of a checkout (editable install, ``make run``, the tests), or the
#: installed ``portal`` package itself.
ROOT = _data_root()


#: Values that must never be used as a production secret key.
INSECURE_SECRET_KEYS = frozenset({"", "dev", "change-me", "changeme", "secret", "development"})

DEFAULT_LOCALE = "id"
LOCALES = ("id", "en")


def _bool(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def instance_path() -> str | None:
    """``PORTAL_INSTANCE_PATH`` (made absolute), or None for Flask's default:
    ``instance/`` beside a checkout, ``<prefix>/var/portal-instance`` for an
    installed package (``<prefix>`` is the virtualenv)."""
    path = os.environ.get("PORTAL_INSTANCE_PATH")
    return os.path.abspath(os.path.expanduser(path)) if path else None


def from_environment(instance_path: str) -> dict:
    """Return the config mapping built from ``PORTAL_*`` environment variables."""
    env = os.environ
    database_url = env.get("PORTAL_DATABASE_URL") or (
        "sqlite:///" + os.path.join(instance_path, "portal.sqlite3")
    )
    plugins = env.get("PORTAL_PLUGINS")
    return {
        "SECRET_KEY": env.get("PORTAL_SECRET_KEY", ""),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "PORTAL_REDIS_URL": env.get("PORTAL_REDIS_URL") or None,
        # None means "discover every installed plugin"; a string (even empty)
        # is an explicit comma-separated allowlist.
        "PORTAL_PLUGINS": None if plugins is None else plugins,
        "PORTAL_PROXY_FIX": _bool(env.get("PORTAL_PROXY_FIX")),
        # Cookies only over HTTPS: on by default outside debug and testing;
        # PORTAL_SECURE_COOKIES=0 for a plain-HTTP setup (make run on localhost).
        "PORTAL_SECURE_COOKIES": (
            None if env.get("PORTAL_SECURE_COOKIES") is None else _bool(env.get("PORTAL_SECURE_COOKIES"))
        ),
        # Uploaded files live here, outside the web root (default instance/uploads).
        "PORTAL_UPLOAD_DIR": env.get("PORTAL_UPLOAD_DIR") or os.path.join(instance_path, "uploads"),
        "DEBUG": _bool(env.get("PORTAL_DEBUG")) or _bool(env.get("FLASK_DEBUG")),
    }


DEFAULTS = {
    "SQLALCHEMY_ENGINE_OPTIONS": {},
    "BABEL_DEFAULT_LOCALE": DEFAULT_LOCALE,
    "BABEL_DEFAULT_TIMEZONE": "Asia/Jakarta",
    "PORTAL_LOCALES": LOCALES,
    "WTF_CSRF_TIME_LIMIT": None,  # a form left open at a counter must still submit
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    # Login protection, never a lockout: after PORTAL_LOGIN_FREE_FAILURES
    # failures on an e-mail (PORTAL_LOGIN_ADDRESS_FREE_FAILURES from one
    # internet address) each further attempt waits PORTAL_LOGIN_DELAY_SECONDS,
    # doubling up to PORTAL_LOGIN_MAX_DELAY_SECONDS; failures are forgotten
    # PORTAL_LOGIN_FORGET_SECONDS after the first. A browser that signed in
    # to the account before (device cookie, PORTAL_LOGIN_DEVICE_DAYS) only
    # waits for its own failures. The per-address rate limit caps requests.
    "PORTAL_LOGIN_FREE_FAILURES": 3,
    "PORTAL_LOGIN_ADDRESS_FREE_FAILURES": 10,
    "PORTAL_LOGIN_DELAY_SECONDS": 2,
    "PORTAL_LOGIN_MAX_DELAY_SECONDS": 600,
    "PORTAL_LOGIN_FORGET_SECONDS": 86400,
    "PORTAL_LOGIN_DEVICE_DAYS": 180,
    "PORTAL_LOGIN_RATE_LIMIT": "20 per minute",
    # Prior strength (in ratings) of the Bayesian shrinkage toward the agency mean.
    "PORTAL_SHRINKAGE_PRIOR": 10,
    "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
    # Personal data of citizens is kept this many days after their matter
    # ended (complaint closed, forum held, survey answered); then
    # `flask anonymise` removes it and keeps the statistics (docs/privacy.md).
    "PORTAL_RETENTION_DAYS": 730,
}
