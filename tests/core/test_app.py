"""The app factory, configuration, health check and error pages."""

from __future__ import annotations

import os

import pytest

from portal import create_app
from portal.testing import make_app


def test_refuses_to_start_without_a_real_secret_key(monkeypatch):
    monkeypatch.delenv("PORTAL_SECRET_KEY", raising=False)
    monkeypatch.delenv("PORTAL_DEBUG", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    for key in (None, "dev", "kependekan"):
        if key is None:
            monkeypatch.delenv("PORTAL_SECRET_KEY", raising=False)
        else:
            monkeypatch.setenv("PORTAL_SECRET_KEY", key)
        with pytest.raises(SystemExit) as stop:
            create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
        assert "PORTAL_SECRET_KEY belum diisi atau terlalu lemah" in str(stop.value.code)


def test_configuration_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("PORTAL_SECRET_KEY", "k" * 40)
    monkeypatch.setenv("PORTAL_DATABASE_URL", f"sqlite:///{tmp_path}/x.sqlite3")
    monkeypatch.setenv("PORTAL_REDIS_URL", "redis://127.0.0.1:6379/5")
    monkeypatch.setenv("PORTAL_PLUGINS", "survei")
    app = create_app()
    assert app.config["SECRET_KEY"] == "k" * 40
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("x.sqlite3")
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/5"
    assert app.extensions["portal_plugins"].names == ["survei"]
    for ext in ("sqlalchemy", "csrf", "babel", "limiter"):
        assert ext in app.extensions, ext
    assert "migrate" not in app.extensions  # bound by `flask db` only (portal.core.migrations)
    assert app.login_manager is not None


def test_start_up_leaves_heavy_libraries_to_the_code_that_uses_them(tmp_path):
    """Every worker pays for what create_app imports: Alembic (for `flask db`),
    spreadsheets, PDF, images, QR codes and holiday tables are imported by
    the commands and pages that use them, and the staff views that
    ``lazy_route`` names by their first request. (benchmarks/memory.py
    measures.)"""
    import json
    import subprocess
    import sys

    heavy = ["alembic", "flask_migrate", "openpyxl", "fpdf", "PIL", "qrcode", "holidays", "pypdf"]
    heavy += ["plugins.kinerja_harian.staff", "plugins.pengembangan.staff"]
    code = (
        "import json, sys\n"
        "from portal import create_app\n"
        f"create_app({{'TESTING': True, 'SECRET_KEY': 'k' * 40, "
        f"'SQLALCHEMY_DATABASE_URI': 'sqlite:///{tmp_path}/x.sqlite3'}})\n"
        f"print(json.dumps([m for m in {heavy!r} if m in sys.modules]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={
            **{k: v for k, v in os.environ.items() if k != "PORTAL_PLUGINS"},  # every plugin
            "PORTAL_INSTANCE_PATH": str(tmp_path),
        },
    )
    assert json.loads(done.stdout.splitlines()[-1]) == []


def test_every_lazy_page_of_the_installed_plugins_names_a_view(tmp_path):
    """A misspelt module or function in a ``lazy_route`` table would only
    show on that page's first request: every one is resolved here."""
    from portal.core.plugin_system.plugins import LazyView

    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "k" * 40,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.sqlite3",
        }
    )
    lazy = {endpoint: view for endpoint, view in app.view_functions.items() if isinstance(view, LazyView)}
    assert {view.__module__ for view in lazy.values()} >= {
        "plugins.kinerja_harian.staff",
        "plugins.pengembangan.staff",
    }
    for endpoint, view in lazy.items():
        function = view.resolve()
        assert callable(function) and function.__name__ == endpoint.rsplit(".", 1)[1], endpoint


def test_default_database_is_sqlite_in_the_instance_folder(monkeypatch):
    monkeypatch.delenv("PORTAL_DATABASE_URL", raising=False)
    app = create_app({"TESTING": True, "SECRET_KEY": "k" * 40})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{app.instance_path}/portal.sqlite3"


def test_healthz_ok(client):
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json["status"] == "ok" and r.json["database"] == "ok"


