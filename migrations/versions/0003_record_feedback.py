"""performance record: weights for verified ratings, grade-band counts in
rollups, comment moderation, feedback notes

Revision ID: 0003_record_feedback
Revises: 0002_api_keys
"""
import sqlalchemy as sa
from alembic import op

revision = "0003_record_feedback"
down_revision = "0002_api_keys"
branch_labels = None
depends_on = None

# Lower bounds of the SKM grades on a 0–100 score, rounded to two decimals
# the way portal.core.record.ratings.band() rounds (x >= 88.305 rounds to >= 88.31).
BANDS = (("band_a", 88.305, 1000.0), ("band_b", 76.605, 88.305), ("band_c", 64.995, 76.605),
         ("band_d", -1.0, 64.995))


def upgrade():
    with op.batch_alter_table("agency") as batch:
        batch.add_column(sa.Column("verified_weight", sa.Float(), nullable=False, server_default="1"))
        batch.add_column(sa.Column("unverified_weight", sa.Float(), nullable=False, server_default="1"))
    with op.batch_alter_table("rating_event") as batch:
        batch.add_column(sa.Column("comment_state", sa.String(length=10), nullable=False,
                                   server_default=""))
    with op.batch_alter_table("rating_rollup") as batch:
        for name, _lo, _hi in BANDS:
            batch.add_column(sa.Column(name, sa.Integer(), nullable=False, server_default="0"))
    for name, lo, hi in BANDS:
        op.execute(
            f"UPDATE rating_rollup SET {name} = (SELECT COUNT(*) FROM rating_event e "
            "WHERE e.officer_id = rating_rollup.officer_id AND e.period = rating_rollup.period "
            "AND e.source = rating_rollup.source AND e.kind = rating_rollup.kind "
            f"AND e.verified = rating_rollup.verified AND e.score >= {lo} AND e.score < {hi})"
        )
    op.execute("UPDATE rating_event SET comment_state = 'baru' WHERE comment IS NOT NULL")
    waiting = sa.text("comment_state = 'baru'")
    op.create_index("ix_rating_event_comment_waiting", "rating_event", ["agency_id", "officer_id"],
                    sqlite_where=waiting, postgresql_where=waiting)

    op.create_table(
        "feedback_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("strengths", sa.Text(), nullable=False),
        sa.Column("improvements", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"], name=op.f("fk_feedback_note_agency_id_agency")),
        sa.ForeignKeyConstraint(["author_id"], ["user_account.id"],
                                name=op.f("fk_feedback_note_author_id_user_account")),
        sa.ForeignKeyConstraint(["officer_id"], ["officer.id"],
                                name=op.f("fk_feedback_note_officer_id_officer")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_note")),
    )
    op.create_index(op.f("ix_feedback_note_agency_id"), "feedback_note", ["agency_id"])
    op.create_index("ix_feedback_note_officer_created", "feedback_note", ["officer_id", "created_at"])
    op.create_table(
        "feedback_action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("note_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["note_id"], ["feedback_note.id"],
                                name=op.f("fk_feedback_action_note_id_feedback_note")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_action")),
    )
    op.create_index(op.f("ix_feedback_action_note_id"), "feedback_action", ["note_id"])
    op.create_table(
        "feedback_reply",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("note_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["note_id"], ["feedback_note.id"],
                                name=op.f("fk_feedback_reply_note_id_feedback_note")),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"],
                                name=op.f("fk_feedback_reply_user_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_reply")),
    )
    op.create_index(op.f("ix_feedback_reply_note_id"), "feedback_reply", ["note_id"])


def downgrade():
    op.drop_table("feedback_reply")
    op.drop_table("feedback_action")
    op.drop_table("feedback_note")
    with op.batch_alter_table("rating_rollup") as batch:
        for name, _lo, _hi in BANDS:
            batch.drop_column(name)
    op.drop_index("ix_rating_event_comment_waiting", table_name="rating_event")
    with op.batch_alter_table("rating_event") as batch:
        batch.drop_column("comment_state")
    with op.batch_alter_table("agency") as batch:
        batch.drop_column("unverified_weight")
        batch.drop_column("verified_weight")
