"""Script in every free-text field is shown as text, never run.

The demo data is loaded and every table gets at least one row; then every
free-text column of every row is overwritten with a script payload that
carries the column's number. Every GET page of the URL map is read
anonymously, as the agency's admin, as an officer and as the superadmin.
No HTML or XML answer may contain the payload unescaped, and every column
must be seen escaped on at least one page (so the crawl really reaches
what citizens and staff typed)."""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets

from sqlalchemy import select, text

from portal.extensions import db
from portal.testing import login

SLUG = "disdukcapil"
PASSWORD = "demo-sukamaju-2026"
LOGINS = (
    "admin.disdukcapil@sukamaju.example",
    "pegawai.disdukcapil@sukamaju.example",
    "atasan.disdukcapil@sukamaju.example",
    "superadmin@sukamaju.example",
)

#: Every column that holds text a person typed (citizens or staff).
FREE_TEXT = [
    ("agency", "name"),
    ("agency", "description"),
    ("unit", "name"),
    ("unit", "address"),
    ("desk", "name"),
    ("officer", "name"),
    ("officer", "position"),
    ("user_account", "name"),
    ("api_key", "name"),
    ("audit_log", "detail"),
    ("rating_event", "comment"),
    ("feedback_note", "strengths"),
    ("feedback_note", "improvements"),
    ("feedback_action", "text"),
    ("feedback_reply", "body"),
    ("survei_question", "text"),
    ("survei_answer", "value"),
    ("survei_response", "comment"),
    ("pengaduan_category", "name"),
    ("pengaduan_category", "description"),
    ("agency_leave_day", "name"),
    ("pengaduan_template", "title"),
    ("pengaduan_template", "body"),
    ("pengaduan_ticket", "title"),
    ("pengaduan_ticket", "description"),
    ("pengaduan_ticket", "address"),
    ("pengaduan_ticket", "name"),
    ("pengaduan_ticket", "resolution"),
    ("pengaduan_ticket", "rating_comment"),
    ("pengaduan_event", "text"),
    ("pengaduan_attachment", "original_name"),
    ("notification", "title"),
    ("notification", "body"),
    ("dialog_publik_event", "title"),
    ("dialog_publik_event", "topic"),
    ("dialog_publik_event", "description"),
    ("dialog_publik_event", "venue"),
    ("dialog_publik_event", "minutes"),
    ("dialog_publik_agenda", "title"),
    ("dialog_publik_commitment", "text"),
    ("dialog_publik_registration", "name"),
    ("dialog_publik_registration", "organisation"),
    ("dialog_publik_question", "text"),
    ("dialog_publik_question", "reject_reason"),
    ("dialog_publik_question", "answer"),
    ("dialog_publik_rating", "comment"),
]
#: Typed text kept inside JSON: a category's extra field label and a
#: complaint's answer to it.
JSON_TEXT = [("pengaduan_category", "fields_json"), ("pengaduan_ticket", "extra_json")]


def payload(n: int) -> str:
    return f'"><script>xss({n})</script>'


RAW = re.compile(r"<script>xss\(\d+\)")
ESCAPED = re.compile(r"&lt;script&gt;xss\((\d+)\)")


