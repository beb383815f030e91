"""ratings held for review: stored, counted nowhere until accepted

Revision ID: 0007_rating_review
Revises: 0006_user_sessions
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_rating_review"
down_revision = "0006_user_sessions"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("rating_event") as batch:
        batch.add_column(sa.Column("review", sa.String(length=10), nullable=False, server_default=""))
        batch.add_column(sa.Column("hold_reason", sa.String(length=30), nullable=False, server_default=""))
        batch.add_column(sa.Column("reviewed_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("reviewed_by_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_rating_event_reviewed_by_id_user_account"), "user_account", ["reviewed_by_id"], ["id"]
        )
    held = sa.text("review = 'ditahan'")
    op.create_index(
        "ix_rating_event_held",
        "rating_event",
        ["agency_id", "officer_id"],
        sqlite_where=held,
        postgresql_where=held,
    )


def downgrade():
    op.drop_index("ix_rating_event_held", table_name="rating_event")
    with op.batch_alter_table("rating_event") as batch:
        batch.drop_constraint(op.f("fk_rating_event_reviewed_by_id_user_account"), type_="foreignkey")
        batch.drop_column("reviewed_by_id")
        batch.drop_column("reviewed_at")
        batch.drop_column("hold_reason")
        batch.drop_column("review")
