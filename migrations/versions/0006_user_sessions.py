"""sessions end on logout and password change; no account lockout

A session generation per user, part of every session's id: raising it ends
the user's sessions. The lockout columns go: failed logins are throttled in
the rate-limit storage instead, and never lock an account.

Revision ID: 0006_user_sessions
Revises: 0005_agency_logo
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_user_sessions"
down_revision = "0005_agency_logo"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(sa.Column("session_generation", sa.Integer(), server_default="0", nullable=False))
        batch.drop_column("locked_until")
        batch.drop_column("failed_logins")


def downgrade():
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(sa.Column("failed_logins", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("locked_until", sa.DateTime(), nullable=True))
        batch.drop_column("session_generation")
