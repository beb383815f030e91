"""A worker killed mid-request under load: whatever the portal acknowledged
to a citizen is stored, whole, and the master replaces the worker. Both
databases. (The database restart is in test_database_restart.py.)"""

from __future__ import annotations

import os
import random
import signal
import threading
import time

import requests
from sqlalchemy import func, select

from plugins.survei.models import SurveiResponse
from portal.core.models import RatingEvent, RatingRollup
from portal.extensions import db
from tests.system.conftest import NONCE_RE, release_database, stored_nonces, survey_desk


class Load:
    """Citizens submitting surveys in a loop on ``threads`` threads; keeps
    every outcome as (finished at, status or exception name, signed nonce,
    page text); ``started`` holds when each began, in the same order."""

    def __init__(self, base: str, token: str, threads: int):
        self.base, self.token = base, token
        self.outcomes: list[tuple] = []
        self.started: list[float] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._run, daemon=True) for _ in range(threads)]
        for thread in self._threads:
            thread.start()

    def _once(self) -> tuple:
        session = requests.Session()
        url = f"{self.base}/s/{self.token}"
        try:
            page = session.get(url, timeout=30)
            if page.status_code != 200:
                return page.status_code, None, page.text
            fields = {
                "nonce": NONCE_RE.search(page.text).group(1),
                "face": "4",
            }
            answer = session.post(url, data=fields, timeout=30, allow_redirects=False)
            return answer.status_code, fields["nonce"], answer.text
        except requests.RequestException as error:
            return type(error).__name__, None, ""

    def _run(self) -> None:
        while not self._stop.is_set():
            began = time.monotonic()
            outcome = self._once()
            with self._lock:
                self.started.append(began)
                self.outcomes.append((time.monotonic(), *outcome))

    def stop(self) -> list[tuple]:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)
        return self.outcomes


def _assert_whole(app, acknowledged: set[str]) -> int:
    """Every acknowledged response is stored, and each stored response has
    exactly its one rating event and rollup count (no half-written request)."""
    with app.app_context():
        stored = set(db.session.scalars(select(SurveiResponse.nonce)))
        assert acknowledged <= stored, f"{len(acknowledged - stored)} acknowledged responses lost"
        events = db.session.scalar(select(func.count(RatingEvent.id)))
        rolled = db.session.scalar(select(func.sum(RatingRollup.count))) or 0
        assert len(stored) == events == rolled
        return len(stored)


def test_a_worker_killed_mid_load_loses_no_acknowledged_write(app, world, serve, database_url):
    token = survey_desk(app, world)
    release_database(app)
    portal = serve(database_url, workers=3, SURVEI_DEVICE_WINDOW_MINUTES=0)
    load = Load(portal.url, token, threads=12)
    killed = []
    for _ in range(3):
        time.sleep(1.5)
        victim = random.choice(portal.workers())
        os.kill(victim, signal.SIGKILL)
        killed.append(victim)
    time.sleep(2.5)
    outcomes = load.stop()

    statuses = [status for _t, status, _n, _p in outcomes]
    assert not [s for s in statuses if isinstance(s, int) and s >= 500], statuses
    assert statuses.count(302) > 20, statuses  # the load went on around the kills
    assert not set(killed) & set(portal.workers())  # the victims were replaced
    acknowledged = stored_nonces(app, [n for _t, s, n, _p in outcomes if s == 302], world["alpha"]["desk"])
    assert _assert_whole(app, acknowledged) >= len(acknowledged)
