"""the officer page's shown comments read from a small partial index

Revision ID: 0011_record_read_indexes
Revises: 0010_agency_contact

The latest shown comments of an officer were found by walking all of the
officer's rating events (``ix_rating_event_officer_created``) and filtering
on ``comment_state``: a cost growing with every rating the officer gets.
Only the shown comments are in this index, newest last, so the page reads ten
entries and stops.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_record_read_indexes"
down_revision = "0010_agency_contact"
branch_labels = None
depends_on = None

SHOWN = sa.text("comment_state = 'tampil'")


def upgrade():
    op.create_index(
        "ix_rating_event_comment_shown",
        "rating_event",
        ["officer_id", "created_at"],
        sqlite_where=SHOWN,
        postgresql_where=SHOWN,
    )


def downgrade():
    op.drop_index("ix_rating_event_comment_shown", table_name="rating_event")
