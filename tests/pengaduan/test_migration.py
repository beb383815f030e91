"""The p0003 migration: tickets filed before it keep their code as private
tracking code (citizens hold it) and get a public reference; escalation
notices that named a ticket by its code name it by its reference. The p0004
migration: leave days and escalation notices move into core's calendar and
notification centre, nothing lost."""

from __future__ import annotations

import re

from flask_migrate import upgrade
from sqlalchemy import text

from plugins.pengaduan.models import PengaduanTicket
from portal.core import migrations
from portal.extensions import db
from portal.testing import make_app
from tests.core.test_migrations import _empty

OLD_CODES = ("AC3DE-FG4HJ", "KM6NP-QR7TW")
NOW = "2026-11-30 09:00:00"
# A ticket as p0002 stored it.
OLD_TICKET = (
    "INSERT INTO pengaduan_ticket (id, agency_id, code, category_id, title, description, address, "
    "extra_json, anonymous, confidential, name, phone, email, status, rejection_reason, resolution, "
    "created_at, updated_at, verify_due, escalated_stage, reopen_count) VALUES (:id, 1, :code, 1, "
    "'Aduan lama', 'Uraian aduan lama.', '', '{}', :no, :no, 'Warga', '', '', 'baru', '', '', :now, :now, "
    "'2026-12-03', '', 0)"
)


def test_existing_tickets_keep_their_code_and_get_a_reference(database_url, tmp_path):
    app = make_app(database_url, PORTAL_PLUGINS=None, PORTAL_UPLOAD_DIR=str(tmp_path))
    migrations.init_app(app)  # Flask-Migrate's functions are called directly below
    _empty(app)
    try:
        with app.app_context():
            upgrade(revision="p0002_pengaduan")
            run = db.session.execute
            run(
                text(
                    "INSERT INTO agency (id, slug, name, description, timezone, created_at) "
                    "VALUES (1, 'alpha', 'Dinas Alpha', '', 'Asia/Jakarta', :now)"
                ),
                {"now": NOW},
            )
            run(
                text(
                    "INSERT INTO user_account (id, email, name, password_hash, role, agency_id, active, "
                    "failed_logins, created_at) VALUES (1, 'admin@alpha.example', 'Admin', 'x', 'admin', 1, "
                    ":yes, 0, :now)"
                ),
                {"now": NOW, "yes": True},
            )
            run(
                text(
                    "INSERT INTO pengaduan_category (id, agency_id, code, name, description, fields_json, "
                    "active) VALUES (1, 1, 'pelayanan', 'Pelayanan', '', '[]', :yes)"
                ),
                {"yes": True},
            )
            for i, code in enumerate(OLD_CODES, start=1):
                run(text(OLD_TICKET), {"id": i, "code": code, "now": NOW, "no": False})
            run(
                text(
                    "INSERT INTO pengaduan_notification (id, user_id, ticket_id, text, created_at) "
                    "VALUES (1, 1, 1, :text, :now)"
                ),
                {"text": f"Pengaduan {OLD_CODES[0]} (Aduan lama) melewati batas verifikasi.", "now": NOW},
            )
            db.session.commit()

            upgrade(revision="p0003_pengaduan")
            db.session.expire_all()
            tickets = db.session.scalars(db.select(PengaduanTicket).order_by(PengaduanTicket.id)).all()
            assert [t.code for t in tickets] == list(OLD_CODES)  # what citizens hold still works
            references = [t.reference for t in tickets]
            assert all(
                re.fullmatch(r"ADU-[34679ACDEFGHJKMNPQRTWXY]{4}-[34679ACDEFGHJKMNPQRTWXY]{4}", r)
                for r in references
            )
            assert len(set(references)) == 2
            notice = db.session.execute(text("SELECT text FROM pengaduan_notification WHERE id = 1")).scalar()
            assert references[0] in notice and OLD_CODES[0] not in notice
            # (Later core revisions rebuild the login table, on SQLite only when nothing refers to it.)
            db.session.execute(text("DELETE FROM pengaduan_notification"))
            db.session.execute(text("DELETE FROM user_account"))
            db.session.commit()
            db.session.remove()

        # And the old code still opens the tracking page, while the reference is what Open311 shows.
        with app.app_context():
            upgrade(revision="heads")  # the rest of the installation, as `db upgrade` does
            run = db.session.execute
            run(
                text("INSERT INTO agency_plugin (agency_id, plugin, enabled) VALUES (1, 'pengaduan', :yes)"),
                {"yes": True},
            )
            db.session.commit()
        client = app.test_client()
        page = client.get(f"/alpha/pengaduan/lacak/{OLD_CODES[0].lower()}")
        assert page.status_code == 200 and "Aduan lama" in page.get_data(as_text=True)
        listed = client.get("/open311/v2/requests.json?jurisdiction_id=alpha&start_date=2026-01-01T00:00:00")
        assert sorted(r["service_request_id"] for r in listed.json) == sorted(references)
        assert not any(code in listed.get_data(as_text=True) for code in OLD_CODES)
    finally:
        _empty(app)
        with app.app_context():
            db.engine.dispose()


