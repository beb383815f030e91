"""A province's worth of data on PostgreSQL: 50 agencies, 10,000 officers,
10,000,000 rating events over the last 12 months and 1,000,000 complaints.

    python benchmarks/record.py --size province [--events N] [--complaints N] [--grow N] [--keep]
    python benchmarks/record.py --size province --measure-only

``--grow N`` measures at ``--events``, then adds events (same officers, same
12 months: more ratings per officer) up to N, rebuilds the rollups and scores
and measures again, printing how the pages' cost moved: it must stay flat.
``--measure-only`` re-measures the database a ``--keep`` run left.

The schema comes from ``flask db upgrade`` (the migrations, not
``create_all``). The people are inserted through the ORM (a few thousand
rows); the bulk is generated inside PostgreSQL by ``INSERT … SELECT … FROM
generate_series`` (no row crosses the network), with the rating events'
secondary indexes dropped during the load and rebuilt after it, as a bulk
load would do. The rollups are one ``GROUP BY`` over the events; the
weighted per-span scores come from the portal's own ``recompute_scores``,
agency by agency, as after a change of weights. Then ``VACUUM ANALYZE``.

Measured, on agency 1 (200 officers, 1/50 of the events):

* officer page and team ranking (semester): median server and database time
  (the officer is a staff member with their share of the events and of the
  handled complaints, which are assigned to the agency's officers in turn);
* a semester's per-officer aggregation from the raw events ÷ from what the
  ranking reads;
* the daily jobs as an operator's cron runs them (``flask pengaduan
  check-sla``, ``flask anonymise --days 180`` twice: the first run catches up,
  the second is a steady day), wall time of the whole command;
* ``flask db upgrade`` from the revision before the rating-review migration
  (which adds columns and an index to ``rating_event``) back to head.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
N_AGENCIES = 50
OFFICERS_PER_AGENCY = 200
UNITS_PER_AGENCY = 10
N_COMPLAINTS = 1_000_000
#: The core revision before the one that adds the review columns and index to rating_event.
BEFORE_REVIEW = "0006_user_sessions"


def flask(url: str, *args: str) -> tuple[float, str]:
    """Run ``flask --app portal ARGS`` on ``url``; (seconds, last output line)."""
    env = {**os.environ, "PORTAL_DATABASE_URL": url}
    start = time.perf_counter()
    done = subprocess.run(
        [str(BIN / "flask"), "--app", "portal", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    lines = (done.stdout.strip() or done.stderr.strip()).splitlines()
    return elapsed, lines[-1] if lines else ""


def _people(app) -> None:
    from portal.core.models import Agency, Officer, Unit, User
    from portal.core.plugin_system import plugins
    from portal.extensions import db

    with app.app_context():
        for a in range(N_AGENCIES):
            agency = Agency(slug="bench" if a == 0 else f"instansi-{a:02d}", name=f"Instansi Uji {a:02d}")
            db.session.add(agency)
            units = [Unit(agency=agency, name=f"Unit {u:02d}") for u in range(UNITS_PER_AGENCY)]
            db.session.add_all(units)
            db.session.flush()
            for name in ("survei", "pengaduan", "dialog_publik"):
                plugins.set_enabled(agency, name, True)
            heads = [
                Officer(
                    agency=agency,
                    unit=unit,
                    nip=_nip(a * OFFICERS_PER_AGENCY + u),
                    name=f"Kepala Unit {u:02d}",
                )
                for u, unit in enumerate(units)
            ]
            db.session.add_all(heads)
            db.session.flush()
            db.session.execute(
                db.insert(Officer),
                [
                    {
                        "agency_id": agency.id,
                        "unit_id": units[i % UNITS_PER_AGENCY].id,
                        "supervisor_id": heads[i % UNITS_PER_AGENCY].id,
                        "nip": _nip(a * OFFICERS_PER_AGENCY + i),
                        "name": f"Pegawai {a:02d}-{i:03d}",
                        "position": "",
                        "active": True,
                    }
                    for i in range(UNITS_PER_AGENCY, OFFICERS_PER_AGENCY)
                ],
            )
            admin = User(
                email="admin@bench.example" if a == 0 else f"admin{a}@bench.example",
                name="Admin",
                role="admin",
                agency_id=agency.id,
            )
            admin.set_password("bench-password-123")
            db.session.add(admin)
        db.session.commit()


def _nip(i: int) -> str:
    from benchmarks.record import nip

    return nip(i)  # unique over the installation, so the older migrations' constraint holds too


EVENTS_SQL = """
INSERT INTO rating_event (agency_id, officer_id, source, kind, value, scale_min, scale_max, score,
    verified, ref, comment, comment_state, review, hold_reason, period, created_at)
