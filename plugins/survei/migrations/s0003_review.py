"""survei: responses held for review; one-time QR device marker

Revision ID: s0003_survei
Revises: s0002_survei
"""

import sqlalchemy as sa
from alembic import op

revision = "s0003_survei"
down_revision = "s0002_survei"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("survei_response") as batch:
        batch.add_column(sa.Column("review", sa.String(length=10), nullable=False, server_default=""))
        batch.add_column(sa.Column("hold_reason", sa.String(length=30), nullable=False, server_default=""))
        batch.add_column(sa.Column("origin", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("pattern", sa.String(length=16), nullable=True))
    op.create_index("ix_survei_response_desk_created", "survei_response", ["desk_id", "created_at"])
    with op.batch_alter_table("survei_ticket") as batch:
        batch.add_column(sa.Column("device", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("origin", sa.String(length=16), nullable=True))


def downgrade():
    with op.batch_alter_table("survei_ticket") as batch:
        batch.drop_column("origin")
        batch.drop_column("device")
    op.drop_index("ix_survei_response_desk_created", table_name="survei_response")
    with op.batch_alter_table("survei_response") as batch:
        batch.drop_column("pattern")
        batch.drop_column("origin")
        batch.drop_column("hold_reason")
        batch.drop_column("review")
