"""Building wheels and installing them into fresh virtualenvs, as a
production server (or a third-party plugin's author) would: shared by
tests/test_wheel.py and tests/test_example_plugin.py, loaded as a pytest
plugin by tests/conftest.py so that the session-scoped portal wheel is
built once however many test files use it.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from portal.testing import PG_ADMIN_URL, REQUIRE_PG

ROOT = Path(__file__).resolve().parents[1]
#: What never goes into the copy a wheel is built from (pip builds in the
#: source tree; the copy keeps build/ and *.egg-info out of the checkout).
NOT_SOURCE = shutil.ignore_patterns(
    ".git",
    ".venv",
    "instance",
    "build",
    "dist",
    "test-artifacts",
    "__pycache__",
    "*.pyc",
    ".pytest_cache",
    ".ruff_cache",
    "*.egg-info",
    "node_modules",
    "*.sqlite3*",
)
INSTALL_TIMEOUT = 1200
COMMAND_TIMEOUT = 300


def run(args, *, timeout=COMMAND_TIMEOUT, **kwargs):
    result = subprocess.run(args, capture_output=True, text=True, timeout=timeout, check=False, **kwargs)
    assert result.returncode == 0, (
        f"{' '.join(map(str, args))} exited {result.returncode}\n"
        f"--- stdout\n{result.stdout[-4000:]}\n--- stderr\n{result.stderr[-4000:]}"
    )
    return result


def build_wheel(source: Path, base: Path, pattern: str) -> Path:
    """``pip wheel`` of a copy of ``source`` (made under ``base``): the one
    wheel whose name matches ``pattern``."""
    copy = base / "source"
    shutil.copytree(source, copy, ignore=NOT_SOURCE)
    out = base / "dist"
    result = run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--disable-pip-version-check",
            "--wheel-dir",
            str(out),
            str(copy),
        ],
        timeout=INSTALL_TIMEOUT,
    )
    assert "would be ignored" not in result.stdout + result.stderr, result.stdout + result.stderr
    (built,) = out.glob(pattern)
    return built


def make_venv(home: Path, *requirements) -> Path:
    """A fresh virtualenv (no system site-packages) at ``home`` with
    ``requirements`` (wheel files, names) installed the ordinary way: not
    editable, dependencies from the package index."""
    started = time.monotonic()
    run([sys.executable, "-m", "venv", str(home)])
    run(
        [
            str(home / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            "--no-input",
            *map(str, requirements),
        ],
        timeout=INSTALL_TIMEOUT,
        cwd=home,
    )
    names = ", ".join(Path(str(r)).name.split("-")[0] for r in requirements)
    print(f"\n{names} installed into a fresh virtualenv in {time.monotonic() - started:.0f} s")
    return home


def environment(venv: Path, **extra) -> dict:
    """The environment of a command run in ``venv``: this process's, without
    its portal, Flask and Python settings."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PORTAL_", "FLASK_", "PYTHON")) and key != "VIRTUAL_ENV"
    }
    env.update(
        PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}",
        VIRTUAL_ENV=str(venv),
        PORTAL_SECRET_KEY=secrets.token_hex(32),
        PORTAL_SECURE_COOKIES="0",
        **extra,
    )
    return env


@pytest.fixture(scope="session")
def wheel(tmp_path_factory) -> Path:
    """The wheel ``pip wheel`` builds from (a copy of) this checkout."""
    return build_wheel(ROOT, tmp_path_factory.mktemp("wheel"), "portal_warga-*.whl")


@pytest.fixture(scope="session")
def venv(wheel, tmp_path_factory) -> Path:
    """A fresh virtualenv with the portal's wheel installed."""
    return make_venv(tmp_path_factory.mktemp("venv") / "venv", wheel)


@pytest.fixture
def workdir(tmp_path) -> Path:
    """A working directory outside the checkout, with nothing of it."""
    assert not tmp_path.resolve().is_relative_to(ROOT)
    return tmp_path


@pytest.fixture
def fresh_pg_database():
    """A new, empty PostgreSQL database (``flask db upgrade`` builds it from
    nothing), dropped at the end of the test."""
    name = f"portal_wheel_{uuid.uuid4().hex[:10]}"
    try:
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as error:
        reason = f"PostgreSQL unreachable at {PG_ADMIN_URL}: {str(error.orig).strip()[:200]}"
        if REQUIRE_PG:
            pytest.fail(reason + " (PORTAL_TEST_REQUIRE_POSTGRES=1)")
        print(reason)
        pytest.skip(reason)
    yield PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
