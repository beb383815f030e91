"""Migrations: core plus the plugin branches build exactly the models' schema."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import upgrade
from sqlalchemy import inspect, text

from portal.extensions import db, migrate
from tests import conftest
from tests.conftest import make_app


def _empty(app):
    """Drop everything (PostgreSQL's run database is shared by the tests: the
    next test that needs the schema builds it again)."""
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.session.commit()
            conftest._pg_schema_ready.discard(str(db.engine.url))


def test_db_upgrade_builds_the_model_schema(database_url):
    app = make_app(database_url, PORTAL_PLUGINS=None)
    _empty(app)
    try:
        result = app.test_cli_runner().invoke(args=["db", "upgrade"])
        assert result.exit_code == 0, result.output
        with app.app_context():
            tables = set(inspect(db.engine).get_table_names())
            assert {"agency", "officer", "rating_rollup", "survei_desk_survey"} <= tables
            script = ScriptDirectory.from_config(migrate.get_config())
            # The survei branch is its own, resting on core's first revision.
            revision = script.get_revision("survei@head")
            while revision.down_revision is not None:
                revision = script.get_revision(revision.down_revision)
            assert revision.branch_labels == {"survei"} and revision.dependencies == "0001_core"
            with db.engine.connect() as conn:
                # Tables of test-only plugins are not the installation's.
                def ours(obj, name, type_, reflected, compare_to):
                    return not (type_ == "table" and name.startswith("recorder_plugin"))

                ctx = MigrationContext.configure(conn, opts={"include_object": ours})
                diff = compare_metadata(ctx, db.metadata)
            assert diff == [], diff
            upgrade(revision="heads")  # a second run is a no-op
    finally:
        _empty(app)
        with app.app_context():
            db.engine.dispose()
