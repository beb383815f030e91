"""Public dialogues: registration under concurrency, waitlist, check-in, panel ratings, iCalendar."""

from __future__ import annotations

import datetime as dt
import re
import threading

import pytest
from icalendar import Calendar

from plugins.dialog_publik.models import DialogEvent, DialogPanelist, DialogRegistration
from plugins.dialog_publik.service import register
from portal.core.models import RatingEvent
from portal.core.util.timeutil import utcnow
from portal.extensions import db
from portal.testing import login, post_form
from tests.error_summary import assert_error_summary

CODE_RE = re.compile(r'<p class="ticket-code"><strong>([34679ACDEFGHJKMNPQRTWXY]{8})</strong>')


@pytest.fixture
def event(app, world):
    with app.app_context():
        start = utcnow() + dt.timedelta(days=3)
        e = DialogEvent(
            agency_id=world["alpha"]["agency"],
            title="Forum Layanan KTP",
            topic="KTP",
            description="Tanya jawab KTP-el.",
            mode="tatap_muka",
            venue="Aula",
            starts_at=start,
            ends_at=start + dt.timedelta(hours=2),
            capacity=2,
            status="terbit",
            panelists=[
                DialogPanelist(officer_id=world["alpha"]["boss"]),
                DialogPanelist(officer_id=world["alpha"]["staff"]),
            ],
        )
        db.session.add(e)
        db.session.commit()
        return e.id


def _register(client, event, name, contact):
    r = post_form(client, f"/alpha/dialog/{event}", {"name": name, "contact": contact}, token_from="/masuk")
    return r


def _code(client, response):
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    return CODE_RE.search(page).group(1), page


def _code_free(client, response):
    return client.get(response.headers["Location"]).get_data(as_text=True)


def _regs(app):
    with app.app_context():
        return [
            (r.name, r.status)
            for r in db.session.scalars(db.select(DialogRegistration).order_by(DialogRegistration.id))
        ]


def test_register_waitlist_cancel_promotes_in_order(app, client, event):
    r = _register(client, event, "Ani", "0812-1111-2222")
    code, page = _code(client, r)
    assert "Anda terdaftar" in page and "<svg" in page and "acara.ics" in page
    # The same contact again (written differently) from another device: no
    # second registration, and no code.
    elsewhere = app.test_client()
    again = _register(elsewhere, event, "Ani", "+62 812 1111 2222")
    assert again.headers["Location"].endswith(f"/alpha/dialog/{event}") and code not in _code_free(
        elsewhere, again
    )
    _register(client, event, "Budi", "budi@warga.example")
    third = _register(client, event, "Citra", "citra@warga.example")
    assert "Anda dalam daftar tunggu" in _code(client, third)[1]
    _register(client, event, "Dedi", "0813-0000-1111")
    assert _regs(app) == [("Ani", "terdaftar"), ("Budi", "terdaftar"), ("Citra", "antre"), ("Dedi", "antre")]
    page = client.get(f"/alpha/dialog/{event}").get_data(as_text=True)
    assert "Kursi tersisa: 0 dari 2." in page and "Daftar tunggu: 2 orang." in page
    app.config["PORTAL_MAIL_BACKEND"] = "memory"
    post_form(
        client, f"/alpha/dialog/pendaftaran/{code}/batal", token_from=f"/alpha/dialog/pendaftaran/{code}"
    )
    assert _regs(app) == [("Ani", "batal"), ("Budi", "terdaftar"), ("Citra", "terdaftar"), ("Dedi", "antre")]
    assert [m["To"] for m in app.extensions["portal_outbox"]] == ["citra@warga.example"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "contact": "0812345678"}, "Isi nama Anda"),
        ({"name": "Eka", "contact": "12"}, "Isi nomor telepon (08…) atau alamat e-mail yang valid."),
        ({"name": "Eka", "contact": "eka@"}, "alamat e-mail yang valid"),
    ],
)
def test_bad_registrations_are_explained(app, client, event, data, message):
    r = post_form(client, f"/alpha/dialog/{event}", data, token_from="/masuk")
    assert r.status_code == 422 and message in r.get_data(as_text=True)
    assert _regs(app) == []


