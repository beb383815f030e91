"""weighted per officer × month/quarter/semester/year scores for agency rankings

Revision ID: 0004_rating_score
Revises: 0003_record_feedback

The table starts empty; ``flask --app portal db upgrade`` fills it from the
rollups with each agency's weights right after migrating (see
portal.core.record.ratings.recompute_missing_scores).
"""
import sqlalchemy as sa
from alembic import op

revision = "0004_rating_score"
down_revision = "0003_record_feedback"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "rating_score",
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("span", sa.String(length=10), nullable=False),
        sa.Column("period", sa.Date(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("w", sa.Float(), nullable=False),
        sa.Column("w2", sa.Float(), nullable=False),
        sa.Column("s", sa.Float(), nullable=False),
        sa.Column("q", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"], name=op.f("fk_rating_score_agency_id_agency")),
        sa.ForeignKeyConstraint(["officer_id"], ["officer.id"], name=op.f("fk_rating_score_officer_id_officer")),
        sa.PrimaryKeyConstraint("officer_id", "span", "period", name=op.f("pk_rating_score")),
    )
    # Covering index: an agency's ranking for a span is read from the index alone.
    op.create_index("ix_rating_score_agency_span", "rating_score",
                    ["agency_id", "span", "period", "officer_id", "count", "w", "w2", "s", "q"])


def downgrade():
    op.drop_index("ix_rating_score_agency_span", table_name="rating_score")
    op.drop_table("rating_score")
