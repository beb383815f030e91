"""The antrean plugin as citizens and staff meet it.

Only the portal's pytest plugin (``portal.testing``: ``app``, ``client``,
``world``, ``login``, ``post_form``, ``csrf_token``) and ``portal.plugin``
are used; every test runs on SQLite and on PostgreSQL. ``world`` has two
agencies, alpha and beta, each with one desk ("Loket 1"), a supervisor and
an officer, and every installed plugin (so antrean too) on for both.
"""

from __future__ import annotations

import re

from portal.plugin import Desk, Officer, db
from portal.testing import csrf_token, login, post_form

TICKET_URL = re.compile(r"/alpha/antrean/tiket/([A-Z0-9]+)$")


def _take(client, desk_id, agency="alpha"):
    return post_form(client, f"/{agency}/antrean/", {"desk_id": desk_id})


def _ticket(client, world):
    response = _take(client, world["alpha"]["desk"])
    assert response.status_code == 302
    match = TICKET_URL.search(response.headers["Location"])
    assert match, response.headers["Location"]
    return f"/alpha/antrean/tiket/{match.group(1)}"


def _record_count(app, world, staff_id):
    """How many antrean ratings the officer's record page shows, read by
    the officer's supervisor as a person would."""
    client = app.test_client()
    assert login(client, world["alpha"]["emails"]["supervisor"]).status_code == 302
    page = client.get(f"/kinerja/pegawai/{staff_id}").get_data(as_text=True)
    match = re.search(r"<td>Antrean</td><td>(\d+)</td>", page)
    return int(match.group(1)) if match else 0


def test_the_page_and_the_menu_are_the_agencys(client, world):
    page = client.get("/alpha/antrean/")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Ambil nomor antrean" in text
    assert "Pelayanan Umum · Loket 1" in text
    assert 'href="/alpha/antrean/"' in client.get("/alpha/").get_data(as_text=True)  # nav item
    assert client.get("/tidak-ada/antrean/").status_code == 404


def test_numbers_count_up_per_desk(client, world):
    first = client.get(_ticket(client, world)).get_data(as_text=True)
    second = client.get(_ticket(client, world)).get_data(as_text=True)
    assert "Nomor antrean Anda: 1" in first
    assert "Nomor antrean Anda: 2" in second


def test_a_desk_of_another_agency_or_none_is_refused_with_the_reason(client, world):
    other = _take(client, world["beta"]["desk"])
    assert other.status_code == 400
    assert "Loket itu tidak ada atau sedang tutup" in other.get_data(as_text=True)
    missing = post_form(client, "/alpha/antrean/", {})
    assert missing.status_code == 400
    assert "Pilih loket tempat Anda akan dilayani." in missing.get_data(as_text=True)


def test_a_closed_desk_is_not_offered_nor_accepted(app, client, world):
    token = csrf_token(client, "/alpha/antrean/")  # the form as it was before the desk closed
    with app.app_context():
        db.session.get(Desk, world["alpha"]["desk"]).active = False
        db.session.commit()
    assert "Belum ada loket yang buka" in client.get("/alpha/antrean/").get_data(as_text=True)
    late = client.post("/alpha/antrean/", data={"desk_id": world["alpha"]["desk"], "csrf_token": token})
    assert late.status_code == 400
    assert "Loket itu tidak ada atau sedang tutup" in late.get_data(as_text=True)


def test_taking_a_number_without_the_csrf_token_is_refused(client, world):
    response = client.post("/alpha/antrean/", data={"desk_id": world["alpha"]["desk"]})
    assert response.status_code == 400
    assert "Nomor antrean Anda" not in response.get_data(as_text=True)