def test_leave_days_and_notices_move_into_core(database_url, tmp_path):
    app = make_app(database_url, PORTAL_PLUGINS=None, PORTAL_UPLOAD_DIR=str(tmp_path))
    migrations.init_app(app)  # Flask-Migrate's functions are called directly below
    _empty(app)
    try:
        with app.app_context():
            upgrade(revision="p0003_pengaduan")
            run = db.session.execute
            run(
                text(
                    "INSERT INTO agency (id, slug, name, description, timezone, created_at) "
                    "VALUES (1, 'alpha', 'Dinas Alpha', '', 'Asia/Jakarta', :now)"
                ),
                {"now": NOW},
            )
            run(
                text(
                    "INSERT INTO user_account (id, email, name, password_hash, role, agency_id, active, "
                    "failed_logins, created_at) VALUES (1, 'admin@alpha.example', 'Admin', 'x', 'admin', 1, "
                    ":yes, 0, :now)"
                ),
                {"now": NOW, "yes": True},
            )
            run(
                text(
                    "INSERT INTO pengaduan_category (id, agency_id, code, name, description, fields_json, "
                    "active) VALUES (1, 1, 'pelayanan', 'Pelayanan', '', '[]', :yes)"
                ),
                {"yes": True},
            )
            run(
                text(OLD_TICKET.replace(" code,", " code, reference,").replace(":code,", ":code, :ref,")),
                {"id": 1, "code": "AC3DE-FG4HJ-KM6NP", "ref": "ADU-AC3D-EFG4", "now": NOW, "no": False},
            )
            run(
                text(
                    "INSERT INTO pengaduan_leave_day (agency_id, day, name) "
                    "VALUES (1, '2027-03-12', 'Cuti IF')"
                )
            )
            for i, read in ((1, None), (2, NOW)):
                run(
                    text(
                        "INSERT INTO pengaduan_notification "
                        "(id, user_id, ticket_id, text, created_at, read_at) "
                        "VALUES (:id, 1, 1, 'Pengaduan ADU-AC3D-EFG4 melewati batas.', :now, :read)"
                    ),
                    {"id": i, "now": NOW, "read": read},
                )
            db.session.commit()
            upgrade(revision="heads")
            rows = run(text("SELECT agency_id, day, name FROM agency_leave_day")).all()
            assert [(a, str(d), n) for a, d, n in rows] == [(1, "2027-03-12", "Cuti IF")]
            notes = run(
                text("SELECT user_id, agency_id, title, body, url, read_at FROM notification ORDER BY id")
            ).all()
            assert [(n.user_id, n.agency_id, n.url, n.read_at is None) for n in notes] == [
                (1, 1, "/kelola/alpha/pengaduan/tiket/ADU-AC3D-EFG4", True),
                (1, 1, "/kelola/alpha/pengaduan/tiket/ADU-AC3D-EFG4", False),
            ]
            assert all(n.body == "Pengaduan ADU-AC3D-EFG4 melewati batas." for n in notes)
            run(text("DELETE FROM notification"))
            run(text("DELETE FROM agency_leave_day"))
            db.session.commit()
    finally:
        _empty(app)
        with app.app_context():
            db.engine.dispose()
