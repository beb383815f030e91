"""A stranger's plugin, as its author would build and test it: the portal's
wheel and the wheel of examples/antrean (its own distribution) installed
into a fresh virtualenv with pytest, nothing of this checkout on the path.
There the example's own tests pass with nothing but the portal's pytest
plugin (``portal.testing``, entry point ``pytest11``), on SQLite and on
PostgreSQL, and ``flask db upgrade`` builds its Alembic branch.

The portal's wheel is the session's (tests/packaging.py); the virtualenv is
made once per session. Marked ``slow``.
"""

from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

import pytest

from portal.testing import PG_ADMIN_URL
from tests.packaging import ROOT, build_wheel, environment, make_venv, run

pytestmark = pytest.mark.slow

EXAMPLE = ROOT / "examples" / "antrean"


@pytest.fixture(scope="session")
def example_venv(wheel, tmp_path_factory) -> Path:
    """The portal's wheel, the example's wheel and pytest in a fresh virtualenv."""
    example = build_wheel(EXAMPLE, tmp_path_factory.mktemp("example-wheel"), "portal_antrean-*.whl")
    return make_venv(tmp_path_factory.mktemp("example-venv") / "venv", wheel, example, "pytest>=8.0")


def _imports(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


def test_the_example_uses_only_the_plugin_api_and_its_tests_only_the_pytest_plugin():
    modules = {
        path.relative_to(EXAMPLE).as_posix(): {m for m in _imports(path) if m.split(".")[0] == "portal"}
        for path in EXAMPLE.rglob("*.py")
    }
    assert any(name.startswith("src/portal_antrean/") for name in modules)
    for name, used in modules.items():
        allowed = {"portal.plugin", "portal.testing"} if name.startswith("tests/") else {"portal.plugin"}
        assert used <= allowed, f"{name} imports {sorted(used - allowed)}"
    assert not (EXAMPLE / "tests" / "conftest.py").exists()  # the fixtures come from the portal


@pytest.mark.parametrize("database", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_the_examples_own_tests_pass_where_it_is_installed(example_venv, workdir, database, request):
    """Its tests and pyproject.toml (the pytest settings) only: the package
    and the portal are the installed ones."""
    shutil.copytree(EXAMPLE / "tests", workdir / "tests")
    shutil.copy(EXAMPLE / "pyproject.toml", workdir)
    extra = {}
    if database == "postgresql":
        request.getfixturevalue("fresh_pg_database")  # skips (or fails) as the suite does without a server
        extra = {"PORTAL_TEST_POSTGRES_URL": PG_ADMIN_URL, "PORTAL_TEST_REQUIRE_POSTGRES": "1"}
    result = run(
        [str(example_venv / "bin" / "pytest"), "-p", "no:cacheprovider", "-rA", "-k", database],
        cwd=workdir,
        env=environment(example_venv, **extra),
    )
    out = result.stdout
    passed = re.findall(rf"^PASSED tests/test_antrean\.py::\w+\[{database}\]$", out, re.MULTILINE)
    assert len(passed) >= 10, out[-4000:]
    summary = out.strip().splitlines()[-1]
    assert re.search(rf"\b{len(passed)} passed\b", summary), summary
    assert not re.search(r"failed|error|skipped", summary), summary
    # The installed package, not a copy next to the tests.
    assert (
        "site-packages/portal_antrean"
        in run(
            [
                str(example_venv / "bin" / "python"),
                "-c",
                "import portal_antrean; print(portal_antrean.__file__)",
            ],
            cwd=workdir,
            env=environment(example_venv),
        ).stdout
    )


#: Run by the installed interpreter after ``flask db upgrade``: the migrated
#: schema is the models' (the example's table too).
_SCHEMA_PROBE = """
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from portal import create_app
from portal.extensions import db

app = create_app()
with app.app_context():
    print(sorted(t for t in inspect(db.engine).get_table_names() if t.startswith("antrean_")))
    with db.engine.connect() as conn:
        print(compare_metadata(MigrationContext.configure(conn), db.metadata))
"""


@pytest.mark.parametrize("database", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_db_upgrade_builds_the_examples_branch(example_venv, workdir, database, request):
    if database == "sqlite":
        url = f"sqlite:///{workdir / 'portal.sqlite3'}"
    else:
        url = request.getfixturevalue("fresh_pg_database")
    env = environment(example_venv, PORTAL_DATABASE_URL=url, PORTAL_INSTANCE_PATH=str(workdir / "instance"))
    flask = [str(example_venv / "bin" / "flask"), "--app", "portal"]

    listed = run([*flask, "plugins", "list"], cwd=workdir, env=env).stdout
    assert re.search(r"^antrean\b", listed, re.MULTILINE), listed
    run([*flask, "db", "upgrade"], cwd=workdir, env=env)
    current = run([*flask, "db", "current"], cwd=workdir, env=env).stdout
    assert "a0001_antrean (head)" in current, current
    tables, diff = run(
        [str(example_venv / "bin" / "python"), "-c", _SCHEMA_PROBE], cwd=workdir, env=env
    ).stdout.splitlines()[-2:]
    assert tables == "['antrean_ticket']"
    assert diff == "[]", diff
