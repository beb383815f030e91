"""The bare Flask reference app the portal is measured against.

Same stack below the portal (Flask, SQLAlchemy's pool, the same database and
the same SQLite settings), none of the portal: no plugins, no ORM, no
Jinja. Two kinds of endpoint:

The old, less-work references (kept so the figures stay comparable with
earlier runs):

- ``GET /hello``: a constant string.
- ``GET /get``: one row by primary key, as JSON.
- ``POST /insert``: insert a row and upsert a per-key aggregate (count, sum,
  sum of squares) in one transaction.

The same-work references: on a database migrated and seeded exactly like
the portal's, each does what the design guarantees require and no more, in
raw SQL, and answers with the portal's own page (captured once at start,
``BARE_PAGES``) by string substitution:

- ``GET /s/<token>``: the one query that must stay exact (token exists,
  desk active, survey module on) and the form with a fresh signed nonce.
- ``POST /s/<token>``: the nonce checked (signature, desk, age); the desk
  (with its survey kind and module switch) and the officer on duty read;
  then in one transaction the response with its unique nonce, the rating
  event and the officer × month rollup upsert; a redirect to the thanks
  page with the device cookie.
- ``GET /<slug>/pengaduan/lacak/<code>``: one query (agency, module switch,
  ticket) and the tracking page.
- ``GET /kelola/<slug>/``: the signed staff cookie checked and the user read,
  the agency and its switches read, the queries the dashboard's widgets need
  (surveys today, the semester's SKM sums, open complaints by status,
  overdue complaints, daily reports waiting, officers short of 20 JP,
  units, desks, officers, users, ratings held for review, the account
  bar's unread notifications) and the page.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import os
import secrets
import time
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import Flask, abort, has_request_context, jsonify, redirect, request
from markupsafe import escape
from sqlalchemy.exc import IntegrityError

#: Stands in for the nonce in the captured survey page.
NONCE_MARK = "__bare_nonce__"
NONCE_MAX_AGE = 2 * 3600


def _mac(key: str, body: str) -> str:
    digest = hmac.new(key.encode(), body.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode()


def sign_nonce(key: str, desk_id: int, now: float | None = None) -> str:
    """``desk.issued.random.mac``, as the portal's survey nonce."""
    body = f"{desk_id}.{int(now if now is not None else time.time())}.{secrets.token_urlsafe(16)}"
    return f"{body}.{_mac(key, body)}"


def open_nonce(key: str, signed: str, desk_id: int) -> str | None:
    parts = (signed or "").split(".")
    if len(parts) != 4 or not parts[0].isdigit() or not parts[1].isdigit():
        return None
    if not hmac.compare_digest(parts[3], _mac(key, ".".join(parts[:3]))):
        return None
    if int(parts[0]) != desk_id or not -60 <= time.time() - int(parts[1]) <= NONCE_MAX_AGE:
        return None
    return parts[2]


def staff_cookie(key: str, user_id: int) -> str:
    return f"{user_id}.{_mac(key, f'staff.{user_id}')}"


app = Flask(__name__)
URL = os.environ.get("BARE_DATABASE_URL", "")
KEY = os.environ.get("BARE_SECRET_KEY", "bare-" + "x" * 32)
SQLITE = URL.startswith("sqlite")
PAGES = Path(os.environ.get("BARE_PAGES", "."))
engine = None

if URL:
    from sqlalchemy import create_engine, event, exc, text

    engine = create_engine(URL, connect_args={"timeout": 30} if SQLITE else {})
    if not SQLITE:  # as the portal does: check a connection idle for a second or more

        @event.listens_for(engine, "checkin")
        def _idle_from(dbapi_connection, record):
            if dbapi_connection is not None:
                record.info["idle_since"] = time.monotonic()

        @event.listens_for(engine, "checkout")
        def _ping_if_idle(dbapi_connection, record, _proxy):
            since = record.info.get("idle_since")
            if since is not None and time.monotonic() - since >= 1.0:
                try:
                    engine.dialect.do_ping(dbapi_connection)
                except engine.dialect.loaded_dbapi.Error as error:
                    raise exc.DisconnectionError(str(error)) from error

    if SQLITE:

        @event.listens_for(engine, "connect")
        def _connect(dbapi_connection, _record):
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=30000"):
                cursor.execute(f"PRAGMA {pragma}")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(conn):
            reading = has_request_context() and request.method == "GET"
            conn.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")


def _page(name: str) -> str:
    path = PAGES / name
    return path.read_text() if path.exists() else ""


SURVEY_PAGE = _page("survey.html")
TRACK_PAGE = _page("track.html")
DASHBOARD_PAGE = _page("dashboard.html")


def _sql(statement: str) -> str:
    """Write statements with ``?``; psycopg wants ``%s``."""
    return statement if SQLITE else statement.replace("?", "%s")