def test_capacity_holds_under_parallel_registrations(app, world, event):
    with app.app_context():
        db.session.get(DialogEvent, event).capacity = 5
        db.session.commit()
    errors, results = [], []
    barrier = threading.Barrier(20)

    def worker(i):
        try:
            with app.app_context():
                barrier.wait(timeout=30)
                registration, created = register(event, f"Warga {i}", f"08123400{i:04d}")
                results.append((registration.code, registration.status, created))
        except BaseException as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len({code for code, _s, _c in results}) == 20
    assert sorted(s for _c, s, _n in results).count("terdaftar") == 5
    with app.app_context():
        assert (
            db.session.scalar(
                db.select(db.func.count(DialogRegistration.id)).filter_by(event_id=event, status="terdaftar")
            )
            == 5
        )


def test_same_contact_in_parallel_registers_once(app, event):
    results = []
    barrier = threading.Barrier(8)

    def worker():
        with app.app_context():
            barrier.wait(timeout=30)
            registration, _created = register(event, "Sama", "0812 9999 0000")
            results.append(registration.code)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(results)) == 1 and len(_regs(app)) == 1


def test_check_in_walk_in_and_panel_ratings(app, client, world, event):
    code, _ = _code(client, _register(client, event, "Ani", "0812-1111-2222"))
    _register(client, event, "Budi", "budi@warga.example")
    waiting, _ = _code(client, _register(client, event, "Citra", "citra@warga.example"))
    staff = app.test_client()
    login(staff, world["alpha"]["emails"]["admin"])
    url = f"/kelola/alpha/dialog/acara/{event}/hadir"
    # Three days ahead nobody is marked present, and the page offers no form.
    early = post_form(staff, url, {"code": code})
    assert early.status_code == 422 and "Check-in belum dibuka" in early.get_data(as_text=True)
    assert 'name="code"' not in staff.get(url).get_data(as_text=True)
    _starts_in(app, event, dt.timedelta(hours=1))  # the door opens two hours before the start
    assert "Ani hadir." in post_form(staff, url, {"code": code.lower()}).get_data(as_text=True)
    assert "sudah hadir" in post_form(staff, url, {"code": code}).get_data(as_text=True)
    assert "masih dalam daftar tunggu" in post_form(staff, url, {"code": waiting}).get_data(as_text=True)
    assert "tidak terdaftar" in post_form(staff, url, {"code": "XXXXXXXX"}).get_data(as_text=True)
    page = post_form(staff, url, {"walk_in": "1", "name": "Dedi", "contact": "0813-2222-3333"})
    assert "Kursi sudah penuh." in page.get_data(as_text=True)  # capacity holds at the door too
    assert "1 orang hadir" in staff.get(url).get_data(as_text=True)
    other, _ = _code(client, _register(client, event, "Eko", "eko@warga.example"))
    # Ratings: only after the start, only once each, credited to each panelist.
    rate_url = f"/alpha/dialog/pendaftaran/{code}/nilai"
    before = client.get(rate_url).get_data(as_text=True)
    assert "Penilaian dibuka saat acara dimulai" in before and "Kirim penilaian" not in before
    assert "Beri penilaian narasumber" not in client.get(f"/alpha/dialog/pendaftaran/{code}").get_data(
        as_text=True
    )
    _starts_in(app, event, -dt.timedelta(minutes=30))
    boss, officer = world["alpha"]["boss"], world["alpha"]["staff"]
    r = post_form(
        client,
        rate_url,
        {
            "nilai_0": "5",
            f"nilai_{boss}": "4",
            f"nilai_{officer}": "3",
            f"komentar_{boss}": "Jelas sekali",
            "komentar_0": "Ruangannya sejuk",
        },
    )
    assert r.status_code == 302
    # The organisers see what attendees said, after the event.
    summary = staff.get(f"/kelola/alpha/dialog/acara/{event}/notulen").get_data(as_text=True)
    assert "<td>Acara ini</td><td>1</td><td>5,00</td>" in summary
    assert "<td>Atasan alpha</td><td>1</td><td>4,00</td>" in summary and "Ruangannya sejuk" in summary
    # Everything rated: no form any more, and a second try changes nothing.
    done = client.get(rate_url).get_data(as_text=True)
    assert "Penilaian Anda sudah tercatat" in done and "Kirim penilaian" not in done
    again = post_form(client, rate_url, {f"nilai_{boss}": "1"}, token_from=f"/alpha/dialog/{event}")
    assert again.status_code == 422 and "Terima kasih atas penilaian" not in again.get_data(as_text=True)
    with app.app_context():
        events = sorted((e.officer_id, e.score) for e in db.session.scalars(db.select(RatingEvent)))
    assert events == sorted([(boss, 80.0), (officer, 60.0)])
    page = post_form(
        client, f"/alpha/dialog/pendaftaran/{other}/nilai", {"nilai_0": "5"}, token_from="/masuk"
    )
    assert "Hanya peserta yang hadir" in page.get_data(as_text=True)


