"""The portal as a production server gets it: a wheel built from this
checkout, installed (not editable) into a fresh virtualenv outside the
checkout, migrated, seeded and serving the citizens' survey page from a
working directory that has nothing of the source tree in it.

The wheel is built once and the virtualenv made once per test session
(tests/packaging.py; installing the dependencies takes the most time, pip's
cache helps). These
tests are marked ``slow``: ``make test-fast`` leaves them out, ``make test``
(and so CI) runs them.
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

from tests.packaging import COMMAND_TIMEOUT, ROOT, environment, run

pytestmark = pytest.mark.slow

#: Top-level folders of the checkout that the wheel carries inside ``portal``.
_MAPPED = ("templates", "static", "migrations")


# ---------------------------------------------------------------- contents


def _expected_files() -> set[str]:
    """Every file the installed portal needs, named as the wheel names it."""
    expected = set()
    for package in ("portal", "plugins"):
        for path in (ROOT / package).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix not in (".pyc", ".pot"):
                expected.add(path.relative_to(ROOT).as_posix())
    for folder in _MAPPED:
        for path in (ROOT / folder).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                expected.add("portal/" + path.relative_to(ROOT).as_posix())
    return expected


def test_the_wheel_holds_every_module_template_static_file_migration_and_catalogue(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    missing = sorted(_expected_files() - names)
    assert not missing, f"not in {wheel.name}: {missing}"
    # The parts a deployment cannot do without, named so that a shrinking
    # checkout cannot make the comparison above pass vacuously.
    for needed in (
        "portal/core/__init__.py",
        "portal/templates/base.html",
        "portal/static/portal.css",
        "portal/migrations/env.py",
        "portal/migrations/alembic.ini",
        "portal/migrations/script.py.mako",
        "portal/migrations/versions/0001_core_tables.py",
        "portal/translations/en/LC_MESSAGES/messages.po",
        "portal/translations/en/LC_MESSAGES/messages.mo",
    ):
        assert needed in names
    for plugin in ("survei", "dialog_publik", "pengaduan"):
        assert any(re.fullmatch(rf"plugins/{plugin}/migrations/\w+\.py", n) for n in names), plugin
        assert any(n.startswith(f"plugins/{plugin}/templates/{plugin}/") for n in names), plugin
    for name in names:
        # Nothing at the top of site-packages but the two packages: a stray
        # templates/ or migrations/ there would clash with other projects.
        assert name.split("/")[0] in ("portal", "plugins") or ".dist-info/" in name, name


def test_the_installed_package_is_imported_from_the_virtualenv(venv, workdir):
    result = run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "import portal, portal.core; from portal import create_app; "
            "print(portal.__file__); print(portal.ROOT)",
        ],
        cwd=workdir,
        env=environment(venv),
    )
    module, root = result.stdout.split()
    site = next((venv / "lib").glob("python*/site-packages"))
    assert Path(module).is_relative_to(site)
    assert Path(root) == site / "portal"


def test_an_instance_folder_that_cannot_be_made_is_named_in_a_plain_message(venv, workdir):
    (workdir / "taken").write_text("a file, not a folder")
    env = environment(venv, PORTAL_INSTANCE_PATH=str(workdir / "taken" / "instance"))
    result = subprocess.run(
        [str(venv / "bin" / "flask"), "--app", "portal", "db", "upgrade"],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
        check=False,
    )
    assert result.returncode != 0
    assert "folder instance" in result.stderr and str(workdir / "taken" / "instance") in result.stderr
    assert "PORTAL_INSTANCE_PATH" in result.stderr
    assert "Traceback" not in result.stderr


# ---------------------------------------------------------------- serving

#: Run by the installed interpreter: one seeded desk's QR token, and a
#: string from the compiled English catalogue.
_PROBE = """
from flask_babel import force_locale, gettext
from portal import create_app
from portal.core.models import Desk
from portal.extensions import db
from plugins.survei.models import SurveiDeskSurvey

