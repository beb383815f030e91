"""Where a survey answer's time goes: the portal's own cost of one quick-survey
answer against the same-work app's, in one process, with each of the
portal's own steps beyond the mandatory work left out in turn.

    python benchmarks/submit_cost.py [--answers 1000] [--rounds 3] [--desks 100] [--db sqlite,postgresql]

No server and no network between client and app: each app's WSGI callable
is called directly with the same kind of request wrk sends (a fresh nonce
each time, the office's desks in turn, no cookie), one answer at a time.
The apps run in alternation, round after round, and the table shows the
median microseconds per answer and the same-work app's time ÷ the portal's
(the in-process analogue of ``make bench``'s throughput ratio).

The answers go to 100 desks in turn, each with its own officer on duty:
the plausibility count and the alert check read the desk's recent answers,
and with fewer desks a run of some 18,000 answers would fill each desk's
hour far beyond what a real counter sees, measuring that instead.

The mandatory work (issue #19): the response with its unique nonce and
answers, the rating event and the officer × month rollup, in one
transaction. What the portal does beyond that, and what each variant
leaves out:

- ``span scores``: the four weighted score rows (month, quarter, semester,
  year) the rankings read;
- ``weights lock``: the advisory lock ordering ratings with changes of
  weights (PostgreSQL only; SQLite's write lock orders them already);
- ``plausibility``: the count of the desk's recent answers that holds an
  implausible burst for review;
- ``alert check``: the read of the desk's alert window after the commit.

Beside them, the floor: one request that runs one statement and answers
JSON (the portal's ``/healthz``, the same-work app's ``/get``), which is
what Flask and the extensions cost each app before any of the work.

A variant replaces the step by a no-op in this benchmark's own process, for
the measurement only: it is never a setting of the portal. Everything else
(Flask and its extensions, form checks, the ORM session, the rating check
of switch and officer) stays, so "all four left out" is what the portal
would cost if it did only the mandatory work the way it does it now.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import itertools
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.run import database_urls, measured_portal, migrate_and_seed  # noqa: E402

#: (label, [(module, attribute)] replaced by a no-op)
VARIANTS = (
    ("portal as it is", []),
    ("without span scores", [("portal.core.record.ratings", "_bump_score")]),
    ("without weights lock", [("portal.core.record.ratings", "weights_lock")]),
    ("without plausibility", [("plugins.survei.service", "plausibility")]),
    ("without alert check", [("plugins.survei.alerts", "response_stored")]),
    (
        "all four left out",
        [
            ("portal.core.record.ratings", "_bump_score"),
            ("portal.core.record.ratings", "weights_lock"),
            ("plugins.survei.service", "plausibility"),
            ("plugins.survei.alerts", "response_stored"),
        ],
    ),
)
WARM = 200  # answers sent to each app before the rounds


def _nothing(*_args, **_kwargs):
    return None


@contextlib.contextmanager
def left_out(names):
    saved = []
    try:
        for module_name, attribute in names:
            module = importlib.import_module(module_name)
            saved.append((module, attribute, getattr(module, attribute)))
            setattr(module, attribute, _nothing)
        yield
    finally:
        for module, attribute, original in reversed(saved):
            setattr(module, attribute, original)


def call(app, method: str, path: str, body: str = "") -> str:
    """One request through ``app``'s WSGI callable; returns the status line."""
    data = body.encode()
    environ = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": str(len(data)),
        "wsgi.input": io.BytesIO(data),
        "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    status = []
    body_iter = app(environ, lambda s, _h, _e=None: status.append(s))
    try:
        for _chunk in body_iter:
            pass
    finally:
        close = getattr(body_iter, "close", None)
        if close is not None:
            close()
    return status[0]


def timed(app, answers) -> float:
    """Microseconds per answer; every answer must be stored (a redirect)."""
    start = time.perf_counter()
    for token, body in answers:
        status = call(app, "POST", f"/s/{token}", body)
        if not status.startswith(("302", "303")):
            raise RuntimeError(f"an answer was not stored: {status}")
    return (time.perf_counter() - start) / len(answers) * 1e6