def _params(params: tuple) -> tuple:
    """SQLite keeps dates and times as the text SQLAlchemy writes."""
    if not SQLITE:
        return params
    out = []
    for value in params:
        if isinstance(value, dt.datetime):
            value = value.strftime("%Y-%m-%d %H:%M:%S.%f")
        elif isinstance(value, dt.date):
            value = value.isoformat()
        elif isinstance(value, dt.time):
            value = value.strftime("%H:%M:%S.%f")
        out.append(value)
    return tuple(out)


def query(statement: str, params: tuple = (), *, many: bool = False):
    """One statement on a pooled driver connection outside any transaction
    (SQLite connections are in autocommit; PostgreSQL's are put there), as
    the portal's page cache does for its one exact query."""
    connection = engine.raw_connection()
    driver = connection.driver_connection
    manual = getattr(driver, "autocommit", None) is False
    try:
        if manual:
            driver.autocommit = True
        cursor = connection.cursor()
        cursor.execute(_sql(statement), _params(params))
        rows = cursor.fetchall() if many else cursor.fetchone()
        cursor.close()
        return rows
    finally:
        if manual:
            driver.autocommit = False
        connection.close()


def create_schema() -> None:
    with engine.begin() as conn:
        serial = "INTEGER PRIMARY KEY AUTOINCREMENT" if SQLITE else "SERIAL PRIMARY KEY"
        conn.execute(text(f"CREATE TABLE IF NOT EXISTS bare_event (id {serial}, k INTEGER, v INTEGER)"))
        conn.execute(
            text(
                "CREATE TABLE IF NOT EXISTS bare_rollup (k INTEGER PRIMARY KEY, n INTEGER, "
                "s DOUBLE PRECISION, q DOUBLE PRECISION)"
            )
        )
        conn.execute(text("INSERT INTO bare_rollup VALUES (1, 0, 0, 0) ON CONFLICT (k) DO NOTHING"))


# ------------------------------------------------------------ less-work references


@app.get("/hello")
def hello():
    return "hello"


@app.get("/get")
def get():
    with engine.connect() as conn:
        row = conn.execute(text("SELECT k, n, s FROM bare_rollup WHERE k = 1")).one()
    return jsonify({"k": row[0], "n": row[1], "s": row[2]})


@app.post("/insert")
def insert():
    value = int(request.form.get("v", "3"))
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO bare_event (k, v) VALUES (1, :v)"), {"v": value})
        conn.execute(
            text(
                "INSERT INTO bare_rollup (k, n, s, q) VALUES (1, 1, :v, :q) ON CONFLICT (k) "
                "DO UPDATE SET n = bare_rollup.n + 1, s = bare_rollup.s + :v, "
                "q = bare_rollup.q + :q"
            ),
            {"v": value, "q": value * value},
        )
    return "", 204


# ------------------------------------------------------------ same-work references

_MODULE_ON = "(SELECT enabled FROM agency_plugin WHERE agency_id = agency.id AND plugin = '{}')"

DESK_STATE = (
    "SELECT desk.id, desk.active, " + _MODULE_ON.format("survei") + " FROM desk "  # noqa: S608
    "JOIN unit ON unit.id = desk.unit_id JOIN agency ON agency.id = unit.agency_id "
    "WHERE desk.qr_token = ?"
)


@app.get("/s/<token>")
def survey_page(token):
    row = query(DESK_STATE, (token,))
    if row is None or not (row[1] and row[2]):
        abort(404)
    return app.response_class(SURVEY_PAGE.replace(NONCE_MARK, sign_nonce(KEY, row[0])), mimetype="text/html")


