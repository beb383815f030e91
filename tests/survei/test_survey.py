"""The citizen survey, from scanning the desk's QR code to the officer's record."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import func

from plugins.survei.models import SurveiCommentStatus, SurveiQuestion, SurveiResponse, SurveiTicket
from portal.core.models import Desk, Officer, RatingEvent, RatingRollup
from portal.core.util.timeutil import utcnow
from portal.extensions import db
from portal.testing import login, post_form
from tests.survei.conftest import SKM_GOOD, all_week, open_form, set_kind


def _responses(app):
    with app.app_context():
        return db.session.scalars(db.select(SurveiResponse).order_by(SurveiResponse.id)).all()


def _events(app):
    with app.app_context():
        return db.session.scalars(db.select(RatingEvent).order_by(RatingEvent.id)).all()


def test_quick_survey_in_two_taps_credits_the_officer_on_duty(app, client, world, desk):
    fields, html = open_form(client, f"/s/{desk}")
    assert "Seberapa puas Anda" in html and "Siapa petugas" not in html  # one on duty: not asked
    assert "<script" not in html
    r = client.post(f"/s/{desk}", data={**fields, "face": "3", "comment": "Cepat dan ramah"})
    assert r.status_code == 302 and r.headers["Location"] == f"/s/{desk}/terima-kasih"
    assert "Terima kasih" in client.get(r.headers["Location"]).get_data(as_text=True)
    [response] = _responses(app)
    assert (response.kind, response.face, response.officer_id, response.verified) == (
        "cepat",
        3,
        world["alpha"]["staff"],
        False,
    )
    assert response.comment == "Cepat dan ramah" and response.comment_status == SurveiCommentStatus.PENDING
    [event] = _events(app)
    assert (event.source, event.kind, event.value, event.score, event.officer_id) == (
        "survei",
        "cepat",
        3.0,
        75.0,
        world["alpha"]["staff"],
    )
    assert event.comment is None  # citizen text stays in the plugin until moderated


def test_full_skm_credits_the_mean_of_unsur_6_and_7(app, client, world, desk):
    set_kind(app, world["alpha"]["desk"], "skm")
    fields, html = open_form(client, f"/s/{desk}")
    assert "Persyaratan" in html and "Penanganan Pengaduan, Saran dan Masukan" in html
    assert "Sangat sopan dan ramah" in html
    r = client.post(
        f"/s/{desk}",
        data={
            **fields,
            **SKM_GOOD,
            "sex": "P",
            "age_group": "31-40",
            "education": "s1",
            "occupation": "swasta",
            "comment": "Tambah kursi",
        },
    )
    assert r.status_code == 302
    [response] = _responses(app)
    assert (response.u6, response.u7, response.sex, response.education) == (3, 4, "P", "s1")
    [event] = _events(app)
    assert (event.kind, event.value, event.score) == ("skm", 3.5, 87.5)


def test_several_on_duty_the_citizen_picks(app, client, world, desk):
    with app.app_context():
        db.session.add_all(all_week(world["alpha"]["desk"], world["alpha"]["boss"]))
        db.session.commit()
    fields, html = open_form(client, f"/s/{desk}")
    assert "Siapa petugas yang melayani Anda?" in html
    assert "Atasan alpha" in html and "Staf alpha" in html
    r = client.post(f"/s/{desk}", data={**fields, "face": "4"})
    assert r.status_code == 422
    assert "Pilih petugas yang melayani Anda" in r.get_data(as_text=True)
    r = client.post(f"/s/{desk}", data={**fields, "face": "4", "officer": str(world["alpha"]["boss"])})
    assert r.status_code == 302
    assert _events(app)[0].officer_id == world["alpha"]["boss"]


def test_not_remembering_the_officer_stores_the_answer_without_credit(app, client, world, desk):
    with app.app_context():
        db.session.add_all(all_week(world["alpha"]["desk"], world["alpha"]["boss"]))
        db.session.commit()
    fields, _ = open_form(client, f"/s/{desk}")
    assert (
        client.post(f"/s/{desk}", data={**fields, "face": "2", "officer": "tidak-ingat"}).status_code == 302
    )
    assert _responses(app)[0].officer_id is None
    assert _events(app) == []


def test_an_officer_of_another_desk_cannot_be_credited(app, client, world, desk):
    with app.app_context():
        db.session.add_all(all_week(world["alpha"]["desk"], world["alpha"]["boss"]))
        db.session.commit()
    fields, _ = open_form(client, f"/s/{desk}")
    r = client.post(f"/s/{desk}", data={**fields, "face": "4", "officer": str(world["beta"]["staff"])})
    assert r.status_code == 422 and _responses(app) == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Pilih salah satu jawaban."),
        ({"face": "9"}, "Jawaban harus salah satu dari empat pilihan."),
        ({"face": "dua"}, "Jawaban harus salah satu dari empat pilihan."),
        ({"face": "3", "comment": "x" * 1001}, "Tulisan paling banyak 1000 karakter; yang diisi 1001."),
    ],
)
def test_bad_answers_are_explained_and_nothing_is_stored(app, client, desk, data, message):
    fields, _ = open_form(client, f"/s/{desk}")
    r = client.post(f"/s/{desk}", data={**fields, **data})
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert message in page and 'role="alert"' in page
    assert _responses(app) == [] and _events(app) == []


def test_skm_missing_and_out_of_range_answers(app, client, world, desk):
    set_kind(app, world["alpha"]["desk"], "skm")
    fields, _ = open_form(client, f"/s/{desk}")
    answers = dict(SKM_GOOD)
    del answers["u3"]
    answers["u5"] = "5"
    answers["sex"] = "X"
    page = client.post(f"/s/{desk}", data={**fields, **answers}).get_data(as_text=True)
    assert (
        'id="u3-error"' in page and 'id="u5-error"' in page and "Jawaban harus bernilai 1 sampai 4." in page
    )
    assert 'id="sex-error"' in page
    assert 'value="4" checked' in page  # answers already given are kept
    assert _responses(app) == []


def test_replayed_form_is_received_once(app, client, desk):
    fields, _ = open_form(client, f"/s/{desk}")
    assert client.post(f"/s/{desk}", data={**fields, "face": "4"}).status_code == 302
    other = app.test_client()  # another device replays the same form
    r = other.post(f"/s/{desk}", data={**fields, "face": "1"})
    assert r.status_code == 200 and "sudah pernah dikirim" in r.get_data(as_text=True)
    assert len(_responses(app)) == 1 and len(_events(app)) == 1


def test_tampered_or_foreign_nonce_is_refused(app, client, world, desk):
    fields, _ = open_form(client, f"/s/{desk}")
    # Change one fully significant character of the signature (the last one
    # carries padding bits, so changing it may leave the bytes unchanged).
    nonce = fields["nonce"]
    tampered = nonce[:-5] + ("A" if nonce[-5] != "A" else "B") + nonce[-4:]
    r = client.post(f"/s/{desk}", data={**fields, "nonce": tampered, "face": "4"})
    assert r.status_code == 400 and "Formulir tidak berlaku" in r.get_data(as_text=True)
    with app.app_context():
        beta_token = db.session.get(Desk, world["beta"]["desk"]).qr_token
    r = client.post(f"/s/{beta_token}", data={**fields, "face": "4"})  # nonce of alpha's desk
    assert r.status_code == 400 and _responses(app) == []


def test_nonce_is_bound_to_its_desk_its_age_and_its_signature(app):
    from plugins.survei.service import NONCE_MAX_AGE, issue_nonce, open_nonce

    with app.test_request_context():
        signed = issue_nonce(7, now=1_000_000)
        desk, issued, inner, mac = signed.split(".")
        assert (desk, issued, len(mac)) == ("7", "1000000", 24)
        assert open_nonce(signed, 7, now=1_000_100) == inner
        assert open_nonce(signed, 8, now=1_000_100) is None  # another desk
        assert open_nonce(signed, 7, now=1_000_000 + NONCE_MAX_AGE + 1) is None  # too old
        assert open_nonce(signed, 7, now=1_000_000 - 3600) is None  # from the future
        assert open_nonce(f"8.{issued}.{inner}.{mac}", 8, now=1_000_100) is None  # desk changed
        assert open_nonce(f"7.{issued}.{inner}x.{mac}", 7, now=1_000_100) is None  # nonce changed
        assert open_nonce(f"7.9999999.{inner}.{mac}", 7, now=9_999_999) is None  # date changed
        for junk in ("", "....", "a.b.c.d", signed + ".x", None):
            assert open_nonce(junk, 7, now=1_000_100) is None
    secret = app.config["SECRET_KEY"]
    app.config["SECRET_KEY"] = "another-installation-secret-key"
    try:
        with app.test_request_context():  # a portal with another secret key does not accept it
            assert open_nonce(signed, 7, now=1_000_100) is None
    finally:
        app.config["SECRET_KEY"] = secret


def test_same_device_waits_for_the_window(app, client, desk):
    fields, _ = open_form(client, f"/s/{desk}")
    client.post(f"/s/{desk}", data={**fields, "face": "4"})
    page = client.get(f"/s/{desk}").get_data(as_text=True)
    assert "Penilaian Anda sudah kami terima" in page and "60 menit terakhir" in page
    assert "Seberapa puas" not in page


def test_honeypot_is_thanked_and_not_stored(app, client, desk):
    fields, _ = open_form(client, f"/s/{desk}")
    r = client.post(f"/s/{desk}", data={**fields, "face": "4", "website": "http://spam.example"})
    assert r.status_code == 302 and _responses(app) == []


def test_unknown_or_rotated_token_gets_a_friendly_page(app, client, world, desk):
    r = client.get("/s/tidak-ada")
    assert r.status_code == 404 and "Kode QR tidak berlaku" in r.get_data(as_text=True)
    login(client, world["alpha"]["emails"]["admin"])
    post_form(
        client,
        f"/kelola/alpha/survei/loket/{world['alpha']['desk']}/ganti-token",
        token_from=f"/kelola/alpha/survei/loket/{world['alpha']['desk']}",
    )
    r = client.get(f"/s/{desk}")
    assert r.status_code == 404
    page = r.get_data(as_text=True)
    assert "sudah diganti" in page and "Traceback" not in page


def test_survey_disappears_when_the_module_is_off(app, client, world, desk):
    from portal.core.models import Agency
    from portal.core.plugin_system import plugins

    with app.app_context():
        plugins.set_enabled(db.session.get(Agency, world["alpha"]["agency"]), "survei", False)
        db.session.commit()
    r = client.get(f"/s/{desk}")
    assert r.status_code == 404 and "Survei tidak tersedia" in r.get_data(as_text=True)


def test_agency_questions_are_asked_and_stored(app, client, world, desk):
    with app.app_context():
        db.session.add_all(
            [
                SurveiQuestion(
                    unit_id=world["alpha"]["unit"],
                    position=1,
                    text="Dari mana Anda tahu layanan ini?",
                    type="choice",
                    choices="Teman\nMedia sosial",
                    required=True,
                    active=True,
                ),
                SurveiQuestion(
                    unit_id=world["alpha"]["unit"],
                    position=2,
                    text="Kebersihan ruang tunggu",
                    type="scale5",
                    required=False,
                    active=True,
                ),
                SurveiQuestion(
                    unit_id=world["beta"]["unit"],
                    position=1,
                    text="Pertanyaan beta",
                    type="text",
                    required=False,
                    active=True,
                ),
            ]
        )
        db.session.commit()
        ids = db.session.scalars(db.select(SurveiQuestion.id).order_by(SurveiQuestion.id)).all()
    fields, html = open_form(client, f"/s/{desk}")
    assert "Dari mana Anda tahu" in html and "Pertanyaan beta" not in html
    assert html.index("Dari mana") < html.index("Kebersihan")
    r = client.post(f"/s/{desk}", data={**fields, "face": "4", f"q{ids[1]}": "6"})
    page = r.get_data(as_text=True)
    assert "Pertanyaan ini wajib dijawab." in page and "Jawaban harus bernilai 1 sampai 5." in page
    r = client.post(f"/s/{desk}", data={**fields, "face": "4", f"q{ids[0]}": "Teman", f"q{ids[1]}": "5"})
    assert r.status_code == 302
    [response] = _responses(app)
    with app.app_context():
        answers = {a.question_id: a.value for a in db.session.get(SurveiResponse, response.id).answers}
    assert answers == {ids[0]: "Teman", ids[1]: "5"}


# ---------------------------------------------------------------- one-time QR


def _ticket(app, client, world):
    login(client, world["alpha"]["emails"]["officer"])
    r = post_form(client, "/kelola/alpha/survei/selesai-melayani", {"desk_id": world["alpha"]["desk"]})
    assert r.status_code == 302, r.get_data(as_text=True)
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "<svg" in page and "Berlaku satu kali, selama 30 menit." in page
    with app.app_context():
        return db.session.scalars(db.select(SurveiTicket)).one()


def test_one_time_qr_is_verified_once_and_expires(app, client, world, desk):
    ticket = _ticket(app, client, world)
    citizen = app.test_client()
    fields, html = open_form(citizen, f"/s/t/{ticket.token}")
    assert "dilayani oleh Staf alpha" in html
    assert citizen.post(f"/s/t/{ticket.token}", data={**fields, "face": "4"}).status_code == 302
    [event] = _events(app)
    assert event.verified is True and event.officer_id == world["alpha"]["staff"]
    r = citizen.get(f"/s/t/{ticket.token}")
    assert r.status_code == 410 and "sudah dipakai" in r.get_data(as_text=True)
    # The device window does not block a new verified rating for a new service.
    second = _ticket_again(app, world)
    assert citizen.get(f"/s/t/{second}").status_code == 200
    with app.app_context():
        t = db.session.scalars(db.select(SurveiTicket).filter_by(token=second)).one()
        t.expires_at = utcnow() - dt.timedelta(seconds=1)
        db.session.commit()
    r = citizen.get(f"/s/t/{second}")
    assert r.status_code == 410 and "sudah kedaluwarsa" in r.get_data(as_text=True)
    assert citizen.get("/s/t/bukan-tiket").status_code == 404


def _ticket_again(app, world):
    with app.app_context():
        t = SurveiTicket(
            desk_id=world["alpha"]["desk"],
            officer_id=world["alpha"]["staff"],
            expires_at=utcnow() + dt.timedelta(minutes=30),
        )
        db.session.add(t)
        db.session.commit()
        return t.token


def test_only_officers_of_the_agency_make_one_time_codes(app, client, world):
    login(client, world["alpha"]["emails"]["admin"])  # no officer linked
    assert client.get("/kelola/alpha/survei/selesai-melayani").status_code == 403
    other = app.test_client()
    login(other, world["beta"]["emails"]["officer"])
    assert other.get("/kelola/alpha/survei/selesai-melayani").status_code == 404


# ---------------------------------------------------------------- concurrency


def test_same_nonce_from_twenty_threads_is_stored_once(app, world, desk):
    client = app.test_client()
    fields, _ = open_form(client, f"/s/{desk}")
    codes, errors = [], []
    barrier = threading.Barrier(20)

    def post():
        try:
            c = app.test_client()
            barrier.wait(timeout=30)
            codes.append(c.post(f"/s/{desk}", data={**fields, "face": "4"}).status_code)
        except BaseException as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=post) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(codes) == [200] * 19 + [302]  # one stored, nineteen "already received"
    with app.app_context():
        assert db.session.scalar(db.select(func.count(SurveiResponse.id))) == 1
        assert db.session.scalar(db.select(func.sum(RatingRollup.count))) == 1
        officer = db.session.get(Officer, world["alpha"]["staff"])
        assert officer is not None
