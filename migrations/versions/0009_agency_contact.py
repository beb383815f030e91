"""an agency's contact details, shown in the footer of its pages

Revision ID: 0009_agency_contact
Revises: 0008_nip_per_agency
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_agency_contact"
down_revision = "0008_nip_per_agency"
branch_labels = None
depends_on = None

COLUMNS = (("address", 300), ("phone", 30), ("service_hours", 200), ("complaint_hotline", 30))


def upgrade():
    with op.batch_alter_table("agency") as batch:
        for name, length in COLUMNS:
            batch.add_column(sa.Column(name, sa.String(length), nullable=False, server_default=""))


def downgrade():
    with op.batch_alter_table("agency") as batch:
        for name, _length in reversed(COLUMNS):
            batch.drop_column(name)
