"""Portal Warga benchmark: the portal against a bare Flask app, same machine,
same run, same gunicorn settings; results as ratios.

    python benchmarks/run.py [--seconds 10] [--rounds 3] [--connections 64] [--db sqlite,postgresql]

Both apps run under gunicorn with sync workers, 2 × cores + 1 of them, no
preload. wrk drives them in alternation (bare, portal, portal, bare, …), each
pair of runs back to back, and the ratio of each pair is taken; the table
shows the median over rounds. Rate limiting is switched off for the portal
here (one client address would otherwise be limited, by design): the figures
are the application's own cost.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PG_ADMIN = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
WORKERS = 2 * (os.cpu_count() or 1) + 1


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout: float = 30) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 - local URL
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


class Gunicorn:
    def __init__(self, app: str, env: dict):
        self.port = free_port()
        self.proc = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "--workers",
                str(WORKERS),
                "--worker-class",
                "sync",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
                app,
            ],
            cwd=ROOT,
            env={**os.environ, **env},
            start_new_session=True,
        )
        self.url = f"http://127.0.0.1:{self.port}"

    def rss_mb(self) -> list[float]:
        children = subprocess.run(
            ["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True
        ).stdout.split()
        sizes = []
        for pid in children:
            status = Path(f"/proc/{pid}/status").read_text()
            sizes.append(int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024)
        return sizes

    def stop(self) -> None:
        os.killpg(self.proc.pid, signal.SIGTERM)
        self.proc.wait(timeout=30)


def wrk(
    url: str,
    seconds: int,
    connections: int,
    *,
    bodies: Path | None = None,
    cookie: str = "",
    header: str = "",
) -> dict:
    threads = 2
    cmd = ["wrk", "--latency", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s"]
    if header:
        cmd += ["-H", header]
    env = dict(os.environ)
    if bodies is not None:
        cmd += ["-s", str(ROOT / "benchmarks" / "post.lua")]
        env.update(BODIES=str(bodies), THREADS=str(threads), COOKIE=cookie)
    out = subprocess.run(cmd + [url], capture_output=True, text=True, env=env, check=True).stdout

    def latency(label):
        m = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    errors = 0
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors += int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors += sum(int(x) for x in m.groups()) if m else 0
    if errors:  # say which kind: client timeouts (2 s) or error statuses
        status = out[out.find("Non-2xx") :].splitlines()[0] if "Non-2xx" in out else ""
        print(f"  {url}: {m.group(0) if m else ''} {status}", file=sys.stderr)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": latency("50"),
        "p99": latency("99"),
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "errors": errors,
    }


def database_urls(kind: str, workdir: Path) -> tuple[str, str, callable]:
    if kind == "sqlite":
        return (
            f"sqlite:///{workdir / 'portal.sqlite3'}",
            f"sqlite:///{workdir / 'bare.sqlite3'}",
            lambda: None,
        )
    from sqlalchemy import create_engine, text

    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    names = [f"bench_{secrets.token_hex(4)}" for _ in range(2)]
    with admin.connect() as conn:
        for name in names:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    base = PG_ADMIN.rsplit("/", 1)[0]

    def drop():
        with admin.connect() as conn:
            for name in names:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    return f"{base}/{names[0]}", f"{base}/{names[1]}", drop


SEED = """
import datetime as dt, json, sys
from portal import create_app
from portal.core.plugin_system import plugins
from portal.core.models import Agency, Desk, Officer, Unit
from portal.extensions import db
from plugins.survei.models import SurveiRoster
from plugins.survei.service import issue_nonce
app = create_app()
with app.app_context():
    a = Agency(slug="bench", name="Dinas Uji Beban"); u = Unit(agency=a, name="Pelayanan")
    d = Desk(unit=u, name="Loket 1")
    o = Officer(agency=a, unit=u, nip="198503122010011004", name="Petugas Uji")
    from portal.core.models import User
    admin = User(email="admin@bench.example", name="Admin Uji", role="admin", agency=a)
    admin.set_password("kata-sandi-uji-beban")
    db.session.add_all([a, u, d, o, admin]); db.session.flush()
    for name in plugins.installed(): plugins.set_enabled(a, name, True)
    for w in range(7):
        db.session.add(SurveiRoster(desk_id=d.id, officer_id=o.id, weekday=w, start=dt.time(0),
                              end=dt.time(23, 59, 59)))
    db.session.commit()
    from plugins.pengaduan.models import PengaduanCategory
    from plugins.pengaduan.service import Filing, file_ticket
    category = PengaduanCategory(agency_id=a.id, code="pelayanan", name="Pelayanan", active=True,
                                 fields_json="[]")
    db.session.add(category); db.session.commit()
    ticket = file_ticket(a, Filing(category=category, title="Uji beban pengaduan",
                                   description="Uraian pengaduan untuk uji beban.", name="Uji",
                                   phone="081234567890"))
    with app.test_request_context():
        nonces = [issue_nonce(d.id) for _ in range(int(sys.argv[1]))]
    print(json.dumps({"token": d.qr_token, "nonces": nonces, "ticket": ticket.code}))
