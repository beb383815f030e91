"""The portal's pytest plugin: fixtures and helpers for testing the portal
and its plugins (built-in or third-party).

Installed with the portal and registered in the entry point group
``pytest11``, so pytest loads it by itself wherever the portal is installed:
a plugin's own tests use these fixtures without a ``conftest.py``
(``-p no:portal`` turns it off). docs/plugins.md, section "Tests", describes
them.

Every test that takes ``app`` (or anything built on it) runs twice: on
SQLite and on PostgreSQL. PostgreSQL: a fresh database is created for the
run on the server at ``PORTAL_TEST_POSTGRES_URL`` (default: local trust
auth) and dropped at the end. When the server is unreachable the PostgreSQL
half is skipped with the reason, unless ``PORTAL_TEST_REQUIRE_POSTGRES=1``,
which turns that into a failure.

Fixtures: ``pg_url``, ``database_url``, ``app``, ``app_factory``,
``client``, ``runner``, ``world``. Helpers: :func:`make_app`,
:func:`reset_schema`, :func:`nip`, :func:`csrf_token`, :func:`post_form`,
:func:`login`, :data:`PASSWORD`.
"""

from __future__ import annotations

import os
import re
import sqlite3
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from portal import create_app
from portal.extensions import db

__all__ = [
    "CSRF_RE",
    "PASSWORD",
    "PG_ADMIN_URL",
    "REQUIRE_PG",
    "TEST_SECRET",
    "csrf_token",
    "login",
    "make_app",
    "nip",
    "post_form",
    "reset_schema",
]


def pytest_configure(config):
    config.addinivalue_line("markers", "postgres: needs PostgreSQL")


PG_ADMIN_URL = os.environ.get("PORTAL_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REQUIRE_PG = os.environ.get("PORTAL_TEST_REQUIRE_POSTGRES") == "1"
TEST_SECRET = "test-secret-key-not-for-production"  # noqa: S105 - tests only
PASSWORD = "kata-sandi-uji-123"  # noqa: S105 - the test logins' password

_pg_schema_ready: set[str] = set()


@pytest.fixture(scope="session")
def pg_url():
    """URL of a PostgreSQL database created for this run."""
    name = f"portal_test_{uuid.uuid4().hex[:10]}"
    try:
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as error:
        reason = f"PostgreSQL unreachable at {PG_ADMIN_URL}: {str(error.orig).strip()[:200]}"
        if REQUIRE_PG:
            pytest.fail(reason + " (PORTAL_TEST_REQUIRE_POSTGRES=1)")
        pytest.skip(reason)
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'portal.sqlite3'}"
    return request.getfixturevalue("pg_url")


def make_app(database_url, **extra):
    config = {
        "TESTING": True,
        "SECRET_KEY": TEST_SECRET,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "RATELIMIT_STORAGE_URI": "memory://",
        # Explicit: Flask-Limiter keeps the last app's setting as its default,
        # so one app built with limits off would switch them off for the rest.
        "RATELIMIT_ENABLED": True,
        "PORTAL_PLUGINS": None,
        # Fast hashing: the tests create many logins; production keeps scrypt.
        "PORTAL_PASSWORD_HASH": "pbkdf2:sha256:1000",
    }
    config.update(extra)
    return create_app(config)


def reset_schema(app):
    """Empty tables for this test: a new file on SQLite; on PostgreSQL the
    schema is created once per run and truncated before each test."""
    with app.app_context():
        url = str(db.engine.url)
        if db.engine.dialect.name == "postgresql":
            if url not in _pg_schema_ready:
                db.drop_all()
                db.create_all()
                _pg_schema_ready.add(url)
            names = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
            db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            db.session.commit()
        else:
            db.create_all()


@pytest.fixture
def app(database_url, tmp_path):
    app = make_app(database_url, PORTAL_UPLOAD_DIR=str(tmp_path / "uploads"))
    reset_schema(app)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app_factory(database_url):
    """Build more apps on the test's database (e.g. a second "worker" or other
    settings); their connections are closed at the end of the test."""
    apps = []

    def factory(**extra):
        new = make_app(database_url, **extra)
        apps.append(new)
        return new

    yield factory
    for built in apps:
        with built.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# ---------------------------------------------------------------- data


@pytest.fixture
def world(app):
    """Two agencies with a unit, a desk, officers and one login per role.

    Returns a dict of ids/keys, so tests can look objects up in their own
    app context.
    """
    from portal.core.models import Agency, Desk, Officer, Unit, User
    from portal.core.plugin_system import plugins

    with app.app_context():
        out = {}
        for i, slug in enumerate(("alpha", "beta")):
            agency = Agency(slug=slug, name=f"Dinas {slug.title()}")
            unit = Unit(agency=agency, name="Pelayanan Umum")
            desk = Desk(unit=unit, name="Loket 1")
            boss = Officer(agency=agency, unit=unit, nip=nip(2 * i), name=f"Atasan {slug}")
            staff = Officer(
                agency=agency, unit=unit, nip=nip(2 * i + 1), name=f"Staf {slug}", supervisor=boss
            )
            db.session.add_all([agency, unit, desk, boss, staff])
            db.session.flush()
            for name in plugins.installed():
                plugins.set_enabled(agency, name, True)
            users = {
                "admin": User(
                    email=f"admin@{slug}.example", name=f"Admin {slug}", role="admin", agency=agency
                ),
                "supervisor": User(
                    email=f"atasan@{slug}.example",
                    name=boss.name,
                    role="supervisor",
                    agency=agency,
                    officer=boss,
                ),
                "officer": User(
                    email=f"staf@{slug}.example",
                    name=staff.name,
                    role="officer",
                    agency=agency,
                    officer=staff,
                ),
            }
            for user in users.values():
                user.set_password(PASSWORD)
                db.session.add(user)
            out[slug] = {
                "agency": agency.id,
                "unit": unit.id,
                "desk": desk.id,
                "boss": boss.id,
                "staff": staff.id,
                "emails": {r: u.email for r, u in users.items()},
            }
        root = User(email="root@portal.example", name="Root", role="superadmin")
        root.set_password(PASSWORD)
        db.session.add(root)
        db.session.commit()
        out["superadmin"] = root.email
        return out


def nip(i: int) -> str:
    """A valid NIP, distinct for each i < 999."""
    return f"1985{(i % 12) + 1:02d}1{i % 9}2010{(i % 12) + 1:02d}{1 + i % 2}{i + 1:03d}"


CSRF_RE = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def csrf_token(client, url="/") -> str:
    page = client.get(url).get_data(as_text=True)
    match = CSRF_RE.search(page)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def post_form(client, url, data=None, token_from=None, **kwargs):
    """POST ``data`` with a CSRF token taken from a page, as a browser would."""
    data = dict(data or {})
    data["csrf_token"] = csrf_token(client, token_from or url)
    return client.post(url, data=data, **kwargs)


def login(client, email, password=PASSWORD):
    return post_form(client, "/masuk", {"email": email, "password": password})


def other_writer_blocked(app) -> bool:
    """On SQLite: is the database's one write lock held right now (could
    another connection not take it)?"""
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        other.close()
