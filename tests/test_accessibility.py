"""Accessibility: axe-core (from the npm registry) run inside Debian's
Chromium on every citizen page and the main staff pages, at phone size and
at desktop size, against WCAG 2.0/2.1 A and AA. Zero violations allowed.

axe-core is installed once into .venv/axe with npm; without npm the test is
skipped with the reason (a failure in CI, where the browser is required)."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REQUIRE_BROWSER

ROOT = Path(__file__).resolve().parent.parent
AXE_VERSION = "4.11.0"
AXE = ROOT / ".venv" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PASSWORD = "demo-sukamaju-2026"
ADMIN = "admin.disdukcapil@sukamaju.example"


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.exists():
        npm = shutil.which("npm")
        if npm is None:
            reason = "npm not found: cannot install axe-core"
            if REQUIRE_BROWSER:
                pytest.fail(reason + " (PORTAL_TEST_REQUIRE_BROWSER=1)")
            pytest.skip(reason)
        subprocess.run(
            [
                npm,
                "install",
                "--prefix",
                str(AXE.parents[2]),
                f"axe-core@{AXE_VERSION}",
                "--no-audit",
                "--no-fund",
                "--silent",
            ],
            check=True,
            timeout=300,
        )
    return AXE.read_text()


@pytest.fixture
def site(app):
    """The demo data, plus a forum with a registration and a resolved
    complaint, so that every kind of citizen page has something to show."""
    from plugins.dialog_publik.models import DialogEvent
    from plugins.dialog_publik.service import register
    from plugins.pengaduan.models import PengaduanTicket
    from portal.builtin.demo.seed import seed
    from portal.core.models import Agency, Desk, Officer, Unit
    from portal.core.util.timeutil import utcnow
    from portal.extensions import db

    with app.app_context():
        seed()
        agency = db.session.scalars(db.select(Agency).filter_by(slug="disdukcapil")).one()
        agency.address = "Jl. Veteran No. 12, Sukamaju 43111"  # the footer's contact block
        agency.phone = "(0266) 221234"
        agency.service_hours = "Senin–Kamis 08.00–15.00, Jumat 08.00–11.00"
        agency.complaint_hotline = "0812-3456-7890"
        event = db.session.scalars(
            db.select(DialogEvent).filter_by(agency_id=agency.id).order_by(DialogEvent.id)
        ).first()
        event.starts_at = utcnow() + dt.timedelta(days=5)
        event.ends_at = event.starts_at + dt.timedelta(hours=2)
        event.status = "terbit"
        db.session.commit()
        registration, _created = register(event.id, "Warga Uji", "081234567890")
        tickets = db.session.scalars(
            db.select(PengaduanTicket).filter_by(agency_id=agency.id).order_by(PengaduanTicket.id)
        ).all()
        resolved = next(t for t in tickets if t.status == "selesai")
        desk = db.session.scalars(
            db.select(Desk).join(Unit).where(Unit.agency_id == agency.id).order_by(Desk.id)
        ).first()
        officer = db.session.scalars(
            db.select(Officer).filter_by(agency_id=agency.id).order_by(Officer.id)
        ).first()
        return {
            "event": event.id,
            "registration": registration.code,
            "ticket": tickets[0].code,
            "resolved": resolved.code,
            "token": desk.qr_token,
            "desk": desk.id,
            "officer": officer.id,
        }


def _citizen_pages(site) -> list[str]:
    return [
        "/",
        "/disdukcapil/",
        f"/s/{site['token']}",
        f"/s/{site['token']}/terima-kasih",
        "/disdukcapil/survei/",
        "/disdukcapil/survei/hasil",
        "/disdukcapil/pengaduan/",
        "/disdukcapil/pengaduan/baru",
        f"/disdukcapil/pengaduan/lacak/{site['ticket']}",
        f"/disdukcapil/pengaduan/lacak/{site['resolved']}",
        "/disdukcapil/dialog/",
        "/dialog/",
        f"/disdukcapil/dialog/{site['event']}",
        f"/disdukcapil/dialog/pendaftaran/{site['registration']}",
        "/masuk",
        "/tidak-ada-halaman/",
    ]


def _staff_pages(site) -> list[str]:
    return [
        "/kelola/",
        "/kelola/disdukcapil/",
        "/kelola/disdukcapil/pengaduan/",
        f"/kelola/disdukcapil/pengaduan/tiket/{site['ticket']}",
        "/kelola/disdukcapil/survei/",
        "/kelola/disdukcapil/survei/laporan",
        "/kelola/disdukcapil/dialog/",
        f"/kelola/disdukcapil/dialog/acara/{site['event']}",
        "/kelola/disdukcapil/pegawai",
        "/kinerja/disdukcapil/tim",
        f"/kinerja/pegawai/{site['officer']}",
        "/kelola/disdukcapil/modul",
        "/kelola/disdukcapil/modul/pengaduan/nonaktifkan",
        "/kelola/disdukcapil/profil",
    ]


def _violations(page, axe_source) -> list[str]:
    page.add_script_tag(content=axe_source)
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]


# Every target a thumb must hit, at phone size: its height in CSS pixels.
# Links inside a sentence are exempt (WCAG 2.5.8 "inline"); a radio button or
# check box is hit through its label, which is measured instead.
_TARGETS = """() => [...document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, summary')].filter(e => {
  if (e.closest('[aria-hidden=true]') || e.classList.contains('skip')) return false;
  if (!e.getClientRects().length) return false;
  if (e.tagName === 'A') {
    const around = e.parentElement.textContent.replace(e.textContent, '');
    if (/\\p{L}/u.test(around)) return false;  // inside a sentence
  }
  return true;
}).map(e => {
  const target = (e.type === 'radio' || e.type === 'checkbox') ? (e.closest('label') || e) : e;
  return [e.outerHTML.slice(0, 80), target.getBoundingClientRect().height];
})"""


def test_touch_targets_are_at_least_44_px_on_citizen_pages(app, site, live_server, browser):
    context = browser.new_context(
        base_url=live_server, viewport={"width": 390, "height": 844}, java_script_enabled=False
    )
    page = context.new_page()
    small, counted = {}, 0
    for url in _citizen_pages(site):
        page.goto(url)
        targets = page.evaluate(_TARGETS)
        counted += len(targets)
        too_small = [(html, round(h, 1)) for html, h in targets if h < 44]
        if too_small:
            small[url] = too_small
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, url  # no sideways scrolling
    context.close()
    assert counted > 100
    assert not small, "\n".join(f"{url}: {found}" for url, found in small.items())


@pytest.mark.parametrize(
    "viewport", [{"width": 390, "height": 844}, {"width": 1280, "height": 900}], ids=["phone", "desktop"]
)
def test_no_wcag_violations_on_citizen_and_staff_pages(app, site, live_server, browser, axe_source, viewport):
    # The CSP (rightly) forbids inline script; axe is injected for the test only.
    context = browser.new_context(base_url=live_server, viewport=viewport, bypass_csp=True)
    page = context.new_page()
    found = {}
    for url in _citizen_pages(site):
        page.goto(url)
        found[url] = _violations(page, axe_source)
    page.goto("/masuk")
    page.fill("#email", ADMIN)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    for url in _staff_pages(site):
        response = page.goto(url)
        assert response.status < 400, url
        found[url] = _violations(page, axe_source)
    # A form answered with errors: its summary and the fields marked.
    page.goto("/kelola/disdukcapil/unit/baru")
    page.get_by_role("button", name="Simpan", exact=True).click()
    assert page.locator("#ringkasan-galat").count() == 1
    found["/kelola/disdukcapil/unit/baru (galat)"] = _violations(page, axe_source)
    context.close()
    problems = {url: v for url, v in found.items() if v}
    assert not problems, problems