def _fill_gaps(app):
    """Rows for the tables the demo leaves empty, tied to the first agency."""
    from plugins.dialog_publik.models import (
        DialogCommitment,
        DialogEvent,
        DialogQuestion,
        DialogRating,
        DialogRegistration,
    )
    from plugins.pengaduan.models import (
        PengaduanAttachment,
        PengaduanTicket,
    )
    from plugins.survei.models import SurveiAnswer, SurveiCommentStatus, SurveiQuestion, SurveiResponse
    from portal.builtin.records.models import FeedbackAction, FeedbackNote, FeedbackReply
    from portal.core.models import (
        Agency,
        ApiKey,
        AuditLog,
        LeaveDay,
        Notification,
        Officer,
        RatingEvent,
        User,
    )
    from portal.core.util.codes import random_code
    from portal.core.util.timeutil import utcnow

    with app.app_context():
        agency = db.session.scalars(select(Agency).filter_by(slug=SLUG)).one()
        admin = db.session.scalars(select(User).filter_by(email=LOGINS[0])).one()
        officer_user = db.session.scalars(select(User).filter_by(email=LOGINS[1])).one()
        officer = db.session.get(Officer, officer_user.officer_id)
        ticket = db.session.scalars(
            select(PengaduanTicket).filter_by(agency_id=agency.id).order_by(PengaduanTicket.id)
        ).first()
        event = db.session.scalars(
            select(DialogEvent).filter_by(agency_id=agency.id).order_by(DialogEvent.id)
        ).first()
        # Held yesterday: its minutes, commitments and ratings are shown only once it has begun.
        event.starts_at = utcnow() - dt.timedelta(days=1, hours=2)
        event.ends_at = utcnow() - dt.timedelta(days=1)
        response = db.session.scalars(
            select(SurveiResponse).filter_by(agency_id=agency.id).order_by(SurveiResponse.id)
        ).first()
        now = utcnow()
        question = SurveiQuestion(
            unit_id=response.unit_id,
            position=0,
            text="q",
            type="text",
            choices="",
            required=False,
            active=True,
        )
        registration = DialogRegistration(
            event_id=event.id,
            code=random_code(8),
            name="n",
            contact="081234567890",
            contact_key="081234567890",
            organisation="o",
            checked_in_at=now,
        )
        note = FeedbackNote(
            agency_id=agency.id, officer_id=officer.id, author_id=admin.id, strengths="s", improvements="i"
        )
        db.session.add_all([question, registration, note])
        db.session.flush()
        asked = DialogQuestion(
            event_id=event.id,
            registration_id=registration.id,
            text="t",
            status="disetujui",
            answer="a",
            answered_by_id=officer.id,
            answered_at=now,
        )
        refused = DialogQuestion(
            event_id=event.id, registration_id=registration.id, text="t", status="ditolak", reject_reason="r"
        )
        db.session.add_all(
            [
                ApiKey(
                    agency_id=agency.id,
                    name="k",
                    prefix=secrets.token_hex(4),
                    key_hash="0" * 64,
                    scope="read",
                ),
                AuditLog(agency_id=agency.id, user_id=admin.id, action="uji", detail="d"),
                FeedbackAction(note_id=note.id, text="a", due_date=dt.date.today()),
                FeedbackReply(note_id=note.id, user_id=officer_user.id, body="b"),
                SurveiAnswer(response_id=response.id, question_id=question.id, value="v"),
                LeaveDay(agency_id=agency.id, day=dt.date.today() + dt.timedelta(days=20), name="c"),
                PengaduanAttachment(
                    ticket_id=ticket.id,
                    stored_name=secrets.token_hex(16),
                    original_name="f.png",
                    content_type="image/png",
                    size=10,
                ),
                Notification(user_id=admin.id, agency_id=agency.id, title="n", body="b", url="/"),
                DialogCommitment(event_id=event.id, text="c", owner_id=officer.id, state="belum"),
                DialogRating(registration_id=registration.id, officer_id=0, rating=4, comment="c"),
                asked,
                refused,
            ]
        )
        ticket.rating, ticket.rated_resolved = 4, True
        # Shown where moderation allows it: citizens' comments approved.
        for row in db.session.scalars(select(SurveiResponse).where(SurveiResponse.comment.isnot(None))):
            row.comment_status = SurveiCommentStatus.APPROVED
        db.session.execute(text("UPDATE rating_event SET comment = 'c', comment_state = 'tampil'"))
        db.session.commit()
        assert db.session.scalar(select(db.func.count(RatingEvent.id))) > 0


def _poison(app) -> None:
    with app.app_context():
        for n, (table, column) in enumerate(FREE_TEXT):
            # || id keeps values distinct where a name must be unique.
            db.session.execute(
                text(f"UPDATE {table} SET {column} = :p || CAST(id AS TEXT)"),  # noqa: S608
                {"p": payload(n)},
            )
        base = len(FREE_TEXT)
        db.session.execute(
            text("UPDATE pengaduan_category SET fields_json = :j"),
            {"j": json.dumps([{"code": "rt", "label": payload(base), "required": False}])},
        )
        db.session.execute(
            text("UPDATE pengaduan_ticket SET extra_json = :j"), {"j": json.dumps({"rt": payload(base + 1)})}
        )
        db.session.commit()


