"""What an attacker tries on the public forum pages: taking over a
registration by re-registering its contact written differently, fake
upvotes, votes or questions from a staff session, guessing registration
codes, and cookies without their flags."""

from __future__ import annotations

import datetime as dt
import math
import re
import secrets

import pytest

from plugins.dialog_publik.models import DialogEvent, DialogQuestion, DialogRegistration
from plugins.dialog_publik.service import CODE_LENGTH, contact_key, new_code
from portal.core.accounts.citizen import STAFF_SESSION_REFUSED
from portal.core.util.codes import ALPHABET
from portal.extensions import db
from portal.testing import csrf_token, login, post_form
from tests.dialog_publik.test_dialog import CODE_RE, _code, _register
from tests.system.conftest import forum_event


@pytest.fixture
def event(app, world):
    return forum_event(app, world, capacity=50, panelists=[world["alpha"]["boss"]])


@pytest.fixture
def question(app, event):
    with app.app_context():
        q = DialogQuestion(event_id=event, text="Berapa lama KTP-el selesai dicetak?", status="disetujui")
        db.session.add(q)
        db.session.commit()
        return q.id


def _votes(app, question_id) -> int:
    from plugins.dialog_publik.service import ordered_questions

    with app.app_context():
        q = db.session.get(DialogQuestion, question_id)
        return dict((item.id, n) for item, n in ordered_questions(q.event_id))[question_id]


def _set(app, event, **fields):
    with app.app_context():
        e = db.session.get(DialogEvent, event)
        for key, value in fields.items():
            setattr(e, key, value)
        db.session.commit()


def _fake_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


# ---------------------------------------------------------------- takeover


@pytest.mark.parametrize(
    "written",
    ["+62 813-5555-0001", "62 813 5555 0001", "0062 813 5555 0001", "+62 (0)813-5555-0001", "813 5555 0001"],
)
def test_reregistering_a_phone_written_differently_reveals_no_code(app, client, event, written):
    victim_code, _ = _code(client, _register(client, event, "Ani", "081355550001"))
    attacker = app.test_client()
    r = _register(attacker, event, "Penyusup", written)
    assert r.status_code == 302 and victim_code not in r.headers["Location"]
    page = attacker.get(r.headers["Location"]).get_data(as_text=True)
    assert victim_code not in page and not CODE_RE.search(page)
    assert "Nomor telepon ini sudah terdaftar untuk acara ini." in page
    # Nothing of the victim's is within reach: no cookie with the code, and cancelling needs it.
    assert all(victim_code not in c.value for c in attacker._cookies.values())
    r = post_form(
        attacker, f"/alpha/dialog/pendaftaran/{_fake_code()}/batal", token_from=f"/alpha/dialog/{event}"
    )
    assert r.status_code == 404
    with app.app_context():
        rows = db.session.scalars(db.select(DialogRegistration)).all()
        assert [(x.name, x.status, x.code) for x in rows] == [("Ani", "terdaftar", victim_code)]


def test_reregistering_an_email_sends_the_code_to_that_address_only(app, client, event):
    app.config["PORTAL_MAIL_BACKEND"] = "memory"
    victim_code, _ = _code(client, _register(client, event, "Ani", "ani@warga.example"))
    attacker = app.test_client()
    r = _register(attacker, event, "Penyusup", " ANI@Warga.Example ")
    page = attacker.get(r.headers["Location"]).get_data(as_text=True)
    assert victim_code not in r.headers["Location"] and victim_code not in page
    assert "Kode pendaftarannya kami kirim ke alamat e-mail tersebut." in page
    [message] = app.extensions["portal_outbox"]
    assert message["To"] == "ani@warga.example" and victim_code in message.get_content()
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(DialogRegistration.id))) == 1


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("0813-5555-0001", "081355550001"),
        ("+62 813 5555 0001", "081355550001"),
        ("6281355550001", "081355550001"),
        ("0062 813 5555 0001", "081355550001"),
        ("+62 (0) 813 5555 0001", "081355550001"),
        ("813.5555.0001", "081355550001"),
        ("  Ani@Warga.EXAMPLE ", "ani@warga.example"),
    ],
)
def test_contact_key_one_per_person(written, key):
    assert contact_key(written) == key


# ---------------------------------------------------------------- upvotes


