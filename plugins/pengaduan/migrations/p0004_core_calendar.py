"""pengaduan: onto core's working-day calendar and notification centre

Revision ID: p0004_pengaduan
Revises: p0003_pengaduan
Create Date: 2026-12-05

The agency's leave days were the complaint module's own; every module now
counts working days with core's calendar (``agency_leave_day``), so the rows
are copied there and this module's table goes. Likewise the escalation
notices move into core's ``notification`` (opening the complaint), with
their read state.
"""

import sqlalchemy as sa
from alembic import op

revision = "p0004_pengaduan"
down_revision = "p0003_pengaduan"
branch_labels = None
depends_on = "0009_calendar_notifications"


def upgrade():
    op.execute(
        sa.text(
            "INSERT INTO agency_leave_day (agency_id, day, name) "
            "SELECT p.agency_id, p.day, p.name FROM pengaduan_leave_day p "
            "WHERE NOT EXISTS (SELECT 1 FROM agency_leave_day a "
            "WHERE a.agency_id = p.agency_id AND a.day = p.day)"
        )
    )
    with op.batch_alter_table("pengaduan_leave_day") as batch:
        batch.drop_index("ix_pengaduan_leave_day_agency_id")
    op.drop_table("pengaduan_leave_day")
    op.execute(
        sa.text(
            "INSERT INTO notification (user_id, agency_id, key, title, body, url, created_at, read_at) "
            "SELECT n.user_id, t.agency_id, 'pengaduan:pindahan:' || CAST(n.id AS VARCHAR(20)), "
            ":title, n.text, '/kelola/' || a.slug || '/pengaduan/tiket/' || t.reference, "
            "n.created_at, n.read_at "
            "FROM pengaduan_notification n JOIN pengaduan_ticket t ON t.id = n.ticket_id "
            "JOIN agency a ON a.id = t.agency_id"
        ).bindparams(title="Pengaduan melewati batas waktu")
    )
    with op.batch_alter_table("pengaduan_notification") as batch:
        batch.drop_index("ix_pengaduan_notification_user_id")
    op.drop_table("pengaduan_notification")


def downgrade():
    op.create_table(
        "pengaduan_notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("read_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["pengaduan_ticket.id"], name="fk_pengaduan_notification_ticket_id_pengaduan_ticket"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name="fk_pengaduan_notification_user_id_user_account"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_pengaduan_notification"),
    )
    op.create_index("ix_pengaduan_notification_user_id", "pengaduan_notification", ["user_id"])
    op.create_table(
        "pengaduan_leave_day",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"], name="fk_pengaduan_leave_day_agency_id_agency"),
        sa.PrimaryKeyConstraint("id", name="pk_pengaduan_leave_day"),
        sa.UniqueConstraint("agency_id", "day", name="uq_pengaduan_leave_day_agency_id"),
    )
    op.create_index("ix_pengaduan_leave_day_agency_id", "pengaduan_leave_day", ["agency_id"])
    op.execute(
        sa.text(
            "INSERT INTO pengaduan_leave_day (agency_id, day, name) "
            "SELECT agency_id, day, name FROM agency_leave_day"
        )
    )
