"""the conventional plugin's one table

Revision ID: k0001_konvensi
"""

import sqlalchemy as sa
from alembic import op

revision = "k0001_konvensi"
down_revision = None
branch_labels = ("konvensi",)
depends_on = "0001_core"


def upgrade():
    op.create_table(
        "konvensi_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_konvensi_note")),
    )


def downgrade():
    op.drop_table("konvensi_note")
