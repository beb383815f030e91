"""A citizen at the counter, in a real browser at phone size, with and without JavaScript."""

from __future__ import annotations

import io

import pytest
import zxingcpp
from PIL import Image

from plugins.survei.models import SurveiResponse
from portal.core.models import RatingEvent
from portal.extensions import db
from portal.testing import PASSWORD
from tests.conftest import screenshot
from tests.survei.conftest import set_kind

PHONE = {"width": 390, "height": 844}


def _poster_url(app, live_server, world, browser):
    """Sign in as the admin, download the desk's poster and decode its QR code."""
    context = browser.new_context(base_url=live_server)
    page = context.new_page()
    page.goto("/masuk")
    page.fill("#email", world["alpha"]["emails"]["admin"])
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    response = page.request.get(f"/kelola/alpha/survei/loket/{world['alpha']['desk']}/poster-a5.png")
    assert response.ok
    [code] = zxingcpp.read_barcodes(Image.open(io.BytesIO(response.body())))
    context.close()
    return code.text


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_citizen_rates_at_phone_size(app, live_server, world, desk, browser, javascript, database_url):
    url = _poster_url(app, live_server, world, browser)
    assert url.endswith(f"/s/{desk}")
    context = browser.new_context(viewport=PHONE, java_script_enabled=javascript, is_mobile=True)
    page = context.new_page()
    page.goto(url)
    assert page.locator("h1").inner_text() == "Nilai layanan kami"
    tag = f"survei-{'js' if javascript else 'nojs'}-{database_url.split(':')[0]}"
    screenshot(page, f"{tag}-1-form")
    # Two taps: the face, then send.
    page.get_by_text("Puas", exact=True).click()
    page.get_by_role("button", name="Kirim penilaian").click()
    assert page.locator("h1").inner_text() == "Terima kasih!"
    screenshot(page, f"{tag}-2-terima-kasih")
    # Every tap target is at least 44 px high.
    context.close()
    with app.app_context():
        [response] = db.session.scalars(db.select(SurveiResponse)).all()
        assert response.face == 3 and response.officer_id == world["alpha"]["staff"]
        assert db.session.scalars(db.select(RatingEvent.score)).all() == [75.0]


def test_full_skm_form_is_usable_and_tap_targets_are_large(app, live_server, world, desk, browser):
    set_kind(app, world["alpha"]["desk"], "skm")
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server}/s/{desk}")
    heights = page.eval_on_selector_all("label.opt", "els => els.map(e => e.getBoundingClientRect().height)")
    assert heights and min(heights) >= 44
    widths = page.evaluate("document.documentElement.scrollWidth")
    assert widths <= PHONE["width"]  # no sideways scrolling
    page.get_by_role("button", name="Kirim penilaian").click()  # nothing chosen: the browser asks first
    assert page.locator("h1").inner_text() == "Nilai layanan kami"
    assert page.eval_on_selector("input[name=u1]", "e => e.validity.valueMissing")
    for n in range(1, 10):
        page.locator(f"input[name=u{n}][value='4']").check()
    page.get_by_role("button", name="Kirim penilaian").click()
    assert page.locator("h1").inner_text() == "Terima kasih!"
    context.close()
    with app.app_context():
        assert db.session.scalars(db.select(SurveiResponse.u9)).all() == [4]
