"""The portal as it runs in production: gunicorn processes (sync workers)
serving the test database, driven over HTTP by many client threads.

``serve(database_url, **settings)`` starts one instance and returns a
:class:`Served`; every instance started in a test is stopped at its end.
Each test sets up its data through the ordinary ``app`` fixture first, so
the served processes see the same database on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from portal.testing import PASSWORD, TEST_SECRET

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CSRF_RE = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
NONCE_RE = re.compile(r'name="nonce" value="([^"]+)"')

#: Settings every served instance gets: fast password hashing and limits
#: high enough that one test machine (one client address) is not throttled,
#: unless a test asks for a limit on purpose.
BASE_SETTINGS = {
    "PORTAL_PASSWORD_HASH": "pbkdf2:sha256:1000",
    "SURVEI_RATE_LIMIT": "100000 per minute",
    "PENGADUAN_RATE_LIMIT": "100000 per minute",
    "DIALOG_RATE_LIMIT": "100000 per minute",
    "PORTAL_LOGIN_RATE_LIMIT": "100000 per minute",
    "PORTAL_MAIL_BACKEND": "memory",
    # Load from one machine is one address and a desk far beyond any real
    # counter's pace: plausibility would (rightly) hold it all for review.
    "SURVEI_ADDRESS_BURST": 1_000_000,
    "SURVEI_PER_OFFICER_HOUR": 1_000_000,
    "SURVEI_HISTORY_MIN_PER_HOUR": 1_000_000,
    "SURVEI_PATTERN_REPEAT": 1_000_000,
    "DIALOG_CODE_RATE_LIMIT": "100000 per minute",
    "PENGADUAN_LOOKUP_LIMIT": "100000 per minute",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Served:
    """One gunicorn instance of the portal."""

    def __init__(self, workdir: Path, database_url: str, workers: int, settings: dict, redis_url: str | None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = workdir / f"portal-{self.port}.cfg"
        config.write_text("".join(f"{key} = {value!r}\n" for key, value in settings.items()))
        self.log_path = workdir / f"gunicorn-{self.port}.log"
        env = {
            **os.environ,
            "PORTAL_DATABASE_URL": database_url,
            "PORTAL_SECRET_KEY": TEST_SECRET,
            "PORTAL_SECURE_COOKIES": "0",
            "PORTAL_CONFIG": str(config),
            "PORTAL_UPLOAD_DIR": str(workdir / "uploads"),
        }
        env.pop("PORTAL_REDIS_URL", None)
        if redis_url:
            env["PORTAL_REDIS_URL"] = redis_url
        self._log = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "--workers",
                str(workers),
                "--worker-class",
                "sync",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--timeout",
                "60",
                "--graceful-timeout",
                "5",
                "portal:create_app()",
            ],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.wait_ready()

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.log()}")
            try:
                if requests.get(self.url + "/healthz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.url} did not answer: {self.log()}")

    def workers(self) -> list[int]:
        out = subprocess.run(["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True)
        return [int(pid) for pid in out.stdout.split()]

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=20)
        self._log.close()


@pytest.fixture
def serve(tmp_path):
    started: list[Served] = []

    def start(database_url: str, *, workers: int = 3, redis_url: str | None = None, **settings):
        served = Served(tmp_path, database_url, workers, {**BASE_SETTINGS, **settings}, redis_url)
        started.append(served)
        return served

    yield start
    for served in started:
        served.stop()


# ---------------------------------------------------------------- data


def survey_desk(app, world) -> str:
    """Alpha's desk with its officer on duty all week; returns the QR token."""
    from plugins.survei.models import SurveiRoster
    from portal.core.models import Desk
    from portal.extensions import db

    with app.app_context():
        desk = db.session.get(Desk, world["alpha"]["desk"])
        db.session.add_all(
            SurveiRoster(
                desk_id=desk.id,
                officer_id=world["alpha"]["staff"],
                weekday=d,
                start=dt.time(0, 0),
                end=dt.time(23, 59, 59),
            )
            for d in range(7)
        )
        db.session.commit()
        return desk.qr_token


def complaint_category(app, world, fields_json: str = "[]") -> int:
    from plugins.pengaduan.models import PengaduanCategory
    from portal.extensions import db

    with app.app_context():
        category = PengaduanCategory(
            agency_id=world["alpha"]["agency"],
            code="pelayanan",
            name="Pelayanan",
            active=True,
            fields_json=fields_json,
        )
        db.session.add(category)
        db.session.commit()
        return category.id