DESK_FOR_SUBMIT = (
    "SELECT desk.id, desk.unit_id, agency.id, agency.timezone, desk.active, "  # noqa: S608
    + _MODULE_ON.format("survei")
    + ", COALESCE(survei_desk_survey.kind, 'cepat') FROM desk "
    "JOIN unit ON unit.id = desk.unit_id JOIN agency ON agency.id = unit.agency_id "
    "LEFT JOIN survei_desk_survey ON survei_desk_survey.desk_id = desk.id "
    "WHERE desk.qr_token = ?"
)
ON_DUTY = (
    "SELECT officer.id FROM survei_roster JOIN officer ON officer.id = survei_roster.officer_id "
    "WHERE survei_roster.desk_id = ? AND survei_roster.weekday = ? AND survei_roster.start <= ? "
    'AND survei_roster."end" > ? AND officer.active = ? AND officer.agency_id = ?'
)
INSERT_RESPONSE = (
    "INSERT INTO survei_response (agency_id, unit_id, desk_id, officer_id, kind, nonce, verified, "
    "created_at, face, comment_status, review, hold_reason) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'none', '', '') RETURNING id"
)
INSERT_EVENT = (
    "INSERT INTO rating_event (agency_id, officer_id, source, kind, value, scale_min, scale_max, score, "
    "verified, ref, comment_state, review, hold_reason, period, created_at) "
    "VALUES (?, ?, 'survei', ?, ?, 1, 4, ?, ?, ?, '', '', '', ?, ?)"
)
UPSERT_ROLLUP = (
    "INSERT INTO rating_rollup (officer_id, period, source, kind, verified, agency_id, count, total, "
    "total_sq, band_a, band_b, band_c, band_d) VALUES (?, ?, 'survei', ?, ?, ?, 1, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (officer_id, period, source, kind, verified) DO UPDATE SET "
    "count = rating_rollup.count + 1, total = rating_rollup.total + excluded.total, "
    "total_sq = rating_rollup.total_sq + excluded.total_sq, band_a = rating_rollup.band_a + excluded.band_a, "
    "band_b = rating_rollup.band_b + excluded.band_b, band_c = rating_rollup.band_c + excluded.band_c, "
    "band_d = rating_rollup.band_d + excluded.band_d"
)
BAND_FLOORS = (88.31, 76.61, 65.0)


@app.post("/s/<token>")
def survey_submit(token):
    row = query(DESK_FOR_SUBMIT, (token,))
    if row is None or not (row[4] and row[5]):
        abort(404)
    desk_id, unit_id, agency_id, zone, _active, _on, kind = row
    nonce = open_nonce(KEY, request.form.get("nonce", ""), desk_id)
    face = request.form.get("face", "")
    if nonce is None or kind != "cepat" or face not in ("1", "2", "3", "4"):
        return "Formulir tidak berlaku", 400
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    local = now.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(zone))
    clock = local.time().replace(tzinfo=None)
    duty = query(ON_DUTY, (desk_id, local.weekday(), clock, clock, True, agency_id), many=True)
    officer_id = duty[0][0] if len(duty) == 1 else None
    value = int(face)
    score = round(value / 4 * 100.0, 6)
    bands = [0, 0, 0, 0]
    bands[next((i for i, floor in enumerate(BAND_FLOORS) if round(score, 2) >= floor), 3)] = 1
    period = local.date().replace(day=1)
    with engine.connect() as conn:
        transaction = conn.begin()
        try:
            response_id = conn.exec_driver_sql(
                _sql(INSERT_RESPONSE),
                _params((agency_id, unit_id, desk_id, officer_id, kind, nonce, False, now, value)),
            ).scalar()
        except IntegrityError:  # the nonce was used: a replay stores nothing
            transaction.rollback()
            return "Penilaian Anda sudah kami terima", 200
        if officer_id is not None:
            conn.exec_driver_sql(
                _sql(INSERT_EVENT),
                (
                    agency_id,
                    officer_id,
                    kind,
                    float(value),
                    score,
                    False,
                    f"survei_response:{response_id}",
                    period,
                    now,
                ),
            )
            conn.exec_driver_sql(
                _sql(UPSERT_ROLLUP),
                _params((officer_id, period, kind, False, agency_id, score, score * score, *bands)),
            )
        transaction.commit()
    reply = redirect(f"/s/{token}/terima-kasih")
    reply.set_cookie(
        f"survei_{desk_id}", f"{int(time.time())}.{_mac(KEY, f'device.{desk_id}')}", max_age=3600
    )
    return reply


TRACK_STATE = (
    "SELECT pengaduan_ticket.id, pengaduan_ticket.updated_at, pengaduan_ticket.title "
    "FROM pengaduan_ticket JOIN agency ON agency.id = pengaduan_ticket.agency_id "
    "WHERE agency.slug = ? AND pengaduan_ticket.code = ? AND " + _MODULE_ON.format("pengaduan") + " = ?"
)


@app.get("/<slug>/pengaduan/lacak/<code>")
def track(slug, code):
    row = query(TRACK_STATE, (slug, code.strip().upper(), True))
    if row is None:
        abort(404)
    page = TRACK_PAGE.replace("__bare_title__", str(escape(row[2])))
    return app.response_class(page, mimetype="text/html")