SELECT o.agency_id, o.id, s.source, s.kind, v.value, 1, s.top, round((v.value / s.top * 100)::numeric, 6),
    r.verified, '', CASE WHEN r.c < 0.02 THEN 'Pelayanannya cepat dan ramah.' END,
    CASE WHEN r.c < 0.02 THEN 'tampil' ELSE '' END, '', '',
    date_trunc('month', r.created_at + interval '7 hours')::date, r.created_at
FROM (
    SELECT g, 1 + floor(random() * %(officers)s)::int AS o, floor(random() * 4)::int AS s,
        random() AS v1, random() AS v2, random() < 0.2 AS verified, random() AS c,
        %(now)s - random() * interval '365 days' AS created_at
    FROM generate_series(1, %(n)s) g
) r
JOIN LATERAL (SELECT id, agency_id FROM officer ORDER BY id OFFSET r.o - 1 LIMIT 1) o ON true
JOIN (VALUES (0, 'survei', 'skm', 4.0::float8), (1, 'survei', 'cepat', 4.0),
             (2, 'pengaduan', 'penanganan', 5.0), (3, 'dialog_publik', 'panel', 5.0))
     AS s(i, source, kind, top) ON s.i = r.s
CROSS JOIN LATERAL (SELECT CASE WHEN r.v1 < 0.3 THEN 1 + floor(r.v2 * s.top)
                                ELSE s.top - floor(r.v2 * 2) END AS value) v
"""

# Officer ids are contiguous from the first one: pick by arithmetic, not OFFSET.
EVENTS_SQL = EVENTS_SQL.replace(
    "JOIN LATERAL (SELECT id, agency_id FROM officer ORDER BY id OFFSET r.o - 1 LIMIT 1) o ON true",
    "JOIN officer o ON o.id = %(first_officer)s + r.o - 1",
)

ROLLUP_SQL = """
INSERT INTO rating_rollup (officer_id, period, source, kind, verified, agency_id, count, total, total_sq,
    band_a, band_b, band_c, band_d)
SELECT officer_id, period, source, kind, verified, agency_id, count(*), sum(score), sum(score * score),
    count(*) FILTER (WHERE round(score::numeric, 2) >= 88.31),
    count(*) FILTER (WHERE round(score::numeric, 2) >= 76.61 AND round(score::numeric, 2) < 88.31),
    count(*) FILTER (WHERE round(score::numeric, 2) >= 65 AND round(score::numeric, 2) < 76.61),
    count(*) FILTER (WHERE round(score::numeric, 2) < 65)
FROM rating_event WHERE review = '' GROUP BY officer_id, period, source, kind, verified, agency_id
"""

COMPLAINTS_SQL = """
INSERT INTO pengaduan_ticket (agency_id, code, reference, category_id, title, description, address,
    extra_json, anonymous, confidential, name, phone, email, status, rejection_reason, resolution,
    created_at, updated_at, verify_due, resolve_due, escalated_stage, reopen_count,
    assigned_officer_id, verified_at, resolved_at)
SELECT a.agency_id, 'U' || lpad(g::text, 9, '0'), 'ADU-' || lpad((g / 10000)::text, 4, '0') || '-'
        || lpad((g %% 10000)::text, 4, '0'),
    a.category_id, 'Pengaduan uji ' || g, 'Uraian pengaduan untuk uji skala provinsi.', 'Jl. Uji No. 1',
    '{}', false, false, 'Warga Uji', '081234567890', '', st.status, '', '',
    t.created_at, t.created_at, (t.created_at + interval '3 days')::date,
    CASE WHEN st.status IN ('diverifikasi', 'diproses') THEN (t.created_at + interval '8 days')::date END,
    CASE WHEN st.status = 'baru' AND t.created_at + interval '4 days' < %(now)s THEN 'verifikasi'
         WHEN st.status IN ('diverifikasi', 'diproses') AND t.created_at + interval '9 days' < %(now)s
         THEN 'tindak_lanjut' ELSE '' END,
    0,
    CASE WHEN st.status NOT IN ('baru', 'ditolak')
         THEN a.first_officer + (g / %(agencies)s) %% %(officers)s END,
    CASE WHEN st.status NOT IN ('baru', 'ditolak') THEN t.created_at + x.d * interval '4 days' END,
    CASE WHEN st.status IN ('selesai', 'ditutup')
         THEN t.created_at + interval '4 days' + x.d * interval '9 days' END
