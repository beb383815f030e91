"""pengaduan: a public reference next to the private tracking code

Revision ID: p0003_pengaduan
Revises: p0002_pengaduan
Create Date: 2026-12-05

Open311 and every list used to show the ticket code, which is also the only
credential a citizen holds. Each complaint now has a public reference
(``ADU-XXXX-XXXX``) for what may be shown, and its code becomes the private
tracking code. Existing tickets keep their code as their tracking code (the
citizens already hold it) and get a fresh random reference. New tracking
codes are longer (15 characters), hence the wider column.

Image attachments stored before this revision still carry whatever
metadata they came with: ``flask --app portal pengaduan reencode-attachments``
re-encodes them in place (see docs/privacy.md).
"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "p0003_pengaduan"
down_revision = "p0002_pengaduan"
branch_labels = None
depends_on = None

# A copy of plugins.pengaduan.codes at this revision: a migration must not
# change when the application's code does.
_ALPHABET = "34679ACDEFGHJKMNPQRTWXY"


def _reference() -> str:
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(8))
    return f"ADU-{raw[:4]}-{raw[4:]}"


# On SQLite, changing the ticket table's columns rebuilds it while events,
# attachments and notices refer to it; migrations/env.py runs every
# migration with foreign keys off and checks them before commit.


def upgrade():
    with op.batch_alter_table("pengaduan_ticket", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reference", sa.String(length=13), nullable=True))
    ticket = sa.table(
        "pengaduan_ticket",
        sa.column("id", sa.Integer),
        sa.column("code", sa.String),
        sa.column("reference", sa.String),
    )
    notification = sa.table(
        "pengaduan_notification",
        sa.column("id", sa.Integer),
        sa.column("ticket_id", sa.Integer),
        sa.column("text", sa.Text),
    )
    connection = op.get_bind()
    rows = connection.execute(sa.select(ticket.c.id, ticket.c.code).order_by(ticket.c.id)).all()
    used: set[str] = set()
    given: dict[int, tuple[str, str]] = {}
    for ticket_id, code in rows:
        reference = _reference()
        while reference in used:
            reference = _reference()
        used.add(reference)
        given[ticket_id] = (code, reference)
        connection.execute(ticket.update().where(ticket.c.id == ticket_id).values(reference=reference))
    # Escalation notices named the ticket by its code, now a secret staff
    # never see: they name it by its reference instead.
    notices = connection.execute(sa.select(notification.c.id, notification.c.ticket_id, notification.c.text))
    for notice_id, ticket_id, text in notices.all():
        code, reference = given.get(ticket_id, ("", ""))
        if code and code in (text or ""):
            connection.execute(
                notification.update()
                .where(notification.c.id == notice_id)
                .values(text=text.replace(code, reference))
            )
    with op.batch_alter_table("pengaduan_ticket", schema=None) as batch_op:
        batch_op.alter_column("reference", existing_type=sa.String(length=13), nullable=False)
        batch_op.alter_column(
            "code", existing_type=sa.String(length=11), type_=sa.String(length=20), existing_nullable=False
        )
        batch_op.create_unique_constraint(batch_op.f("uq_pengaduan_ticket_reference"), ["reference"])


def downgrade():
    # Only possible while every tracking code still has the old length.
    with op.batch_alter_table("pengaduan_ticket", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_pengaduan_ticket_reference"), type_="unique")
        batch_op.alter_column(
            "code", existing_type=sa.String(length=20), type_=sa.String(length=11), existing_nullable=False
        )
        batch_op.drop_column("reference")
