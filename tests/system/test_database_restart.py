"""PostgreSQL restarted under load: requests during the outage get a clear
503 page, the portal recovers by itself afterwards (connections are checked
before use), and nothing acknowledged is lost."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, text

from portal.testing import REQUIRE_PG
from tests.system.conftest import free_port, release_database, stored_nonces, survey_desk
from tests.system.test_faults import Load, _assert_whole


class PrivateCluster:
    """A PostgreSQL server of our own, so that stopping it disturbs nothing
    else on the machine (run as the ``postgres`` user when we are root)."""

    def __init__(self):
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
        if not found:
            reason = "PostgreSQL server binaries (pg_ctl) not found"
            if REQUIRE_PG:
                pytest.fail(reason + " (PORTAL_TEST_REQUIRE_POSTGRES=1)")
            pytest.skip(reason)
        self.bin = Path(found[-1]).parent
        self.dir = Path(tempfile.mkdtemp(prefix="portal-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        self.start()
        admin = create_engine(
            f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres", isolation_level="AUTOCOMMIT"
        )
        with admin.connect() as conn:
            conn.execute(text("CREATE DATABASE portal"))
        admin.dispose()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/portal"

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self.bin / tool), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, cwd=self.dir)

    def start(self) -> None:
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.dir / "server.log"),
            "-w",
            "-o",
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=on",
            "start",
        )

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        try:
            self.stop()
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def cluster():
    server = PrivateCluster()
    yield server
    server.remove()


@pytest.fixture
def database_url(cluster):
    """This module's tests run on the private server only."""
    return cluster.url


def test_postgresql_restart_gives_503_then_recovers(app, world, serve, database_url, cluster):
    token = survey_desk(app, world)
    release_database(app)
    portal = serve(database_url, workers=2, SURVEI_DEVICE_WINDOW_MINUTES=0)
    load = Load(portal.url, token, threads=6)
    time.sleep(1.5)
    cluster.stop()
    down_at = time.monotonic()
    time.sleep(1.0)
    health = requests.get(portal.url + "/healthz", timeout=10)
    assert health.status_code == 503
    time.sleep(1.5)
    cluster.start()
    up_at = time.monotonic()
    recovered_at = None
    while time.monotonic() < up_at + 30:  # by itself: nobody restarts the portal
        if requests.get(portal.url + "/healthz", timeout=10).status_code == 200:
            recovered_at = time.monotonic()
            break
        time.sleep(0.2)
    assert recovered_at is not None, portal.log()[-3000:]
    time.sleep(3)
    outcomes = load.stop()
    started = load.started

    log = portal.log()
    during = [o for o in outcomes if down_at + 0.5 < o[0] < up_at]
    after = [o for o, began in zip(outcomes, started, strict=True) if began > recovered_at + 0.5]
    assert any(status == 503 for _t, status, _n, _p in during), (during[:3], log[-3000:])
    for _t, status, _n, page in during:
        # Nothing else: no 500, no hang, no dropped connection.
        assert status in (503, 302), (status, page[:500], log[-3000:])
        if status == 503:
            assert "Layanan sedang tidak tersedia" in page
    assert after and all(status == 302 for _t, status, _n, _p in after), (after[:5], log[-3000:])
    assert "Traceback" not in log, log[max(log.find("Traceback") - 300, 0) : log.find("Traceback") + 6000]
    acknowledged = stored_nonces(app, [n for _t, s, n, _p in outcomes if s == 302], world["alpha"]["desk"])
    assert _assert_whole(app, acknowledged) >= len(acknowledged) > 0
