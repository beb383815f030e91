"""Whole journeys in a real browser (Debian's Chromium through Playwright).
Citizens use a phone-size window, with JavaScript on and off; staff use a
desktop one. A screenshot of every step goes to test-artifacts/.

- A complaint is filed, followed by its code, verified, assigned and
  resolved by staff, and rated by the citizen; the officer's record shows
  the rating.
- A citizen registers for a forum and asks a question. Staff approve it
  and check the citizen in. The citizen rates the panel, and the
  panelist's record shows the rating.
- A citizen opens the address decoded from the desk's printed poster and
  rates with the keyboard only; the record shows it.
- An admin switches a module off, and its pages disappear for citizens.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from portal.core.models import RatingEvent
from portal.extensions import db
from portal.testing import PASSWORD
from tests.conftest import screenshot
from tests.system.conftest import complaint_category, forum_event, survey_desk

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
JS = pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])


def _staff(browser, live_server, email):
    context = browser.new_context(base_url=live_server, viewport=DESKTOP)
    page = context.new_page()
    page.goto("/masuk")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    assert "/kelola/" in page.url, page.url  # signed in: the management pages
    return context, page


def _citizen(browser, live_server, javascript):
    context = browser.new_context(
        base_url=live_server, viewport=PHONE, java_script_enabled=javascript, is_mobile=True
    )
    return context, context.new_page()


def _fits_the_phone(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


def _source_row(page, label):
    """The officer page's row for one rating source: label, count, score."""
    row = page.locator("tr", has=page.locator("td", has_text=re.compile(f"^{label}$"))).first
    return [cell.strip() for cell in row.locator("td").all_inner_texts()][:3]


def _events(app, source):
    with app.app_context():
        return [
            (e.officer_id, e.score)
            for e in db.session.scalars(db.select(RatingEvent).filter_by(source=source))
        ]


@JS
def test_complaint_from_filing_to_the_officers_record(
    app, world, live_server, browser, javascript, database_url
):
    category = complaint_category(app, world)
    tag = f"e2e-pengaduan-{'js' if javascript else 'nojs'}-{database_url.split(':')[0]}"
    citizen_context, citizen = _citizen(browser, live_server, javascript)

    citizen.goto("/alpha/pengaduan/baru")
    citizen.select_option("#category_id", str(category))
    citizen.fill("#title", "Loket 1 tutup sebelum jam layanan")
    citizen.fill("#description", "Pukul 14.00 loket 1 sudah tutup, padahal jam layanan sampai 15.00.")
    citizen.fill("#name", "Budi Warga")
    citizen.fill("#phone", "0812 3456 7890")
    _fits_the_phone(citizen)
    screenshot(citizen, f"{tag}-1-formulir")
    citizen.get_by_role("button", name="Kirim pengaduan").click()
    assert citizen.locator("h1").inner_text() == "Pengaduan Anda sudah kami terima"
    code = re.search(r"/terkirim/([A-Z0-9-]+)", citizen.url).group(1)
    screenshot(citizen, f"{tag}-2-kode")

    citizen.goto("/alpha/pengaduan/")
    citizen.fill("#kode", code.lower().replace("-", ""))  # typed loosely, still found
    citizen.get_by_role("button", name="Lacak").click()
    assert citizen.url.endswith(f"/lacak/{code}")
    assert "Baru" in citizen.locator("h2").first.inner_text()
    screenshot(citizen, f"{tag}-3-lacak")

    staff_context, staff = _staff(browser, live_server, world["alpha"]["emails"]["admin"])
    staff.goto(f"/kelola/alpha/pengaduan/tiket/{code}")
    staff.get_by_role("button", name="Verifikasi").click()
    staff.select_option("#officer_id", str(world["alpha"]["staff"]))
    staff.get_by_role("button", name="Tugaskan").click()
    staff.fill("#text-resolve", "Jam tutup loket 1 dikembalikan ke pukul 15.00 sejak hari ini.")
    staff.get_by_role("button", name="Selesaikan").click()
    assert "Selesai" in staff.locator(".timeline").inner_text()
    screenshot(staff, f"{tag}-4-staf")

    citizen.goto(f"/alpha/pengaduan/lacak/{code}")
    assert "Jam tutup loket 1 dikembalikan" in citizen.content()
    citizen.get_by_label("5 Sangat puas").check()
    citizen.get_by_label("Ya, sudah tuntas").check()
    citizen.fill("#comment", "Terima kasih, cepat ditangani.")
    screenshot(citizen, f"{tag}-5-nilai")
    citizen.get_by_role("button", name="Kirim penilaian").click()
    assert "Terima kasih atas penilaian Anda." in citizen.content()
    _fits_the_phone(citizen)
    citizen_context.close()

    assert _events(app, "pengaduan") == [(world["alpha"]["staff"], 100.0)]
    staff.goto(f"/kinerja/pegawai/{world['alpha']['staff']}")
    assert _source_row(staff, "Pengaduan") == ["Pengaduan", "1", "100,00 (A · Sangat Baik)"]
    screenshot(staff, f"{tag}-6-rekam-kinerja")
    staff_context.close()


