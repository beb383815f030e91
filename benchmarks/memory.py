"""Portal Warga memory: resident set size (VmRSS) of one process serving the
portal with every plugin loaded, after start-up and after a few pages.

    python benchmarks/memory.py [--db sqlite] [--runs 3] [--imports 25]

A fresh SQLite database is migrated (``flask db upgrade``) and seeded like
``benchmarks/run.py`` does (one agency, every plugin on, a desk with a
roster, a complaint, an admin). Then, for each run, a new Python process:
``create_app()``, then in turn ``/healthz``, ``/``, the agency home, the
survey form ``/s/<token>``, ``/masuk``, and the staff dashboard after
signing in, RSS read from ``/proc/self/status`` after each step. The same
for ``benchmarks/bare_app.py`` (the bare Flask + SQLAlchemy reference) on a
copy of the database: after import, and after its survey page and
dashboard. The medians over runs are printed as measured; nothing is
asserted.

``--gunicorn`` also starts one gunicorn sync worker (no preload, as in
production) and reads its RSS after the same pages.

``--imports N`` also lists the N largest imports of ``create_app()`` by
cumulative import time (``python -X importtime``) and the known heavy
modules that are loaded after the pages: where to look next.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))
from benchmarks.run import SEED, database_urls  # noqa: E402

#: Modules that cost megabytes and that no page above should need.
HEAVY = (
    "alembic",
    "flask_migrate",
    "openpyxl",
    "fpdf",
    "PIL",
    "qrcode",
    "holidays",
    "pypdf",
    "icalendar",
    "babel.dates",
    "email_validator",
    "psycopg",
)

#: Runs in the measured process: the portal's pages, RSS after each.
PORTAL_CHILD = r"""
import json, re, sys
def rss():
    status = open("/proc/self/status").read()
    return int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024
seed = json.loads(sys.argv[1])
out = {"python": rss()}
from portal import create_app
app = create_app()
out["create_app()"] = rss()
client = app.test_client()
def get(label, path, expect=200):
    r = client.get(path)
    assert r.status_code == expect, (path, r.status_code)
    out[label] = rss()
    return r.get_data(as_text=True)
get("/healthz", "/healthz")
get("/", "/")
get("agency home", "/bench/")
get("survey form", "/s/" + seed["token"])
page = get("/masuk", "/masuk")
csrf = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
r = client.post("/masuk", data={"csrf_token": csrf, "email": "admin@bench.example",
                                "password": "kata-sandi-uji-beban"})
assert r.status_code == 302, r.status_code
get("staff dashboard", "/kelola/bench/")
heavy = [name for name in json.loads(sys.argv[2]) if name in sys.modules]
print(json.dumps({"rss": out, "heavy": heavy}))
"""

#: The bare reference app in the same way.
BARE_CHILD = r"""
import json, re, sys
def rss():
    status = open("/proc/self/status").read()
    return int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024
seed = json.loads(sys.argv[1])
out = {"python": rss()}
from benchmarks import bare_app
out["import"] = rss()
client = bare_app.app.test_client()
client.set_cookie("staff", bare_app.staff_cookie(bare_app.KEY, seed["admin"]))
for label, path in (
    ("/hello", "/hello"),
    ("survey form", "/s/" + seed["token"]),
    ("staff dashboard", "/kelola/bench/"),
):
    r = client.get(path)
    assert r.status_code == 200, (path, r.status_code)
    out[label] = rss()
print(json.dumps({"rss": out, "heavy": []}))
"""


def run(args: list[str], env: dict) -> str:
    done = subprocess.run(args, cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"{args[0]} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def measure(child: str, seed: dict, env: dict, runs: int) -> dict:
    results = [
        json.loads(run([str(BIN / "python"), "-c", child, json.dumps(seed), json.dumps(HEAVY)], env))
        for _ in range(runs)
    ]
    steps = results[0]["rss"].keys()
    return {
        "rss": {step: statistics.median(r["rss"][step] for r in results) for step in steps},
        "heavy": results[-1]["heavy"],
    }


def biggest_imports(env: dict, count: int) -> list[tuple[int, int, str]]:
    """(cumulative µs, self µs, module) of create_app()'s imports, largest first."""
    stderr = subprocess.run(
        [str(BIN / "python"), "-X", "importtime", "-c", "from portal import create_app; create_app()"],
        cwd=ROOT,
        env={**os.environ, **env},
        check=True,
        capture_output=True,
        text=True,
    ).stderr
    rows = []
    for line in stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \| ( *)(\S+)", line)
        if m and len(m.group(3)) <= 4:  # top-level imports and their direct children
            rows.append((int(m.group(2)), int(m.group(1)), m.group(3) + m.group(4)))
    return sorted(rows, reverse=True)[:count]


