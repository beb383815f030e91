"""A request that reads first takes SQLite's write lock by itself at its
first write, so a plugin's hot write path needs no lock handling of its own."""

from __future__ import annotations

import pytest

from portal.core.models import Agency, Unit
from portal.core.web.transactions import read_first
from portal.extensions import db
from portal.plugin import execute_direct
from portal.testing import other_writer_blocked


def test_reads_run_without_the_lock_and_the_first_write_takes_it(app, world):
    sqlite = app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")
    with app.test_request_context("/", method="POST"):
        read_first()
        agency = db.session.get(Agency, world["alpha"]["agency"])  # reading: no lock
        if sqlite:
            assert not other_writer_blocked(app)
        db.session.add(Unit(agency=agency, name="Unit baru"))
        db.session.flush()  # the first write: the lock is this request's now
        if sqlite:
            assert other_writer_blocked(app)
        db.session.commit()
        if sqlite:
            assert not other_writer_blocked(app)
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


def test_a_direct_statement_is_part_of_the_session_and_takes_the_lock_when_it_writes(app, world):
    """``execute_direct``: the busiest writes' statements, without the ORM's
    execution layer, still behave as ``db.session.execute``: they see what
    the session holds unsaved, write in its transaction (a rollback undoes
    them) and, after ``read_first``, a write takes SQLite's write lock."""
    sqlite = app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")
    agency_id = world["alpha"]["agency"]
    count = db.select(db.func.count(Unit.id)).where(Unit.agency_id == agency_id)
    with app.test_request_context("/", method="POST"):
        before = db.session.scalar(count)
        db.session.rollback()
        read_first()
        db.session.add(Unit(agency_id=agency_id, name="Belum tersimpan"))
        assert execute_direct(count).scalar() == before + 1  # flushed first, as session.execute does
        db.session.rollback()
        assert db.session.scalar(count) == before  # it was the session's transaction
    with app.test_request_context("/", method="POST"):
        read_first()
        assert execute_direct(count).scalar() == before  # a read: no lock
        if sqlite:
            assert not other_writer_blocked(app)
        inserted = execute_direct(db.insert(Unit.__table__), {"agency_id": agency_id, "name": "Langsung"})
        assert inserted.inserted_primary_key[0] is not None
        if sqlite:
            assert other_writer_blocked(app)  # the write took the lock
        db.session.commit()
        if sqlite:
            assert not other_writer_blocked(app)
    with app.app_context():
        names = set(db.session.scalars(db.select(Unit.name).filter_by(agency_id=agency_id)))
        assert "Langsung" in names and "Belum tersimpan" not in names


def test_a_direct_write_after_another_requests_commit_loses_nothing(app, world):
    """As for a flush: the reading transaction's snapshot is older than
    another request's commit, and the direct write starts afresh with the
    lock instead of upgrading that snapshot (which SQLite refuses)."""
    agency_id = world["alpha"]["agency"]
    with app.test_request_context("/", method="POST"):
        read_first()
        execute_direct(db.select(Unit.id)).all()  # the read transaction has its snapshot
        with app.app_context():
            other = db.engine.connect()
            other.exec_driver_sql(
                f"INSERT INTO unit (agency_id, name, address) VALUES ({agency_id}, 'Lain', '')"
            )
            other.commit()
            other.close()
        execute_direct(db.insert(Unit.__table__), {"agency_id": agency_id, "name": "Milik permintaan ini"})
        db.session.commit()
    with app.app_context():
        names = set(db.session.scalars(db.select(Unit.name)))
        assert {"Lain", "Milik permintaan ini"} <= names


def test_a_direct_statement_keeps_the_sessions_rules(app, world):
    """No flush where the session would not flush (``no_autoflush``), and a
    write written with the model itself — which needs the ORM's own steps
    (a bulk update by primary key would otherwise lose its WHERE) — is
    refused rather than run without them."""
    agency_id = world["alpha"]["agency"]
    count = db.select(db.func.count(Unit.id)).where(Unit.agency_id == agency_id)
    with app.test_request_context("/", method="POST"):
        before = db.session.scalar(count)
        with db.session.no_autoflush:
            db.session.add(Unit(agency_id=agency_id, name="Belum tersimpan"))
            assert execute_direct(count).scalar() == before
        db.session.rollback()
        with pytest.raises(ValueError, match="__table__"):
            execute_direct(db.update(Unit).where(Unit.agency_id == agency_id).values(name="Baru"))
        with pytest.raises(ValueError, match="__table__"):
            execute_direct(db.update(Unit), [{"id": 1, "name": "Baru"}])
        db.session.rollback()
        assert "Baru" not in set(db.session.scalars(db.select(Unit.name)))
