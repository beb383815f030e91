"""survei: per-desk survey kind

Revision ID: s0001_survei
Revises:
Create Date: 2026-11-25

The first revision of the survei plugin's own branch; it needs core's tables.
"""
import sqlalchemy as sa
from alembic import op

revision = "s0001_survei"
down_revision = None
branch_labels = ("survei",)
depends_on = "0001_core"


def upgrade():
    op.create_table(
        "survei_desk_survey",
        sa.Column("desk_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(["desk_id"], ["desk.id"],
                                name=op.f("fk_survei_desk_survey_desk_id_desk")),
        sa.PrimaryKeyConstraint("desk_id", name=op.f("pk_survei_desk_survey")),
    )


def downgrade():
    op.drop_table("survei_desk_survey")
