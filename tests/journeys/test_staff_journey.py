"""Staff journeys in a real browser (Debian's Chromium through Playwright), at
phone size (390×844) and desk size (1366×768). A screenshot of every step
goes to test-artifacts/.

- A supervisor writes feedback for an officer. Sending the form empty shows
  what is wrong where the eye is: the error summary at the top of the form,
  in the viewport, with JavaScript (focus moved to it) and without (the page
  opens at it). The officer signs in, lands on their own record and reads
  the feedback.
- An admin sets the agency up: signs in and lands on the agency's
  management page, fills in the contact details and the logo (shown in
  every page's header and footer), adds a unit, a desk and an officer, and
  switches a module off through its confirmation page; citizens then find
  the module's pages gone.
"""

from __future__ import annotations

import io
import os
import re
from urllib.parse import urlsplit

import pytest

from portal.testing import PASSWORD, nip
from tests.conftest import ARTIFACTS, screenshot

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1366, "height": 768}
SIZES = pytest.mark.parametrize("size", ["phone", "desk"])


def _tag(name, size, database_url, extra=""):
    return f"journey-{name}-{size}{extra}-{database_url.split(':')[0].split('+')[0]}"


def _context(browser, live_server, size, javascript=True):
    return browser.new_context(
        base_url=live_server,
        viewport=PHONE if size == "phone" else DESK,
        java_script_enabled=javascript,
        is_mobile=size == "phone",
    )


def _sign_in(page, email):
    page.goto("/masuk")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Masuk").click()


def _in_viewport(page, selector) -> bool:
    """Whether the element's top edge is inside the visible part of the page."""
    return page.evaluate(
        """(selector) => {
            const box = document.querySelector(selector).getBoundingClientRect();
            return box.top >= -1 && box.top < window.innerHeight && box.height > 0;
        }""",
        selector,
    )


def _path(page) -> str:
    return urlsplit(page.url).path


def _screen(page, name):
    """What the person sees without scrolling (``screenshot`` takes the whole page)."""
    page.screenshot(path=os.path.join(ARTIFACTS, f"{name}.png"))


def _fits(page, size):
    if size == "phone":
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


@pytest.mark.parametrize(
    "size,javascript",
    [("phone", True), ("phone", False), ("desk", True)],
    ids=["phone-js", "phone-nojs", "desk-js"],
)
def test_supervisor_writes_feedback_and_the_officer_reads_it(
    app, world, live_server, browser, size, javascript, database_url
):
    tag = _tag("umpan-balik", size, database_url, "" if javascript else "-nojs")
    alpha = world["alpha"]
    context = _context(browser, live_server, size, javascript)
    page = context.new_page()

    # The supervisor lands on their team and opens the officer's record.
    _sign_in(page, alpha["emails"]["supervisor"])
    assert _path(page) == "/kinerja/alpha/tim", page.url
    screenshot(page, f"{tag}-1-tim")
    page.get_by_role("link", name="Staf alpha", exact=True).click()
    assert _path(page) == f"/kinerja/pegawai/{alpha['staff']}", page.url
    _fits(page, size)

    # Sent empty: the summary is in view, says what to do, and leads to the field.
    page.get_by_role("button", name="Simpan umpan balik").click()
    page.wait_for_load_state()
    summary = page.locator("#ringkasan-galat")
    assert summary.is_visible()
    assert "Tulis sedikitnya kekuatan" in summary.inner_text()
    assert _in_viewport(page, "#ringkasan-galat"), page.evaluate("window.scrollY")
    if javascript:
        assert page.evaluate("document.activeElement.id") == "ringkasan-galat"
    screenshot(page, f"{tag}-2-galat")
    _screen(page, f"{tag}-2-galat-layar")
    _fits(page, size)
    summary.get_by_role("link", name=re.compile("Kekuatan")).click()
    assert _in_viewport(page, "label[for=strengths]") and _in_viewport(page, "#strengths")
    if javascript:
        assert page.evaluate("document.activeElement.id") == "strengths"

    page.fill("#strengths", "Sabar menjelaskan syarat KTP kepada warga lansia.")
    page.fill("#improvements", "Mulai layanan tepat pukul 08.00.")
    page.fill("#actions-0-text", "Ikut pelatihan pelayanan prima")
    page.get_by_role("button", name="Simpan umpan balik").click()
    assert "Umpan balik disimpan." in page.content()
    assert page.locator("#ringkasan-galat").count() == 0
    screenshot(page, f"{tag}-3-tersimpan")
    context.close()

    # The officer signs in and lands on their own record, where the feedback is.
    context = _context(browser, live_server, size, javascript)
    page = context.new_page()
    _sign_in(page, alpha["emails"]["officer"])
    assert _path(page) == f"/kinerja/pegawai/{alpha['staff']}", page.url
    assert page.get_by_role("heading", level=1).inner_text() == "Staf alpha"
    feedback = page.locator("#umpan-balik")
    assert "Sabar menjelaskan syarat KTP kepada warga lansia." in feedback.inner_text()
    assert "Belum dibaca pegawai." in feedback.inner_text()
    # An officer cannot write feedback on themself.
    assert page.get_by_role("button", name="Simpan umpan balik").count() == 0
    _fits(page, size)
    screenshot(page, f"{tag}-4-pegawai")
    page.get_by_role("button", name="Tandai sudah dibaca").click()
    assert "Umpan balik ditandai sudah dibaca." in page.content()
    assert "Sudah dibaca pegawai pada" in page.locator("#umpan-balik").inner_text()
    context.close()


def _logo_png() -> bytes:
    from PIL import Image

    image = Image.new("RGB", (240, 240), (12, 64, 120))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@SIZES
