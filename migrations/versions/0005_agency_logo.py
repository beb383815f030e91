"""an agency's logo, shown on its pages

Revision ID: 0005_agency_logo
Revises: 0004_rating_score
"""
import sqlalchemy as sa
from alembic import op

revision = "0005_agency_logo"
down_revision = "0004_rating_score"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("agency") as batch:
        batch.add_column(sa.Column("logo", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("logo_updated_at", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("agency") as batch:
        batch.drop_column("logo_updated_at")
        batch.drop_column("logo")
