"""Wires extensions, plugins, blueprints, error pages and the CLI into an app."""

from __future__ import annotations

import functools
import importlib
import logging
import os
import time

from babel.numbers import parse_pattern
from flask import current_app, g, has_app_context, has_request_context, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import event, exc
from werkzeug.middleware.proxy_fix import ProxyFix

from portal.core.plugin_system import plugins
from portal.extensions import csrf, db, limiter, login_manager

log = logging.getLogger(__name__)

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class _SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the signing serializer built once
    per key instead of on every request (it runs on every request)."""

    _cached: tuple = (None, None)

    def get_signing_serializer(self, app):
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        if self._cached[0] != keys:
            self._cached = (keys, super().get_signing_serializer(app))
        return self._cached[1]


def init_app(app) -> None:
    from portal.core.accounts import notifications
    from portal.core.web import params, transactions  # noqa: F401 - transactions: its flush listener

    notifications.install()
    params.init_app(app)  # before any rule is added: it replaces the int converter
    app.session_interface = _SessionInterface()
    if app.config["PORTAL_PROXY_FIX"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)
    _configure_database(app)
    db.init_app(app)
    # Registered after Flask-SQLAlchemy's own teardown, so it runs first.
    app.teardown_appcontext(_remove_session)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    csrf.init_app(app)
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["PORTAL_REDIS_URL"] or "memory://")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    limiter.init_app(app)

    # Core models first, then each plugin's, so metadata is complete before
    # migrations or create_all run.
    importlib.import_module("portal.core.models")
    state = plugins.init_plugins(app)
    plugins.import_models(state.manager)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        mirror_partial_indexes(db.metadata)
    _init_babel(app, state)

    from portal.core import cli
    from portal.core.accounts import auth
    from portal.core.web import api, errors

    app.register_blueprint(api.bp)
    app.register_blueprint(auth.bp)
    # Every plugin's pages, the built-in ones included; the built-in home
    # page's /<agency_slug>/ comes last (trylast) so that it shadows nothing.
    for blueprints in state.manager.hook.portal_blueprints(app=app):
        for bp in blueprints or []:
            app.register_blueprint(bp)
    errors.init_app(app)
    from portal.core.web import early

    early.install(app, state.manager.hook.portal_early_pages(), security_headers(app))
    cli.init_app(app)
    state.manager.hook.portal_cli(cli=app.cli)
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters["num"] = format_number
    app.jinja_env.filters["translated"] = translated
    from portal.core.record.ratings import source_label

    app.jinja_env.globals["source_label"] = source_label
    app.context_processor(_template_globals)
    app.after_request(_security_headers)
    from portal.core.web import statics

    statics.init_app(app)
    _sync_only(app)

    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            _sqlite_pragmas(engine)
        else:
            _ping_idle_connections(engine, float(app.config.get("PORTAL_DB_PING_IDLE_SECONDS", 1.0)))


def _sync_only(app) -> None:
    """Flask asks, on every call of a view, hook or handler, whether it is a
    coroutine (eight times for a plain page). None of the portal's is: when
    that holds for everything registered, the question is answered once,
    here."""
    import inspect

    registered = [
        *app.view_functions.values(),
        *(f for funcs in app.before_request_funcs.values() for f in funcs),
        *(f for funcs in app.after_request_funcs.values() for f in funcs),
        *(f for funcs in app.teardown_request_funcs.values() for f in funcs),
        *(f for funcs in app.url_value_preprocessors.values() for f in funcs),
        *app.teardown_appcontext_funcs,
        *(
            f
            for handlers in app.error_handler_spec.values()
            for codes in handlers.values()
            for f in codes.values()
        ),
    ]
    if not any(inspect.iscoroutinefunction(inspect.unwrap(f)) for f in registered):
        app.ensure_sync = lambda func: func


def mirror_partial_indexes(metadata) -> None:
    """A partial index's condition is declared once, as ``sqlite_where``
    (the same SQL holds on both databases); PostgreSQL's ``postgresql_where``
    is added here when the app uses PostgreSQL. Declared in the model, it
    would make every SQLite worker import PostgreSQL's dialect (about 2 MB)
    just to check the argument's name."""
    for table in metadata.tables.values():
        for index in table.indexes:
            where = index.dialect_options["sqlite"]["where"]
            if where is not None and index.dialect_options["postgresql"]["where"] is None:
                index.dialect_kwargs["postgresql_where"] = where


def _remove_session(_error=None) -> None:
    """End the request's session even when the database went away during
    the request. The final rollback then fails; the connection is already
    invalidated, so only the session is dropped. Without this, the failure
    escaped the app and the client got a bare 500 after the portal had
    already chosen its answer."""
    from sqlalchemy.exc import DBAPIError

    try:
        db.session.remove()
    except DBAPIError as error:
        log.warning("database session could not be closed cleanly: %s", error.orig)
        db.session.registry.clear()


