"""survei: the report's signature block and follow-up plans (RTL)

Revision ID: s0004_survei_report
Revises: s0003_survei
"""

import sqlalchemy as sa
from alembic import op

revision = "s0004_survei_report"
down_revision = "s0003_survei"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "survei_report_settings",
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("place", sa.String(length=80), nullable=False),
        sa.Column("official_name", sa.String(length=120), nullable=False),
        sa.Column("official_position", sa.String(length=160), nullable=False),
        sa.Column("official_nip", sa.String(length=18), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agency.id"], name=op.f("fk_survei_report_settings_agency_id_agency")
        ),
        sa.PrimaryKeyConstraint("agency_id", name=op.f("pk_survei_report_settings")),
    )
    op.create_table(
        "survei_follow_up",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("period_kind", sa.String(length=10), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("unsur", sa.SmallInteger(), nullable=False),
        sa.Column("priority", sa.SmallInteger(), nullable=False),
        sa.Column("activity", sa.Text(), nullable=False),
        sa.Column("timeframe", sa.String(length=120), nullable=False),
        sa.Column("responsible", sa.String(length=160), nullable=False),
        sa.Column("status", sa.String(length=15), nullable=False),
        sa.Column("progress_note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"], name=op.f("fk_survei_follow_up_agency_id_agency")),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_survei_follow_up_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survei_follow_up")),
    )
    op.create_index(
        "ix_survei_follow_up_agency_period",
        "survei_follow_up",
        ["agency_id", "period_start", "period_end"],
    )
    op.create_index(op.f("ix_survei_follow_up_unit_id"), "survei_follow_up", ["unit_id"])


def downgrade():
    op.drop_index(op.f("ix_survei_follow_up_unit_id"), table_name="survei_follow_up")
    op.drop_index("ix_survei_follow_up_agency_period", table_name="survei_follow_up")
    op.drop_table("survei_follow_up")
    op.drop_table("survei_report_settings")