def test_admin_sets_the_agency_up(app, world, live_server, browser, size, database_url):
    tag = _tag("admin", size, database_url)
    context = _context(browser, live_server, size)
    page = context.new_page()

    _sign_in(page, world["alpha"]["emails"]["admin"])
    assert _path(page) == "/kelola/alpha/", page.url
    # Before the profile is complete, the footer says what citizens miss.
    assert "belum diisi" in page.locator("footer").inner_text()
    assert page.locator("header img.emblem").count() == 1  # the neutral emblem, no logo yet
    screenshot(page, f"{tag}-1-ringkasan")

    # The agency profile: contact details and logo. A wrong phone number first.
    page.get_by_role("link", name="Profil", exact=True).click()
    page.fill("#address", "Jl. Veteran No. 12, Sukamaju 43111")
    page.fill("#phone", "telepon kantor")
    page.fill("#service_hours", "Senin–Kamis 08.00–15.00, Jumat 08.00–11.00")
    page.fill("#complaint_hotline", "0812-3456-7890")
    page.set_input_files("#logo", {"name": "logo.png", "mimeType": "image/png", "buffer": _logo_png()})
    page.get_by_role("button", name="Simpan", exact=True).click()
    summary = page.locator("#ringkasan-galat")
    assert "Telepon: Tulis nomor dengan angka saja" in summary.inner_text()
    assert _in_viewport(page, "#ringkasan-galat")
    _fits(page, size)
    screenshot(page, f"{tag}-2-profil-galat")
    _screen(page, f"{tag}-2-profil-galat-layar")
    page.fill("#phone", "(0266) 221234")
    page.set_input_files("#logo", {"name": "logo.png", "mimeType": "image/png", "buffer": _logo_png()})
    page.get_by_role("button", name="Simpan", exact=True).click()
    assert "Profil instansi disimpan." in page.content()
    footer = page.locator("footer").inner_text()
    for shown in ("Jl. Veteran No. 12", "(0266) 221234", "Jumat 08.00–11.00", "0812-3456-7890"):
        assert shown in footer, shown
    assert page.locator("footer a[href='tel:0266221234']").count() == 1
    logo = page.locator("header img.logo")
    assert "/alpha/logo.png" in logo.get_attribute("src")
    assert page.evaluate("document.querySelector('header img.logo').naturalWidth") > 0  # it loads
    screenshot(page, f"{tag}-3-profil")

    # A unit, a desk in it, an officer in it.
    page.get_by_role("link", name="Unit", exact=True).click()
    page.get_by_role("link", name="Tambah unit").click()
    page.fill("#name", "Pelayanan Akta")
    page.fill("#address", "Gedung B lantai 1")
    page.get_by_role("button", name="Simpan", exact=True).click()
    assert "Unit layanan disimpan." in page.content()
    assert page.get_by_role("link", name="Pelayanan Akta").count() == 1
    page.get_by_role("link", name="Loket", exact=True).click()
    page.get_by_role("link", name="Tambah loket").click()
    page.select_option("#unit_id", label="Pelayanan Akta")
    page.fill("#name", "Loket Akta 1")
    page.get_by_role("button", name="Simpan", exact=True).click()
    assert page.get_by_role("link", name="Loket Akta 1").count() == 1
    screenshot(page, f"{tag}-4-loket")
    page.get_by_role("link", name="Pegawai", exact=True).click()
    page.get_by_role("link", name="Tambah pegawai").click()
    page.fill("#nip", nip(40))
    page.fill("#name", "Sri Rahayu")
    page.fill("#position", "Pengadministrasi Kependudukan")
    page.select_option("#unit_id", label="Pelayanan Akta")
    page.get_by_role("button", name="Simpan", exact=True).click()
    assert page.get_by_role("link", name="Sri Rahayu").count() == 1
    _fits(page, size)
    screenshot(page, f"{tag}-5-pegawai")

    # A module off: the page says what will happen; nothing changes until confirmed.
    page.get_by_role("link", name="Modul", exact=True).click()
    page.locator("tr", has_text="Pengaduan").get_by_role("button", name="Nonaktifkan").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Nonaktifkan modul Pengaduan?"
    text = page.locator("main").inner_text()
    assert "Halaman modul ini hilang bagi warga" in text and "tidak ada yang dihapus" in text
    _fits(page, size)
    screenshot(page, f"{tag}-6-konfirmasi")
    page.get_by_role("link", name="Batal").click()
    assert page.locator("tr", has_text="Pengaduan").locator("td").nth(1).inner_text() == "Aktif"
    page.locator("tr", has_text="Pengaduan").get_by_role("button", name="Nonaktifkan").click()
    page.get_by_role("button", name="Ya, nonaktifkan modul Pengaduan").click()
    assert "Modul Pengaduan dinonaktifkan." in page.content()
    assert page.locator("tr", has_text="Pengaduan").locator("td").nth(1).inner_text() == "Nonaktif"
    screenshot(page, f"{tag}-7-modul")
    context.close()

    # Citizens: the module is gone, the agency's contact is on every page.
    citizen_context = browser.new_context(
        base_url=live_server, viewport=PHONE if size == "phone" else DESK, java_script_enabled=False
    )
    citizen = citizen_context.new_page()
    citizen.goto("/alpha/")
    assert citizen.get_by_role("link", name="Pengaduan").count() == 0
    assert "0812-3456-7890" in citizen.locator("footer").inner_text()
    assert citizen.locator("header img.logo").count() == 1
    _fits(citizen, size)
    screenshot(citizen, f"{tag}-8-warga")
    assert citizen.goto("/alpha/pengaduan/baru").status == 404
    citizen_context.close()
