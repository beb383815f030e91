"""Performance record at scale: 1,000,000 rating events over 1,000 officers.

    python benchmarks/record.py [DATABASE_URL ...] [--events N]
    python benchmarks/record.py --size province [--events N] [--grow N] [--keep]   (see province.py)
    python benchmarks/record.py --size province --measure-only   (re-measure a kept database)

Without arguments it runs on a fresh SQLite file and, when PostgreSQL answers
on 127.0.0.1:5432, on a fresh database ``bench_record`` there.

For each database it creates the schema, fills one agency (20 units, 1,000
officers) with N events spread over the last 12 months and four sources, with
the matching rollups, then, in process (WSGI call to last byte, no network):

* times the officer page and the team ranking page (semester), 30 requests
  each after 5 warm-ups, reporting median server time and the median database
  time per request (the sum of every query's execution time, measured with
  SQLAlchemy cursor events);
* times a semester's per-officer aggregation straight from the raw events and
  from the weighted per-span scores the ranking reads, 7 runs each, and
  prints raw ÷ rollup.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("PORTAL_SECRET_KEY", "bench-" + "x" * 32)
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

N_EVENTS = int(os.environ.get("BENCH_EVENTS", "1000000"))
N_OFFICERS = 1000
N_UNITS = 20
TODAY = dt.date(2026, 11, 15)
SOURCES = (
    ("survei", "skm", 4),
    ("survei", "cepat", 4),
    ("pengaduan", "penanganan", 5),
    ("dialog_publik", "panel", 5),
)


def nip(i: int) -> str:
    return f"1980010120050{(i % 2) + 1}{i:04d}"


def _fill(app) -> tuple[int, int]:
    from portal.core.models import Agency, Officer, RatingEvent, RatingRollup, Unit, User
    from portal.core.plugin_system import plugins
    from portal.core.record.ratings import BAND_COLUMNS, band, recompute_scores
    from portal.extensions import db

    with app.app_context():
        db.drop_all()
        db.create_all()
        agency = Agency(slug="bench", name="Dinas Uji Beban")
        db.session.add(agency)
        units = [Unit(agency=agency, name=f"Unit {u:02d}") for u in range(N_UNITS)]
        db.session.add_all(units)
        db.session.flush()
        for name in ("survei", "pengaduan", "dialog_publik"):
            plugins.set_enabled(agency, name, True)
        heads = []
        for u, unit in enumerate(units):
            heads.append(Officer(agency=agency, unit=unit, nip=nip(u), name=f"Kepala Unit {u:02d}"))
        db.session.add_all(heads)
        db.session.flush()
        rows = [
            {
                "agency_id": agency.id,
                "unit_id": units[i % N_UNITS].id,
                "supervisor_id": heads[i % N_UNITS].id,
                "nip": nip(i),
                "name": f"Pegawai {i:04d}",
                "position": "",
                "active": True,
            }
            for i in range(N_UNITS, N_OFFICERS)
        ]
        db.session.execute(db.insert(Officer), rows)
        ids = list(db.session.scalars(db.select(Officer.id).order_by(Officer.id)))
        admin = User(email="admin@bench.example", name="Admin", role="admin", agency_id=agency.id)
        admin.set_password("bench-password-123")
        db.session.add(admin)
        db.session.commit()

        rng = random.Random(6)
        months = [
            dt.date(TODAY.year - (TODAY.month - 1 - k < 0), (TODAY.month - 1 - k) % 12 + 1, 1)
            for k in range(12)
        ]
        rollups: dict[tuple, list] = {}
        batch = []
        for _ in range(N_EVENTS):
            officer = ids[rng.randrange(len(ids))]
            source, kind, top = SOURCES[rng.randrange(4)]
            value = rng.choice(range(1, top + 1)) if rng.random() < 0.3 else top - rng.randrange(2)
            score = value / top * 100
            period = months[rng.randrange(12)]
            verified = rng.random() < 0.2
            created = dt.datetime.combine(period, dt.time(9)) + dt.timedelta(hours=rng.randrange(600))
            batch.append(
                {
                    "agency_id": agency.id,
                    "officer_id": officer,
                    "source": source,
                    "kind": kind,
                    "value": value,
                    "scale_min": 1,
                    "scale_max": top,
                    "score": score,
                    "verified": verified,
                    "ref": "",
                    "comment": None,
                    "comment_state": "",
                    "period": period,
                    "created_at": created,
                }
            )
            key = (officer, period, source, kind, verified)
            acc = rollups.setdefault(key, [0, 0.0, 0.0, 0, 0, 0, 0])
            acc[0] += 1
            acc[1] += score
            acc[2] += score * score
            acc[3 + "ABCD".index(band(score)[0])] += 1
            if len(batch) == 20000:
                db.session.execute(db.insert(RatingEvent), batch)
                batch = []
        if batch:
            db.session.execute(db.insert(RatingEvent), batch)
        db.session.execute(
            db.insert(RatingRollup),
            [
                {
                    "officer_id": o,
                    "period": p,
                    "source": s,
                    "kind": k,
                    "verified": v,
                    "agency_id": agency.id,
                    "count": a[0],
                    "total": a[1],
                    "total_sq": a[2],
                    **{BAND_COLUMNS[letter]: a[3 + j] for j, letter in enumerate("ABCD")},
                }
                for (o, p, s, k, v), a in rollups.items()
            ],
        )
        recompute_scores(agency)  # the weighted per officer × month scores, from the rollups
        db.session.commit()
        # The state autovacuum reaches shortly after such a load: statistics
        # gathered and, on PostgreSQL, the visibility map set (so index-only
        # scans need no heap visits).
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(db.text("VACUUM ANALYZE"))
        else:
            db.session.execute(db.text("ANALYZE"))
            db.session.commit()
        return ids[N_UNITS + 7], len(rollups)


class QueryClock:
    """Sums the execution time of every SQL statement while ``on``."""

    def __init__(self, engine):
        from sqlalchemy import event

        self.total = 0.0
        self._start: list[float] = []
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, *args):
        self._start.append(time.perf_counter())

    def _after(self, *args):
        self.total += time.perf_counter() - self._start.pop()


def _time_page(client, clock, url) -> tuple[float, float]:
    server, database = [], []
    for i in range(35):
        clock.total = 0.0
        start = time.perf_counter()
        response = client.get(url)
        response.get_data()
        elapsed = time.perf_counter() - start
        assert response.status_code == 200, (url, response.status_code)
        if i >= 5:
            server.append(elapsed * 1000)
            database.append(clock.total * 1000)
    return statistics.median(server), statistics.median(database)


def _time_query(app, statement, params) -> float:
    from portal.extensions import db

    times = []
    with app.app_context():
        for _ in range(7):
            start = time.perf_counter()
            db.session.execute(statement, params).all()
            times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def _server_ms(app, sql: str, params) -> float | None:
    """PostgreSQL's own planning + execution time of ``sql`` (EXPLAIN
    ANALYZE), without the driver and row handling; None on SQLite."""
    from portal.extensions import db

    times = []
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            return None
        for _ in range(7):
            plan = db.session.execute(db.text("EXPLAIN (ANALYZE, FORMAT JSON) " + sql), params).scalar()
            times.append(plan[0]["Planning Time"] + plan[0]["Execution Time"])
    return statistics.median(times)


def _app(url: str):
    os.environ["PORTAL_DATABASE_URL"] = url
    from portal import create_app

    return create_app(
        {
            "RATELIMIT_ENABLED": False,
            "PORTAL_PASSWORD_HASH": "pbkdf2:sha256:1000",
            "SQLALCHEMY_DATABASE_URI": url,
        }
    )


def run(url: str) -> dict:
    app = _app(url)
    t0 = time.perf_counter()
    officer_id, n_rollups = _fill(app)
    fill = time.perf_counter() - t0
    return {"fill_s": fill, "rollups": n_rollups, **measure(url, officer_id, agency_id=1, app=app)}


def sign_in(client) -> None:
    page = client.get("/masuk").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post(
        "/masuk", data={"csrf_token": token, "email": "admin@bench.example", "password": "bench-password-123"}
    )


def measure(url: str, officer_id: int, agency_id: int, app=None) -> dict:
    """Time the officer page and the team ranking of agency ``bench`` (signed
    in as ``admin@bench.example``) and a semester's aggregation two ways."""
    from portal.extensions import db

    app = app or _app(url)
    with app.app_context():
        clock = QueryClock(db.engine)
    client = app.test_client()
    sign_in(client)
    args = f"periode=semester&tanggal={TODAY.isoformat()}"
    officer = _time_page(client, clock, f"/kinerja/pegawai/{officer_id}?{args}")
    team = _time_page(client, clock, f"/kinerja/bench/tim?{args}")

    start, end = dt.date(2026, 7, 1), dt.date(2027, 1, 1)
    raw_sql = (
        "SELECT officer_id, source, kind, verified, COUNT(*), SUM(score), SUM(score * score) "
        "FROM rating_event WHERE agency_id = :a AND period >= :s AND period < :e "
        "GROUP BY officer_id, source, kind, verified"
    )
    raw = db.text(raw_sql)
    # What the team ranking runs for a semester: one weighted row per officer.
    rolled_sql = (
        "SELECT officer_id, count, w, w2, s, q FROM rating_score "
        "WHERE agency_id = :a AND span = 'semester' AND period = :s"
    )
    rolled = db.text(rolled_sql)
    params = {"a": agency_id, "s": start, "e": end}
    raw_ms = _time_query(app, raw, params)
    roll_ms = _time_query(app, rolled, params)
    server = (_server_ms(app, raw_sql, params), _server_ms(app, rolled_sql, params))
    return {
        "officer": officer,
        "team": team,
        "raw_ms": raw_ms,
        "rollup_ms": roll_ms,
        "server": server,
    }


