"""64 citizens at once, against gunicorn workers: every survey, forum
registration and complaint is stored exactly once, the rollups agree with
the raw events, and nobody sees a 5xx or a locked database. Both databases."""

from __future__ import annotations

from sqlalchemy import func, select

from plugins.dialog_publik.models import DialogRegistration
from plugins.pengaduan.models import PengaduanTicket
from plugins.survei.models import SurveiResponse
from portal.core.models import RatingEvent, RatingRollup
from portal.extensions import db
from tests.system.conftest import (
    complaint_category,
    file_complaint,
    forum_event,
    register,
    release_database,
    stored_nonces,
    submit_survey,
    survey_desk,
    together,
)

CLIENTS = 64
SEATS = 40


def test_sixty_four_clients_lose_and_duplicate_nothing(app, world, serve, database_url):
    token = survey_desk(app, world)
    category = complaint_category(app, world)
    event = forum_event(app, world, capacity=SEATS)
    release_database(app)
    portal = serve(database_url, workers=5)

    def surveys(i, go):
        answer, nonce = submit_survey(portal.url, token, face=1 + i % 4, go=go)
        return answer.status_code, nonce

    def registrations(i, go):
        return register(portal.url, event, f"Warga Forum {i}", f"0812{i:08d}", go=go).status_code

    def complaints(i, go):
        answer = file_complaint(portal.url, category, f"Pengaduan serentak nomor {i}", go=go)
        return answer.status_code, answer.headers.get("Location", "")

    survey_results = together(CLIENTS, surveys)
    registration_results = together(CLIENTS, registrations)
    complaint_results = together(CLIENTS, complaints)

    for results in (survey_results, registration_results, complaint_results):
        assert not [r for r in results if isinstance(r, BaseException)], results
    assert [status for status, _n in survey_results] == [302] * CLIENTS
    assert registration_results == [302] * CLIENTS
    assert [status for status, _l in complaint_results] == [302] * CLIENTS
    log = portal.log()
    assert "database is locked" not in log and "Traceback" not in log, log[-3000:]

    with app.app_context():
        nonces = set(db.session.scalars(select(SurveiResponse.nonce)))
        assert nonces == stored_nonces(app, [n for _s, n in survey_results], world["alpha"]["desk"])
        assert db.session.scalar(select(func.count(RatingEvent.id))) == CLIENTS
        assert db.session.scalar(select(func.sum(RatingRollup.count))) == CLIENTS
        # Faces 1..4 sixteen times each: the rollup's sum equals the raw sum.
        raw = db.session.scalar(select(func.sum(RatingEvent.score)))
        assert db.session.scalar(select(func.sum(RatingRollup.total))) == raw

        statuses = db.session.execute(
            select(DialogRegistration.status, func.count())
            .where(DialogRegistration.event_id == event)
            .group_by(DialogRegistration.status)
        ).all()
        assert dict(statuses) == {"terdaftar": SEATS, "antre": CLIENTS - SEATS}

        codes = list(db.session.scalars(select(PengaduanTicket.code)))
        assert len(codes) == len(set(codes)) == CLIENTS
        assert {location.rsplit("/", 1)[-1] for _s, location in complaint_results} == set(codes)
