"""antrean: queue tickets

Revision ID: a0001_antrean
Revises:
Create Date: 2026-12-04

The first revision of the antrean plugin's own branch; its tables refer to
core's agency and desk, so it depends on core's first revision.
"""

import sqlalchemy as sa
from alembic import op

revision = "a0001_antrean"
down_revision = None
branch_labels = ("antrean",)
depends_on = "0001_core"


def upgrade():
    op.create_table(
        "antrean_ticket",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("desk_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("rated_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agency.id"], name=op.f("fk_antrean_ticket_agency_id_agency")
        ),
        sa.ForeignKeyConstraint(["desk_id"], ["desk.id"], name=op.f("fk_antrean_ticket_desk_id_desk")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_antrean_ticket")),
        sa.UniqueConstraint("code", name=op.f("uq_antrean_ticket_code")),
        sa.UniqueConstraint("desk_id", "day", "number", name="uq_antrean_ticket_desk_day_number"),
    )
    op.create_index(op.f("ix_antrean_ticket_agency_id"), "antrean_ticket", ["agency_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_antrean_ticket_agency_id"), table_name="antrean_ticket")
    op.drop_table("antrean_ticket")
