"""The private tracking code is the only key to a complaint's private parts:
the public reference opens nothing, a staff session cannot rate, guessing
codes is rate limited, and a cached tracking page answers only its code."""

from __future__ import annotations

import io

import pytest

from plugins.pengaduan.models import PengaduanTicket
from portal.core.models import RatingEvent
from portal.core.web import pagecache
from portal.extensions import db
from portal.testing import csrf_token, login, post_form
from tests.pengaduan.conftest import PDF, jpeg_with_gps
from tests.pengaduan.test_pengaduan import _act, _file, _staff

TITLE = "Judul rahasia penanda"
TEXT = "Uraian rahasia penanda: petugas meminta uang di luar tarif resmi di loket dua."


def _filed(app, client, cats, **extra):
    files = [(io.BytesIO(jpeg_with_gps()), "foto.jpg"), (io.BytesIO(PDF), "surat.pdf")]
    r = _file(client, cats, title=TITLE, description=TEXT, confidential="y", files=files, **extra)
    assert r.status_code == 302, r.get_data(as_text=True)[:300]
    with app.app_context():
        ticket = db.session.scalars(db.select(PengaduanTicket).order_by(PengaduanTicket.id.desc())).first()
        return ticket.code, ticket.reference, [a.id for a in ticket.attachments]


def _resolved(app, world, reference):
    admin = _staff(app, world, "admin")
    assert _act(admin, reference, "verify").status_code == 302
    assert _act(admin, reference, "assign", officer_id=world["alpha"]["staff"]).status_code == 302
    assert _act(admin, reference, "resolve", text="Petugas sudah ditegur.").status_code == 302


def _state(app, code):
    with app.app_context():
        ticket = db.session.scalars(db.select(PengaduanTicket).filter_by(code=code)).one()
        events = db.session.scalar(db.select(db.func.count(RatingEvent.id)))
        return ticket.status, ticket.rating, ticket.reopen_count, events


def test_the_public_reference_opens_nothing_private(app, client, cats, world):
    code, reference, (photo, pdf) = _filed(app, client, cats)
    _resolved(app, world, reference)
    visitor = app.test_client()
    for value in (reference, reference.lower().replace("-", "")):
        for url in (
            f"/alpha/pengaduan/lacak/{value}",
            f"/alpha/pengaduan/terkirim/{value}",
            f"/alpha/pengaduan/lacak/{value}/lampiran/{photo}",
            f"/alpha/pengaduan/lacak/{value}/lampiran/{pdf}",
        ):
            answer = visitor.get(url)
            assert answer.status_code == 404, url
            assert TITLE not in answer.get_data(as_text=True) and code not in answer.get_data(as_text=True)
    page = visitor.get(f"/alpha/pengaduan/lacak?kode={reference}")
    assert page.status_code == 404 and "adalah nomor referensi" in page.get_data(as_text=True)
    assert TITLE not in page.get_data(as_text=True)
    token = csrf_token(visitor, "/alpha/pengaduan/baru")
    r = visitor.post(
        f"/alpha/pengaduan/lacak/{reference}", data={"csrf_token": token, "rating": "1", "resolved": "tidak"}
    )
    assert r.status_code == 404
    assert _state(app, code) == ("selesai", None, 0, 0)  # neither rated nor reopened
    # The private code opens all of it, for whoever holds it: the citizen.
    page = visitor.get(f"/alpha/pengaduan/lacak/{code}").get_data(as_text=True)
    assert TITLE in page and TEXT in page and reference in page and "Kode pelacakan (rahasiakan)" in page
    assert visitor.get(f"/alpha/pengaduan/lacak/{code}/lampiran/{photo}").status_code == 200
    assert visitor.get(f"/alpha/pengaduan/lacak/{code}/lampiran/{pdf}").status_code == 200
    r = post_form(visitor, f"/alpha/pengaduan/lacak/{code}", {"rating": "5", "resolved": "ya"})
    assert r.status_code == 302 and _state(app, code) == ("ditutup", 5, 0, 1)


