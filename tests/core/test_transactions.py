"""A request that reads first takes SQLite's write lock by itself at its
first write, so a plugin's hot write path needs no lock handling of its own."""

from __future__ import annotations

import sqlite3

from portal.core.models import Agency, Unit
from portal.core.web.transactions import read_first
from portal.extensions import db


def _other_writer_blocked(app) -> bool:
    """Can another connection take the write lock right now?"""
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        other.close()


def test_reads_run_without_the_lock_and_the_first_write_takes_it(app, world):
    sqlite = app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")
    with app.test_request_context("/", method="POST"):
        read_first()
        agency = db.session.get(Agency, world["alpha"]["agency"])  # reading: no lock
        if sqlite:
            assert not _other_writer_blocked(app)
        db.session.add(Unit(agency=agency, name="Unit baru"))
        db.session.flush()  # the first write: the lock is this request's now
        if sqlite:
            assert _other_writer_blocked(app)
        db.session.commit()
        if sqlite:
            assert not _other_writer_blocked(app)
    with app.app_context():
        names = set(db.session.scalars(db.select(Unit.name).filter_by(agency_id=world["alpha"]["agency"])))
        assert "Unit baru" in names


def test_a_write_by_another_request_between_the_reads_and_the_write_loses_nothing(app, world):
    """The reading transaction's snapshot is older than another request's
    commit: upgrading it in place would fail on SQLite (a busy snapshot); the
    write starts afresh instead, and both writes are kept."""
    with app.test_request_context("/", method="POST"):
        read_first()
        agency = db.session.get(Agency, world["alpha"]["agency"])
        db.session.scalars(db.select(Unit)).all()  # the read transaction has its snapshot
        with app.app_context():
            other = db.engine.connect()
            other.exec_driver_sql("INSERT INTO unit (agency_id, name, address) VALUES (1, 'Lain', '')")
            other.commit()
            other.close()
        db.session.add(Unit(agency=agency, name="Milik permintaan ini"))
        db.session.commit()
    with app.app_context():
        names = set(db.session.scalars(db.select(Unit.name)))
        assert {"Lain", "Milik permintaan ini"} <= names
