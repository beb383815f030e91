"""Migrations: core plus the plugin branches build exactly the models' schema."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import upgrade
from sqlalchemy import inspect, text

from portal import testing as conftest
from portal.core import migrations
from portal.extensions import db
from portal.testing import make_app


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
            script = ScriptDirectory.from_config(migrations.get().get_config())
            # The survei branch is its own, resting on core's first revision.
            revision = script.get_revision("survei@head")
            while revision.down_revision is not None:
                revision = script.get_revision(revision.down_revision)
            assert revision.branch_labels == {"survei"} and revision.dependencies == "0001_core"
            with db.engine.connect() as conn:
                # Tables of test-only plugins are not the installation's
                # (whichever of their tests ran before this one).
                def ours(obj, name, type_, reflected, compare_to):
                    return not (type_ == "table" and name.startswith(("recorder_plugin", "konvensi_")))

                ctx = MigrationContext.configure(conn, opts={"include_object": ours})
                diff = compare_metadata(ctx, db.metadata)
            assert diff == [], diff
            upgrade(revision="heads")  # a second run is a no-op
    finally:
        _empty(app)
        with app.app_context():
            db.engine.dispose()


def test_upgrade_keeps_a_live_database_whose_users_are_referred_to(database_url):
    """An installation upgrades with its data in place: a login that the
    audit log refers to survives the rebuild of its table (SQLite rebuilds
    a table to drop a column), and the references still hold."""
    app = make_app(database_url, PORTAL_PLUGINS=None)
    _empty(app)
    try:
        runner = app.test_cli_runner()
        result = runner.invoke(args=["db", "upgrade", "0005_agency_logo"])
        assert result.exit_code == 0, result.output
        with app.app_context():
            db.session.execute(
                text(
                    "INSERT INTO agency (id, slug, name, description, timezone, created_at, "
                    "verified_weight, unverified_weight) VALUES (1, 'a', 'A', '', "
                    "'Asia/Jakarta', CURRENT_TIMESTAMP, 1, 1)"
                )
            )
            db.session.execute(
                text(
                    "INSERT INTO user_account (id, email, name, password_hash, role, agency_id, "
                    "active, failed_logins, created_at) VALUES (7, 'a@a.example', 'A', 'x', "
                    "'admin', 1, true, 0, CURRENT_TIMESTAMP)"
                )
            )
            db.session.execute(
                text(
                    "INSERT INTO audit_log (agency_id, user_id, action, object_type, object_id, "
                    "detail, created_at) VALUES (1, 7, 'uji', '', '', '', CURRENT_TIMESTAMP)"
                )
            )
            db.session.commit()
        result = runner.invoke(args=["db", "upgrade"])
        assert result.exit_code == 0, result.output
        with app.app_context():
            row = db.session.execute(text("SELECT email, session_generation FROM user_account")).one()
            assert tuple(row) == ("a@a.example", 0)
            assert db.session.scalar(text("SELECT user_id FROM audit_log")) == 7
    finally:
        _empty(app)


def test_upgrade_to_an_older_revision_then_to_head(database_url):
    """``flask db upgrade <revision>`` on a fresh database stops at that
    revision, whose ``agency`` table lacks columns the models have since
    gained (0010's contact details): the step that fills scores after an
    upgrade waits for the head, where it runs."""
    app = make_app(database_url, PORTAL_PLUGINS=None)
    _empty(app)
    try:
        # A web app does not load Flask-Migrate; the `db` command does.
        assert "migrate" not in app.extensions
        runner = app.test_cli_runner()
        result = runner.invoke(args=["db", "upgrade", "0006_user_sessions"])
        assert result.exit_code == 0, result.output
        assert "migrate" in app.extensions
        with app.app_context():
            versions = {row[0] for row in db.session.execute(text("SELECT version_num FROM alembic_version"))}
            assert versions == {"0006_user_sessions"}
            columns = {c["name"] for c in inspect(db.session.connection()).get_columns("agency")}
            assert "address" not in columns
            db.session.execute(
                text(
                    "INSERT INTO agency (id, slug, name, description, timezone, created_at, "
                    "verified_weight, unverified_weight) VALUES (1, 'a', 'A', '', "
                    "'Asia/Jakarta', CURRENT_TIMESTAMP, 1, 1)"
                )
            )
            db.session.commit()
            db.session.remove()
        result = runner.invoke(args=["db", "upgrade"])
        assert result.exit_code == 0, result.output
        with app.app_context():
            script = ScriptDirectory.from_config(migrations.get().get_config())
            versions = {row[0] for row in db.session.execute(text("SELECT version_num FROM alembic_version"))}
            assert versions == set(script.get_heads())
            assert db.session.execute(text("SELECT slug, address FROM agency")).one() == ("a", "")
    finally:
        _empty(app)
        with app.app_context():
            db.engine.dispose()


def test_partial_indexes_keep_their_condition_on_both_databases(app):
    """Models declare a partial index's condition once (``sqlite_where``);
    on PostgreSQL the app adds it as ``postgresql_where``, so the tables the
    models build have the partial index on either database."""
    with app.app_context():
        inspector = inspect(db.engine)
        dialect = db.engine.dialect.name
        for table, name, condition in (
            ("rating_event", "ix_rating_event_held", "ditahan"),
            ("rating_event", "ix_rating_event_comment_waiting", "baru"),
            ("dialog_publik_registration", "uq_dialog_publik_registration_active_contact", "batal"),
        ):
            index = next(i for i in inspector.get_indexes(table) if i["name"] == name)
            where = index.get("dialect_options", {}).get(f"{dialect}_where")
            assert where is not None and condition in str(where), (name, index)