@pytest.mark.parametrize("role", ["admin", "supervisor", "officer"])
def test_a_staff_session_cannot_rate_or_reopen(app, client, cats, world, role):
    code, reference, _files = _filed(app, client, cats)
    _resolved(app, world, reference)
    staff = app.test_client()
    login(staff, world["alpha"]["emails"][role])  # the officer is the one who handled it
    page = staff.get(f"/alpha/pengaduan/lacak/{code}").get_data(as_text=True)
    assert "Anda sedang masuk sebagai petugas" in page and 'name="rating"' not in page
    token = csrf_token(staff, f"/kelola/alpha/pengaduan/tiket/{reference}")  # a token of this session
    for verdict in ("tidak", "ya"):
        r = staff.post(
            f"/alpha/pengaduan/lacak/{code}", data={"csrf_token": token, "rating": "1", "resolved": verdict}
        )
        assert r.status_code == 403 and "sesi petugas" in r.get_data(as_text=True)
    assert _state(app, code) == ("selesai", None, 0, 0)  # no low score credited, not reopened
    # The citizen, on their own device, still can.
    r = post_form(app.test_client(), f"/alpha/pengaduan/lacak/{code}", {"rating": "2", "resolved": "tidak"})
    assert r.status_code == 302 and _state(app, code) == ("diproses", 2, 1, 1)


def _miss(client, n, **kwargs):
    """Unknown codes on every page reached by a code, in turn."""
    urls = [
        "/alpha/pengaduan/lacak/{c}",
        "/alpha/pengaduan/terkirim/{c}",
        "/alpha/pengaduan/lacak/{c}/lampiran/1",
        "/alpha/pengaduan/lacak?kode={c}",
    ]
    return [
        client.get(urls[i % len(urls)].format(c=f"AAAAA-AAAAA-{i:05d}"), **kwargs).status_code
        for i in range(n)
    ]


def test_unknown_codes_are_rate_limited_per_address_across_pages(app, client, cats):
    app.config["PENGADUAN_LOOKUP_LIMIT"] = "5 per minute"
    code, _reference, (photo, _pdf) = _filed(app, client, cats)
    visitor = app.test_client()
    for _ in range(10):  # found codes spend nothing: a citizen may reload at will
        assert visitor.get(f"/alpha/pengaduan/lacak/{code}").status_code == 200
        assert visitor.get(f"/alpha/pengaduan/lacak/{code}/lampiran/{photo}").status_code == 200
    assert _miss(visitor, 7) == [404] * 5 + [429] * 2
    refused = visitor.get("/alpha/pengaduan/lacak/AAAAA-AAAAA-AAAAA")
    assert refused.status_code == 429 and "Terlalu banyak permintaan" in refused.get_data(as_text=True)
    other = {"environ_base": {"REMOTE_ADDR": "10.9.8.7"}}  # another address keeps its own budget
    assert _miss(visitor, 1, **other) == [404]
    assert visitor.get(f"/alpha/pengaduan/lacak/{code}", **other).status_code == 200


def test_the_default_limit_makes_fast_guessing_impossible(app, client, cats):
    from plugins.pengaduan.views import LOOKUP_LIMIT

    assert "PENGADUAN_LOOKUP_LIMIT" not in app.config
    answers = _miss(app.test_client(), 40)
    assert answers[:30] == [404] * 30 and set(answers[30:]) == {429}  # 30 a minute, not 350 a second
    assert LOOKUP_LIMIT.startswith("30 per minute")


def test_a_cached_tracking_page_answers_only_its_private_code(app, client, cats, world):
    code, reference, _files = _filed(app, client, cats)
    visitor = app.test_client()
    first = visitor.get(f"/alpha/pengaduan/lacak/{code}")
    assert first.status_code == 200 and TITLE in first.get_data(as_text=True)
    assert "no-store" in first.headers["Cache-Control"]  # never kept by a shared cache either
    cached = pagecache.cache("pengaduan.track", app)
    with app.app_context():
        keys = list(cached._items)
    assert len(keys) == 1 and keys[0][0] == code  # keyed on the private code
    again = visitor.get(f"/alpha/pengaduan/lacak/{code.lower()}")
    assert again.get_data() == first.get_data() and "no-store" in again.headers["Cache-Control"]
    # Whoever has only the public reference gets nothing from the cache.
    for url in (f"/alpha/pengaduan/lacak/{reference}", f"/alpha/pengaduan/lacak/{reference.lower()}"):
        answer = visitor.get(url)
        assert answer.status_code == 404 and TITLE not in answer.get_data(as_text=True)
    row = visitor.get(f"/open311/v2/requests/{reference}.json?jurisdiction_id=alpha").json[0]
    assert TITLE not in str(row) and TEXT not in str(row) and row["description"] == ""
