"""A supervisor answers a behaviour questionnaire on a phone, in a real
browser, without JavaScript; screenshots of the main pages at phone and
desktop size."""

from __future__ import annotations

import datetime as dt

import pytest

from plugins.pengembangan.models import PengembanganBehaviour
from portal.extensions import db
from portal.testing import PASSWORD
from tests.conftest import screenshot
from tests.pengembangan.conftest import make_activity, participant_id, rate, today

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}

pytestmark = pytest.mark.slow


def _sign_in(page, email):
    page.goto("/masuk")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")


def test_supervisor_answers_behaviour_questionnaire_on_a_phone(
    app, live_server, world, dev, browser, database_url
):
    day = today(app, world)
    staff = world["alpha"]["staff"]
    activity = make_activity(
        app, world, starts=day - dt.timedelta(days=100), ends=day - dt.timedelta(days=98), officers=[staff]
    )
    pid = participant_id(app, activity, staff)
    context = browser.new_context(
        base_url=live_server, viewport=PHONE, java_script_enabled=False, is_mobile=True
    )
    page = context.new_page()
    _sign_in(page, world["alpha"]["emails"]["supervisor"])
    page.goto("/kelola/alpha/pengembangan/perilaku")
    tag = f"pengembangan-{database_url.split(':')[0]}"
    screenshot(page, f"{tag}-perilaku-1-daftar")
    page.get_by_text("Staf alpha").click()
    assert "Kuesioner perilaku: Staf alpha" in page.locator("h1").inner_text()
    # nothing wider than the screen
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_role("button", name="Kirim jawaban").click()
    assert "Periksa kembali isian" in page.content()
    screenshot(page, f"{tag}-perilaku-2-belum-lengkap")
    page.locator("input[name=applies][value='3']").check()
    page.locator("input[name=improved][value='4']").check()
    page.locator("input[name=shares][value='2']").check()
    page.fill("#example", "Menjelaskan persyaratan dengan daftar periksa.")
    screenshot(page, f"{tag}-perilaku-3-terisi")
    page.get_by_role("button", name="Kirim jawaban").click()
    assert "Jawaban kuesioner perilaku disimpan." in page.content()
    screenshot(page, f"{tag}-perilaku-4-tersimpan")
    context.close()
    with app.app_context():
        answer = db.session.execute(
            db.select(PengembanganBehaviour).filter_by(participant_id=pid)
        ).scalar_one()
        assert (answer.applies, answer.improved, answer.shares) == (3, 4, 2)


def test_screenshots_of_the_main_pages(app, live_server, world, dev, browser, database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("screenshots once")
    day = today(app, world)
    staff = world["alpha"]["staff"]
    activity = make_activity(
        app,
        world,
        starts=day - dt.timedelta(days=30),
        ends=day - dt.timedelta(days=29),
        officers=[staff],
        theme=dev["theme"],
        window_days=14,
    )
    rate(app, world, staff, 38, [3, 3, 2, 3, 3])
    rate(app, world, staff, 20, [4, 4, 3, 4, 4])
    rate(app, world, world["alpha"]["boss"], 38, [3, 3, 3, 3, 3])
    rate(app, world, world["alpha"]["boss"], 20, [3, 3, 4, 3, 3])
    _feedback_and_late_complaints(app, world, day)
    pages = {
        "ringkasan": "/kelola/alpha/pengembangan/",
        "tim": "/kelola/alpha/pengembangan/tim",
        "kebutuhan": "/kelola/alpha/pengembangan/kebutuhan",
        "kebutuhan-pegawai": f"/kelola/alpha/pengembangan/kebutuhan/{staff}",
        "kegiatan": f"/kelola/alpha/pengembangan/kegiatan/{activity}",
        "hasil": f"/kelola/alpha/pengembangan/kegiatan/{activity}/hasil",
        "profil": f"/kelola/alpha/pengembangan/pegawai/{staff}",
        "katalog": "/kelola/alpha/pengembangan/katalog",
        "kegiatan-baru": "/kelola/alpha/pengembangan/kegiatan/baru",
        "umpan-balik-hasil": "/kelola/alpha/pengembangan/umpan-balik/hasil",
    }
    for size_name, size in (("390", PHONE), ("1366", DESKTOP)):
        context = browser.new_context(base_url=live_server, viewport=size, java_script_enabled=False)
        page = context.new_page()
        _sign_in(page, world["alpha"]["emails"]["admin"])
        for name, url in pages.items():
            response = page.goto(url)
            assert response.status == 200, url
            screenshot(page, f"pengembangan-{name}-{size_name}")
        context.close()
        context = browser.new_context(base_url=live_server, viewport=size, java_script_enabled=False)
        page = context.new_page()
        _sign_in(page, world["alpha"]["emails"]["officer"])
        for name, url in (
            ("pegawai-ringkasan", "/kelola/alpha/pengembangan/"),
            ("umpan-balik", "/kelola/alpha/pengembangan/umpan-balik"),
            ("reaksi", f"/kelola/alpha/pengembangan/kegiatan/{activity}/reaksi"),
        ):
            assert page.goto(url).status == 200, url
            screenshot(page, f"pengembangan-{name}-{size_name}")
        context.close()


def _feedback_and_late_complaints(app, world, day):
    """A supervisor's "what to improve" for the staff and a complaint
    category handled late in their unit, for the needs pages."""
    from plugins.pengaduan.models import PengaduanCategory
    from plugins.pengembangan.models import PengembanganTheme
    from portal.builtin.records.models import FeedbackNote
    from portal.core.util.timeutil import utcnow
    from tests.pengembangan.test_needs_sources import _tickets

    with app.app_context():
        agency_id = world["alpha"]["agency"]
        db.session.add(
            FeedbackNote(
                agency_id=agency_id,
                officer_id=world["alpha"]["staff"],
                strengths="Ramah",
                improvements="Jelaskan persyaratan KK dengan daftar periksa sebelum berkas diterima.",
                created_at=utcnow(),
            )
        )
        category = PengaduanCategory(agency_id=agency_id, code="ktp", name="KTP-el", fields_json="[]")
        db.session.add(category)
        db.session.add(
            PengembanganTheme(agency_id=agency_id, name="Penanganan pengaduan", sources="pengaduan")
        )
        db.session.flush()
        _tickets(world, day, category.id, 2, 3, "KTP")
        db.session.commit()
