"""survei: kiosks enrolled to a desk, the kiosk each synced response came from, call-back requests

Revision ID: s0005_survei
Revises: s0004_survei_report
"""

import sqlalchemy as sa
from alembic import op

revision = "s0005_survei"
down_revision = "s0004_survei_report"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "survei_kiosk",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("desk_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=True),
        sa.Column("code_expires_at", sa.DateTime(), nullable=False),
        sa.Column("enrolled_at", sa.DateTime(), nullable=True),
        sa.Column("token_prefix", sa.String(length=16), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("last_sync_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"], name=op.f("fk_survei_kiosk_agency_id_agency")),
        sa.ForeignKeyConstraint(["desk_id"], ["desk.id"], name=op.f("fk_survei_kiosk_desk_id_desk")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survei_kiosk")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_survei_kiosk_code_hash")),
        sa.UniqueConstraint("token_prefix", name=op.f("uq_survei_kiosk_token_prefix")),
    )
    op.create_index(op.f("ix_survei_kiosk_agency_id"), "survei_kiosk", ["agency_id"])
    op.create_index(op.f("ix_survei_kiosk_desk_id"), "survei_kiosk", ["desk_id"])
    op.create_table(
        "survei_kiosk_capture",
        sa.Column("client_uuid", sa.String(length=36), nullable=False),
        sa.Column("kiosk_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["kiosk_id"], ["survei_kiosk.id"], name=op.f("fk_survei_kiosk_capture_kiosk_id_survei_kiosk")
        ),
        sa.PrimaryKeyConstraint("client_uuid", name=op.f("pk_survei_kiosk_capture")),
    )
    op.create_index(op.f("ix_survei_kiosk_capture_kiosk_id"), "survei_kiosk_capture", ["kiosk_id"])
    op.create_table(
        "survei_callback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("desk_id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.Column("done_by_id", sa.Integer(), nullable=True),
        sa.Column("done_note", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"], name=op.f("fk_survei_callback_agency_id_agency")),
        sa.ForeignKeyConstraint(["desk_id"], ["desk.id"], name=op.f("fk_survei_callback_desk_id_desk")),
        sa.ForeignKeyConstraint(
            ["done_by_id"], ["user_account.id"], name=op.f("fk_survei_callback_done_by_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["response_id"], ["survei_response.id"], name=op.f("fk_survei_callback_response_id_survei_response")
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_survei_callback_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survei_callback")),
        sa.UniqueConstraint("response_id", name=op.f("uq_survei_callback_response_id")),
    )
    op.create_index(op.f("ix_survei_callback_agency_id"), "survei_callback", ["agency_id"])
    op.create_index(op.f("ix_survei_callback_unit_id"), "survei_callback", ["unit_id"])


def downgrade():
    op.drop_table("survei_callback")
    op.drop_table("survei_kiosk_capture")
    op.drop_table("survei_kiosk")
