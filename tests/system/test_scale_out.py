"""Two portal instances on different ports share one PostgreSQL and one
Redis, as two hosts behind a load balancer would. What one instance grants
or spends, the other sees: rate limits, survey nonces, ticket codes,
registrations and forum capacity."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from plugins.dialog_publik.models import DialogRegistration
from plugins.pengaduan.models import PengaduanTicket
from plugins.survei.models import SurveiResponse
from portal.extensions import db
from tests.system.conftest import (
    complaint_category,
    form_fields,
    forum_event,
    register,
    release_database,
    submit_survey,
    survey_desk,
    together,
)

pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


@pytest.fixture
def pair(app, world, serve, database_url, redis_url):
    """Set up data, then start instances A and B on one database and Redis."""
    data = {
        "token": survey_desk(app, world),
        "category": complaint_category(app, world),
        "event": forum_event(app, world, capacity=5, waitlist=False),
    }
    release_database(app)
    settings = {"SURVEI_RATE_LIMIT": "6 per minute"}
    first = serve(database_url, workers=2, redis_url=redis_url, **settings)
    second = serve(database_url, workers=2, redis_url=redis_url, **settings)
    assert first.port != second.port
    return first.url, second.url, data


def _count(app, column, *where):
    with app.app_context():
        return db.session.scalar(select(func.count(column)).where(*where))


def test_a_rate_limit_counts_across_instances(app, pair):
    a, b, data = pair
    statuses = [submit_survey((a, b)[i % 2], data["token"])[0] for i in range(10)]
    codes = [answer.status_code for answer in statuses]
    # Six allowed for the address in all, whichever instance took them; each
    # instance alone would have allowed six (twelve in all) with local counters.
    assert codes.count(302) == 6 and codes.count(429) == 4, codes
    refused = next(answer for answer in statuses if answer.status_code == 429)
    assert "Terlalu banyak permintaan" in refused.text
    assert _count(app, SurveiResponse.id) == 6


def test_one_nonce_posted_to_both_instances_is_stored_once(app, pair):
    a, b, data = pair
    import requests

    session = requests.Session()
    fields = form_fields(session, f"{a}/s/{data['token']}")
    cookies = session.cookies.get_dict()

    def post(i, go):
        go()
        return requests.post(
            f"{(a, b)[i % 2]}/s/{data['token']}",
            data={**fields, "face": "3"},
            cookies=cookies,
            timeout=60,
            allow_redirects=False,
        ).status_code

    codes = together(6, post)
    assert sorted(codes) == [200] * 5 + [302], codes  # one stored, five "already received"
    assert _count(app, SurveiResponse.id) == 1


def test_tickets_filed_on_both_instances_get_distinct_codes(app, pair):
    a, b, data = pair
    from tests.system.conftest import file_complaint

    answers = together(
        24,
        lambda i, go: file_complaint(
            (a, b)[i % 2], data["category"], f"Pengaduan dari dua server {i}", go=go
        ),
    )
    assert [answer.status_code for answer in answers] == [302] * 24
    with app.app_context():
        codes = list(db.session.scalars(select(PengaduanTicket.code)))
    assert len(codes) == len(set(codes)) == 24


def test_one_person_signing_up_on_both_instances_is_registered_once(app, pair):
    a, b, data = pair
    answers = together(
        8, lambda i, go: register((a, b)[i % 2], data["event"], "Siti Aminah", "0812 7000 1000", go=go)
    )
    assert [answer.status_code for answer in answers] == [302] * 8
    places = [answer.headers["Location"] for answer in answers]
    # One of them registered and sees their code; the others are told the
    # contact is registered already, and never shown that code.
    codes = [place for place in places if "/pendaftaran/" in place]
    assert len(codes) == 1, places
    assert set(places) - set(codes) <= {f"/alpha/dialog/{data['event']}"}, places
    assert _count(app, DialogRegistration.id) == 1


def test_capacity_holds_across_instances(app, pair):
    a, b, data = pair
    answers = together(
        16, lambda i, go: register((a, b)[i % 2], data["event"], f"Peserta {i}", f"0813{i:08d}", go=go)
    )
    codes = [answer.status_code for answer in answers]
    assert codes.count(302) == 5 and codes.count(422) == 11, codes
    assert all("Kursi sudah penuh" in answer.text for answer in answers if answer.status_code == 422)
    assert _count(app, DialogRegistration.id, DialogRegistration.status == "terdaftar") == 5
    assert _count(app, DialogRegistration.id) == 5
