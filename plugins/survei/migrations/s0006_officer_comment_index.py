"""survei: the officer page's latest approved comments from a small partial index

Revision ID: s0006_survei
Revises: s0005_survei

The officer panel read every response of the officer (``officer_id`` index)
to keep the ten newest approved comments: a cost growing with every
response. Only approved comments are in this index, newest last.
"""

import sqlalchemy as sa
from alembic import op

revision = "s0006_survei"
down_revision = "s0005_survei"
branch_labels = None
depends_on = None

APPROVED = sa.text("comment_status = 'approved'")


def upgrade():
    op.create_index(
        "ix_survei_response_officer_comment",
        "survei_response",
        ["officer_id", "created_at"],
        sqlite_where=APPROVED,
        postgresql_where=APPROVED,
    )


def downgrade():
    op.drop_index("ix_survei_response_officer_comment", table_name="survei_response")