def gunicorn_worker(seed: dict, env: dict) -> float:
    """RSS of one gunicorn sync worker (no preload) after the same pages."""
    import urllib.request

    from benchmarks import run as bench

    bench.WORKERS = 1
    server = bench.Gunicorn("portal:create_app()", env)
    try:
        bench.wait_http(server.url + "/healthz")
        for path in ("/", "/bench/", f"/s/{seed['token']}", "/masuk"):
            urllib.request.urlopen(server.url + path, timeout=60).read()  # noqa: S310 - local URL
        bench.login_cookie(server.url, "admin@bench.example", "kata-sandi-uji-beban")  # and the dashboard
        return statistics.median(server.rss_mb())
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="sqlite", help="sqlite (the issue's figure) or postgresql")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--imports", type=int, default=0, metavar="N")
    parser.add_argument("--no-bare", action="store_true", help="measure the portal only")
    parser.add_argument(
        "--gunicorn", action="store_true", help="also one gunicorn sync worker after the same pages"
    )
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-memory-"))
    portal_url, bare_url, drop = database_urls(args.db, workdir)
    (workdir / "portal.cfg").write_text("RATELIMIT_ENABLED = False\n")
    env = {
        "PORTAL_DATABASE_URL": portal_url,
        "PORTAL_SECRET_KEY": secrets.token_hex(32),
        "PORTAL_CONFIG": str(workdir / "portal.cfg"),
        "PORTAL_SECURE_COOKIES": "0",
        "PORTAL_INSTANCE_PATH": str(workdir / "instance"),
    }
    try:
        run([str(BIN / "flask"), "--app", "portal", "db", "upgrade"], env)
        seed = json.loads(run([str(BIN / "python"), "-c", SEED, "0"], env))
        print(
            f"# machine: {os.cpu_count()} cores, {os.uname().machine}, Python {sys.version.split()[0]}; "
            f"{args.db}; median of {args.runs} runs; VmRSS in MB"
        )
        portal = measure(PORTAL_CHILD, seed, env, args.runs)
        print("\n| portal (all plugins) | RSS MB |\n|---|---|")
        for step, size in portal["rss"].items():
            print(f"| {step} | {size:.1f} |")
        print(f"\nheavy modules loaded after the pages: {', '.join(portal['heavy']) or 'none'}")
        if not args.no_bare:
            if args.db == "sqlite":
                shutil.copy(workdir / "portal.sqlite3", workdir / "bare.sqlite3")
            else:
                run(
                    [str(BIN / "flask"), "--app", "portal", "db", "upgrade"],
                    {**env, "PORTAL_DATABASE_URL": bare_url},
                )
                seed = json.loads(
                    run([str(BIN / "python"), "-c", SEED, "0"], {**env, "PORTAL_DATABASE_URL": bare_url})
                )
            bare_env = {"BARE_DATABASE_URL": bare_url, "BARE_SECRET_KEY": secrets.token_hex(32)}
            bare = measure(BARE_CHILD, seed, bare_env, args.runs)
            print("\n| bare_app.py | RSS MB |\n|---|---|")
            for step, size in bare["rss"].items():
                print(f"| {step} | {size:.1f} |")
        if args.gunicorn:
            print(f"\ngunicorn, one sync worker, after the pages: {gunicorn_worker(seed, env):.1f} MB")
        if args.imports:
            print(f"\n{args.imports} largest imports of create_app() (-X importtime, cumulative µs):\n")
            for cumulative, own, name in biggest_imports(env, args.imports):
                print(f"{cumulative:>9} {own:>8}  {name}")
    finally:
        drop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