def _urls(app) -> list[str]:
    """Every GET route, its arguments filled with the first agency's rows."""
    from plugins.dialog_publik.models import DialogEvent, DialogQuestion, DialogRegistration
    from plugins.pengaduan.models import PengaduanAttachment, PengaduanTicket
    from portal.core.models import Agency, Desk, Officer, Unit, User

    with app.app_context():
        agency = db.session.scalars(select(Agency).filter_by(slug=SLUG)).one()

        def ids(model, **where):
            rows = db.session.scalars(select(model.id).filter_by(**where).order_by(model.id)).all()
            return [str(i) for i in rows[:3]]

        fill = {
            "slug": [SLUG],
            "agency_slug": [SLUG],
            "fmt": ["csv"],
            "size": ["a4"],
            "event_id": ids(DialogEvent, agency_id=agency.id),
            "ticket_id": ids(PengaduanTicket, agency_id=agency.id),
            "officer_id": ids(Officer, agency_id=agency.id),
            "user_id": ids(User, agency_id=agency.id),
            "unit_id": ids(Unit, agency_id=agency.id),
            "desk_id": [
                str(d.id)
                for d in db.session.scalars(select(Desk).join(Unit).where(Unit.agency_id == agency.id))
            ][:3],
            "question_id": [str(i) for i in db.session.scalars(select(DialogQuestion.id))][:3],
            "attachment_id": [str(i) for i in db.session.scalars(select(PengaduanAttachment.id))][:1],
            "nip": [o.nip for o in db.session.scalars(select(Officer).filter_by(agency_id=agency.id))][:2],
            "token": [
                d.qr_token
                for d in db.session.scalars(select(Desk).join(Unit).where(Unit.agency_id == agency.id))
            ][:2],
            "code": (
                [t.code for t in db.session.scalars(select(PengaduanTicket).filter_by(agency_id=agency.id))][
                    :3
                ]
                + [r.code for r in db.session.scalars(select(DialogRegistration))][:2]
            ),
        }
    urls = set()
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static" or rule.rule.startswith("/static"):
            continue
        variants = [rule.rule]
        for argument in rule.arguments:
            values = fill.get(argument, ["1"])
            if argument == "fmt" and rule.rule.startswith("/open311/"):
                values = ["xml"]
            variants = [re.sub(rf"<(?:\w+:)?{argument}>", value, v) for v in variants for value in values]
        if rule.rule.startswith("/open311/"):  # several agencies take complaints
            variants = [v + f"?jurisdiction_id={SLUG}" for v in variants]
        urls.update(variants)
    return sorted(urls)


def test_every_free_text_field_is_escaped_on_every_page(app, world):
    from portal.builtin.demo.seed import seed

    with app.app_context():
        seed()
    _fill_gaps(app)
    _poison(app)
    urls = _urls(app)
    seen: dict[int, str] = {}
    pages = 0
    visitors = [app.test_client()]
    for email in LOGINS:
        visitor = app.test_client()
        assert login(visitor, email, PASSWORD).status_code == 302, email
        visitors.append(visitor)
    for visitor in visitors:
        for url in urls:
            response = visitor.get(url)
            kind = response.mimetype or ""
            body = response.get_data(as_text=True) if ("html" in kind or "xml" in kind) else ""
            response.close()
            assert response.status_code < 500, (url, response.status_code)
            if not body:
                continue
            pages += 1
            raw = RAW.search(body)
            assert raw is None, (url, body[max(raw.start() - 200, 0) : raw.end() + 50])
            for n in ESCAPED.findall(body):
                seen.setdefault(int(n), url)
    assert pages >= 150
    columns = FREE_TEXT + JSON_TEXT
    missing = [columns[n] for n in range(len(columns)) if n not in seen]
    assert not missing, missing