def _starts_in(app, event_id, delta):
    """Move the event so that it starts ``delta`` from now (two hours long)."""
    with app.app_context():
        e = db.session.get(DialogEvent, event_id)
        e.starts_at = utcnow() + delta
        e.ends_at = e.starts_at + dt.timedelta(hours=2)
        db.session.commit()


def test_icalendar_feeds_and_cancellation(app, client, world, event):
    app.config["PORTAL_MAIL_BACKEND"] = "memory"
    _register(client, event, "Budi", "budi@warga.example")
    feed = Calendar.from_ical(client.get("/alpha/dialog/kalender.ics").data)
    [vevent] = feed.walk("VEVENT")
    uid = str(vevent["UID"])
    assert vevent["SUMMARY"] == "Forum Layanan KTP" and vevent["STATUS"] == "CONFIRMED"
    assert vevent["DTSTART"].dt.tzinfo is not None and str(vevent["DTSTART"].params["TZID"]) == "Asia/Jakarta"
    assert feed.walk("VTIMEZONE")
    staff = app.test_client()
    login(staff, world["alpha"]["emails"]["admin"])
    r = post_form(
        staff,
        f"/kelola/alpha/dialog/acara/{event}/status",
        {"status": "dibatalkan"},
        token_from=f"/kelola/alpha/dialog/acara/{event}",
    )
    assert r.status_code == 302
    single = Calendar.from_ical(client.get(f"/alpha/dialog/{event}/acara.ics").data)
    [cancelled] = single.walk("VEVENT")
    assert str(cancelled["UID"]) == uid and cancelled["STATUS"] == "CANCELLED"
    assert int(cancelled["SEQUENCE"]) > int(vevent["SEQUENCE"])
    assert [m["To"] for m in app.extensions["portal_outbox"]] == ["budi@warga.example"]
    assert "Acara ini dibatalkan." in client.get(f"/alpha/dialog/{event}").get_data(as_text=True)


def test_drafts_and_scheduled_publication(app, client, world, event):
    with app.app_context():
        e = db.session.get(DialogEvent, event)
        e.status = "draf"
        db.session.commit()
    assert client.get(f"/alpha/dialog/{event}").status_code == 404
    with app.app_context():
        e = db.session.get(DialogEvent, event)
        e.status, e.publish_at = "terbit", utcnow() + dt.timedelta(hours=1)
        db.session.commit()
    assert client.get(f"/alpha/dialog/{event}").status_code == 404
    assert "Forum Layanan KTP" not in client.get("/alpha/dialog/").get_data(as_text=True)
    with app.app_context():
        db.session.get(DialogEvent, event).publish_at = utcnow() - dt.timedelta(minutes=1)
        db.session.commit()
    assert "Forum Layanan KTP" in client.get("/alpha/dialog/").get_data(as_text=True)
    assert "Forum Layanan KTP" in client.get("/dialog/").get_data(as_text=True)
    assert client.get(f"/beta/dialog/{event}").status_code == 404


