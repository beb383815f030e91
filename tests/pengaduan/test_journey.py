"""The complaint journey in a real browser, from filing to rating, as the
people in it see it: the citizen on a phone (390×844) with JavaScript on and
off, staff at a desk (1366×768) and on a phone. Each step asserts what a
person would check (what is offered, what is not, where an error shows up),
takes a screenshot of every page at both sizes, and runs axe-core on it."""

from __future__ import annotations

import re

import pytest

from plugins.pengaduan.models import PengaduanTicket
from portal.core.models import RatingEvent
from portal.extensions import db
from portal.testing import PASSWORD
from tests.conftest import screenshot
from tests.system.conftest import complaint_category
from tests.test_accessibility import _violations
from tests.test_accessibility import axe_source as axe_source  # a fixture, used by name

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1366, "height": 768}
#: Where a Jakarta phone says it is.
JAKARTA = {"latitude": -6.1754, "longitude": 106.8272}


def _in_view(page, locator) -> bool:
    """Whether the element is on the screen as it is now, not somewhere below."""
    box = locator.bounding_box()
    height = page.viewport_size["height"]
    return box is not None and box["height"] > 0 and 0 <= box["y"] and box["y"] + box["height"] <= height


def _fits(page):
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def _look(page, name, axe, sizes=(PHONE, DESK)):
    """Screenshots at each size, no sideways scrolling, and no WCAG violation.
    axe runs inside the page, so ``axe`` is None where JavaScript is off: that
    run shows the same markup, less the location button."""
    for size in sizes:
        page.set_viewport_size(size)
        _fits(page)
        screenshot(page, f"{name}-{size['width']}")
    page.set_viewport_size(sizes[0])
    if axe is not None:
        assert _violations(page, axe) == [], page.url


def _tickets(app):
    with app.app_context():
        return db.session.scalars(db.select(PengaduanTicket)).all()


def _staff(browser, live_server, email):
    context = browser.new_context(base_url=live_server, viewport=DESK, bypass_csp=True)
    page = context.new_page()
    page.goto("/masuk")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    return context, page


