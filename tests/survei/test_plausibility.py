"""Ratings that cannot be faked: no self-rating, one-time QR at a plausible
pace, stuffing and kiosk back-dating held for review (stored, counted
nowhere) rather than refused."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import func

from plugins.survei import report
from plugins.survei.models import SurveiResponse, SurveiTicket
from portal.core.models import Agency, RatingEvent, RatingRollup, RatingScore
from portal.core.record.ratings import accept_held, period_bounds
from portal.core.util.timeutil import utcnow
from portal.core.web.api import create_key
from portal.extensions import db
from portal.testing import login, post_form
from tests.survei.conftest import NONCE_RE, SKM_GOOD, open_form, set_kind


def citizen(app, address="10.1.2.3"):
    """A fresh browser (its own cookie jar) behind ``address``."""
    browser = app.test_client()
    browser.environ_base["REMOTE_ADDR"] = address
    return browser


def counted(app, officer_id):
    """(ratings in the officer's rollups, ratings in the officer's scores for the month)."""
    with app.app_context():
        rollup = db.session.scalar(db.select(func.sum(RatingRollup.count)).filter_by(officer_id=officer_id))
        score = db.session.scalar(
            db.select(func.sum(RatingScore.count)).filter_by(officer_id=officer_id, span="bulan")
        )
        return int(rollup or 0), int(score or 0)


def held_reasons(app):
    with app.app_context():
        return dict(
            db.session.execute(
                db.select(RatingEvent.hold_reason, func.count(RatingEvent.id))
                .where(RatingEvent.review == "ditahan")
                .group_by(RatingEvent.hold_reason)
            ).all()
        )


# ---------------------------------------------------------------- no self-rating


def test_a_browser_with_a_staff_session_cannot_rate(app, client, world, desk):
    fields, _html = open_form(client, f"/s/{desk}")
    login(client, world["alpha"]["emails"]["officer"])
    r = client.post(f"/s/{desk}", data={**fields, "face": "4"}, headers={"Origin": "http://localhost"})
    assert r.status_code == 403 and "sesi petugas" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(func.count(SurveiResponse.id))) == 0


def test_the_twenty_one_time_qr_attack(app, client, world, desk):
    """An officer issuing 20 one-time QR codes and answering them from their own browser:
    one code at a time at a plausible pace, the staff session refused, and the code
    answered from the same device (signed out) held for review, in no score."""
    login(client, world["alpha"]["emails"]["officer"])
    url = "/kelola/alpha/survei/selesai-melayani"
    issued = [post_form(client, url, {"desk_id": world["alpha"]["desk"]}) for _ in range(20)]
    assert issued[0].status_code == 302
    assert [r.status_code for r in issued[1:]] == [429] * 19
    assert "detik setelah kode sebelumnya" in issued[1].get_data(as_text=True)
    with app.app_context():
        [ticket] = db.session.scalars(db.select(SurveiTicket)).all()
        token = ticket.token
    # Answered from the officer's own browser while signed in: refused.
    nonce = NONCE_RE.search(client.get(f"/s/t/{token}").get_data(as_text=True)).group(1)
    r = client.post(f"/s/t/{token}", data={"nonce": nonce, "face": "4"})
    assert r.status_code == 403 and "sesi petugas" in r.get_data(as_text=True)
    # The same browser signed out (no session, still its device marker), on another network: held.
    device = client.get_cookie("survei_petugas").value
    same_device = citizen(app, "10.9.9.9")
    same_device.set_cookie("survei_petugas", device)
    fields, _html = open_form(same_device, f"/s/t/{token}")
    assert same_device.post(f"/s/t/{token}", data={**fields, "face": "4"}).status_code == 302
    assert held_reasons(app) == {"perangkat_petugas": 1}
    assert counted(app, world["alpha"]["staff"]) == (0, 0)


def test_a_new_one_time_qr_voids_the_unanswered_one(app, client, world, desk):
    app.config["SURVEI_TICKET_MIN_SECONDS"] = 0
    login(client, world["alpha"]["emails"]["officer"])
    url = "/kelola/alpha/survei/selesai-melayani"
    assert post_form(client, url, {"desk_id": world["alpha"]["desk"]}).status_code == 302
    assert post_form(client, url, {"desk_id": world["alpha"]["desk"]}).status_code == 302
    with app.app_context():
        first, second = db.session.scalars(db.select(SurveiTicket).order_by(SurveiTicket.id)).all()
        first_token, second_token = first.token, second.token
    r = citizen(app).get(f"/s/t/{first_token}")
    assert r.status_code == 410
    assert citizen(app).get(f"/s/t/{second_token}").status_code == 200


def test_one_time_qr_answered_from_the_issuing_address_is_held(app, client, world, desk):
    login(client, world["alpha"]["emails"]["officer"])  # the officer's browser: 127.0.0.1
    post_form(client, "/kelola/alpha/survei/selesai-melayani", {"desk_id": world["alpha"]["desk"]})
    with app.app_context():
        token = db.session.scalars(db.select(SurveiTicket)).one().token
    same_network = citizen(app, "127.0.0.1")
    fields, _html = open_form(same_network, f"/s/t/{token}")
    assert same_network.post(f"/s/t/{token}", data={**fields, "face": "4"}).status_code == 302
    assert held_reasons(app) == {"perangkat_petugas": 1}
    # Later in the code's life, from a second browser on the same computer: held too.
    app.config["SURVEI_TICKET_MIN_SECONDS"] = 0
    post_form(client, "/kelola/alpha/survei/selesai-melayani", {"desk_id": world["alpha"]["desk"]})
    with app.app_context():
        ticket = db.session.scalars(db.select(SurveiTicket).order_by(SurveiTicket.id.desc())).first()
        ticket.created_at -= dt.timedelta(minutes=20)
        db.session.commit()
        token = ticket.token
    second_browser = citizen(app, "127.0.0.1")
    fields, _html = open_form(second_browser, f"/s/t/{token}")
    assert second_browser.post(f"/s/t/{token}", data={**fields, "face": "4"}).status_code == 302
    assert held_reasons(app) == {"perangkat_petugas": 2}
    # A citizen's own phone, elsewhere, is counted at once.
    app.config["SURVEI_TICKET_MIN_SECONDS"] = 0
    post_form(client, "/kelola/alpha/survei/selesai-melayani", {"desk_id": world["alpha"]["desk"]})
    with app.app_context():
        token = db.session.scalars(db.select(SurveiTicket).order_by(SurveiTicket.id.desc())).first().token
    phone = citizen(app, "10.20.30.40")
    fields, _html = open_form(phone, f"/s/t/{token}")
    assert phone.post(f"/s/t/{token}", data={**fields, "face": "4"}).status_code == 302
    assert counted(app, world["alpha"]["staff"]) == (1, 1)


# ---------------------------------------------------------------- stuffing


def _stuff(app, desk, n, data, address="10.1.2.3"):
    codes = []
    for _ in range(n):
        browser = citizen(app, address)  # a fresh cookie jar every time
        fields, _html = open_form(browser, f"/s/{desk}")
        codes.append(browser.post(f"/s/{desk}", data={**fields, **data}).status_code)
    return codes


def test_stuffing_121_responses_with_fresh_cookie_jars_is_held(app, world, desk):
    # The per-address limit stays generous (many citizens share one carrier address):
    # plausibility, not the limit, is what bounds stuffing.
    app.config["SURVEI_RATE_LIMIT"] = "1000 per minute"
    set_kind(app, world["alpha"]["desk"], "skm")
    answers = dict(SKM_GOOD)
    codes = []
    for i in range(121):
        # Different answers each time: only the burst from one address gives it away.
        answers["u1"] = str(1 + i % 4)
        answers["u2"] = str(1 + (i // 4) % 4)
        answers["u3"] = str(1 + (i // 16) % 4)
        codes += _stuff(app, desk, 1, answers)
    assert codes == [302] * 121  # the citizen sees a thank-you; nothing is refused
    burst = app.config.get("SURVEI_ADDRESS_BURST", 10)
    with app.app_context():
        assert db.session.scalar(db.select(func.count(SurveiResponse.id))) == 121
        assert db.session.scalar(db.select(func.count(SurveiResponse.id)).filter_by(review="")) == burst
        agency = db.session.get(Agency, world["alpha"]["agency"])
        today = utcnow().date()
        data = report.build(agency, None, *period_bounds("semester", today), summary=True)
        assert data.respondents == burst
    assert counted(app, world["alpha"]["staff"]) == (burst, burst)
    reasons = held_reasons(app)
    assert sum(reasons.values()) == 121 - burst and set(reasons) <= {"alamat", "kapasitas"}
    # The staff's own counts leave the held ones out too.
    admin = app.test_client()
    login(admin, world["alpha"]["emails"]["admin"])
    assert f"Hari ini: {burst} penilaian." in admin.get("/kelola/alpha/").get_data(as_text=True)
    index = admin.get("/kelola/alpha/survei/").get_data(as_text=True)
    assert f"<td>{burst}</td><td>{burst}</td>" in index and "<td>121</td>" not in index


def test_stuffing_far_beyond_the_desks_capacity_from_many_addresses_is_held(app, world, desk):
    app.config["SURVEI_PER_OFFICER_HOUR"] = 5
    codes = []
    for i in range(8):
        codes += _stuff(app, desk, 1, {"face": "4"}, address=f"10.0.0.{i + 1}")
    assert codes == [302] * 8
    assert held_reasons(app) == {"kapasitas": 3}
    assert counted(app, world["alpha"]["staff"]) == (5, 5)


def test_identical_answer_patterns_are_held(app, world, desk):
    set_kind(app, world["alpha"]["desk"], "skm")
    same = {**SKM_GOOD, "sex": "L", "comment": "Pelayanan sangat memuaskan"}
    for i in range(8):
        _stuff(app, desk, 1, same, address=f"10.0.1.{i + 1}")
    repeat = app.config.get("SURVEI_PATTERN_REPEAT", 5)
    assert held_reasons(app) == {"pola": 8 - repeat}
    with app.app_context():
        agency = db.session.get(Agency, world["alpha"]["agency"])
        data = report.build(agency, None, *period_bounds("semester", utcnow().date()))
        assert data.respondents == repeat and len(data.suggestions) == repeat
    # Accepting one puts it in the IKM and the officer's score.
    with app.app_context():
        event_id = db.session.scalars(db.select(RatingEvent.id).filter_by(review="ditahan")).first()
        accept_held(event_id)
        data = report.build(agency, None, *period_bounds("semester", utcnow().date()), summary=True)
        assert data.respondents == repeat + 1
    assert counted(app, world["alpha"]["staff"]) == (repeat + 1, repeat + 1)


# ---------------------------------------------------------------- kiosk


def _kiosk(app, world):
    with app.app_context():
        _row, key = create_key(db.session.get(Agency, world["alpha"]["agency"]), "kios", "write")
        db.session.commit()
    client = app.test_client()
    return lambda items: client.post(
        "/api/v1/survei/responses", json={"responses": items}, headers={"Authorization": f"Bearer {key}"}
    )


def _item(desk, at, **extra):
    return {
        "client_uuid": str(uuid.uuid4()),
        "desk_token": desk,
        "created_at": at.isoformat(),
        "face": 4,
        **extra,
    }


def test_kiosk_batch_of_500_back_dated_ten_months_counts_for_nobody(app, world, desk):
    send = _kiosk(app, world)
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=300)
    r = send([_item(desk, old - dt.timedelta(minutes=i)) for i in range(500)])
    assert r.status_code == 200 and r.json["held"] == 500 and r.json["stored"] == 0
    assert counted(app, world["alpha"]["staff"]) == (0, 0)
    r = send([_item(desk, old) for _ in range(501)])
    assert r.status_code == 413 and "Paling banyak 500" in r.json["error"]["message"]
    with app.app_context():
        assert db.session.scalar(db.select(func.count(SurveiResponse.id))) == 500


def test_kiosk_back_dated_items_are_held_and_reported_per_item(app, world, desk):
    send = _kiosk(app, world)
    now = dt.datetime.now(dt.UTC)
    old = now - dt.timedelta(days=300)
    batch = [_item(desk, old - dt.timedelta(minutes=i)) for i in range(98)]
    batch.append(_item(desk, now - dt.timedelta(hours=1)))
    batch.append(_item(desk, now + dt.timedelta(days=1)))
    r = send(batch)
    assert r.status_code == 200
    assert (r.json["held"], r.json["stored"], r.json["invalid"]) == (98, 1, 1)
    first = r.json["results"][0]
    assert first["status"] == "held" and first["reason"] == "kiosk_mundur"
    assert "tanggal" in first["reason_label"]
    assert r.json["results"][-1]["status"] == "invalid"
    assert counted(app, world["alpha"]["staff"]) == (1, 1)


def test_kiosk_items_beyond_the_desks_capacity_are_held(app, world, desk):
    app.config["SURVEI_PER_OFFICER_HOUR"] = 10
    send = _kiosk(app, world)
    at = dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)
    r = send([_item(desk, at + dt.timedelta(seconds=i)) for i in range(25)])
    assert (r.json["stored"], r.json["held"]) == (10, 15)
    assert {x.get("reason") for x in r.json["results"][10:]} == {"kapasitas"}
    assert counted(app, world["alpha"]["staff"]) == (10, 10)


# ---------------------------------------------------------------- held, crediting nobody


def _held_without_officer(app, world, count=2):
    with app.app_context():
        ids = []
        for _ in range(count):
            row = SurveiResponse(
                agency_id=world["alpha"]["agency"],
                unit_id=world["alpha"]["unit"],
                desk_id=world["alpha"]["desk"],
                kind="skm",
                **{f"u{i}": 3 for i in range(1, 10)},
                review="ditahan",
                hold_reason="alamat",
            )
            db.session.add(row)
            db.session.flush()
            ids.append(row.id)
        db.session.commit()
        return ids


def _respondents(app, world):
    with app.app_context():
        agency = db.session.get(Agency, world["alpha"]["agency"])
        data = report.build(agency, None, *period_bounds("semester", utcnow().date()), summary=True)
        return data.respondents


def test_held_responses_that_credit_nobody_are_reviewed_by_the_admin(app, client, world):
    """Nobody on duty: no rating event, so the survey's own page reviews them."""
    keep, drop = _held_without_officer(app, world)
    assert _respondents(app, world) == 0
    login(client, world["alpha"]["emails"]["admin"])
    page = client.get("/kelola/alpha/survei/ditahan").get_data(as_text=True)
    assert page.count('name="response_id"') == 2 and "lonjakan" in page.lower()
    url = "/kelola/alpha/survei/ditahan"
    assert post_form(client, url, {"response_id": keep, "keputusan": "terima"}).status_code == 302
    assert post_form(client, url, {"response_id": drop, "keputusan": "tolak"}).status_code == 302
    assert _respondents(app, world) == 1  # the accepted one enters the report, the rejected one never
    again = post_form(client, url, {"response_id": keep, "keputusan": "terima"})
    assert again.status_code == 404  # decided once, even when sent twice
    assert _respondents(app, world) == 1
    assert 'name="response_id"' not in client.get(url).get_data(as_text=True)


