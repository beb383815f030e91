"""Retention (UU 27/2022): `flask anonymise` removes citizens' personal data
from matters that ended longer ago than the retention period, leaves recent
and still-open matters alone, keeps every statistic, and changes nothing
on a second run."""

from __future__ import annotations

import datetime as dt
import os

from sqlalchemy import func, select

from plugins.dialog_publik.models import DialogEvent, DialogRating, DialogRegistration
from plugins.pengaduan.models import PengaduanAttachment, PengaduanCategory, PengaduanTicket
from plugins.survei.models import SurveiAnswer, SurveiQuestion, SurveiResponse
from portal.core.models import AuditLog, RatingEvent, RatingRollup
from portal.core.util.timeutil import utcnow
from portal.extensions import db
from portal.testing import login
from tests.system.conftest import survey_desk

LONG_AGO = utcnow() - dt.timedelta(days=800)
LATELY = utcnow() - dt.timedelta(days=30)


def _stage(app, world, client):
    """Old and recent complaints, forums and survey responses, with the
    personal data the portal keeps for each."""
    from plugins.dialog_publik.service import rate, register
    from plugins.pengaduan.service import Filing, file_ticket, store_files
    from portal.core.models import Agency
    from tests.pengaduan.conftest import png_bytes

    token = survey_desk(app, world)
    with app.app_context():
        agency = db.session.get(Agency, world["alpha"]["agency"])
        category = PengaduanCategory(
            agency_id=agency.id, code="pelayanan", name="Pelayanan", active=True, fields_json="[]"
        )
        db.session.add(category)
        db.session.commit()
        tickets = {}
        for label, status, ended, confidential in (
            ("old_closed", "ditutup", LONG_AGO, True),
            ("old_rejected", "ditolak", LONG_AGO, False),
            ("old_open", "diproses", None, False),
            ("recent_closed", "ditutup", LATELY, False),
        ):
            ticket = file_ticket(
                agency,
                Filing(
                    category=category,
                    title=f"Aduan {label}",
                    description="Loket tutup sebelum jam layanan berakhir.",
                    address="Jl. Kenanga 7",
                    name="Rina Pelapor",
                    phone="081299990000",
                    email="rina@warga.example",
                    confidential=confidential,
                ),
            )
            store_files(ticket, [("ktp.png", "image/png", png_bytes())])
            ticket.status, ticket.closed_at, ticket.created_at = status, ended, LONG_AGO
            ticket.rating, ticket.rating_comment = (
                (4, "Petugas ramah, terima kasih") if ended else (None, None)
            )
            tickets[label] = ticket
        db.session.commit()
        ids = {label: t.id for label, t in tickets.items()}
        files = {label: t.attachments[0].stored_name for label, t in tickets.items()}

        events = {}
        for label, ends in (("old", LONG_AGO), ("recent", utcnow() + dt.timedelta(days=2))):
            event = DialogEvent(
                agency_id=agency.id,
                title=f"Forum {label}",
                topic="KTP",
                description="x",
                mode="tatap_muka",
                venue="Aula",
                starts_at=ends - dt.timedelta(hours=2),
                ends_at=ends,
                capacity=10,
                status="terbit",
            )
            db.session.add(event)
            db.session.commit()
            registration, _c = register(
                event.id, "Sari Peserta", "0812 5555 0000", "RT 05", walk_in=True, now=event.starts_at
            )
            registration.checked_in_at = event.starts_at
            db.session.commit()
            if label == "old":
                rate(registration, {0: 5}, {0: "Acaranya bermanfaat"}, now=ends)
            events[label] = event.id

        question = SurveiQuestion(
            unit_id=world["alpha"]["unit"],
            position=1,
            text="Saran untuk kami?",
            type="text",
            required=False,
            active=True,
        )
        db.session.add(question)
        db.session.commit()
        question_id = question.id
    for _ in range(2):
        citizen = app.test_client()
        from tests.survei.conftest import open_form

        fields, _html = open_form(citizen, f"/s/{token}")
        assert (
            citizen.post(
                f"/s/{token}",
                data={
                    **fields,
                    "face": "3",
                    "comment": "Nama saya Budi, 0812777",
                    f"q{question_id}": "Hubungi saya di 0812777",
                },
            ).status_code
            == 302
        )
    with app.app_context():
        first = db.session.scalars(select(SurveiResponse).order_by(SurveiResponse.id)).first()
        first.created_at = LONG_AGO  # one old response, one recent
        db.session.commit()
    return ids, files, events


def _numbers(app):
    """The statistics that must not move."""
    with app.app_context():
        return {
            "tickets": db.session.execute(
                select(PengaduanTicket.status, func.count(), func.sum(PengaduanTicket.rating))
                .group_by(PengaduanTicket.status)
                .order_by(PengaduanTicket.status)
            ).all(),
            "registrations": db.session.execute(
                select(
                    DialogRegistration.event_id,
                    DialogRegistration.status,
                    func.count(),
                    func.count(DialogRegistration.checked_in_at),
                ).group_by(DialogRegistration.event_id, DialogRegistration.status)
            ).all(),
            "event ratings": db.session.scalar(select(func.sum(DialogRating.rating))),
            "responses": db.session.execute(
                select(func.count(SurveiResponse.id), func.sum(SurveiResponse.face))
            ).one(),
            "answers": db.session.scalar(select(func.count(SurveiAnswer.id))),
            "rollups": db.session.execute(
                select(func.sum(RatingRollup.count), func.sum(RatingRollup.total))
            ).one(),
        }


