"""a NIP is unique within its agency, not across the installation

An officer row is one employment: a transferred ASN gets a row at the new
agency, and no agency learns that a NIP is employed elsewhere.

Revision ID: 0008_nip_per_agency
Revises: 0007_rating_review
"""

from alembic import op

revision = "0008_nip_per_agency"
down_revision = "0007_rating_review"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("officer") as batch:
        batch.drop_constraint("uq_officer_nip", type_="unique")
        batch.create_unique_constraint("uq_officer_agency_id", ["agency_id", "nip"])
        batch.create_index("ix_officer_nip", ["nip"])


def downgrade():
    with op.batch_alter_table("officer") as batch:
        batch.drop_index("ix_officer_nip")
        batch.drop_constraint("uq_officer_agency_id", type_="unique")
        batch.create_unique_constraint("uq_officer_nip", ["nip"])