def _report(name: str, r: dict) -> None:
    print(
        f"## {name}: {N_EVENTS:,} events, {N_OFFICERS} officers, {r['rollups']:,} rollup rows "
        f"(filled in {r['fill_s']:.0f} s)"
    )
    for label, key in (("officer page     ", "officer"), ("team ranking page", "team")):
        print(f"{label} server {r[key][0]:6.1f} ms   database {r[key][1]:5.2f} ms  (median)")
    print(
        f"semester aggregation: raw events {r['raw_ms']:.1f} ms, rollups {r['rollup_ms']:.2f} ms, "
        f"raw ÷ rollup = {r['raw_ms'] / r['rollup_ms']:.0f}×  (as the app sees them)"
    )
    raw, rolled = r["server"]
    if raw is not None:
        print(
            f"  same two queries inside PostgreSQL (EXPLAIN ANALYZE, planning + execution): "
            f"{raw:.1f} ms ÷ {rolled:.2f} ms = {raw / rolled:.0f}×"
        )


ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"


def _drop(name: str) -> None:
    import psycopg

    with psycopg.connect(ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _postgres_url(name: str = "bench_record") -> str | None:
    try:
        import psycopg

        with psycopg.connect(ADMIN_DSN, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    except Exception as error:  # noqa: BLE001 - report and go on with SQLite
        print(f"PostgreSQL not available ({error}); SQLite only.")
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("urls", nargs="*", help="database URLs (default: a fresh SQLite file and PostgreSQL)")
    parser.add_argument(
        "--size",
        choices=("agency", "province"),
        default="agency",
        help="agency: 1,000 officers, 1M events, SQLite and PostgreSQL; province: 50 agencies, "
        "10,000 officers, 10M events, 1M complaints, PostgreSQL only",
    )
    parser.add_argument("--events", type=int, default=None, help="rating events (default: by size)")
    parser.add_argument("--complaints", type=int, default=1_000_000, help="complaints (province size)")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database afterwards")
    parser.add_argument(
        "--measure-only",
        action="store_true",
        help="province size: measure the database a --keep run left, without filling it (implies --keep)",
    )
    parser.add_argument(
        "--grow",
        type=int,
        default=None,
        metavar="N",
        help="province size: after measuring, add rating events up to N in all, measure again and "
        "print how the pages' cost moved",
    )
    args = parser.parse_args()
    if args.size == "province":
        from benchmarks import province

        keep = args.keep or args.measure_only
        if args.urls:
            url = args.urls[0]
        elif args.measure_only:
            url = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_province"
        else:
            url = _postgres_url("bench_province")
        if url is None:
            sys.exit("the province size needs PostgreSQL")
        try:
            province.report(
                province.run(
                    url,
                    args.events or 10_000_000,
                    args.complaints,
                    grow_to=args.grow,
                    measure_only=args.measure_only,
                )
            )
        finally:
            if not args.urls and not keep:
                _drop("bench_province")
        return
    global N_EVENTS
    N_EVENTS = args.events or N_EVENTS
    urls = args.urls
    if not urls:
        folder = tempfile.mkdtemp(prefix="portal-record-")
        urls = [f"sqlite:///{folder}/record.db"]
        pg = _postgres_url()
        if pg:
            urls.append(pg)
    for url in urls:
        name = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
        _report(name, run(url))


if __name__ == "__main__":
    main()