def _init_babel(app, state) -> None:
    """The portal's catalogue (core and the built-in plugins), then any
    ``translations/`` folder a plugin ships beside its module."""
    directories = [os.path.join(app.root_path, "translations")]
    for module in state.manager.get_plugins():
        folder = os.path.join(os.path.dirname(getattr(module, "__file__", "") or ""), "translations")
        if getattr(module, "__file__", None) and os.path.isdir(folder) and folder not in directories:
            directories.append(folder)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", ";".join(directories))
    # One Babel per app: Flask-Babel caches loaded catalogues on the Babel
    # object, and apps with different plugins have different catalogues.
    from flask_babel import Babel

    Babel(app, locale_selector=select_locale)


def _configure_database(app) -> None:
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if uri.startswith("sqlite"):
        connect_args = options.setdefault("connect_args", {})
        connect_args.setdefault("timeout", 30)  # busy timeout, seconds
        connect_args.setdefault("check_same_thread", False)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def _ping_idle_connections(engine, seconds: float) -> None:
    """Check a pooled connection before use when it has been idle for
    ``seconds`` or more (0: every time, as ``pool_pre_ping`` does); a dead
    one is replaced and the request never sees it.

    A connection used moments ago needs no check: under load every
    connection is, and pinging each checkout would cost a round trip per
    query a page makes. If the database goes away between two uses, the
    next statement fails, SQLAlchemy drops every connection of the pool and
    the request answers 503, as any request does while the database is
    down; the next one connects afresh. A connection left idle across a
    restart is pinged and replaced."""

    @event.listens_for(engine, "checkin")
    def _idle_from(dbapi_connection, record):
        if dbapi_connection is not None:  # None: the connection was invalidated
            record.info["portal_idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection, record, _proxy):
        since = record.info.get("portal_idle_since")  # None: a new connection
        if since is None or time.monotonic() - since < seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise exc.DisconnectionError(f"idle connection lost: {error}") from error


def _sqlite_pragmas(engine) -> None:
    """WAL, foreign keys and explicit transactions for SQLite.

    pysqlite's own transaction handling is switched off so that writes start
    with ``BEGIN IMMEDIATE``: the write lock is taken up front (waiting up to
    the busy timeout) instead of failing when a read transaction tries to
    upgrade. Requests with a safe method only read and use a plain ``BEGIN``;
    so does a write request after :func:`portal.core.web.transactions.read_first`,
    until its first write (or :func:`portal.core.web.transactions.begin_write`).
    """

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        if has_request_context():
            reading = request.method in _SAFE_METHODS or g.get("_portal_read_first", False)
        else:  # a page answered before Flask (portal.core.web.early) only reads
            reading = has_app_context() and g.get("_portal_read_first", False)
        conn.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")


def select_locale() -> str:
    """The visitor's language: their choice in the session, else Indonesian."""
    if has_request_context():
        lang = session.get("lang")
        if lang in ("id", "en"):
            return lang
    return "id"


@functools.cache
def _number_pattern(places: int):
    return parse_pattern("#,##0" + ("." + "0" * places if places else ""))


def translated(text):
    """Stored text in the reader's language when it is a known source string
    (see :mod:`portal.core.util.i18n`), else unchanged. Unlike ``_()`` in a
    template, the result is escaped like any other value, so stored text
    typed by a person stays safe."""
    from flask_babel import gettext

    return gettext(str(text)) if text else text


def format_number(value, places: int = 2) -> str:
    """A number in the locale's format with fixed decimals (88,31 in Indonesian)."""
    return _number_pattern(places).apply(round(value, places), get_locale())


#: No inline script anywhere (and no script from elsewhere); styles from the
#: portal's own files; forms post only to the portal; no framing.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


_SECURITY_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    # Ticket and registration codes travel in URLs: never hand them to other sites.
    ("Referrer-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(self), geolocation=(self), microphone=()"),
)
_HSTS = (("Strict-Transport-Security", "max-age=31536000"),)


def security_headers(app) -> tuple[tuple[str, str], ...]:
    """The headers every answer carries unless its view set them itself."""
    return _SECURITY_HEADERS + _HSTS if app.config.get("SESSION_COOKIE_SECURE") else _SECURITY_HEADERS


def _security_headers(response):
    """Add the headers a view did not set itself (one pass over the headers:
    this runs on every answer)."""
    headers = response.headers
    wanted = security_headers(current_app)
    present = {name.lower() for name in headers.keys()}
    headers.extend([(name, value) for name, value in wanted if name.lower() not in present])
    return response


def _template_globals():
    """The layout's navigation, account links and language: worked out once
    per request (a page made of several rendered panels renders templates
    several times) for the agency and user of the request."""
    if g.get("portal_offline"):  # the database is unreachable: render without it
        return {"current_agency": None, "nav_items": [], "account_links": [], "locale": str(get_locale())}
    agency = getattr(g, "agency", None)
    key = (getattr(agency, "id", None), current_user.get_id())
    memo = g.get("_portal_template_globals")
    if memo is not None and memo[0] == key:
        return memo[1]
    nav = []
    if agency is not None:
        nav = plugins.collect("portal_nav_items", agency=agency, user=current_user)
    links = []
    if current_user.is_authenticated:
        for found in plugins.manager().hook.portal_account_links(user=current_user):
            links.extend(found or [])
    values = {
        "current_agency": agency,
        "nav_items": nav,
        "account_links": sorted(links),
        "locale": str(get_locale()),
    }
    g._portal_template_globals = (key, values)
    return values