def test_thirty_made_up_codes_a_minute_count_zero_votes(app, client, event, question):
    url = f"/alpha/dialog/{event}"
    statuses = [
        post_form(
            client, f"/alpha/dialog/pertanyaan/{question}/dukung", {"code": _fake_code()}, token_from=url
        )
        for _ in range(30)
    ]
    assert _votes(app, question) == 0
    assert {r.status_code for r in statuses} <= {422, 429} and statuses[0].status_code == 422
    assert "tidak terdaftar untuk acara ini, jadi dukungan tidak dihitung" in statuses[0].get_data(
        as_text=True
    )
    assert "0 dukungan" in client.get(url).get_data(as_text=True)


def test_a_code_of_another_event_or_a_cancelled_one_cannot_vote(app, client, world, event, question):
    other = forum_event(app, world, capacity=50, title="Lain")
    with app.app_context():
        foreign = DialogRegistration(
            event_id=other, code=new_code(), name="X", contact="0811111111", contact_key="0811111111"
        )
        gone = DialogRegistration(
            event_id=event,
            code=new_code(),
            name="Y",
            contact="0822222222",
            contact_key="0822222222",
            status="batal",
        )
        db.session.add_all([foreign, gone])
        db.session.commit()
        codes = [foreign.code, gone.code]
    url = f"/alpha/dialog/{event}"
    for code in codes:
        r = post_form(
            app.test_client(), f"/alpha/dialog/pertanyaan/{question}/dukung", {"code": code}, token_from=url
        )
        assert r.status_code == 422
    assert _votes(app, question) == 0


def test_one_vote_per_registration_however_it_is_sent(app, client, event, question):
    code, _ = _code(client, _register(client, event, "Ani", "0812-1111-2222"))
    url, vote = f"/alpha/dialog/{event}", f"/alpha/dialog/pertanyaan/{question}/dukung"
    fresh = app.test_client()
    pretty = f"{code[:4].lower()}-{code[4:].lower()}"
    for browser, data in ((client, {"code": code}), (client, {}), (fresh, {"code": pretty}), (fresh, {})):
        assert post_form(browser, vote, data, token_from=url).status_code == 302
    assert _votes(app, question) == 1
    assert "Anda sudah mendukung pertanyaan ini." in fresh.get(url).get_data(as_text=True)


def test_anonymous_votes_only_when_staff_allow_them_one_per_device(app, client, world, event, question):
    url, vote = f"/alpha/dialog/{event}", f"/alpha/dialog/pertanyaan/{question}/dukung"
    r = post_form(client, vote, {}, token_from=url)
    assert r.status_code == 422 and "Hanya peserta terdaftar" in r.get_data(as_text=True)
    assert _votes(app, question) == 0
    staff = app.test_client()
    login(staff, world["alpha"]["emails"]["admin"])
    edit = f"/kelola/alpha/dialog/acara/{event}"
    form = staff.get(edit).get_data(as_text=True)
    assert 'name="anonymous_votes"' in form and "satu dukungan per perangkat" in form
    r = post_form(
        staff,
        edit,
        {
            "title": "Forum Layanan KTP",
            "unit_id": "0",
            "mode": "tatap_muka",
            "venue": "Aula",
            "starts_at": "2030-01-01T09:00",
            "ends_at": "2030-01-01T11:00",
            "capacity": "50",
            "anonymous_votes": "y",
        },
    )
    assert r.status_code == 302
    with app.app_context():
        assert db.session.get(DialogEvent, event).anonymous_votes is True
    for _ in range(3):
        post_form(client, vote, {}, token_from=url)
    assert _votes(app, question) == 1
    # A made-up device id is no device: refused, and given a real one for the next try.
    forger = app.test_client()
    token = csrf_token(forger, url)
    forger.set_cookie("dialog_voter", "palsu")
    r = forger.post(vote, data={"csrf_token": token})
    assert r.status_code == 422 and "izinkan cookie" in r.get_data(as_text=True)
    assert _votes(app, question) == 1
    # Turned off again: the device votes no longer count.
    _set(app, event, anonymous_votes=False)
    assert _votes(app, question) == 0


# ---------------------------------------------------------------- staff sessions