def test_admin_creates_an_event_with_clear_errors(app, world):
    staff = app.test_client()
    login(staff, world["alpha"]["emails"]["admin"])
    url = "/kelola/alpha/dialog/acara/baru"
    base = {
        "title": "Dialog Pajak Daerah",
        "unit_id": "0",
        "mode": "hibrida",
        "venue": "Aula",
        "starts_at": "2026-12-10T09:00",
        "ends_at": "2026-12-10T08:00",
        "capacity": "30",
        "agenda": "Pembukaan | 10\nTanpa menit",
    }
    page = post_form(staff, url, base).get_data(as_text=True)
    for message in (
        "Waktu selesai harus setelah waktu mulai.",
        "Acara daring atau hibrida memerlukan tautan.",
        "tidak berbentuk judul | menit",
    ):
        assert message in page
    assert_error_summary(page, "ends_at", "agenda")
    r = post_form(
        staff,
        url,
        {
            **base,
            "ends_at": "2026-12-10T11:00",
            "online_url": "https://meet.example/x",
            "agenda": "Pembukaan | 10\nTanya jawab | 60",
            "panelists": [world["alpha"]["boss"]],
        },
    )
    assert r.status_code == 302
    with app.app_context():
        e = db.session.scalars(db.select(DialogEvent).filter_by(title="Dialog Pajak Daerah")).one()
        assert e.starts_at == dt.datetime(2026, 12, 10, 2, 0)  # 09:00 WIB in UTC
        assert [(a.title, a.minutes) for a in e.agenda] == [("Pembukaan", 10), ("Tanya jawab", 60)]
        assert [p.officer_id for p in e.panelists] == [world["alpha"]["boss"]]
    officer = app.test_client()
    login(officer, world["alpha"]["emails"]["officer"])
    assert officer.get("/kelola/alpha/dialog/").status_code == 403
    other = app.test_client()
    login(other, world["beta"]["emails"]["admin"])
    assert other.get("/kelola/alpha/dialog/").status_code == 404


def test_questions_moderated_upvoted_ordered_and_answered(app, client, world, event):
    code, _ = _code(client, _register(client, event, "Ani", "0812-1111-2222"))
    url = f"/alpha/dialog/{event}"
    stranger = app.test_client()
    r = post_form(
        stranger, f"{url}/tanya", {"question": "Berapa lama KTP-el selesai dicetak?"}, token_from=url
    )
    assert r.status_code == 422 and "Isi kode pendaftaran Anda" in r.get_data(as_text=True)
    r = post_form(client, f"{url}/tanya", {"question": "Pendek", "code": code}, token_from=url)
    assert "Pertanyaan harus 10–500 karakter." in r.get_data(as_text=True)
    for text in (
        "Berapa lama KTP-el selesai dicetak?",
        "Apakah bisa mengurus KTP di kecamatan?",
        "Berapa lama cetak KTP-el sekarang?",
    ):
        assert (
            post_form(client, f"{url}/tanya", {"question": text, "code": code}, token_from=url).status_code
            == 302
        )
    assert "Berapa lama KTP-el" not in client.get(url).get_data(as_text=True)  # not yet moderated
    from plugins.dialog_publik.models import DialogQuestion

    with app.app_context():
        ids = db.session.scalars(db.select(DialogQuestion.id).order_by(DialogQuestion.id)).all()
    staff = app.test_client()
    login(staff, world["alpha"]["emails"]["supervisor"])
    q_url = f"/kelola/alpha/dialog/acara/{event}/pertanyaan"
    post_form(staff, q_url, {"question_id": ids[0], "action": "setujui"})
    post_form(staff, q_url, {"question_id": ids[1], "action": "setujui"})
    post_form(staff, q_url, {"question_id": ids[2], "action": "gabung", "into": ids[0]})
    # Upvotes: one per registration; a browser without a code is refused.
    other = app.test_client()
    _code(other, _register(other, event, "Budi", "budi@warga.example"))
    for _ in range(2):
        post_form(client, f"/alpha/dialog/pertanyaan/{ids[1]}/dukung", {"code": code}, token_from=url)
    post_form(other, f"/alpha/dialog/pertanyaan/{ids[1]}/dukung", {}, token_from=url)  # remembered code
    r = post_form(stranger, f"/alpha/dialog/pertanyaan/{ids[1]}/dukung", {}, token_from=url)
    assert r.status_code == 422 and "Hanya peserta terdaftar" in r.get_data(as_text=True)
    page = client.get(url).get_data(as_text=True)
    assert page.index("mengurus KTP di kecamatan") < page.index("KTP-el selesai dicetak")  # 2 votes first
    assert "2 dukungan" in page and "Berapa lama cetak KTP-el sekarang?" not in page  # merged away
    presenter = staff.get(q_url).get_data(as_text=True)
    assert presenter.index("mengurus KTP") < presenter.index("selesai dicetak")
    boss = world["alpha"]["boss"]
    post_form(
        staff,
        q_url,
        {"question_id": ids[1], "action": "jawab", "officer_id": boss, "answer": "Bisa, di semua kecamatan."},
    )
    page = client.get(url).get_data(as_text=True)
    assert "Bisa, di semua kecamatan." in page and "dijawab oleh Atasan alpha" in page