DASHBOARD = {
    "surveys_today": (
        "SELECT count(id) FROM survei_response WHERE agency_id = ? AND created_at >= ? AND created_at < ? "
        "AND review IN ('', 'diterima')"
    ),
    "skm": (
        "SELECT count(id), "  # noqa: S608
        + ", ".join(f"coalesce(sum(u{i}), 0), count(u{i})" for i in range(1, 10))
        + " FROM survei_response WHERE kind = 'skm' AND agency_id = ? AND created_at >= ? AND created_at < ? "
        "AND review IN ('', 'diterima')"
    ),
    "open": (
        "SELECT status, count(id) FROM pengaduan_ticket WHERE agency_id = ? "
        "AND status IN ('baru', 'diverifikasi', 'diproses') GROUP BY status"
    ),
    "overdue": (
        "SELECT count(id) FROM pengaduan_ticket WHERE agency_id = ? AND (status = 'baru' AND verify_due < ? "
        "OR status IN ('diverifikasi', 'diproses') AND resolve_due < ?)"
    ),
    "units": "SELECT count(id) FROM unit WHERE agency_id = ?",
    "desks": "SELECT count(desk.id) FROM desk JOIN unit ON unit.id = desk.unit_id WHERE unit.agency_id = ?",
    "officers": "SELECT count(id) FROM officer WHERE agency_id = ?",
    "users": "SELECT count(id) FROM user_account WHERE agency_id = ?",
    "held": "SELECT count(id) FROM rating_event WHERE agency_id = ? AND review = 'ditahan'",
    # The account bar's unread notifications, on every staff page.
    "unread": "SELECT count(id) FROM notification WHERE user_id = ? AND read_at IS NULL",
    # Daily reports waiting for evaluation (kinerja_harian's widget).
    "waiting": "SELECT count(id) FROM kinerja_harian_day WHERE agency_id = ? AND status = 'diajukan'",
    # Active officers and those short of 20 JP this year (pengembangan's widget).
    "jp": (
        "SELECT count(o.id), count(CASE WHEN (SELECT coalesce(sum(a.jp), 0) FROM pengembangan_participant p "
        "JOIN pengembangan_activity a ON a.id = p.activity_id WHERE p.officer_id = o.id AND p.attended "
        "AND a.ends_on >= ? AND a.ends_on <= ?) < 20 THEN 1 END) FROM officer o "
        "WHERE o.agency_id = ? AND o.active"
    ),
}


@app.get("/kelola/<slug>/")
def dashboard(slug):
    user_id, _, mac = request.cookies.get("staff", "").partition(".")
    if not user_id.isdigit() or not hmac.compare_digest(mac, _mac(KEY, f"staff.{user_id}")):
        return redirect("/masuk")
    with engine.connect() as conn:
        run = conn.exec_driver_sql
        user = run(
            _sql("SELECT id, role, agency_id, active FROM user_account WHERE id = ?"), (int(user_id),)
        ).first()
        agency = run(_sql("SELECT id, timezone FROM agency WHERE slug = ?"), (slug,)).first()
        if user is None or not user[3] or agency is None or user[2] != agency[0]:
            abort(404)
        switches = dict(
            run(_sql("SELECT plugin, enabled FROM agency_plugin WHERE agency_id = ?"), (agency[0],)).all()
        )
        zone = ZoneInfo(agency[1])
        now = dt.datetime.now(zone)
        midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
        day_start = midnight.astimezone(dt.UTC).replace(tzinfo=None)
        day_end = day_start + dt.timedelta(days=1)
        half = 1 if now.month <= 6 else 7
        sem_start = dt.datetime(now.year, half, 1, tzinfo=zone).astimezone(dt.UTC).replace(tzinfo=None)
        sem_end = (
            dt.datetime(now.year + (half == 7), 7 if half == 1 else 1, 1, tzinfo=zone)
            .astimezone(dt.UTC)
            .replace(tzinfo=None)
        )
        a, today = agency[0], now.date()
        figures = {}
        if switches.get("survei"):
            figures["surveys_today"] = run(
                _sql(DASHBOARD["surveys_today"]), _params((a, day_start, day_end))
            ).scalar()
            figures["skm"] = tuple(run(_sql(DASHBOARD["skm"]), _params((a, sem_start, sem_end))).one())
        if switches.get("pengaduan"):
            figures["open"] = dict(run(_sql(DASHBOARD["open"]), (a,)).all())
            figures["overdue"] = run(_sql(DASHBOARD["overdue"]), _params((a, today, today))).scalar()
        if switches.get("kinerja_harian"):
            figures["waiting"] = run(_sql(DASHBOARD["waiting"]), (a,)).scalar()
        if switches.get("pengembangan"):
            year = (dt.date(now.year, 1, 1), dt.date(now.year, 12, 31))
            figures["jp"] = tuple(run(_sql(DASHBOARD["jp"]), _params((*year, a))).one())
        for name in ("units", "desks", "officers", "users", "held"):
            figures[name] = run(_sql(DASHBOARD[name]), (a,)).scalar()
        figures["unread"] = run(_sql(DASHBOARD["unread"]), (user[0],)).scalar()
    body = "".join(f"<dt>{name}</dt><dd>{escape(value)}</dd>" for name, value in figures.items())
    return app.response_class(DASHBOARD_PAGE.replace("__bare_figures__", body), mimetype="text/html")


if __name__ == "__main__":
    create_schema()