@pytest.mark.parametrize("role", ["officer", "admin"])
def test_staff_session_cannot_ask_upvote_or_rate(app, client, world, event, question, role):
    code, _ = _code(client, _register(client, event, "Ani", "0812-1111-2222"))
    _set(
        app,
        event,
        public_questions=True,
        anonymous_votes=True,
        starts_at=dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(minutes=5),
    )
    with app.app_context():
        reg = db.session.scalars(db.select(DialogRegistration)).one()
        reg.checked_in_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        db.session.commit()
    staff = app.test_client()
    login(staff, world["alpha"]["emails"][role])
    url = f"/alpha/dialog/{event}"
    boss = world["alpha"]["boss"]
    for path, data in (
        (f"{url}/tanya", {"question": "Pertanyaan dari sesi petugas?", "code": code}),
        (f"/alpha/dialog/pertanyaan/{question}/dukung", {"code": code}),
        (f"/alpha/dialog/pendaftaran/{code}/nilai", {f"nilai_{boss}": "5"}),
    ):
        r = post_form(staff, path, data, token_from=url)
        assert r.status_code == 403, path
        assert str(STAFF_SESSION_REFUSED)[:40] in r.get_data(as_text=True)
    from plugins.dialog_publik.models import DialogRating, DialogVote

    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(DialogQuestion.id))) == 1
        assert db.session.scalar(db.select(db.func.count(DialogVote.id))) == 0
        assert db.session.scalar(db.select(db.func.count(DialogRating.id))) == 0


# ---------------------------------------------------------------- cookies


def _set_cookies(response) -> dict[str, str]:
    return {h.split("=", 1)[0]: h for h in response.headers.getlist("Set-Cookie")}


def test_every_cookie_is_secure_httponly_lax_when_secure_cookies_are_on(
    app, app_factory, world, event, question
):
    _set(app, event, anonymous_votes=True)
    secure = app_factory(PORTAL_SECURE_COOKIES=True)
    browser = secure.test_client()
    browser.environ_base["wsgi.url_scheme"] = "https"
    url = f"/alpha/dialog/{event}"
    page = browser.get(url)
    r = _register(browser, event, "Ani", "0812-1111-2222")
    confirmation = browser.get(r.headers["Location"])
    voted = post_form(browser, f"/alpha/dialog/pertanyaan/{question}/dukung", {}, token_from=url)
    seen = {**_set_cookies(page), **_set_cookies(confirmation), **_set_cookies(voted)}
    assert "dialog_voter" in seen and f"dialog_kode_{event}" in seen
    for name, header in seen.items():
        if name.startswith("dialog_"):
            flags = {part.strip().lower() for part in header.split(";")}
            assert {"secure", "httponly", "samesite=lax"} <= flags, header
    # Plain HTTP development (secure cookies off): the same cookies, without Secure.
    plain = app.test_client()
    header = _set_cookies(plain.get(url))["dialog_voter"]
    assert "Secure" not in header and "HttpOnly" in header


# ---------------------------------------------------------------- guessing codes


def test_guessing_registration_pages_hits_429_but_a_registrant_is_not_limited(app, client, event):
    code, _ = _code(client, _register(client, event, "Ani", "0812-1111-2222"))
    for _ in range(40):  # a person opens their own page often: never counted
        assert client.get(f"/alpha/dialog/pendaftaran/{code}").status_code == 200
    guesser = app.test_client()
    guesser.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    statuses = [guesser.get(f"/alpha/dialog/pendaftaran/{_fake_code()}").status_code for _ in range(40)]
    assert statuses[0] == 404 and statuses[-1] == 429
    assert statuses.count(404) == 20  # DIALOG_CODE_RATE_LIMIT's default: 20 misses a minute
    page = guesser.get(f"/alpha/dialog/pendaftaran/{code}")
    assert page.status_code == 429 and "Terlalu banyak permintaan" in page.get_data(as_text=True)
    # The cancel, rating, question and upvote forms share the same budget.
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "198.51.100.8"
    for _ in range(20):
        other.get(f"/alpha/dialog/pendaftaran/{_fake_code()}/nilai")
    r = post_form(
        other,
        f"/alpha/dialog/{event}/tanya",
        {"question": "Tebak-tebakan kode?", "code": code},
        token_from=f"/alpha/dialog/{event}",
    )
    assert r.status_code == 429


def test_codes_have_enough_entropy_and_no_look_alikes():
    assert not set(ALPHABET) & set("0O1IL2Z5S8BUV")
    assert CODE_LENGTH * math.log2(len(ALPHABET)) > 36
    codes = {new_code() for _ in range(2000)}
    assert len(codes) == 2000 and all(re.fullmatch(f"[{ALPHABET}]{{{CODE_LENGTH}}}", c) for c in codes)