def test_minutes_and_commitments_are_public(app, client, world, event):
    staff = app.test_client()
    login(staff, world["alpha"]["emails"]["admin"])
    m_url = f"/kelola/alpha/dialog/acara/{event}/notulen"
    # Before the start there is nothing to write down: refused, nothing stored.
    post_form(staff, m_url, {"what": "ringkasan", "minutes": "Terlalu dini."})
    assert "Terlalu dini." not in client.get(f"/alpha/dialog/{event}").get_data(as_text=True)
    assert 'name="minutes"' not in staff.get(m_url).get_data(as_text=True)
    _starts_in(app, event, -dt.timedelta(minutes=10))
    post_form(staff, m_url, {"what": "ringkasan", "minutes": "Warga meminta jam layanan Sabtu."})
    post_form(
        staff,
        m_url,
        {
            "what": "komitmen",
            "text": "Membuka layanan Sabtu pagi",
            "owner_id": world["alpha"]["boss"],
            "due": "2027-01-31",
        },
    )
    from plugins.dialog_publik.models import DialogCommitment

    with app.app_context():
        item = db.session.scalars(db.select(DialogCommitment)).one()
    post_form(staff, m_url, {"what": "status", "commitment_id": item.id, "state": "proses"})
    page = client.get(f"/alpha/dialog/{event}").get_data(as_text=True)
    assert "Warga meminta jam layanan Sabtu." in page and "Membuka layanan Sabtu pagi" in page
    assert "Atasan alpha" in page and "sedang dikerjakan" in page and "31 Januari 2027" in page


def test_registration_refused_when_closed_cancelled_or_full_without_waitlist(app, client, world, event):
    def set_(**fields):
        with app.app_context():
            e = db.session.get(DialogEvent, event)
            for key, value in fields.items():
                setattr(e, key, value)
            db.session.commit()

    set_(waitlist=False, capacity=1)
    _register(client, event, "Ani", "0812-1111-2222")
    r = _register(client, event, "Budi", "budi@warga.example")
    assert r.status_code == 422 and "Kursi sudah penuh." in r.get_data(as_text=True)
    set_(capacity=5, registration_closes_at=utcnow() - dt.timedelta(minutes=1))
    r = _register(client, event, "Citra", "citra@warga.example")
    assert r.status_code == 422 and "tidak sedang dibuka" in r.get_data(as_text=True)
    set_(registration_closes_at=None, status="dibatalkan")
    page = client.get(f"/alpha/dialog/{event}").get_data(as_text=True)
    assert "Acara ini dibatalkan." in page and 'name="contact"' not in page
    assert _register(client, event, "Dedi", "0813-0000-1111").status_code == 422
    assert _regs(app) == [("Ani", "terdaftar")]


def test_ical_times_read_back_as_text(app, client, event):
    """Read the raw RFC 5545 lines, not through the library that wrote them."""
    with app.app_context():
        e = db.session.get(DialogEvent, event)
        e.starts_at, e.ends_at = dt.datetime(2026, 12, 10, 2, 0), dt.datetime(2026, 12, 10, 4, 30)
        db.session.commit()
    text = client.get(f"/alpha/dialog/{event}/acara.ics").get_data(as_text=True).replace("\r\n ", "")
    lines = text.split("\r\n")
    assert "BEGIN:VCALENDAR" in lines and "VERSION:2.0" in lines
    assert "DTSTART;TZID=Asia/Jakarta:20261210T090000" in lines  # 02:00 UTC is 09:00 WIB
    assert "DTEND;TZID=Asia/Jakarta:20261210T113000" in lines
    assert "TZID:Asia/Jakarta" in lines and "BEGIN:VTIMEZONE" in lines
    assert any(line.startswith("UID:") and line.endswith("@portal-warga") for line in lines)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("admin", 200),
        ("supervisor", 200),
        ("officer", 403),
        ("other_admin", 404),
        ("anonymous", 302),
    ],
)
def test_moderation_permissions_per_role(app, world, event, role, expected):
    c = app.test_client()
    if role != "anonymous":
        slug = "beta" if role.startswith("other") else "alpha"
        login(c, world[slug]["emails"][role.removeprefix("other_")])
    assert c.get(f"/kelola/alpha/dialog/acara/{event}/pertanyaan").status_code == expected
    assert c.get(f"/kelola/alpha/dialog/acara/{event}/hadir").status_code == expected


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_register_in_a_real_browser_at_phone_size(app, live_server, browser, event, javascript, database_url):
    from tests.conftest import screenshot

    context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=javascript)
    page = context.new_page()
    page.goto(f"{live_server}/alpha/dialog/{event}")
    assert page.locator("h1").inner_text() == "Forum Layanan KTP"
    assert page.title() == "Forum Layanan KTP"
    tag = f"dialog-{'js' if javascript else 'nojs'}-{database_url.split(':')[0]}"
    screenshot(page, f"{tag}-1-acara")
    page.fill("#name", "Sari")
    page.fill("#contact", "0812 3456 7000")
    page.get_by_role("button", name="Daftar").click()
    assert page.locator("h2").first.inner_text() == "Anda terdaftar"
    assert page.locator(".qr svg").count() == 1
    screenshot(page, f"{tag}-2-konfirmasi")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()
    assert _regs(app) == [("Sari", "terdaftar")]


