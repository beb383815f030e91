"""Backups as README describes them: `pg_dump -Fc` of a live portal, then
`pg_restore` into an empty database, gives a portal with the same rows that
serves the same pages and goes on taking ratings."""

from __future__ import annotations

import shutil
import subprocess
import uuid

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from portal.extensions import db
from portal.testing import PG_ADMIN_URL, REQUIRE_PG, make_app
from tests.system.conftest import release_database, submit_survey, survey_desk

pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        if REQUIRE_PG:
            pytest.fail(f"{name} not found (PORTAL_TEST_REQUIRE_POSTGRES=1)")
        pytest.skip(f"{name} not found")
    return path


def _libpq(url: str) -> str:
    parsed = make_url(url)
    return f"postgresql://{parsed.username}@{parsed.host}:{parsed.port or 5432}/{parsed.database}"


def _counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    with engine.connect() as conn:
        names = [t.name for t in db.metadata.sorted_tables]
        counts = {
            name: conn.execute(select(func.count()).select_from(text(f'"{name}"'))).scalar() for name in names
        }
    engine.dispose()
    return counts


def test_pg_dump_and_restore_give_the_same_portal(app, world, database_url, serve, tmp_path):
    from portal.builtin.demo.seed import seed

    with app.app_context():
        seed()
    token = survey_desk(app, world)
    release_database(app)
    portal = serve(database_url, workers=1)
    for _ in range(3):
        assert submit_survey(portal.url, token)[0].status_code == 302
    portal.stop()

    dump = tmp_path / "portal.dump"
    subprocess.run([_tool("pg_dump"), "-Fc", "-f", str(dump), _libpq(database_url)], check=True)
    restored_name = f"portal_restore_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{restored_name}"'))
    restored = database_url.rsplit("/", 1)[0] + "/" + restored_name
    try:
        subprocess.run([_tool("pg_restore"), "--no-owner", "-d", _libpq(restored), str(dump)], check=True)
        original = _counts(database_url)
        assert _counts(restored) == original
        assert original["survei_response"] >= 3 and original["pengaduan_ticket"] > 0

        # The restored database serves the same record and takes new ratings.
        again = serve(restored, workers=1)  # started: its /healthz answered 200
        assert submit_survey(again.url, token)[0].status_code == 302
        check = make_app(restored)
        with check.app_context():
            from plugins.survei.models import SurveiResponse
            from portal.core.models import RatingEvent, RatingRollup

            responses = db.session.scalar(select(func.count(SurveiResponse.id)))
            assert responses == original["survei_response"] + 1
            assert db.session.scalar(select(func.sum(RatingRollup.count))) == db.session.scalar(
                select(func.count(RatingEvent.id))
            )
            db.session.remove()
            db.engine.dispose()
        again.stop()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{restored_name}" WITH (FORCE)'))
        admin.dispose()
