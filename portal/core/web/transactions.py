"""Holding SQLite's write lock no longer than needed.

On SQLite every write request starts its transaction with ``BEGIN IMMEDIATE``,
taking the database's single write lock at its first query and keeping it
until the commit — safe, but the whole request then runs one at a time. A
hot write path that first does a lot of reading can instead call
:func:`read_first` at its start and :func:`begin_write` just before it
writes: the reads run in an ordinary transaction beside other requests, and
only the writing part takes the lock. On PostgreSQL both are harmless no-ops
apart from ending the read transaction.
"""

from __future__ import annotations

from flask import g

from portal.extensions import db


def read_first() -> None:
    """This request reads before it writes: start without the write lock."""
    g._portal_read_first = True


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
