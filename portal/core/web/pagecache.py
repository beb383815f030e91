"""Short-lived per-worker caches for the busiest public pages.

A QR survey page or a ticket's tracking page is read far more often than
what it shows changes. A plugin may keep what it built for such a page (the
rendered HTML, a desk's roster) in a :class:`LocalCache` for a few seconds,
so that a request costs one small query instead of several plus a template.

The rules that keep this honest:

- Only what *every* visitor of the page would see is cached; the view still
  checks per request what must be exact (that the QR token or ticket exists,
  that the module is on for the agency, the ticket's version).
- Entries live at most ``PORTAL_PAGE_CACHE_SECONDS`` (default 5; 0 turns
  caching off). Another worker's edit is therefore seen within that time.
- A commit in this worker that changes a *watched* model (see
  :meth:`LocalCache.watch`) empties the cache at once, so staff who edit a
  desk see the change on their next request.
- Pages are cached for anonymous visitors without flashed messages only;
  a signed-in user always gets a fresh render.

Each app has its own caches (``app.extensions``), never a module global.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

from flask import current_app, has_app_context, request, session
from sqlalchemy import event, exc
from sqlalchemy.orm import Session

from portal.extensions import db

EXTENSION_KEY = "portal_page_caches"
DEFAULT_SECONDS = 5
MAX_ENTRIES = 2048


class LocalCache:
    """A bounded mapping whose entries expire ``seconds`` after they were put."""

    def __init__(self, seconds: float, max_entries: int = MAX_ENTRIES):
        self.seconds = seconds
        self.max_entries = max_entries
        self.watched: tuple[type, ...] = ()
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()  # threaded servers (flask run) share a worker's cache

    def get(self, key):
        item = self._items.get(key)
        if item is None:
            return None
        expires, value = item
        if expires < time.monotonic():
            with self._lock:
                self._items.pop(key, None)
            return None
        return value

    def put(self, key, value) -> None:
        if self.seconds <= 0:
            return
        with self._lock:
            self._items[key] = (time.monotonic() + self.seconds, value)
            self._items.move_to_end(key)
            while len(self._items) > self.max_entries:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def watch(self, *models: type) -> LocalCache:
        """Empty this cache whenever this worker commits a change to one of
        ``models`` (instances added, changed or deleted through the session)."""
        self.watched = tuple(set(self.watched) | set(models))
        return self

    def __len__(self) -> int:
        return len(self._items)


def cache(name: str, app=None) -> LocalCache:
    """The app's cache called ``name`` (created on first use)."""
    app = app or current_app
    caches = app.extensions.setdefault(EXTENSION_KEY, {})
    found = caches.get(name)
    if found is None:
        from portal.core.models import AgencyPlugin

        seconds = float(app.config.get("PORTAL_PAGE_CACHE_SECONDS", DEFAULT_SECONDS))
        # Every cached page depends on its module being on.
        found = caches[name] = LocalCache(seconds).watch(AgencyPlugin)
    return found


def module_on(name: str):
    """A column for the one exact query of a cached page: whether plugin
    ``name`` is on for the ``Agency`` of the row (true, or false/None).
    Select it beside the columns of a query that joins ``Agency``."""
    from sqlalchemy import select

    from portal.core.models import Agency, AgencyPlugin

    return (
        select(AgencyPlugin.enabled)
        .where(AgencyPlugin.agency_id == Agency.id, AgencyPlugin.plugin == name)
        .correlate(Agency)
        .scalar_subquery()
        .label(f"{name}_on")
    )


def language() -> str:
    """The visitor's language, part of every cached page's key (the same
    choice Flask-Babel makes, without its per-request machinery)."""
    from portal.core.web.wiring import select_locale

    return select_locale()