def test_a_rating_reaches_the_officers_record_once(app, client, world):
    ticket = _ticket(client, world)
    staff = world["alpha"]["staff"]
    rated = post_form(client, ticket + "/nilai", {"officer_id": staff, "value": 5}, token_from=ticket)
    assert rated.status_code == 302
    page = client.get(ticket).get_data(as_text=True)
    assert "Terima kasih, penilaian Anda sudah tercatat." in page
    assert "Kirim penilaian" not in page
    other_page = "/alpha/antrean/"  # the ticket's page has no form any more
    again = post_form(client, ticket + "/nilai", {"officer_id": staff, "value": 1}, token_from=other_page)
    assert again.status_code == 409
    assert "Tiket ini sudah dinilai" in again.get_data(as_text=True)
    assert _record_count(app, world, staff) == 1


def test_an_incomplete_or_foreign_rating_is_refused_with_the_reason(app, client, world):
    ticket = _ticket(client, world)
    empty = post_form(client, ticket + "/nilai", {}, token_from=ticket)
    assert empty.status_code == 400
    assert "Pilih petugas yang melayani Anda." in empty.get_data(as_text=True)
    assert "Pilih nilai 1 sampai 5." in empty.get_data(as_text=True)
    foreign = post_form(
        client, ticket + "/nilai", {"officer_id": world["beta"]["staff"], "value": 4}, token_from=ticket
    )
    assert foreign.status_code == 400
    assert "Petugas itu tidak terdaftar di instansi ini." in foreign.get_data(as_text=True)
    off_scale = post_form(
        client, ticket + "/nilai", {"officer_id": world["alpha"]["staff"], "value": 9}, token_from=ticket
    )
    assert off_scale.status_code == 400
    assert _record_count(app, world, world["alpha"]["staff"]) == 0
    # Nothing was used up: the ticket can still be rated.
    assert "Kirim penilaian" in client.get(ticket).get_data(as_text=True)


def test_an_inactive_officer_cannot_be_credited(app, client, world):
    ticket = _ticket(client, world)
    with app.app_context():
        db.session.get(Officer, world["alpha"]["staff"]).active = False
        db.session.commit()
    refused = post_form(
        client, ticket + "/nilai", {"officer_id": world["alpha"]["staff"], "value": 5}, token_from=ticket
    )
    assert refused.status_code == 400
    assert "Kirim penilaian" in client.get(ticket).get_data(as_text=True)


def test_a_staff_session_cannot_rate(app, client, world):
    ticket = _ticket(client, world)
    token = csrf_token(client, ticket)
    login(client, world["alpha"]["emails"]["officer"])
    assert "Anda sedang masuk sebagai petugas" in client.get(ticket).get_data(as_text=True)
    refused = client.post(
        ticket + "/nilai",
        data={"officer_id": world["alpha"]["staff"], "value": 5, "csrf_token": csrf_token(client, ticket)},
    )
    assert refused.status_code == 403
    assert "Anda sedang masuk sebagai petugas" in refused.get_data(as_text=True)
    assert token  # the citizen's form had a token: the refusal is not a CSRF failure
    assert _record_count(app, world, world["alpha"]["staff"]) == 0


def test_a_ticket_of_another_agency_or_a_made_up_code_is_not_found(client, world):
    ticket = _ticket(client, world)
    assert client.get(ticket.replace("/alpha/", "/beta/")).status_code == 404
    assert client.get("/alpha/antrean/tiket/ZZZZZZZZZZ").status_code == 404


def test_switched_off_for_an_agency_the_pages_are_gone(app, client, world):
    admin = app.test_client()
    login(admin, world["alpha"]["emails"]["admin"])
    page = admin.get("/kelola/alpha/modul").get_data(as_text=True)
    assert "antrean" in page
    ticket = _ticket(client, world)
    response = post_form(admin, "/kelola/alpha/modul", {"plugin": "antrean", "enabled": "0"})
    assert response.status_code == 302
    assert client.get("/alpha/antrean/").status_code == 404
    assert client.get(ticket).status_code == 404
    assert client.get("/beta/antrean/").status_code == 200