def _checkbox_gap(page, label_text) -> float:
    """Pixels from the middle of a check box to the start of its label's
    words (a box stretched across the row puts its tick far from them)."""
    label = page.locator("label.check", has_text=label_text)
    return page.evaluate(
        """(label) => {
            const box = label.querySelector('input').getBoundingClientRect();
            const range = document.createRange();
            range.selectNodeContents(label);
            const rects = [...range.getClientRects()].filter(r => r.left >= box.right - 1 && r.width > 0);
            return Math.min(...rects.map(r => r.left)) - (box.left + box.width / 2);
        }""",
        label.element_handle(),
    )


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_a_complaint_from_filing_to_rating(
    app, world, live_server, browser, axe_source, javascript, database_url
):
    category = complaint_category(app, world)
    tag = f"pengaduan-journey-{'js' if javascript else 'nojs'}-{database_url.split(':')[0]}"
    citizen_context = browser.new_context(
        base_url=live_server,
        viewport=PHONE,
        is_mobile=True,
        java_script_enabled=javascript,
        geolocation=JAKARTA,
        permissions=["geolocation"],
        # axe is injected for the test only; the portal's own policy stays as it is.
        bypass_csp=True,
    )
    citizen = citizen_context.new_page()
    citizen_axe = axe_source if javascript else None

    # The form: no category is chosen for the citizen, the coordinates are optional.
    citizen.goto("/alpha/pengaduan/baru")
    chosen = citizen.locator("#category_id option:checked")
    assert chosen.inner_text() == "— pilih jenis pengaduan —"
    locate = citizen.get_by_role("button", name="Gunakan lokasi saya")
    # "Use my location" is offered only where it can work: with JavaScript.
    assert locate.is_visible() is javascript
    _look(citizen, f"{tag}-1-formulir", citizen_axe)

    # Sent without a category and with a latitude alone: told what to fix, at the top, nothing stored.
    citizen.fill("#title", "Lampu jalan mati di depan kantor")
    citizen.fill("#description", "Sudah seminggu lampu jalan di depan kantor kelurahan mati pada malam hari.")
    citizen.locator("#koordinat summary").click()
    citizen.fill("#lat", "-6,1754")
    citizen.fill("#name", "Budi Warga")
    citizen.fill("#phone", "bukan nomor")
    citizen.get_by_role("button", name="Kirim pengaduan").click()
    summary = citizen.locator("form .error[role=alert]").first
    assert "Periksa kembali isian yang ditandai." in summary.inner_text()
    assert _in_view(citizen, summary)
    assert "Pilih jenis pengaduan yang paling sesuai." in summary.inner_text()
    assert "Isi juga bujurnya" in summary.inner_text()
    assert citizen.evaluate("document.activeElement.id") == "category_id"  # focus on the first one
    assert citizen.locator("#lon-error").is_visible()  # the coordinates' section is open at the error
    assert _tickets(app) == []
    _look(citizen, f"{tag}-2-salah", citizen_axe)

    citizen.select_option("#category_id", str(category))
    if javascript:
        locate.click()
        status = citizen.locator("#lokasi-saya [role=status]")
        status.filter(has_text="sudah diisi dari lokasi Anda").wait_for()
        assert citizen.input_value("#lat") == "-6.175400"
        assert citizen.input_value("#lon") == "106.827200"
    else:
        citizen.fill("#lon", "106,8272")

    # Anonymous: name, phone and e-mail disappear (CSS, so with JavaScript off too),
    # the form says they are ignored, and the server ignores them.
    anonymous = citizen.get_by_label("Kirim tanpa identitas (anonim)")
    assert "diabaikan dan tidak disimpan" in citizen.locator("#anonymous-hint").inner_text()
    assert citizen.locator("#name").is_visible()
    anonymous.check()
    for identity in ("#name", "#phone", "#email"):
        assert not citizen.locator(identity).is_visible(), identity
    _look(citizen, f"{tag}-3-anonim", citizen_axe)
    citizen.get_by_role("button", name="Kirim pengaduan").click()
    assert citizen.locator("h1").inner_text() == "Pengaduan Anda sudah kami terima"
    code = re.search(r"/terkirim/([A-Z0-9-]+)", citizen.url).group(1)
    _look(citizen, f"{tag}-4-kode", citizen_axe)
    [ticket] = _tickets(app)
    assert (ticket.anonymous, ticket.name, ticket.phone, ticket.email) == (True, "", "", "")
    assert (ticket.lat, ticket.lon) == pytest.approx((-6.1754, 106.8272))

    # Staff: the late-only filter's box sits by its words; nobody is assigned by default.
    staff_context, staff = _staff(browser, live_server, world["alpha"]["emails"]["admin"])
    staff.goto("/kelola/alpha/pengaduan/")
    for size in (PHONE, DESK):
        staff.set_viewport_size(size)
        assert 0 <= _checkbox_gap(staff, "Hanya yang terlambat") <= 24, size
    _look(staff, f"{tag}-5-antrean", axe_source, sizes=(DESK, PHONE))
    staff.get_by_role("link", name=ticket.reference).click()
    staff.get_by_role("button", name="Verifikasi").click()
    officer_choice = staff.locator("#officer_id option:checked")
    assert officer_choice.inner_text() == "— pilih petugas —"
    staff.get_by_role("button", name="Tugaskan").click()
    error = staff.locator("#officer_id-error")
    assert error.inner_text() == "Pilih petugas yang akan menangani pengaduan ini."
    assert _in_view(staff, error)
    assert _tickets(app)[0].assigned_officer_id is None
    _look(staff, f"{tag}-6-tugaskan-salah", axe_source, sizes=(DESK, PHONE))
    staff.select_option("#officer_id", str(world["alpha"]["staff"]))
    staff.get_by_role("button", name="Tugaskan").click()
    staff.fill("#text-resolve", "Lampu sudah diganti oleh petugas pada Selasa malam.")
    staff.get_by_role("button", name="Selesaikan").click()
    assert "Selesai" in staff.locator(".timeline").inner_text()
    _look(staff, f"{tag}-7-tiket", axe_source, sizes=(DESK, PHONE))

    # The citizen rates the handling on a labelled scale; 5 is the good end.
    citizen.goto(f"/alpha/pengaduan/lacak/{code}")
    assert "Lampu sudah diganti" in citizen.content()
    rating = citizen.locator("fieldset", has_text="Nilai penanganan pengaduan Anda")
    assert "1 = sangat tidak puas, 5 = sangat puas" in rating.inner_text()
    assert [text.split() for text in rating.locator("label").all_inner_texts()] == [
        ["1", "Sangat", "tidak", "puas"],
        ["2", "Tidak", "puas"],
        ["3", "Cukup"],
        ["4", "Puas"],
        ["5", "Sangat", "puas"],
    ]
    _look(citizen, f"{tag}-8-nilai", citizen_axe)
    citizen.get_by_role("button", name="Kirim penilaian").click()  # nothing chosen
    error = citizen.locator("#rating-error")
    assert "Pilih nilai dari 1 (sangat tidak puas) sampai 5 (sangat puas)." in error.inner_text()
    citizen.get_by_label("5 Sangat puas").check()
    citizen.get_by_label("Ya, sudah tuntas").check()
    citizen.fill("#comment", "Terima kasih, cepat ditangani.")
    citizen.get_by_role("button", name="Kirim penilaian").click()
    assert "Terima kasih atas penilaian Anda." in citizen.content()
    assert "Penilaian Anda: 5 dari 5 (Sangat puas)." in citizen.content()
    # Rated once: the form is gone, nothing is offered that cannot be done.
    assert citizen.get_by_role("button", name="Kirim penilaian").count() == 0
    _look(citizen, f"{tag}-9-dinilai", citizen_axe)
    citizen_context.close()

    with app.app_context():
        scores = db.session.execute(db.select(RatingEvent.officer_id, RatingEvent.score)).all()
    assert [tuple(row) for row in scores] == [(world["alpha"]["staff"], 100.0)]
    staff.reload()
    assert "Nilai pelapor: 5 dari 5 (1 = sangat tidak puas, 5 = sangat puas)" in staff.content()
    staff_context.close()


