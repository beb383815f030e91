"""an agency's contact details, shown in the footer of its pages

Revision ID: 0010_agency_contact
Revises: 0009_calendar_notifications
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_agency_contact"
down_revision = "0009_calendar_notifications"
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