def test_check_in_page_offers_camera_scanning_as_an_enhancement(app, world, event):
    _starts_in(app, event, dt.timedelta(minutes=30))
    staff = app.test_client()
    login(staff, world["alpha"]["emails"]["admin"])
    page = staff.get(f"/kelola/alpha/dialog/acara/{event}/hadir").get_data(as_text=True)
    src = re.search(r'<script src="([^"]+scan\.js(?:\?v=\w+)?)" defer>', page).group(1)
    script = staff.get(src)
    body = script.data
    script.close()  # the file stays open until the response is closed
    assert script.status_code == 200 and b"BarcodeDetector" in body
    assert 'name="code"' in page  # typing works without it
    assert "<title>Kehadiran · Forum Layanan KTP</title>" in page
    assert app.test_client().get(src).status_code == 302  # staff only


def test_registration_remembered_on_this_device_only(app, client, world, event):
    code, page = _code(client, _register(client, event, "Ani", "0812-1111-2222"))
    url = f"/alpha/dialog/{event}"
    # The confirmation offers a question; asking says it waits for moderation.
    assert 'name="question"' in page
    r = post_form(
        client,
        f"{url}/tanya",
        {"question": "Apakah ada layanan KTP keliling?", "code": code, "dari": "pendaftaran"},
        token_from=f"/alpha/dialog/pendaftaran/{code}",
    )
    assert r.headers["Location"].endswith(f"/alpha/dialog/pendaftaran/{code}#pertanyaan-anda")
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "menunggu moderasi" in page and "Apakah ada layanan KTP keliling?" in page
    # The event page knows this device's registration: no code to type.
    page = client.get(url).get_data(as_text=True)
    assert "Anda terdaftar untuk acara ini." in page and 'id="code"' not in page
    r = post_form(client, f"{url}/tanya", {"question": "Berapa lama antrean di loket?"}, token_from=url)
    assert r.status_code == 302
    # The cookie is signed: another device, or an altered value, is nobody.
    cookie = client.get_cookie(f"dialog_kode_{event}", path="/alpha/dialog/")
    assert cookie is not None and cookie.http_only and code not in cookie.value
    stranger = app.test_client()
    stranger.set_cookie(f"dialog_kode_{event}", code, path="/alpha/dialog/")
    r = post_form(stranger, f"{url}/tanya", {"question": "Pertanyaan atas nama orang lain?"}, token_from=url)
    assert r.status_code == 422 and "Isi kode pendaftaran Anda" in r.get_data(as_text=True)
    forged = cookie.value[:-2] + ("AA" if not cookie.value.endswith("AA") else "BB")
    stranger.set_cookie(f"dialog_kode_{event}", forged, path="/alpha/dialog/")
    assert "Anda terdaftar untuk acara ini." not in stranger.get(url).get_data(as_text=True)
    with app.app_context():
        from plugins.dialog_publik.models import DialogQuestion

        assert db.session.scalar(db.select(db.func.count(DialogQuestion.id))) == 2
    # Forgetting on a shared device: the code has to be typed again.
    post_form(client, f"{url}/lupakan", {}, token_from=url)
    page = client.get(url).get_data(as_text=True)
    assert "Anda terdaftar untuk acara ini." not in page and 'id="code"' in page
    # Before the start: no attendance count, no minutes, no rating offered.
    assert "orang." not in page.split('id="pertanyaan"')[1] and "Notulen" not in page