def test_database_down_gives_503_not_a_traceback():
    # Nothing listens on port 1: the database is "down".
    app = make_app("postgresql+psycopg://postgres@127.0.0.1:1/none?connect_timeout=2")
    client = app.test_client()
    r = client.get("/healthz")
    assert r.status_code == 503
    assert r.json["status"] == "error" and "database unreachable" in r.json["reason"]
    assert "127.0.0.1" not in r.get_data(as_text=True)
    r = client.get("/")
    assert r.status_code == 503
    page = r.get_data(as_text=True)
    assert "Layanan sedang tidak tersedia" in page and "Traceback" not in page


def test_database_down_page_renders_for_a_signed_in_user_on_an_agency_page():
    """The 503 page itself must not need the database: not to load the
    signed-in user, nor the agency's navigation."""
    app = make_app("postgresql+psycopg://postgres@127.0.0.1:1/none?connect_timeout=2")
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = "1:0"  # user 1, session generation 0
        session["_fresh"] = True
    for url in ("/alpha/", "/alpha/pengaduan/baru", "/kelola/", "/kinerja/"):
        r = client.get(url)
        page = r.get_data(as_text=True)
        assert r.status_code == 503, url
        assert "Layanan sedang tidak tersedia" in page and "portal.css" in page, url


def test_not_found_page_is_in_the_portal_language(client):
    r = client.get("/tidak-ada-instansi/")
    assert r.status_code == 404
    page = r.get_data(as_text=True)
    assert "Halaman tidak ditemukan" in page and '<html lang="id">' in page
    assert client.get("/tidak-ada-instansi/survei/").status_code == 404


def test_public_pages_list_agencies_and_modules(client, world):
    page = client.get("/").get_data(as_text=True)
    assert "Dinas Alpha" in page and 'href="/beta/"' in page
    page = client.get("/alpha/").get_data(as_text=True)
    for title in ("Survei Kepuasan Masyarakat", "Dialog Publik", "Pengaduan"):
        assert title in page


def test_oversized_request_page_says_the_limit(app_factory):
    client = app_factory(MAX_CONTENT_LENGTH=1024 * 1024).test_client()
    r = client.post("/masuk", data={"email": "x" * (2 * 1024 * 1024)})
    assert r.status_code == 413
    assert "Satu kiriman paling besar 1 MB." in r.get_data(as_text=True)


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_connection_lost_after_the_answer_was_chosen_is_not_a_500(app):
    """PostgreSQL ends the request's connection (a restart, a failover)
    after the view has done its work: the final rollback fails, and the
    citizen still gets the answer the portal chose."""
    from sqlalchemy import create_engine, text

    from portal.extensions import db

    @app.route("/_test/terminated")
    def terminated():
        pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar()
        other = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
        with other.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        other.dispose()
        return "selesai"

    response = app.test_client().get("/_test/terminated")
    assert response.status_code == 200 and response.get_data(as_text=True) == "selesai"
    assert app.test_client().get("/healthz").status_code == 200  # the pool recovered


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_connection_idle_across_a_database_restart_is_replaced_unseen(app_factory):
    """A pooled connection left idle while PostgreSQL dropped it (a restart,
    an idle timeout) is checked before its next use and replaced: the
    visitor never sees it. A connection used moments ago is not checked
    (that would cost a round trip on every query)."""
    import time

    from sqlalchemy import create_engine, text

    from portal.extensions import db

    app = app_factory(PORTAL_DB_PING_IDLE_SECONDS=0.2)
    pings = []
    with app.app_context():
        dialect = db.engine.dialect
        real_ping = dialect.do_ping
        dialect.do_ping = lambda connection: pings.append(1) or real_ping(connection)
        first = db.session.execute(text("SELECT pg_backend_pid()")).scalar()
        db.session.commit()
        db.session.remove()
        again = db.session.execute(text("SELECT pg_backend_pid()")).scalar()
        db.session.remove()
        assert again == first and pings == []  # reused at once: not checked
        other = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
        with other.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
        other.dispose()
        time.sleep(0.3)
    client = app.test_client()
    assert client.get("/healthz").status_code == 200  # no 503: replaced before use
    with app.app_context():
        assert pings  # the idle connection was checked …
        now = db.session.execute(text("SELECT pg_backend_pid()")).scalar()
        assert now != first  # … and a new one took its place
        db.session.remove()
