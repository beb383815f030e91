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
import itertools
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
sys.path.insert(0, str(ROOT))
from benchmarks import bare_app as same_work  # noqa: E402

PG_ADMIN = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
WORKERS = 2 * (os.cpu_count() or 1) + 1


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout: float = 120) -> None:
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
    fresh: bool = False,
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
    wrapped = re.search(r"^wrapped (\d+)$", out, re.M)
    if fresh and wrapped and int(wrapped.group(1)):  # answers sent twice: replays were measured
        print(f"  warning: {url}: a wrk thread ran out of bodies and sent some again", file=sys.stderr)
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
import datetime as dt, itertools, json, sys
from portal import create_app
from portal.core.plugin_system import plugins
from portal.core.models import Agency, Desk, Officer, Unit
from portal.extensions import db
from plugins.survei.models import SurveiRoster
from plugins.survei.service import issue_nonce
app = create_app()
with app.app_context():
    a = Agency(slug="bench", name="Dinas Uji Beban"); u = Unit(agency=a, name="Pelayanan")
    # One desk per officer, each staffed all week: an office's counters.
    desks = [Desk(unit=u, name=f"Loket {n + 1}") for n in range(int(sys.argv[2]) if len(sys.argv) > 2 else 1)]
    officers = [Officer(agency=a, unit=u, nip=str(198503122010011000 + n), name=f"Petugas Uji {n + 1}")
                for n in range(len(desks))]
    d = desks[0]
    from portal.core.models import User
    admin = User(email="admin@bench.example", name="Admin Uji", role="admin", agency=a)
    admin.set_password("kata-sandi-uji-beban")
    db.session.add_all([a, u, *desks, *officers, admin]); db.session.flush()
    for name in plugins.installed(): plugins.set_enabled(a, name, True)
    for desk, o in zip(desks, officers):
        for w in range(7):
            db.session.add(SurveiRoster(desk_id=desk.id, officer_id=o.id, weekday=w, start=dt.time(0),
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
    with app.test_request_context():  # round robin over the desks
        nonces = [[x.qr_token, issue_nonce(x.id)]
                  for x in itertools.islice(itertools.cycle(desks), int(sys.argv[1]))]
    print(json.dumps({"token": d.qr_token, "nonces": nonces, "ticket": ticket.code, "desk": d.id,
                      "desks": [[x.id, x.qr_token] for x in desks],
                      "admin": admin.id, "title": ticket.title}))
"""


def login_cookie(base: str, email: str, password: str) -> str:
    """The session cookie of a signed-in staff member (for the dashboard)."""
    import http.cookiejar

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/masuk", timeout=60).read().decode()
    csrf = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
    opener.open(
        f"{base}/masuk",
        data=urllib.parse.urlencode({"csrf_token": csrf, "email": email, "password": password}).encode(),
        timeout=10,
    )
    session = next(c for c in jar if c.name == "session")
    dashboard = opener.open(f"{base}/kelola/bench/", timeout=60)
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
        body = urllib.request.urlopen(base + path, timeout=60).read()  # noqa: S310 - local URL
        out[label] = len(gzip.compress(body, 6))
    return out


def migrate_and_seed(env: dict, nonces: int, desks: int = 1) -> dict:
    """A database at head with the benchmark agency; returns what SEED prints."""
    subprocess.run(
        [str(BIN / "flask"), "--app", "portal", "db", "upgrade"],
        cwd=ROOT,
        check=True,
        env={**os.environ, **env},
        capture_output=True,
    )
    return json.loads(
        subprocess.run(
            [str(BIN / "python"), "-c", SEED, str(nonces), str(desks)],
            cwd=ROOT,
            check=True,
            env={**os.environ, **env},
            capture_output=True,
            text=True,
        ).stdout
    )


def capture_pages(base: str, seed: dict, staff: str, folder: Path) -> None:
    """The portal's own pages, for the same-work app to answer with: the
    survey form with its nonce marked, the tracking page with its title
    marked, the dashboard with a place for the figures."""

    def get(path, headers=None):
        request = urllib.request.Request(base + path, headers=headers or {})  # noqa: S310 - local URL
        return urllib.request.urlopen(request, timeout=60).read().decode()  # noqa: S310 - local URL

    from benchmarks.bare_app import NONCE_MARK

    survey = re.sub(r'(name="nonce" value=")[^"]+"', rf'\g<1>{NONCE_MARK}"', get(f"/s/{seed['token']}"))
    assert NONCE_MARK in survey, "the survey form has no nonce field"
    (folder / "survey.html").write_text(survey)
    track = get(f"/bench/pengaduan/lacak/{seed['ticket']}").replace(seed["title"], "__bare_title__")
    (folder / "track.html").write_text(track)
    dashboard = get("/kelola/bench/", {"Cookie": staff}).replace("</main>", "__bare_figures__</main>")
    (folder / "dashboard.html").write_text(dashboard)


def stored_counts(env: dict) -> str:
    """Stored survey responses, rating events and the rollups' count."""
    return subprocess.run(
        [
            str(BIN / "python"),
            "-c",
            (
                "from portal import create_app; from portal.extensions import db; "
                "from sqlalchemy import text; app = create_app();\n"
                "with app.app_context(): print(tuple(db.session.execute(text("
                "'SELECT (SELECT count(*) FROM survei_response), (SELECT count(*) FROM rating_event), "
                "(SELECT sum(count) FROM rating_rollup)'"
                ")).one()))"
            ),
        ],
        cwd=ROOT,
        check=True,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
    ).stdout.strip()


WARM_UP = 2  # seconds of each measure before the rounds
PER_SECOND = 6000  # fresh survey answers prepared for each second of a submit run


def _wanted(args, what: str) -> bool:
    return not args.only or what in args.only.split(",")


def _answer(token: str, nonce: str) -> str:
    """A quick-survey answer as post.lua sends it: "token<TAB>body"."""
    return f"{token}\t" + urllib.parse.urlencode({"nonce": nonce, "face": 4})


class Bodies:
    """Survey answers ("token<TAB>body" lines), handed out in fresh slices:
    each wrk run sends only answers no earlier run has sent."""

    def __init__(self, folder: Path, lines: list[str]):
        self.folder, self.lines, self.used, self.runs = folder, lines, 0, 0
        folder.mkdir(parents=True, exist_ok=True)

    def run(self, base: str, seconds: int, connections: int) -> dict:
        size = seconds * PER_SECOND
        part = self.lines[self.used : self.used + size]
        if len(part) < size:
            raise RuntimeError("the benchmark ran out of fresh survey answers")
        self.used += size
        self.runs += 1
        path = self.folder / f"run{self.runs}.txt"
        path.write_text("\n".join(part) + "\n")
        return wrk(base + "/s/", seconds, connections, bodies=path, fresh=True)  # warns if a thread ran out


#: (measure, portal path or body kind, same-work bare path, less-work bare path)
MEASURES = (
    ("survey page GET", "survey", "/s/{token}", "/hello"),
    ("ticket lookup", "track", "/bench/pengaduan/lacak/{ticket}", "/get"),
    ("staff dashboard", "dashboard", "/kelola/bench/", "/get"),
    ("survey submit", "submit", "/s/{token}", "/insert"),
)


def measured_portal(workdir: Path, database_url: str) -> dict:
    """The environment of the portal as the benchmarks measure it, its
    settings written to ``workdir/portal.cfg``. One client address sends
    thousands of answers a second: rate limiting is off and the
    plausibility check would hold nearly all of them and skip the rollup
    and score writes, so its limits are lifted (its query still runs on
    every answer) and every answer does the full work."""
    (workdir / "portal.cfg").write_text(
        "RATELIMIT_ENABLED = False\n"
        + "".join(
            f"{name} = 10**9\n"
            for name in (
                "SURVEI_PER_OFFICER_HOUR",
                "SURVEI_HISTORY_MIN_PER_HOUR",
                "SURVEI_ADDRESS_BURST",
                "SURVEI_PATTERN_REPEAT",
            )
        )
    )
    return {
        "PORTAL_DATABASE_URL": database_url,
        "PORTAL_SECRET_KEY": secrets.token_hex(32),
        "PORTAL_CONFIG": str(workdir / "portal.cfg"),
        "PORTAL_SECURE_COOKIES": "0",
    }


def bench(kind: str, args) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix=f"bench-{kind}-"))
    portal_url, bare_url, drop = database_urls(kind, workdir)
    portal_env = measured_portal(workdir, portal_url)
    bare_key = secrets.token_hex(32)
    bare_env = {
        "BARE_DATABASE_URL": bare_url,
        "BARE_SECRET_KEY": bare_key,
        "BARE_PAGES": str(workdir),
    }
    servers = []
    try:
        # Every submit run gets nonces never sent before (a replay is a
        # different, cheaper request on both sides): room for PER_SECOND
        # answers a second in each run, warm-up included.
        total = (WARM_UP + args.seconds * args.rounds) * PER_SECOND if _wanted(args, "submit") else 0
        seed = migrate_and_seed(portal_env, total, args.desks)
        # The same-work app runs on a database migrated and seeded the same way.
        bare_seed = migrate_and_seed({**portal_env, "PORTAL_DATABASE_URL": bare_url}, 0, args.desks)
        subprocess.run(
            [str(BIN / "python"), "-m", "benchmarks.bare_app"],
            cwd=ROOT,
            check=True,
            env={**os.environ, **bare_env},
        )
        portal = Gunicorn("portal:create_app()", portal_env)
        servers = [portal]
        wait_http(portal.url + "/healthz")
        token = seed["token"]
        staff_cookie = login_cookie(portal.url, "admin@bench.example", "kata-sandi-uji-beban")
        capture_pages(portal.url, seed, staff_cookie, workdir)
        bare = Gunicorn("benchmarks.bare_app:app", bare_env)
        servers.append(bare)
        wait_http(bare.url + "/hello")

        # A fresh nonce (the form's CSRF token) for each submission, no
        # cookie, the desks in turn: each line is "token<TAB>body".
        bodies = Bodies(workdir / "portal", [_answer(token, nonce) for token, nonce in seed["nonces"]])
        bare_bodies = Bodies(
            workdir / "bare",
            [
                _answer(token, same_work.sign_nonce(bare_key, desk_id))
                for desk_id, token in itertools.islice(itertools.cycle(bare_seed["desks"]), total)
            ],
        )
        insert_bodies = workdir / "insert.txt"
        insert_bodies.write_text("v=4\n" * 1000)
        bare_staff = f"Cookie: staff={same_work.staff_cookie(bare_key, bare_seed['admin'])}"

        def portal_run(what, seconds):
            if what == "submit":
                return bodies.run(portal.url, seconds, args.connections)
            path = {"survey": f"/s/{token}", "track": f"/bench/pengaduan/lacak/{seed['ticket']}"}.get(
                what, "/kelola/bench/"
            )
            header = f"Cookie: {staff_cookie}" if what == "dashboard" else ""
            return wrk(portal.url + path, seconds, args.connections, header=header)

        def same_run(what, path, seconds):
            path = path.format(token=bare_seed["token"], ticket=bare_seed["ticket"])
            if what == "submit":
                return bare_bodies.run(bare.url, seconds, args.connections)
            header = bare_staff if what == "dashboard" else ""
            return wrk(bare.url + path, seconds, args.connections, header=header)

        def less_run(path, seconds):
            bodies_file = insert_bodies if path == "/insert" else None
            return wrk(bare.url + path, seconds, args.connections, bodies=bodies_file)

        def settled(run):
            """A run, then a wait until both servers answer again: on an
            overloaded machine the requests still queued at the end of one
            run would otherwise eat into the next one."""
            result = run()
            wait_http(portal.url + "/healthz")
            wait_http(bare.url + "/hello")
            return result

        measures = [m for m in MEASURES if _wanted(args, m[1])]
        for _name, what, same, less in measures:  # warm-up: every worker opens its connections
            portal_run(what, WARM_UP), same_run(what, same, WARM_UP), less_run(less, WARM_UP)
        runs = {name: [] for name, *_ in measures}
        for r in range(args.rounds):
            for name, what, same, less in measures:
                order = [
                    ("portal", lambda what=what: portal_run(what, args.seconds)),
                    ("same", lambda what=what, same=same: same_run(what, same, args.seconds)),
                    ("less", lambda less=less: less_run(less, args.seconds)),
                ]
                if r % 2:  # alternate, so drift during a round falls on both sides alike
                    order.reverse()
                runs[name].append({label: settled(run) for label, run in order})
        result = {
            "rss_portal_mb": portal.rss_mb(),
            "rss_bare_mb": bare.rss_mb(),
            "weights": citizen_pages(portal.url, token, seed["ticket"]),
            "measures": {},
        }
        for name, rounds in runs.items():
            result["measures"][name] = {
                "same_ratio": statistics.median(x["portal"]["rps"] / x["same"]["rps"] for x in rounds),
                "less_ratio": statistics.median(x["portal"]["rps"] / x["less"]["rps"] for x in rounds),
                **{
                    f"{side}_{key}": statistics.median(x[side][key] for x in rounds)
                    for side in ("portal", "same", "less")
                    for key in ("rps", "p50", "p99")
                },
                "errors": {
                    side: sum(x[side]["errors"] for x in rounds) for side in ("portal", "same", "less")
                },
            }
        # Every acknowledged submission is stored exactly once, on both sides.
        result["stored_portal"] = stored_counts(portal_env)
        result["stored_same"] = stored_counts({**portal_env, "PORTAL_DATABASE_URL": bare_url})
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
    parser.add_argument(
        "--desks",
        type=int,
        default=20,
        help="desks answers are spread over, each with its own officer on duty (default 20)",
    )
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated measures to run: survey, track, dashboard, submit (default: all)",
    )
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
            "| measure | ÷ same-work | target | ÷ less-work (old) | portal req/s | same-work req/s "
            "| portal p50 ms | portal p99 ms | same-work p99 ms | errors portal/same/less |"
        )
        print("|---|---|---|---|---|---|---|---|---|---|")
        for name, r in result["measures"].items():
            target = TARGETS[name]
            met = "met" if r["same_ratio"] >= target else "MISSED"
            e = r["errors"]
            print(
                f"| {name} | {r['same_ratio']:.2f} | ≥ {target} {met} | {r['less_ratio']:.2f} | "
                f"{r['portal_rps']:.0f} | {r['same_rps']:.0f} | {r['portal_p50']:.1f} | "
                f"{r['portal_p99']:.1f} | "
                f"{r['same_p99']:.1f} | {e['portal']}/{e['same']}/{e['less']} |"
            )
        if "survey page GET" in result["measures"]:
            p99 = result["measures"]["survey page GET"]["portal_p99"]
            print(f"\nsurvey page p99 {p99:.1f} ms (target ≤ 50 ms: {'met' if p99 <= 50 else 'MISSED'})")
        rss_p, rss_b = result["rss_portal_mb"], result["rss_bare_mb"]
        print(
            f"worker RSS after the run: portal {statistics.median(rss_p):.1f} MB (all plugins), "
            f"bare {statistics.median(rss_b):.1f} MB (median of {len(rss_p)} workers)"
        )
        print(
            f"stored responses, rating events, rollup count: portal {result['stored_portal']}, "
            f"same-work {result['stored_same']}"
        )
        print(f"staff queue: {result['queue']}")
        print("\n| citizen page | gzip bytes |\n|---|---|")
        for label, size in result["weights"].items():
            print(f"| {label} | {size} |")


TARGETS = {"survey page GET": 0.8, "ticket lookup": 0.8, "staff dashboard": 0.6, "survey submit": 0.6}


if __name__ == "__main__":
    main()