def test_anonymise_removes_old_personal_data_and_keeps_statistics(app, client, world):
    ids, files, events = _stage(app, world, client)
    upload = os.path.join(app.config["PORTAL_UPLOAD_DIR"], "pengaduan")
    with app.app_context():
        db.session.execute(db.update(RatingEvent).values(comment="Nama saya Budi", created_at=LONG_AGO))
        db.session.commit()
    before = _numbers(app)

    result = app.test_cli_runner().invoke(args=["anonymise"])
    assert result.exit_code == 0, result.output
    assert "(730 hari) dianonimkan" in result.output
    assert "pengaduan: 2" in result.output and "pendaftar forum: 1" in result.output
    assert "saran survei: 1" in result.output and "jawaban teks survei: 1" in result.output
    assert _numbers(app) == before

    with app.app_context():
        old = db.session.get(PengaduanTicket, ids["old_closed"])
        assert (old.name, old.phone, old.email, old.rating_comment) == ("", "", "", None)
        assert old.address == "" and old.anonymous  # rahasia: its place goes too
        assert old.title == "Aduan old_closed" and old.rating == 4
        rejected = db.session.get(PengaduanTicket, ids["old_rejected"])
        assert rejected.name == "" and rejected.address == "Jl. Kenanga 7"  # a public place stays
        for label in ("old_open", "recent_closed"):
            kept = db.session.get(PengaduanTicket, ids[label])
            assert (kept.name, kept.email) == ("Rina Pelapor", "rina@warga.example"), label
        attachments = {a.stored_name for a in db.session.scalars(select(PengaduanAttachment))}
        assert attachments == {files["old_open"], files["recent_closed"]}
        assert sorted(os.listdir(upload)) == sorted(attachments)

        by_event = {r.event_id: r for r in db.session.scalars(select(DialogRegistration))}
        assert (by_event[events["old"]].name, by_event[events["old"]].contact) == ("(dianonimkan)", "")
        assert by_event[events["recent"]].name == "Sari Peserta"
        assert db.session.scalar(select(func.count()).where(DialogRating.comment.isnot(None))) == 0

        comments = [r.comment for r in db.session.scalars(select(SurveiResponse).order_by(SurveiResponse.id))]
        assert comments == [None, "Nama saya Budi, 0812777"]
        assert sorted(a.value for a in db.session.scalars(select(SurveiAnswer))) == [
            "",
            "Hubungi saya di 0812777",
        ]
        assert db.session.scalar(select(func.count()).where(RatingEvent.comment.isnot(None))) == 0
        [entry] = db.session.scalars(select(AuditLog).filter_by(action="retention_anonymised")).all()
        assert "pengaduan: 2" in entry.detail

    again = app.test_cli_runner().invoke(args=["anonymise"])
    assert again.exit_code == 0
    assert "pengaduan: 0" in again.output and "pendaftar forum: 0" in again.output
    assert "saran survei: 0" in again.output

    # A shorter period reaches the recent complaint too; a silly one is refused.
    assert "pengaduan: 1" in app.test_cli_runner().invoke(args=["anonymise", "--days", "30"]).output
    refused = app.test_cli_runner().invoke(args=["anonymise", "--days", "3"])
    assert refused.exit_code != 0 and "30" in refused.output

    # Staff still see the complaint and its history, without the person.
    login(client, world["alpha"]["emails"]["admin"])
    with app.app_context():
        code = db.session.get(PengaduanTicket, ids["old_closed"]).code
    page = client.get(f"/kelola/alpha/pengaduan/tiket/{code}").get_data(as_text=True)
    assert "Aduan old_closed" in page and "Rina Pelapor" not in page


def test_anonymising_many_complaints_costs_the_same_few_statements(app, world):
    """The first run after a long time may catch up on a province's million
    complaints: the work is a statement per table, not one per complaint."""
    from sqlalchemy import event

    from plugins.pengaduan import service
    from plugins.pengaduan.models import EventActor, PengaduanEvent
    from portal.core.models import Agency

    def staged(n):
        with app.app_context():
            agency = db.session.get(Agency, world["alpha"]["agency"])
            category = db.session.scalar(select(PengaduanCategory).filter_by(agency_id=agency.id)) or (
                PengaduanCategory(
                    agency_id=agency.id, code="umum", name="Umum", active=True, fields_json="[]"
                )
            )
            db.session.add(category)
            db.session.flush()
            for i in range(n):
                ticket = service.file_ticket(
                    agency,
                    service.Filing(
                        category=category,
                        title=f"Aduan lama {i}",
                        description="Loket tutup sebelum jam layanan berakhir.",
                        name="Rina Pelapor",
                        phone="081299990000",
                    ),
                )
                ticket.status, ticket.closed_at = "ditutup", LONG_AGO
                db.session.add(
                    PengaduanEvent(ticket_id=ticket.id, actor=EventActor.PELAPOR, text="Nomor saya 0812…")
                )
            db.session.commit()

    def counted_run():
        statements = []
        with app.app_context():
            engine = db.engine
            listener = lambda *args: statements.append(args[2])  # noqa: E731
            event.listen(engine, "before_cursor_execute", listener)
            try:
                counts = service.anonymise(utcnow() - dt.timedelta(days=180))
                db.session.commit()
            finally:
                event.remove(engine, "before_cursor_execute", listener)
        return counts, len(statements)

    staged(3)
    few, few_statements = counted_run()
    staged(40)
    many, many_statements = counted_run()
    assert (few["pengaduan"], many["pengaduan"]) == (3, 40)
    assert many_statements == few_statements <= 5
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(PengaduanTicket.name != "")) == 0
        assert db.session.scalar(select(func.count()).where(PengaduanEvent.text != "")) == 0