app = create_app()
with app.app_context():
    desk = db.session.scalars(db.select(Desk).join(SurveiDeskSurvey, SurveiDeskSurvey.desk_id == Desk.id)
                              .where(Desk.active.is_(True)).order_by(Desk.id)).first()
    print(desk.qr_token)
    print(desk.name)
with app.test_request_context(), force_locale("en"):
    print(gettext("Masuk"))
print(app.instance_path)
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=20) as response:  # noqa: S310 - a local server
        return response.status, response.read().decode("utf-8", "replace")


def _serve(venv: Path, workdir: Path, env: dict):
    port = _free_port()
    log = open(workdir / "flask-run.log", "w")  # closed by the caller
    process = subprocess.Popen(
        [str(venv / "bin" / "flask"), "--app", "portal", "run", "--host", "127.0.0.1", "--port", str(port)],
        cwd=workdir,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.close()
            pytest.fail(f"flask run exited {process.returncode}:\n{(workdir / 'flask-run.log').read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process, log, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.2)
    process.terminate()
    process.wait(timeout=10)
    log.close()
    pytest.fail(f"flask run did not listen within 60 s:\n{(workdir / 'flask-run.log').read_text()}")


@pytest.mark.parametrize(
    "database",
    [
        "sqlite",
        "default",
        pytest.param("postgresql", marks=pytest.mark.postgres),
    ],
)
def test_installed_wheel_migrates_seeds_and_serves_the_survey_page(venv, workdir, database, request):
    """``flask db upgrade``, ``flask seed-demo`` and ``flask run`` of the
    installed package, from a directory outside the checkout: on a SQLite
    file named by PORTAL_DATABASE_URL with the instance folder named by
    PORTAL_INSTANCE_PATH, on the default database in the default instance
    folder, and on PostgreSQL; the instance folder is missing until the
    first command."""
    default_instance = venv / "var" / "portal-instance"
    shutil.rmtree(default_instance, ignore_errors=True)  # as on a fresh install
    instance = default_instance
    extra = {}
    if database == "sqlite":
        instance = workdir / "srv" / "instance"
        extra["PORTAL_INSTANCE_PATH"] = str(instance)
        extra["PORTAL_DATABASE_URL"] = f"sqlite:///{workdir / 'data' / 'portal.sqlite3'}"
        (workdir / "data").mkdir()
    elif database == "postgresql":
        extra["PORTAL_DATABASE_URL"] = request.getfixturevalue("fresh_pg_database")
    env = environment(venv, **extra)
    flask = [str(venv / "bin" / "flask"), "--app", "portal"]

    run([*flask, "db", "upgrade"], cwd=workdir, env=env)
    assert instance.is_dir()
    if database == "default":
        assert (instance / "portal.sqlite3").is_file()
    elif database == "sqlite":
        assert (workdir / "data" / "portal.sqlite3").is_file()
        assert not (instance / "portal.sqlite3").exists()
        assert not default_instance.exists()
    seeded = run([*flask, "seed-demo"], cwd=workdir, env=env)
    assert "Data demo siap" in seeded.stdout
    # Every branch is at its head: nothing left for a second upgrade to do.
    heads = run([*flask, "db", "current"], cwd=workdir, env=env)
    assert heads.stdout.count("(head)") >= 4, heads.stdout

    token, desk_name, signed_in, instance_path = run(
        [str(venv / "bin" / "python"), "-c", _PROBE], cwd=workdir, env=env
    ).stdout.splitlines()[-4:]
    assert signed_in == "Sign in"  # the compiled English catalogue is found
    assert Path(instance_path) == instance

    process, log, base = _serve(venv, workdir, env)
    try:
        status, page = _get(f"{base}/s/{token}")
        assert status == 200
        assert desk_name in page
        assert "<form" in page
        assets = re.findall(r'(?:href|src)="(/[^"]+\.(?:css|js))(?:\?[^"]*)?"', page)
        assert assets, "the survey page links no stylesheet or script"
        for asset in {*assets, "/static/portal.css"}:
            status, body = _get(base + asset)
            assert status == 200 and body.strip(), asset
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()