@JS
def test_forum_from_registration_to_the_panelists_record(
    app, world, live_server, browser, javascript, database_url
):
    officer = world["alpha"]["staff"]
    # Starts within the hour: check-in opens two hours before the start.
    event = forum_event(app, world, capacity=30, panelists=[officer], starts_in=dt.timedelta(hours=1))
    tag = f"e2e-dialog-{'js' if javascript else 'nojs'}-{database_url.split(':')[0]}"
    citizen_context, citizen = _citizen(browser, live_server, javascript)

    citizen.goto(f"/alpha/dialog/{event}")
    citizen.fill("#name", "Sari Warga")
    citizen.fill("#contact", "0813 2222 4444")
    citizen.get_by_role("button", name="Daftar").click()
    assert citizen.locator("h2").first.inner_text() == "Anda terdaftar"
    code = citizen.url.split("#")[0].rsplit("/", 1)[-1]
    screenshot(citizen, f"{tag}-1-terdaftar")

    citizen.goto(f"/alpha/dialog/{event}")
    citizen.fill("#question", "Apakah KTP elektronik bisa dicetak di kecamatan?")
    # The device that registered is remembered: no code to type again.
    assert citizen.locator("#code").count() == 0
    citizen.get_by_role("button", name="Kirim pertanyaan").click()
    assert "moderasi" in citizen.content()
    screenshot(citizen, f"{tag}-2-pertanyaan")

    staff_context, staff = _staff(browser, live_server, world["alpha"]["emails"]["admin"])
    staff.goto(f"/kelola/alpha/dialog/acara/{event}/pertanyaan")
    staff.get_by_role("button", name="Setujui").click()
    staff.goto(f"/kelola/alpha/dialog/acara/{event}/hadir")
    staff.fill("#code", code)
    staff.get_by_role("button", name="Catat hadir", exact=True).click()
    assert "Sari Warga hadir." in staff.content(), staff.locator("main").inner_text()[:600]
    screenshot(staff, f"{tag}-3-hadir")

    citizen.goto(f"/alpha/dialog/{event}")
    assert "Apakah KTP elektronik bisa dicetak di kecamatan?" in citizen.content()  # approved, public
    with app.app_context():  # the forum begins
        from plugins.dialog_publik.models import DialogEvent
        from portal.core.util.timeutil import utcnow

        row = db.session.get(DialogEvent, event)
        row.starts_at = utcnow() - dt.timedelta(minutes=30)
        db.session.commit()
    citizen.goto(f"/alpha/dialog/pendaftaran/{code}/nilai")
    citizen.locator("input[name=nilai_0][value='5']").check()
    citizen.locator(f"input[name=nilai_{officer}][value='4']").check()
    citizen.fill(f"#komentar_{officer}", "Penjelasannya jelas dan sabar.")
    screenshot(citizen, f"{tag}-4-nilai")
    citizen.get_by_role("button", name="Kirim penilaian").click()
    assert "Sudah dinilai. Terima kasih." in citizen.content() or "Terima kasih" in citizen.content()
    _fits_the_phone(citizen)
    citizen_context.close()

    assert _events(app, "dialog_publik") == [(officer, 80.0)]
    staff.goto(f"/kinerja/pegawai/{officer}")
    assert _source_row(staff, "Dialog publik") == ["Dialog publik", "1", "80,00 (B · Baik)"]
    screenshot(staff, f"{tag}-5-rekam-kinerja")
    staff_context.close()


def test_a_desk_rated_with_the_keyboard_only(app, world, live_server, browser, database_url):
    from tests.survei.test_browser import _poster_url

    token = survey_desk(app, world)
    url = _poster_url(app, live_server, world, browser)  # what the phone's camera reads off the poster
    assert url.endswith(f"/s/{token}")
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(url)
    for _ in range(40):  # Tab until a face has focus
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "face":
            break
    assert page.evaluate("document.activeElement.name") == "face"
    page.keyboard.press("ArrowDown")  # a radio group: arrows move and choose
    chosen = page.evaluate("document.querySelector('input[name=face]:checked').value")
    for _ in range(20):  # on to the send button
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.tagName") == "BUTTON":
            break
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/terima-kasih"))
    assert page.locator("h1").inner_text() == "Terima kasih!"
    screenshot(page, f"e2e-survei-keyboard-{database_url.split(':')[0]}")
    context.close()
    [(officer, score)] = _events(app, "survei")
    assert officer == world["alpha"]["staff"] and score == int(chosen) * 25.0
    staff_context, staff = _staff(browser, live_server, world["alpha"]["emails"]["admin"])
    staff.goto(f"/kinerja/pegawai/{officer}")
    assert _source_row(staff, "Survei")[:2] == ["Survei", "1"]
    staff_context.close()


@JS
def test_switching_a_module_off_removes_its_pages(app, world, live_server, browser, javascript, database_url):
    tag = f"e2e-modul-{'js' if javascript else 'nojs'}-{database_url.split(':')[0]}"
    citizen_context, citizen = _citizen(browser, live_server, javascript)
    citizen.goto("/alpha/")
    assert citizen.get_by_role("link", name="Pengaduan").count() >= 1

    staff_context, staff = _staff(browser, live_server, world["alpha"]["emails"]["admin"])
    staff.goto("/kelola/alpha/modul")
    staff.locator("tr", has_text="Pengaduan").get_by_role("button", name="Nonaktifkan").click()
    staff.get_by_role("button", name="Ya, nonaktifkan modul Pengaduan").click()  # the confirmation page
    assert "Modul Pengaduan dinonaktifkan." in staff.content()
    screenshot(staff, f"{tag}-1-modul")
    staff_context.close()

    citizen.goto("/alpha/")
    assert citizen.get_by_role("link", name="Pengaduan").count() == 0
    screenshot(citizen, f"{tag}-2-beranda")
    response = citizen.goto("/alpha/pengaduan/baru")
    assert response.status == 404 and "Halaman tidak ditemukan" in citizen.content()
    screenshot(citizen, f"{tag}-3-404")
    citizen_context.close()