def forum_event(
    app, world, capacity: int, waitlist: bool = True, starts_in=dt.timedelta(days=3), **fields
) -> int:
    """A published forum of alpha; ``panelists`` (officer ids) and other
    columns may be given."""
    from plugins.dialog_publik.models import DialogEvent, DialogPanelist
    from portal.core.util.timeutil import utcnow
    from portal.extensions import db

    panel = [DialogPanelist(officer_id=officer) for officer in fields.pop("panelists", [])]
    with app.app_context():
        start = utcnow() + starts_in
        columns = {
            "title": "Forum Konsultasi Publik",
            "topic": "KTP",
            "description": "Tanya jawab layanan.",
            "mode": "tatap_muka",
            "venue": "Aula",
            "status": "terbit",
            **fields,
        }
        event = DialogEvent(
            agency_id=world["alpha"]["agency"],
            starts_at=start,
            ends_at=start + dt.timedelta(hours=2),
            capacity=capacity,
            waitlist=waitlist,
            panelists=panel,
            **columns,
        )
        db.session.add(event)
        db.session.commit()
        return event.id


def release_database(app) -> None:
    """Close the test process's own connections before servers take over."""
    from portal.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


# ---------------------------------------------------------------- clients


def form_fields(session: requests.Session, url: str) -> dict:
    page = session.get(url, timeout=60)
    assert page.status_code == 200, (url, page.status_code, page.text[:300])
    csrf = CSRF_RE.search(page.text)  # the QR survey's nonce stands in for it
    fields = {"csrf_token": csrf.group(1)} if csrf else {}
    nonce = NONCE_RE.search(page.text)
    if nonce:
        fields["nonce"] = nonce.group(1)
    return fields


def _go():
    return None


def submit_survey(base: str, token: str, face: int = 4, go=_go) -> tuple[requests.Response, str]:
    """A citizen opens the desk's survey and taps a face (after ``go()``).
    Returns the answer to the POST and the nonce it carried."""
    session = requests.Session()
    fields = form_fields(session, f"{base}/s/{token}")
    go()
    answer = session.post(
        f"{base}/s/{token}", data={**fields, "face": str(face)}, timeout=60, allow_redirects=False
    )
    return answer, fields["nonce"]


def stored_nonces(app, signed: list[str], desk_id: int) -> set[str]:
    """The nonces as stored with responses, from the signed ones in forms."""
    from plugins.survei.service import open_nonce

    with app.app_context():
        return {open_nonce(value, desk_id) for value in signed}


def register(base: str, event_id: int, name: str, contact: str, go=_go) -> requests.Response:
    session = requests.Session()
    fields = form_fields(session, f"{base}/alpha/dialog/{event_id}")
    go()
    return session.post(
        f"{base}/alpha/dialog/{event_id}",
        data={**fields, "name": name, "contact": contact},
        timeout=60,
        allow_redirects=False,
    )


def file_complaint(base: str, category_id: int, title: str, go=_go) -> requests.Response:
    session = requests.Session()
    fields = form_fields(session, f"{base}/alpha/pengaduan/baru")
    go()
    data = {
        **fields,
        "category_id": str(category_id),
        "unit_id": "0",
        "title": title,
        "description": "Loket tutup lebih awal dan antrean tidak dilayani sama sekali.",
        "name": "Warga Uji",
        "phone": "0812 3456 7890",
        "email": "",
        "address": "",
    }
    return session.post(
        f"{base}/alpha/pengaduan/baru", data=data, files={"x": ("", b"")}, timeout=60, allow_redirects=False
    )


def login(base: str, email: str, password: str = PASSWORD) -> requests.Response:
    session = requests.Session()
    fields = form_fields(session, f"{base}/masuk")
    return session.post(
        f"{base}/masuk",
        data={**fields, "email": email, "password": password},
        timeout=60,
        allow_redirects=False,
    )


def together(count: int, job) -> list:
    """Run ``job(i, go)`` for i in range(count) on ``count`` threads; each
    calls ``go()`` just before its decisive request, and ``go`` lets all of
    them through at the same moment. Returns the results in order (an
    exception is returned in place of its result)."""
    barrier = threading.Barrier(count)

    def go():
        barrier.wait(timeout=180)

    def run(i):
        try:
            return job(i, go)
        except BaseException as error:  # noqa: BLE001 - reported by the caller
            return error

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))
