"""Holding SQLite's write lock no longer than needed.

On SQLite every write request starts its transaction with ``BEGIN IMMEDIATE``,
taking the database's single write lock at its first query and keeping it
until the commit — safe, but the whole request then runs one at a time. A
hot write path that first does a lot of reading calls :func:`read_first` at
its start (or is decorated with :func:`reads_first`): its reads run in an
ordinary transaction beside other requests, and the write lock is taken by
itself at the request's first write (the first flush, or the first
``INSERT``/``UPDATE``/``DELETE`` statement sent through the session or
through :func:`portal.core.util.rows.execute_direct`), so the code that
writes needs to know nothing of it. On PostgreSQL this changes nothing.

:func:`begin_write` takes the lock explicitly, for a writer that wants it
before some reads it makes just before writing.
"""

from __future__ import annotations

from functools import wraps

from flask import g, has_request_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from portal.extensions import db


def read_first() -> None:
    """This request reads before it writes: start without the write lock
    (taken at the first write)."""
    g._portal_read_first = True


def reads_first(view):
    """Decorator form of :func:`read_first` for a whole view."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        read_first()
        return view(*args, **kwargs)

    return wrapper


def begin_write() -> None:
    """End the read transaction; the next query starts one that holds the
    write lock. Nothing may be pending in the session (it would be lost)."""
    session = db.session()
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("begin_write() with unsaved changes in the session")
    # Nothing was written, so ending the read transaction keeps what was
    # read: the objects stay loaded instead of being read again under the lock.
    expire, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire
    g._portal_read_first = False


@event.listens_for(Session, "before_flush")
def take_write_lock_at_first_flush(session, _flush_context, _instances) -> None:
    """``before_flush``: in a request that read first on SQLite, end the read
    transaction on the driver and start one holding the write lock, just
    before the first write. What was read stays loaded; the transaction that
    writes sees the database as it is now, as after :func:`begin_write`."""
    take_write_lock(session)


@event.listens_for(Session, "do_orm_execute")
def take_write_lock_at_first_statement(orm_execute_state) -> None:
    """The same for a write sent as a statement (``INSERT``, ``UPDATE``,
    ``DELETE`` through ``session.execute``) rather than by a flush."""
    if orm_execute_state.is_insert or orm_execute_state.is_update or orm_execute_state.is_delete:
        take_write_lock(orm_execute_state.session)


def take_write_lock(session) -> None:
    """Before a write in a request that read first on SQLite: end the read
    transaction on the driver and start one holding the write lock (once
    per request; nothing to do elsewhere)."""
    if not (has_request_context() and g.get("_portal_read_first")):
        return
    g._portal_read_first = False
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return
    driver = connection.connection.driver_connection
    if driver.in_transaction:
        driver.execute("COMMIT")
    driver.execute("BEGIN IMMEDIATE")