def anonymous_visit() -> bool:
    """Whether the request may be answered from a page cache: nobody is
    signed in (or remembered) and no message waits to be shown."""
    if request.cookies.get(current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")):
        return False
    return "_user_id" not in session and "_flashes" not in session


# ---------------------------------------------------------------- the one query


def first_row(statement, **params) -> tuple | None:
    """The first row of ``statement`` as the database driver returns it.

    For a single read that needs no transaction — the one exact check a
    cached page makes on every request, a count read after a commit: the
    statement is compiled once per database kind and runs on a pooled
    connection outside any transaction, without the ORM or SQLAlchemy's
    result processing, so values come back as the driver gives them
    (SQLite: text for dates, 0/1 for booleans). Compare them only with what
    this function returned. Parameters are converted as SQLAlchemy converts
    them for the database (dates as SQLite stores them); an ``IN`` list must
    be written out as ``OR``-ed comparisons."""
    engine = db.engine
    compiled, processors = _compiled(statement, engine.dialect)
    values = compiled.construct_params(params)
    for name, process in processors:
        values[name] = process(values[name])
    if compiled.positional:
        values = tuple(values[name] for name in compiled.positiontup)
    dbapi_error = engine.dialect.loaded_dbapi.Error
    try:
        connection = engine.raw_connection()
    except dbapi_error as error:  # the database is unreachable: 503, as anywhere else
        raise exc.DBAPIError.instance(None, None, error, dbapi_error, dialect=engine.dialect) from error
    driver = connection.driver_connection
    # One statement needs no transaction: in autocommit (PostgreSQL) there is
    # none to roll back when the connection goes back to the pool, which
    # saves a round trip. SQLite's connections are in autocommit already.
    manual = getattr(driver, "autocommit", None) is False
    lost = False
    try:
        if manual:
            driver.autocommit = True
        cursor = connection.cursor()
        try:
            cursor.execute(compiled.string, values)
            return cursor.fetchone()
        finally:
            cursor.close()
    except dbapi_error as error:
        # As SQLAlchemy does on a lost connection: this one and every other
        # pooled one is dropped (the server went away for all of them), and
        # the page answers 503 (portal.core.web.errors); the next request
        # connects afresh.
        lost = engine.dialect.is_disconnect(error, driver, None)
        if lost:
            connection.invalidate(error)
            engine.dispose()
        raise exc.DBAPIError.instance(
            compiled.string, values, error, dbapi_error, connection_invalidated=lost, dialect=engine.dialect
        ) from error
    finally:
        if manual and not lost:
            try:
                driver.autocommit = False
            except Exception:  # noqa: BLE001 - a broken connection: never reuse it
                connection.invalidate()
        connection.close()  # back to the pool


_COMPILED: dict = {}


def _compiled(statement, dialect):
    """(compiled statement, ((parameter, converter), …)) of ``statement``."""
    key = (id(statement), dialect.name)
    found = _COMPILED.get(key)
    if found is None or found[0] is not statement:
        compiled = statement.compile(dialect=dialect)
        processors = []
        for bind, name in compiled.bind_names.items():
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                processors.append((name, process))
        found = _COMPILED[key] = (statement, compiled, tuple(processors))
    return found[1], found[2]


# ---------------------------------------------------------------- invalidation

_PENDING = "portal_page_cache_clear"


@event.listens_for(Session, "before_flush")
def _note_changes(db_session, _context, _instances):
    if not has_app_context():
        return
    caches = current_app.extensions.get(EXTENSION_KEY)
    if not caches:
        return
    changed = {type(obj) for obj in (*db_session.new, *db_session.dirty, *db_session.deleted)}
    hit = db_session.info.setdefault(_PENDING, set())
    for name, found in caches.items():
        if found.watched and any(issubclass(kind, found.watched) for kind in changed):
            hit.add(name)


@event.listens_for(Session, "after_commit")
def _clear_after_commit(db_session):
    names = db_session.info.pop(_PENDING, None)
    if not names or not has_app_context():
        return
    caches = current_app.extensions.get(EXTENSION_KEY, {})
    for name in names:
        if name in caches:
            caches[name].clear()


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(db_session):
    db_session.info.pop(_PENDING, None)