def test_only_the_agencys_admin_reviews_held_responses(app, world):
    (held,) = _held_without_officer(app, world, count=1)
    for email, status in (
        (world["beta"]["emails"]["admin"], 404),
        (world["alpha"]["emails"]["officer"], 403),
        (world["alpha"]["emails"]["supervisor"], 403),
    ):
        browser = app.test_client()
        login(browser, email)
        assert browser.get("/kelola/alpha/survei/ditahan").status_code == status, email
    assert _respondents(app, world) == 0
    with app.app_context():
        assert db.session.get(SurveiResponse, held).review == "ditahan"


def test_a_rating_rejected_in_the_core_queue_rejects_its_response(app, world):
    """The response follows its rating's review: rejected there, rejected here
    (never left held, in no queue)."""
    from portal.core.models import Officer
    from portal.core.record.ratings import record_rating, reject_held

    with app.app_context():
        response = SurveiResponse(
            agency_id=world["alpha"]["agency"],
            unit_id=world["alpha"]["unit"],
            desk_id=world["alpha"]["desk"],
            officer_id=world["alpha"]["staff"],
            kind="cepat",
            face=4,
            review="ditahan",
            hold_reason="alamat",
        )
        db.session.add(response)
        db.session.flush()
        event = record_rating(
            agency=db.session.get(Agency, world["alpha"]["agency"]),
            officer=db.session.get(Officer, world["alpha"]["staff"]),
            source="survei",
            kind="cepat",
            value=4,
            ref=f"survei_response:{response.id}",
            hold="alamat",
        )
        reject_held(event.id)
        db.session.expire_all()
        assert db.session.get(SurveiResponse, response.id).review == "ditolak"