FROM generate_series(%(first)s, %(n)s) g
JOIN (SELECT row_number() OVER (ORDER BY c.agency_id) - 1 AS i, c.agency_id, min(c.id) AS category_id,
             (SELECT min(o.id) FROM officer o WHERE o.agency_id = c.agency_id) AS first_officer
      FROM pengaduan_category c GROUP BY c.agency_id) a ON a.i = g %% %(agencies)s
CROSS JOIN LATERAL (SELECT random() AS r, random() AS d) x
CROSS JOIN LATERAL (SELECT CASE WHEN x.r < 0.01 THEN 'baru' WHEN x.r < 0.02 THEN 'diverifikasi'
                                WHEN x.r < 0.03 THEN 'diproses' WHEN x.r < 0.10 THEN 'ditolak'
                                WHEN x.r < 0.40 THEN 'selesai' ELSE 'ditutup' END AS status) st
CROSS JOIN LATERAL (SELECT CASE WHEN st.status IN ('baru', 'diverifikasi', 'diproses')
                                THEN %(now)s - x.d * interval '30 days'
                                ELSE %(now)s - x.d * interval '365 days' END AS created_at) t
"""


def _dsn(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def _add_events(conn, n_events: int, first_officer: int, timings: dict) -> None:
    """Add ``n_events`` rating events over the last 12 months, the secondary
    indexes dropped during the load and rebuilt after it."""
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    indexes = conn.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'rating_event' "
        "AND indexname <> 'pk_rating_event'"
    ).fetchall()
    for name, _definition in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    start = time.perf_counter()
    conn.execute("SET work_mem = '256MB'")
    done = 0
    chunk = 2_000_000
    while done < n_events:
        step = min(chunk, n_events - done)
        conn.execute(
            EVENTS_SQL,
            {
                "n": step,
                "now": now,
                "officers": N_AGENCIES * OFFICERS_PER_AGENCY,
                "first_officer": first_officer,
            },
        )
        done += step
        print(f"  {done:,} rating events added", file=sys.stderr)
    timings["events"] = time.perf_counter() - start
    start = time.perf_counter()
    conn.execute("SET maintenance_work_mem = '512MB'")
    for _name, definition in indexes:
        conn.execute(definition)
    timings["event_indexes"] = time.perf_counter() - start
    start = time.perf_counter()
    conn.execute("TRUNCATE rating_rollup")
    conn.execute(ROLLUP_SQL)
    timings["rollups"] = time.perf_counter() - start


def _scores_and_vacuum(url: str, app, timings: dict) -> dict:
    """The weighted scores from the rollups, agency by agency, then VACUUM
    ANALYZE; returns the sizes the report prints."""
    import psycopg

    from portal.core.models import Agency
    from portal.core.record.ratings import recompute_scores
    from portal.extensions import db

    start = time.perf_counter()
    with app.app_context():
        for agency in db.session.scalars(db.select(Agency).order_by(Agency.id)).all():
            recompute_scores(agency)
            db.session.commit()
    timings["scores"] = time.perf_counter() - start
    start = time.perf_counter()
    with psycopg.connect(_dsn(url), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    timings["vacuum"] = time.perf_counter() - start
    return sizes(url)


def sizes(url: str) -> tuple:
    """(rating events, rollup rows, score rows, complaints, officers, database bytes)."""
    import psycopg

    with psycopg.connect(_dsn(url), autocommit=True) as conn:
        return conn.execute(
            "SELECT (SELECT count(*) FROM rating_event), (SELECT count(*) FROM rating_rollup), "
            "(SELECT count(*) FROM rating_score), (SELECT count(*) FROM pengaduan_ticket), "
            "(SELECT count(*) FROM officer), pg_database_size(current_database())"
        ).fetchone()


def _first_officer(url: str) -> int:
    import psycopg

    with psycopg.connect(_dsn(url), autocommit=True) as conn:
        return conn.execute("SELECT min(id) FROM officer").fetchone()[0]


def _bench_app():
    from portal import create_app

    return create_app({"RATELIMIT_ENABLED": False, "PORTAL_PASSWORD_HASH": "pbkdf2:sha256:1000"})


def fill(url: str, n_events: int, n_complaints: int) -> dict:
    """Schema by migrations, people by the ORM, the bulk inside PostgreSQL."""
    import psycopg

    timings = {}
    start = time.perf_counter()
    flask(url, "db", "upgrade")
    timings["schema"] = time.perf_counter() - start
    app = _bench_app()
    start = time.perf_counter()
    _people(app)
    timings["people"] = time.perf_counter() - start
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with psycopg.connect(_dsn(url), autocommit=True) as conn:
        first_officer = conn.execute("SELECT min(id) FROM officer").fetchone()[0]
        conn.execute(
            "INSERT INTO pengaduan_category (agency_id, code, name, description, verify_days, "
            "followup_days, fields_json, active) SELECT id, 'umum', 'Umum', '', NULL, NULL, '[]', true "
            "FROM agency"
        )
        _add_events(conn, n_events, first_officer, timings)
        start = time.perf_counter()
        conn.execute(
            COMPLAINTS_SQL,
            {
                "first": 1,
                "n": n_complaints,
                "now": now,
                "agencies": N_AGENCIES,
                "officers": OFFICERS_PER_AGENCY,
            },
        )
        timings["complaints"] = time.perf_counter() - start
    counts = _scores_and_vacuum(url, app, timings)
    return {"timings": timings, "sizes": counts, "first_officer": first_officer}


def grow(url: str, n_events: int, n_complaints: int = 0) -> dict:
    """Add rating events to the kept database until it holds ``n_events``
    (same officers, same 12 months: more ratings per officer), and
    complaints until it holds ``n_complaints``, then rebuild the rollups and
    scores from all of them."""
    import psycopg

    timings = {}
    first_officer = _first_officer(url)
    with psycopg.connect(_dsn(url), autocommit=True) as conn:
        have = conn.execute("SELECT count(*) FROM rating_event").fetchone()[0]
        if n_events > have:
            _add_events(conn, n_events - have, first_officer, timings)
        have = conn.execute("SELECT count(*) FROM pengaduan_ticket").fetchone()[0]
        if n_complaints > have:
            start = time.perf_counter()
            now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
            conn.execute(
                COMPLAINTS_SQL,
                {
                    "first": have + 1,
                    "n": n_complaints,
                    "now": now,
                    "agencies": N_AGENCIES,
                    "officers": OFFICERS_PER_AGENCY,
                },
            )
            timings["complaints"] = time.perf_counter() - start
    if not timings:  # nothing added: the rollups and scores are already these
        return {"timings": timings, "sizes": sizes(url), "first_officer": first_officer}
    counts = _scores_and_vacuum(url, _bench_app(), timings)
    return {"timings": timings, "sizes": counts, "first_officer": first_officer}


def daily_jobs(url: str) -> dict:
    out = {}
    out["check-sla"] = flask(url, "pengaduan", "check-sla")
    out["anonymise (first)"] = flask(url, "anonymise", "--days", "180")
    out["anonymise (next day)"] = flask(url, "anonymise", "--days", "180")
    flask(url, "db", "downgrade", BEFORE_REVIEW)
    out["db upgrade"] = flask(url, "db", "upgrade")
    return out


def _report_pages(result: dict) -> None:
    events, rollups, scores, complaints, officers, size = result["fill"]["sizes"]
    print(
        f"## PostgreSQL, province: {events:,} rating events, {officers:,} officers in {N_AGENCIES} agencies, "
        f"{complaints:,} complaints; {rollups:,} rollup rows, {scores:,} score rows; "
        f"database {size / 2**30:.1f} GiB"
    )
    if result["fill"]["timings"]:
        print("fill: " + ", ".join(f"{k} {v:.0f} s" for k, v in result["fill"]["timings"].items()))
    for label, key in (("officer page     ", "officer"), ("team ranking page", "team")):
        print(f"{label} server {result[key][0]:6.1f} ms   database {result[key][1]:5.2f} ms  (median)")
    for label, key in (("officer page     ", "officer"), ("team ranking page", "team")):
        statements, rows, buffers = result["work"][key]
        print(f"{label} {statements} SELECTs reading {rows:,} rows, {buffers:,} buffers (EXPLAIN ANALYZE)")
    print(
        f"semester aggregation, one agency: raw events {result['raw_ms']:.1f} ms, rollups "
        f"{result['rollup_ms']:.2f} ms, raw ÷ rollup = {result['raw_ms'] / result['rollup_ms']:.0f}× "
        "(as the app sees them)"
    )
    raw, rolled = result["server"]
    print(f"  inside PostgreSQL (EXPLAIN ANALYZE): {raw:.1f} ms ÷ {rolled:.2f} ms = {raw / rolled:.0f}×")


def report(result: dict) -> None:
    """One block per size measured, then (with two or more) how the pages'
    cost moved while the events grew, then the daily jobs."""
    steps = result.get("steps", [result])
    for step in steps:
        _report_pages(step)
    if len(steps) > 1:
        first, last = steps[0], steps[-1]
        factor = last["fill"]["sizes"][0] / first["fill"]["sizes"][0]
        print(f"growth: {factor:.1f}× the rating events")
        for label, key in (("officer page     ", "officer"), ("team ranking page", "team")):
            (s0, d0), (s1, d1) = first[key], last[key]
            print(
                f"{label} server {s0:6.1f} → {s1:6.1f} ms ({s1 / s0:.2f}×)"
                f"   database {d0:5.2f} → {d1:5.2f} ms ({d1 / d0:.2f}×)"
            )
        for label, key in (("officer page     ", "officer"), ("team ranking page", "team")):
            (_n0, r0, b0), (_n1, r1, b1) = first["work"][key], last["work"][key]
            print(f"{label} rows read {r0:,} → {r1:,}   buffers {b0:,} → {b1:,}")
        print(
            f"raw-events aggregation {first['raw_ms']:.1f} → {last['raw_ms']:.1f} ms "
            f"({last['raw_ms'] / first['raw_ms']:.2f}×)"
        )
    for name, (seconds, line) in result.get("jobs", {}).items():
        print(f"flask {name}: {seconds:.1f} s — {line}")


def page_work(url: str, paths: dict[str, str]) -> dict[str, tuple[int, int, int]]:
    """{page: (statements, rows read, buffers touched)} for one request of
    each page (signed in as ``admin@bench.example``): every SELECT the page
    issued, re-run under ``EXPLAIN (ANALYZE, BUFFERS)`` with its parameters.
    Unlike the times, these do not depend on what else the machine is doing:
    the pages' cost is flat when they do not move as the events grow."""
    import psycopg
    from sqlalchemy import event

    from benchmarks import record
    from portal.extensions import db

    app = record._app(url)
    seen: list = []

    def remember(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    client = app.test_client()
    record.sign_in(client)
    out = {}
    event.listen(engine, "before_cursor_execute", remember)
    try:
        for name, path in paths.items():
            seen.clear()
            assert client.get(path).status_code == 200, path
            statements = [(s, p) for s, p in seen if s.lstrip().upper().startswith("SELECT")]
            rows = buffers = 0
            with psycopg.connect(_dsn(url), autocommit=True) as conn:
                for statement, parameters in statements:
                    plan = conn.execute(
                        "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + statement, parameters
                    ).fetchone()[0][0]
                    buffers += _plan_buffers(plan["Plan"])
                    rows += _plan_rows(plan["Plan"])
            out[name] = (len(statements), rows, buffers)
    finally:
        event.remove(engine, "before_cursor_execute", remember)
    return out


def _plan_buffers(node: dict) -> int:
    """Shared buffers a plan touched (a node's counts include its children's)."""
    return node.get("Shared Hit Blocks", 0) + node.get("Shared Read Blocks", 0)


def _plan_rows(node: dict) -> int:
    """Rows the plan's scans produced (what was read, before any grouping)."""
    own = node["Actual Rows"] * node.get("Actual Loops", 1) if "Scan" in node["Node Type"] else 0
    removed = node.get("Rows Removed by Filter", 0) + node.get("Rows Removed by Index Recheck", 0)
    return own + removed + sum(_plan_rows(child) for child in node.get("Plans", []))


def _measure(url: str, filled: dict) -> dict:
    from benchmarks import record

    officer_id = filled["first_officer"] + OFFICERS_PER_AGENCY // 2  # a staff member of agency 1
    args = f"periode=semester&tanggal={record.TODAY.isoformat()}"
    work = page_work(
        url, {"officer": f"/kinerja/pegawai/{officer_id}?{args}", "team": f"/kinerja/bench/tim?{args}"}
    )
    return {"fill": filled, "work": work, **record.measure(url, officer_id, agency_id=1)}


def run(
    url: str,
    n_events: int,
    n_complaints: int = N_COMPLAINTS,
    grow_to: int | None = None,
    measure_only: bool = False,
    jobs: bool = True,
) -> dict:
    """Fill (unless ``measure_only``: the kept database as it is), measure;
    with ``grow_to``, add events up to that many (and complaints up to
    ``n_complaints``) and measure again; then the daily jobs (not after
    ``measure_only`` alone)."""
    os.environ["PORTAL_DATABASE_URL"] = url
    if measure_only:
        filled = {"timings": {}, "sizes": sizes(url), "first_officer": _first_officer(url)}
    else:
        filled = fill(url, n_events, n_complaints)
    steps = [_measure(url, filled)]
    if grow_to:
        steps.append(_measure(url, grow(url, grow_to, n_complaints)))
    result = {"steps": steps}
    if jobs and (grow_to or not measure_only):
        result["jobs"] = daily_jobs(url)
    return result
