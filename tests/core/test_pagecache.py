"""The per-worker page cache itself: expiry, bounds, switching off, and
emptying on a commit that touches a watched model."""

from __future__ import annotations

import time

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
