"""The per-worker page cache itself: expiry, bounds, switching off, and
emptying on a commit that touches a watched model."""

from __future__ import annotations

import time

import pytest

from portal.core.models import Agency, Unit
from portal.core.web import pagecache
from portal.extensions import db


def test_entries_expire_and_the_oldest_go_first():
    cache = pagecache.LocalCache(seconds=0.2, max_entries=3)
    for n in range(5):
        cache.put(n, f"page {n}")
    assert len(cache) == 3 and cache.get(0) is None and cache.get(4) == "page 4"
    time.sleep(0.25)
    assert cache.get(4) is None


def test_zero_seconds_keeps_nothing():
    cache = pagecache.LocalCache(seconds=0)
    cache.put("a", "page")
    assert cache.get("a") is None


def test_a_commit_touching_a_watched_model_empties_only_that_cache(app, world):
    with app.app_context():
        agencies = pagecache.cache("test.agencies").watch(Agency)
        units = pagecache.cache("test.units").watch(Unit)
        agencies.put("k", "v")
        units.put("k", "v")
        db.session.get(Agency, world["alpha"]["agency"]).name = "Dinas Baru"
        db.session.commit()
        assert agencies.get("k") is None and units.get("k") == "v"
        agencies.put("k", "v")
        db.session.get(Unit, world["alpha"]["unit"]).name = "Unit Baru"
        db.session.rollback()  # nothing committed: nothing emptied
        assert units.get("k") == "v" and agencies.get("k") == "v"


def test_each_app_has_its_own_caches(app, app_factory):
    other = app_factory()
    assert pagecache.cache("survei.pages", app) is not pagecache.cache("survei.pages", other)


def test_first_row_compares_dates_as_the_database_stores_them(app, world):
    """A date parameter is converted as SQLAlchemy converts it: on SQLite a
    stored 05:00:00 equals a parameter of 05:00:00 (the driver's own
    conversion would drop the microseconds and the comparison would fail)."""
    import datetime as dt

    at = dt.datetime(2026, 1, 1, 5, 0, 0)
    with app.app_context():
        db.session.get(Agency, world["alpha"]["agency"]).created_at = at
        db.session.commit()
        same = db.select(db.func.count(Agency.id)).where(Agency.created_at == db.bindparam("at"))
        up_to = db.select(db.func.count(Agency.id)).where(Agency.created_at <= db.bindparam("at"))
        after = db.select(db.func.count(Agency.id)).where(Agency.created_at > db.bindparam("at"))
        for statement in (same, up_to, after):
            assert pagecache.first_row(statement, at=at)[0] == db.session.scalar(statement, {"at": at})
        assert pagecache.first_row(same, at=at)[0] == 1


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_lost_connection_drops_the_whole_pool(app_factory, world):
    """PostgreSQL restarted while every pooled connection had just been
    used: the first cached-page query to find its connection dead answers
    503 and drops the other pooled connections with it, so the next request
    connects afresh instead of failing once per stale connection."""
    from sqlalchemy import create_engine, text

    app = app_factory(PORTAL_DB_PING_IDLE_SECONDS=3600)
    with app.app_context():
        engine = db.engine
        held = [engine.raw_connection() for _ in range(4)]
        backends = [c.driver_connection.info.backend_pid for c in held]
        for connection in held:
            connection.close()
        other = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
        with other.connect() as conn:
            for pid in backends:
                conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        other.dispose()
        statement = db.select(Agency.id).where(Agency.slug == db.bindparam("slug"))
        with pytest.raises(Exception) as lost:
            pagecache.first_row(statement, slug="alpha")
        assert getattr(lost.value, "connection_invalidated", False)
        for _ in range(3):  # every later query connects afresh
            assert pagecache.first_row(statement, slug="alpha")[0] == world["alpha"]["agency"]
