"""The forum journey in a real browser at phone size, from registration to
the panel rating, with JavaScript on and off: at every step the next thing
a person can do is offered, nothing is offered that cannot be done now,
errors show where the eye is, and axe-core finds nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from plugins.dialog_publik.models import DialogEvent, DialogPanelist, DialogRating, DialogRegistration
from portal.core.util.timeutil import utcnow
from portal.extensions import db
from portal.testing import PASSWORD
from tests.conftest import screenshot
from tests.test_accessibility import _violations, axe_source  # noqa: F401 - the fixture

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1366, "height": 768}


@pytest.fixture
def forum(app, world):
    """A published forum starting in an hour (so the door is open) with two panelists."""
    with app.app_context():
        start = utcnow() + dt.timedelta(hours=1)
        event = DialogEvent(
            agency_id=world["alpha"]["agency"],
            title="Forum Layanan KTP",
            topic="KTP",
            description="Tanya jawab KTP-el.",
            mode="tatap_muka",
            venue="Aula",
            starts_at=start,
            ends_at=start + dt.timedelta(hours=2),
            capacity=20,
            status="terbit",
            panelists=[
                DialogPanelist(officer_id=world["alpha"]["boss"]),
                DialogPanelist(officer_id=world["alpha"]["staff"]),
            ],
        )
        db.session.add(event)
        db.session.commit()
        return event.id


def _in_view(page, selector: str) -> bool:
    """The element is on screen without scrolling."""
    box = page.locator(selector).first.bounding_box()
    height = page.viewport_size["height"]
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height


def _offered(page, name: str) -> bool:
    return page.get_by_role("button", name=name).count() + page.get_by_role("link", name=name).count() > 0


class Walk:
    """One person's steps: screenshots named in order, axe run on each page."""

    def __init__(self, page, tag, axe):
        self.page, self.tag, self.axe, self.step, self.problems = page, tag, axe, 0, {}

    def look(self, name: str) -> None:
        self.step += 1
        screenshot(self.page, f"{self.tag}-{self.step:02d}-{name}")
        assert self.page.evaluate("document.documentElement.scrollWidth") <= self.page.viewport_size["width"]
        if self.axe:
            found = _violations(self.page, self.axe)
            if found:
                self.problems[name] = found


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_forum_from_registration_to_panel_rating(
    app,
    world,
    live_server,
    browser,
    forum,
    javascript,
    database_url,
    axe_source,  # noqa: F811
):
    tag = f"forum-{'js' if javascript else 'nojs'}-{database_url.split(':')[0].split('+')[0]}"
    # bypass_csp only lets the test inject axe-core; the pages carry no script of their own.
    citizen = browser.new_context(viewport=PHONE, java_script_enabled=javascript, bypass_csp=True)
    page = citizen.new_page()
    walk = Walk(page, tag, axe_source if javascript else None)
    event_url = f"{live_server}/alpha/dialog/{forum}"

    # 1. The event page: registration offered, no minutes or attendance before the start.
    page.goto(event_url)
    assert page.locator("h1").inner_text() == "Forum Layanan KTP"
    assert _offered(page, "Daftar") and page.get_by_text("Notulen").count() == 0
    walk.look("acara")

    # 2. An empty registration: the errors are on screen, nothing stored.
    page.get_by_role("button", name="Daftar").click()
    assert page.locator("#name-error").is_visible() and _in_view(page, "#name-error")
    walk.look("daftar-kosong")

    # 3. Registered: the code and QR, a question can be asked, cancelling is offered, rating not yet.
    page.fill("#name", "Sari")
    page.fill("#contact", "0812 3456 7000")
    page.get_by_role("button", name="Daftar").click()
    assert page.locator("h2").first.inner_text() == "Anda terdaftar"
    code = page.locator(".ticket-code strong").inner_text()
    assert page.locator(".qr svg").count() == 1
    assert _offered(page, "Kirim pertanyaan") and _offered(page, "Batalkan pendaftaran")
    assert not _offered(page, "Beri penilaian narasumber")
    walk.look("konfirmasi")

    # 4. A question from the confirmation page: a short one is refused on screen,
    # then one waits for moderation.
    page.fill("#question", "Pendek")
    page.get_by_role("button", name="Kirim pertanyaan").click()
    assert _in_view(page, "#question-error") and "10–500" in page.locator("#question-error").inner_text()
    walk.look("pertanyaan-pendek")
    page.fill("#question", "Apakah perekaman KTP-el bisa di kecamatan?")
    page.get_by_role("button", name="Kirim pertanyaan").click()
    assert page.get_by_text("menunggu moderasi").first.is_visible()
    walk.look("pertanyaan-terkirim")

    # 5. The event page recognises this phone: no code to type, no second registration form in the way.
    page.goto(event_url)
    assert page.get_by_text("Anda terdaftar untuk acara ini.").is_visible()
    assert page.locator("#code").count() == 0 and _offered(page, "Lihat pendaftaran Anda")
    walk.look("acara-dikenali")

    # 6. At the door: staff check the code in (check-in is open an hour before the start).
    staff = browser.new_context(viewport=PHONE)
    desk = staff.new_page()
    desk.goto(f"{live_server}/masuk")
    desk.fill("#email", world["alpha"]["emails"]["admin"])
    desk.fill("#password", PASSWORD)
    desk.click("button[type=submit]")
    desk.goto(f"{live_server}/kelola/alpha/dialog/")
    row = desk.locator("tr", has_text="Forum Layanan KTP")
    assert row.get_by_role("link", name="Pertanyaan").count() == 1
    assert row.get_by_role("link", name="Kehadiran").count() == 1
    assert row.get_by_role("link", name="Notulen dan penilaian").count() == 0  # not started yet
    screenshot(desk, f"{tag}-staff-daftar-acara")
    desk.goto(f"{live_server}/kelola/alpha/dialog/acara/{forum}")
    assert desk.locator("input[type=checkbox][name=panelists]").count() == 2
    assert desk.locator("select[multiple]").count() == 0
    assert desk.get_by_role("button", name="Tandai selesai").count() == 0  # not started yet
    screenshot(desk, f"{tag}-staff-ubah-acara")
    desk.goto(f"{live_server}/kelola/alpha/dialog/acara/{forum}/hadir")
    desk.fill("#code", code.lower())
    desk.get_by_role("button", name="Catat hadir", exact=True).click()
    assert desk.get_by_text("Sari hadir.").is_visible()
    screenshot(desk, f"{tag}-staff-hadir")
    staff.close()

    # 7. Attended, before the start: no cancel button, rating announced but not offered.
    page.goto(f"{live_server}/alpha/dialog/pendaftaran/{code}")
    assert page.get_by_text("Anda tercatat hadir.").is_visible()
    assert not _offered(page, "Batalkan pendaftaran") and not _offered(page, "Beri penilaian narasumber")
    assert page.get_by_text("Penilaian narasumber dibuka saat acara dimulai").is_visible()
    walk.look("hadir-sebelum-mulai")

    # The forum begins.
    with app.app_context():
        event = db.session.get(DialogEvent, forum)
        event.starts_at = utcnow() - dt.timedelta(minutes=10)
        db.session.commit()

    # 8. Started: the rating is offered; an empty form is refused on screen and nothing stored.
    page.reload()
    page.get_by_role("link", name="Beri penilaian narasumber").click()
    assert page.locator("h1").inner_text() == "Nilai acara dan narasumber"
    page.get_by_role("button", name="Kirim penilaian").click()
    assert _in_view(page, "#rating-error") and "Pilih nilai" in page.locator("#rating-error").inner_text()
    assert page.get_by_text("Terima kasih").count() == 0
    walk.look("penilaian-kosong")
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(DialogRating.id))) == 0

    # 9. Rated: thanked, and no send button any more.
    page.check("input[name=nilai_0][value='5']")
    page.check(f"input[name=nilai_{world['alpha']['boss']}][value='4']")
    page.get_by_role("button", name="Kirim penilaian").click()
    assert page.get_by_text("Terima kasih atas penilaian Anda.").is_visible()
    walk.look("penilaian-terkirim")
    page.check(f"input[name=nilai_{world['alpha']['staff']}][value='3']")
    page.get_by_role("button", name="Kirim penilaian").click()
    assert not _offered(page, "Kirim penilaian")
    assert page.get_by_text("Penilaian Anda sudah tercatat. Terima kasih.").is_visible()
    walk.look("penilaian-selesai")

    # 10. Back on the registration: the journey is complete, nothing more to do.
    page.goto(f"{live_server}/alpha/dialog/pendaftaran/{code}")
    assert page.get_by_text("Penilaian Anda sudah tercatat. Terima kasih.").is_visible()
    assert not _offered(page, "Beri penilaian narasumber") and not _offered(page, "Batalkan pendaftaran")
    walk.look("selesai")
    citizen.close()

    # The same pages at desk size, to look at.
    wide = browser.new_context(viewport=DESK, java_script_enabled=javascript)
    other = wide.new_page()
    for name, url in (
        ("acara", event_url),
        ("konfirmasi", f"{live_server}/alpha/dialog/pendaftaran/{code}"),
        ("penilaian", f"{live_server}/alpha/dialog/pendaftaran/{code}/nilai"),
    ):
        other.goto(url)
        screenshot(other, f"{tag}-desk-{name}")
    wide.close()

    with app.app_context():
        [registration] = db.session.scalars(db.select(DialogRegistration)).all()
        ratings = db.session.scalars(db.select(DialogRating).filter_by(registration_id=registration.id)).all()
        assert registration.checked_in_at is not None and len(ratings) == 3
    assert not walk.problems, walk.problems
