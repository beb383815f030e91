"""The bare Flask reference app the portal is measured against.

Same stack below the portal (Flask, SQLAlchemy, the same database and the
same SQLite settings), none of the portal: no plugins, templates, sessions,
CSRF, nonces or crediting.

- ``GET /hello``: a constant string.
- ``GET /get``: one row by primary key, as JSON.
- ``POST /insert``: insert a row and upsert a per-key aggregate (count, sum,
  sum of squares) in one transaction — the shape of a survey submission.
"""

from __future__ import annotations

import os

from flask import Flask, has_request_context, jsonify, request
from sqlalchemy import create_engine, event, text

URL = os.environ["BARE_DATABASE_URL"]
engine = create_engine(
    URL,
    connect_args={"timeout": 30} if URL.startswith("sqlite") else {},
    pool_pre_ping=not URL.startswith("sqlite"),
)

if URL.startswith("sqlite"):

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


app = Flask(__name__)
SERIAL = "INTEGER PRIMARY KEY AUTOINCREMENT" if URL.startswith("sqlite") else "SERIAL PRIMARY KEY"


def create_schema() -> None:
    with engine.begin() as conn:
        conn.execute(text(f"CREATE TABLE IF NOT EXISTS bare_event (id {SERIAL}, k INTEGER, v INTEGER)"))
        conn.execute(
            text(
                "CREATE TABLE IF NOT EXISTS bare_rollup (k INTEGER PRIMARY KEY, n INTEGER, "
                "s DOUBLE PRECISION, q DOUBLE PRECISION)"
            )
        )
        conn.execute(text("INSERT INTO bare_rollup VALUES (1, 0, 0, 0) ON CONFLICT (k) DO NOTHING"))


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


if __name__ == "__main__":
    create_schema()