"""


def login_cookie(base: str, email: str, password: str) -> str:
    """The session cookie of a signed-in staff member (for the dashboard)."""
    import http.cookiejar

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/masuk", timeout=10).read().decode()
    csrf = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
    opener.open(
        f"{base}/masuk",
        data=urllib.parse.urlencode({"csrf_token": csrf, "email": email, "password": password}).encode(),
        timeout=10,
    )
    session = next(c for c in jar if c.name == "session")
    dashboard = opener.open(f"{base}/kelola/bench/", timeout=10)
    if not dashboard.geturl().endswith("/kelola/bench/"):  # sent back to /masuk: not signed in
        raise RuntimeError("the benchmark's staff login failed")
    return f"session={session.value}"


def citizen_pages(base: str, token: str, ticket: str) -> dict[str, int]:
    """Gzip weight (level 6) of each citizen page, and of the stylesheet."""
    pages = {
        "survey form (/s/<token>)": f"/s/{token}",
        "thanks page": f"/s/{token}/terima-kasih",
        "complaint form": "/bench/pengaduan/baru",
        "ticket tracking": f"/bench/pengaduan/lacak/{ticket}",
        "agency home": "/bench/",
        "survei index": "/bench/survei/",
        "SKM results": "/bench/survei/hasil",
        "stylesheet": "/static/portal.css",
    }
    out = {}
    for label, path in pages.items():
        body = urllib.request.urlopen(base + path, timeout=10).read()  # noqa: S310 - local URL
        out[label] = len(gzip.compress(body, 6))
    return out


def bench(kind: str, args) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix=f"bench-{kind}-"))
    portal_url, bare_url, drop = database_urls(kind, workdir)
    (workdir / "portal.cfg").write_text("RATELIMIT_ENABLED = False\n")
    secret = secrets.token_hex(32)
    portal_env = {
        "PORTAL_DATABASE_URL": portal_url,
        "PORTAL_SECRET_KEY": secret,
        "PORTAL_CONFIG": str(workdir / "portal.cfg"),
        "PORTAL_SECURE_COOKIES": "0",
    }
    servers = []
    try:
        subprocess.run(
            [str(BIN / "flask"), "--app", "portal", "db", "upgrade"],
            cwd=ROOT,
            check=True,
            env={**os.environ, **portal_env},
            capture_output=True,
        )
        total = args.seconds * args.rounds * 4000 + 20000
        seed = json.loads(
            subprocess.run(
                [str(BIN / "python"), "-c", SEED, str(total)],
                cwd=ROOT,
                check=True,
                env={**os.environ, **portal_env},
                capture_output=True,
                text=True,
            ).stdout
        )
        subprocess.run(
            [str(BIN / "python"), "benchmarks/bare_app.py"],
            cwd=ROOT,
            check=True,
            env={**os.environ, "BARE_DATABASE_URL": bare_url},
        )
        portal = Gunicorn("portal:create_app()", portal_env)
        bare = Gunicorn("benchmarks.bare_app:app", {"BARE_DATABASE_URL": bare_url})
        servers = [portal, bare]
        wait_http(bare.url + "/hello")
        wait_http(portal.url + "/healthz")
        token = seed["token"]

        # A fresh nonce (the form's CSRF token) for each submission; no cookie.
        cookie = ""
        bodies = workdir / "bodies.txt"
        bodies.write_text(
            "\n".join(urllib.parse.urlencode({"nonce": n, "face": 4}) for n in seed["nonces"]) + "\n"
        )
        staff_cookie = login_cookie(portal.url, "admin@bench.example", "kata-sandi-uji-beban")
        bare_bodies = workdir / "bare.txt"
        bare_bodies.write_text("v=4\n" * 1000)

        pairs = {
            "survey page GET ÷ bare hello": (
                lambda: wrk(f"{bare.url}/hello", args.seconds, args.connections),
                lambda: wrk(f"{portal.url}/s/{token}", args.seconds, args.connections),
            ),
            "ticket lookup ÷ bare get": (
                lambda: wrk(f"{bare.url}/get", args.seconds, args.connections),
                lambda: wrk(
                    f"{portal.url}/bench/pengaduan/lacak/{seed['ticket']}", args.seconds, args.connections
                ),
            ),
            "staff dashboard ÷ bare get": (
                lambda: wrk(f"{bare.url}/get", args.seconds, args.connections),
                lambda: wrk(
                    f"{portal.url}/kelola/bench/",
                    args.seconds,
                    args.connections,
                    header=f"Cookie: {staff_cookie}",
                ),
            ),
            "survey submit ÷ bare insert+aggregate": (
                lambda: wrk(f"{bare.url}/insert", args.seconds, args.connections, bodies=bare_bodies),
                lambda: wrk(
                    f"{portal.url}/s/{token}", args.seconds, args.connections, bodies=bodies, cookie=cookie
                ),
            ),
        }
        for _name, (b, p) in pairs.items():  # warm-up
            b(), p()
        runs = {name: [] for name in pairs}
        for r in range(args.rounds):
            for name, (b, p) in pairs.items():
                first, second = (b, p) if r % 2 == 0 else (p, b)
                x, y = first(), second()
                bare_run, portal_run = (x, y) if r % 2 == 0 else (y, x)
                runs[name].append((bare_run, portal_run))
        result = {
            "rss_portal_mb": portal.rss_mb(),
            "rss_bare_mb": bare.rss_mb(),
            "weights": citizen_pages(portal.url, token, seed["ticket"]),
            "pairs": {},
        }
        for name, pairs_run in runs.items():
            result["pairs"][name] = {
                "ratio": statistics.median(p["rps"] / b["rps"] for b, p in pairs_run),
                "portal_rps": statistics.median(p["rps"] for _, p in pairs_run),
                "bare_rps": statistics.median(b["rps"] for b, _ in pairs_run),
                "portal_p50": statistics.median(p["p50"] for _, p in pairs_run),
                "portal_p99": statistics.median(p["p99"] for _, p in pairs_run),
                "bare_p99": statistics.median(b["p99"] for b, _ in pairs_run),
                "errors": sum(p["errors"] + b["errors"] for b, p in pairs_run),
            }
        # Every acknowledged submission is stored exactly once.
        check = subprocess.run(
            [
                str(BIN / "python"),
                "-c",
                (
                    "from portal import create_app; from portal.extensions import db; "
                    "from sqlalchemy import text; app = create_app();\n"
                    "with app.app_context(): print(db.session.execute(text("
                    "'SELECT (SELECT count(*) FROM survei_response), (SELECT sum(count) FROM rating_rollup)'"
                    ")).one())"
                ),
            ],
            cwd=ROOT,
            check=True,
            env={**os.environ, **portal_env},
            capture_output=True,
            text=True,
        ).stdout.strip()
        result["stored_responses_and_rollup_count"] = check
        for server in servers:
            server.stop()
        servers = []
        result["queue"] = subprocess.run(
            [str(BIN / "python"), "benchmarks/staff_queue.py", portal_url],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
            env={**os.environ, **portal_env},
        ).stdout.strip()
        return result
    finally:
        for server in servers:
            server.stop()
        drop()
        shutil.rmtree(workdir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--db", default="sqlite,postgresql")
    args = parser.parse_args()
    print(
        f"# machine: {os.cpu_count()} cores, {os.uname().machine}, Python {sys.version.split()[0]}; "
        f"gunicorn sync × {WORKERS}; wrk {args.connections} connections, "
        f"{args.seconds} s × {args.rounds} rounds"
    )
    for kind in args.db.split(","):
        result = bench(kind, args)
        print(f"\n## {kind}\n")
        print(
            "| measure | ratio | portal req/s | bare req/s | portal p50 ms | portal p99 ms "
            "| bare p99 ms | errors |"
        )
        print("|---|---|---|---|---|---|---|---|")
        for name, r in result["pairs"].items():
            print(
                f"| {name} | {r['ratio']:.2f} | {r['portal_rps']:.0f} | {r['bare_rps']:.0f} | "
                f"{r['portal_p50']:.1f} | {r['portal_p99']:.1f} | {r['bare_p99']:.1f} | {r['errors']} |"
            )
        rss_p, rss_b = result["rss_portal_mb"], result["rss_bare_mb"]
        print(
            f"\nworker RSS: portal {statistics.median(rss_p):.1f} MB (all plugins), "
            f"bare {statistics.median(rss_b):.1f} MB (median of {len(rss_p)} workers)"
        )
        print(f"stored responses, rollup count: {result['stored_responses_and_rollup_count']}")
        print(f"staff queue: {result['queue']}")
        print("\n| citizen page | gzip bytes |\n|---|---|")
        for label, size in result["weights"].items():
            print(f"| {label} | {size} |")


if __name__ == "__main__":
    main()
