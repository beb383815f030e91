"""who may upvote: anonymous votes per event; votes keyed by registration

Revision ID: d0003_dialog
Revises: d0002_dialog
Create Date: 2026-12-01 10:00:00

Until now a vote was keyed by whatever code the browser sent ("kode:<code>"),
checked against nothing. Votes whose code names a registration of the
question's event become that registration's vote ("pendaftaran:<id>"); the
others (made-up codes) are deleted. Device votes stay stored but count only
on events whose staff switch anonymous votes on (off by default).
"""
from alembic import op
import sqlalchemy as sa


revision = 'd0003_dialog'
down_revision = 'd0002_dialog'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN (see d0002: no batch copy of a table others point at).
    op.add_column('dialog_publik_event',
                  sa.Column('anonymous_votes', sa.Boolean(), nullable=False, server_default=sa.false()))

    conn = op.get_bind()
    rows = conn.execute(sa.text(
        "SELECT v.id, v.question_id, v.voter, q.event_id FROM dialog_publik_vote v "
        "JOIN dialog_publik_question q ON q.id = v.question_id "
        "WHERE v.voter LIKE 'kode:%'"
    )).all()
    for vote_id, question_id, voter, event_id in rows:
        registration = conn.execute(sa.text(
            "SELECT id FROM dialog_publik_registration "
            "WHERE event_id = :event AND code = :code AND status != 'batal'"
        ), {"event": event_id, "code": voter[len("kode:"):]}).scalar()
        taken = registration is not None and conn.execute(sa.text(
            "SELECT 1 FROM dialog_publik_vote WHERE question_id = :q AND voter = :voter"
        ), {"q": question_id, "voter": f"pendaftaran:{registration}"}).scalar()
        if registration is None or taken:
            conn.execute(sa.text("DELETE FROM dialog_publik_vote WHERE id = :id"), {"id": vote_id})
        else:
            conn.execute(sa.text("UPDATE dialog_publik_vote SET voter = :voter WHERE id = :id"),
                         {"voter": f"pendaftaran:{registration}", "id": vote_id})


def downgrade():
    op.drop_column('dialog_publik_event', 'anonymous_votes')