def timed_get(app, path: str, n: int) -> float:
    """Microseconds per ``GET path``, which must answer 200."""
    start = time.perf_counter()
    for _ in range(n):
        status = call(app, "GET", path)
        if not status.startswith("200"):
            raise RuntimeError(f"GET {path} answered {status}")
    return (time.perf_counter() - start) / n * 1e6


def one(kind: str, answers: int, rounds: int, desks: int) -> dict:
    """Measure on one database kind (run in its own process: the same-work
    app reads its database from the environment when imported)."""
    workdir = Path(tempfile.mkdtemp(prefix=f"submit-cost-{kind}-"))
    portal_url, bare_url, drop = database_urls(kind, workdir)
    portal_env = measured_portal(workdir, portal_url)
    try:
        total = WARM + answers * rounds * len(VARIANTS)
        seed = migrate_and_seed(portal_env, total, desks)
        bare_seed = migrate_and_seed({**portal_env, "PORTAL_DATABASE_URL": bare_url}, 0, desks)
        os.environ.update(portal_env)
        os.environ.update({"BARE_DATABASE_URL": bare_url, "BARE_SECRET_KEY": secrets.token_hex(32)})
        from benchmarks import bare_app
        from portal import create_app

        bare_app = importlib.reload(bare_app)  # benchmarks.run imported it before its database was set
        bare_app.create_schema()  # the less-work table /get reads

        portal = create_app()
        mine = iter([(t, urllib.parse.urlencode({"nonce": n, "face": 4})) for t, n in seed["nonces"]])
        desk_cycle = itertools.cycle(bare_seed["desks"])

        def theirs(n):
            return [
                (token, urllib.parse.urlencode({"nonce": bare_app.sign_nonce(bare_app.KEY, desk), "face": 4}))
                for desk, token in itertools.islice(desk_cycle, n)
            ]

        timed(portal, list(itertools.islice(mine, WARM)))
        timed(bare_app.app, theirs(WARM))
        times = {label: [] for label, _ in VARIANTS}
        same, floor_portal, floor_same = [], [], []
        for r in range(rounds):
            order = list(VARIANTS) if r % 2 == 0 else list(reversed(VARIANTS))
            for label, names in order:
                with left_out(names):
                    times[label].append(timed(portal, list(itertools.islice(mine, answers))))
                same.append(timed(bare_app.app, theirs(answers)))
            # The floor: a request that runs one statement and answers JSON.
            floor_portal.append(timed_get(portal, "/healthz", answers))
            floor_same.append(timed_get(bare_app.app, "/get", answers))
        return {
            "same": statistics.median(same),
            "floor_portal": statistics.median(floor_portal),
            "floor_same": statistics.median(floor_same),
            "portal": {label: statistics.median(values) for label, values in times.items()},
        }
    finally:
        drop()
        shutil.rmtree(workdir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=1000, help="answers per app and variant per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--desks", type=int, default=100)
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one, args.answers, args.rounds, args.desks)))
        return
    print(
        f"# machine: {os.cpu_count()} cores, {os.uname().machine}, Python {sys.version.split()[0]}; "
        f"{args.answers} answers × {args.rounds} rounds per app and variant, {args.desks} desks"
    )
    for kind in args.db.split(","):
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--one",
                kind,
                "--answers",
                str(args.answers),
                "--rounds",
                str(args.rounds),
                "--desks",
                str(args.desks),
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        result = json.loads(out.stdout.strip().splitlines()[-1])
        same = result["same"]
        print(f"\n## {kind}: same-work app {same:.0f} µs per answer\n")
        print("| portal | µs per answer | same-work ÷ portal |")
        print("|---|---|---|")
        for label, micros in result["portal"].items():
            print(f"| {label} | {micros:.0f} | {same / micros:.2f} |")
        print(
            f"\none statement answered as JSON (the request machinery's floor): portal /healthz "
            f"{result['floor_portal']:.0f} µs, same-work /get {result['floor_same']:.0f} µs"
        )


if __name__ == "__main__":
    main()
