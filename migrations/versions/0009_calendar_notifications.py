"""one working-day calendar for the portal, and the notification centre

Revision ID: 0009_calendar_notifications
Revises: 0008_nip_per_agency

The agency's cuti bersama move from the complaint module into core
(``agency_leave_day``) so every module counts working days the same way; the
complaint module's own migration copies its rows across. ``notification``
holds in-portal messages to staff logins.
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_calendar_notifications"
down_revision = "0008_nip_per_agency"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "agency_leave_day",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"], name="fk_agency_leave_day_agency_id_agency"),
        sa.PrimaryKeyConstraint("id", name="pk_agency_leave_day"),
        sa.UniqueConstraint("agency_id", "day", name="uq_agency_leave_day_agency_id"),
    )
    op.create_index("ix_agency_leave_day_agency_id", "agency_leave_day", ["agency_id"])
    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("key", sa.String(200), nullable=True),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("url", sa.String(500), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("read_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name="fk_notification_user_id_user_account", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"], name="fk_notification_agency_id_agency"),
        sa.PrimaryKeyConstraint("id", name="pk_notification"),
        sa.UniqueConstraint("user_id", "key", name="uq_notification_user_id"),
    )
    op.create_index("ix_notification_user_unread", "notification", ["user_id", "read_at"])
    op.create_index("ix_notification_created_at", "notification", ["created_at"])


def downgrade():
    op.drop_table("notification")
    op.drop_table("agency_leave_day")