def test_location_refused_or_out_of_indonesia(app, world, live_server, browser, database_url):
    """Under the portal's real Content-Security-Policy: a phone that refuses
    its location is told to type the address; a phone abroad fills numbers
    that the server then explains."""
    complaint_category(app, world)
    tag = f"pengaduan-lokasi-{database_url.split(':')[0]}"
    context = browser.new_context(base_url=live_server, viewport=PHONE, is_mobile=True)
    page = context.new_page()
    page.goto("/alpha/pengaduan/baru")
    page.get_by_role("button", name="Gunakan lokasi saya").click()
    status = page.locator("#lokasi-saya [role=status]")
    status.filter(has_text="Izin lokasi tidak diberikan").wait_for()
    assert "Ketik alamatnya" in status.inner_text()
    screenshot(page, f"{tag}-ditolak-390")
    context.close()

    context = browser.new_context(
        base_url=live_server,
        viewport=PHONE,
        is_mobile=True,
        geolocation={"latitude": 52.37, "longitude": 4.89},  # Amsterdam
        permissions=["geolocation"],
    )
    page = context.new_page()
    page.goto("/alpha/pengaduan/baru")
    page.get_by_role("button", name="Gunakan lokasi saya").click()
    page.locator("#lokasi-saya [role=status]").filter(has_text="sudah diisi").wait_for()
    page.get_by_role("button", name="Kirim pengaduan").click()
    assert "Titik koordinat harus di wilayah Indonesia" in page.locator("#lat-error").inner_text()
    assert _tickets(app) == []
    screenshot(page, f"{tag}-luar-negeri-390")
    context.close()
