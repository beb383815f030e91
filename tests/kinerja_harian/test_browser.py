"""At phone size, in a real browser without JavaScript: an officer fills
today's report and sends it; the supervisor returns it with a note; the
officer sees the note. Screenshots of the day, team and recap pages at
390×844 and 1366×768."""

from __future__ import annotations

from plugins.kinerja_harian.models import DayStatus, KinerjaHarianDay
from portal.extensions import db
from portal.testing import PASSWORD
from tests.conftest import screenshot
from tests.kinerja_harian.conftest import TODAY

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}


def _sign_in(browser, live_server, email, viewport):
    context = browser.new_context(
        base_url=live_server, viewport=viewport, java_script_enabled=False, is_mobile=viewport == PHONE
    )
    page = context.new_page()
    page.goto("/masuk")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    return context, page


def _seed_month(app, world):
    from plugins.kinerja_harian.demo import seed
    from portal.core.models import Agency

    with app.app_context():
        seed(db.session.get(Agency, world["alpha"]["agency"]))


def _fits(page):
    """Nothing sticks out sideways at phone width."""
    assert page.evaluate("document.documentElement.scrollWidth") <= page.evaluate("window.innerWidth") + 1


def test_officer_fills_a_day_and_supervisor_returns_it_at_phone_size(
    app, live_server, world, browser, clock, database_url
):
    _seed_month(app, world)
    tag = f"kinerja-harian-{database_url.split(':')[0].split('+')[0]}"
    context, page = _sign_in(browser, live_server, world["alpha"]["emails"]["officer"], PHONE)
    page.goto("/kelola/alpha/kinerja-harian/")
    assert "Laporan harian" in page.locator("h1").inner_text()
    _fits(page)
    page.get_by_role("link", name="Isi laporan hari ini").click()
    page.fill("#description", "Melayani 14 permohonan KTP-el di loket 1")
    page.fill("#output", "berkas")
    page.fill("#quantity", "14")
    page.fill("#minutes", "240")
    page.get_by_role("button", name="Tambah kegiatan").click()
    assert "Kegiatan dicatat." in page.content()
    page.get_by_role("button", name="Kirim laporan ke atasan").click()
    assert "Laporan terkirim ke atasan." in page.content()
    _fits(page)
    screenshot(page, f"{tag}-hari-390")
    context.close()

    context, page = _sign_in(browser, live_server, world["alpha"]["emails"]["supervisor"], PHONE)
    page.goto("/kelola/alpha/kinerja-harian/tim")
    _fits(page)
    screenshot(page, f"{tag}-tim-390")
    page.locator(f"a[href$='/hari/{TODAY.isoformat()}#nilai']").click()
    page.get_by_text("Kembalikan untuk diperbaiki").click()
    page.fill("#note", "Sebutkan nomor antrean pertama dan terakhir.")
    page.get_by_role("button", name="Simpan penilaian").click()
    assert "Laporan dikembalikan ke pegawai." in page.content()
    page.goto(f"/kelola/alpha/kinerja-harian/pegawai/{world['alpha']['staff']}/rekap")
    _fits(page)
    screenshot(page, f"{tag}-rekap-390")
    context.close()

    context, page = _sign_in(browser, live_server, world["alpha"]["emails"]["officer"], PHONE)
    page.goto(f"/kelola/alpha/kinerja-harian/pegawai/{world['alpha']['staff']}/hari/{TODAY.isoformat()}")
    assert "Sebutkan nomor antrean pertama dan terakhir." in page.content()
    assert page.get_by_role("button", name="Kirim ulang ke atasan").is_visible()
    context.close()
    with app.app_context():
        report = db.session.scalars(db.select(KinerjaHarianDay).filter_by(day=TODAY)).one()
        assert report.status == DayStatus.DIKEMBALIKAN and not report.late

    for who, url, name in [
        (
            "officer",
            f"/kelola/alpha/kinerja-harian/pegawai/{world['alpha']['staff']}/hari/{TODAY.isoformat()}",
            "hari",
        ),
        ("supervisor", "/kelola/alpha/kinerja-harian/tim", "tim"),
        ("supervisor", f"/kelola/alpha/kinerja-harian/pegawai/{world['alpha']['staff']}/rekap", "rekap"),
        ("officer", f"/kelola/alpha/kinerja-harian/pegawai/{world['alpha']['staff']}", "bulan"),
    ]:
        context, page = _sign_in(browser, live_server, world["alpha"]["emails"][who], DESKTOP)
        page.goto(url)
        screenshot(page, f"{tag}-{name}-1366")
        context.close()
        context, page = _sign_in(browser, live_server, world["alpha"]["emails"][who], PHONE)
        page.goto(url)
        _fits(page)
        screenshot(page, f"{tag}-{name}-390")
        context.close()
