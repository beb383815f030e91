"""A citizen's survey journey in a real browser at phone size (390×844), with
JavaScript on and off: scan the desk's QR code, answer the full SKM (the
respondent section opens when tapped), send, and find the published results.
Also the pages of the published report: the public results at 390 px, the
staff report as printed, and a desk poster that prints a long name whole."""

from __future__ import annotations

import datetime as dt

import pytest

from plugins.survei.models import SurveiResponse
from portal.core.models import Desk, Unit
from portal.extensions import db
from portal.testing import PASSWORD
from tests.conftest import screenshot
from tests.survei.conftest import set_kind
from tests.test_accessibility import _violations, axe_source  # noqa: F401  (a fixture)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}
LONG_NAME = "Pelayanan Dokumen Kependudukan — Loket 1"


def _tag(database_url: str, *parts) -> str:
    return "-".join(["survei-journey", database_url.split(":")[0].split("+")[0], *parts])


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_citizen_answers_the_full_skm_and_finds_the_results(
    app,
    live_server,
    world,
    desk,
    browser,
    javascript,
    database_url,
    axe_source,  # noqa: F811
):
    set_kind(app, world["alpha"]["desk"], "skm")
    tag = _tag(database_url, "js" if javascript else "nojs")
    context = browser.new_context(
        base_url=live_server, viewport=PHONE, is_mobile=True, java_script_enabled=javascript, bypass_csp=True
    )
    page = context.new_page()
    problems = {}

    def check(name):
        screenshot(page, f"{tag}-{name}")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], name
        if javascript:
            problems[name] = _violations(page, axe_source)

    page.goto(f"/s/{desk}")
    assert page.locator("h1").inner_text() == "Nilai layanan kami"
    assert "Pelayanan Umum — Loket 1" in page.locator("main").inner_text()
    # Nine questions of two-by-two answers: about three phone screens, not five.
    assert page.evaluate("document.documentElement.scrollHeight") < 3.6 * PHONE["height"]
    check("1-form")

    # The respondent section looks like something that opens, and opens.
    summary = page.locator("details.profile summary")
    assert "Ketuk untuk mengisi" in summary.inner_text()
    assert (
        page.eval_on_selector("details.profile summary", "e => getComputedStyle(e).borderTopWidth") != "0px"
    )
    assert not page.locator("#sex").is_visible()
    summary.click()
    assert page.locator("#sex").is_visible()
    page.select_option("#sex", "P")
    page.select_option("#age_group", "31-40")
    check("2-profil-terbuka")

    # Sending too early: the browser asks for the first unanswered question.
    page.get_by_role("button", name="Kirim penilaian").click()
    assert page.locator("h1").inner_text() == "Nilai layanan kami"
    assert page.eval_on_selector("input[name=u1]", "e => e.validity.valueMissing")
    for n in range(1, 10):
        page.locator(f"input[name=u{n}][value='{3 if n == 9 else 4}']").check()
    page.fill("#comment", "Antrean rapi, terima kasih")
    page.get_by_role("button", name="Kirim penilaian").click()
    assert page.locator("h1").inner_text() == "Terima kasih!"
    check("3-terima-kasih")

    # From the thanks page to the published results, by links alone.
    page.get_by_role("link", name="Layanan lain dari Dinas Alpha").click()
    page.get_by_role("link", name="Survei Kepuasan Masyarakat").first.click()
    page.get_by_role("link", name="Lihat hasil survei").click()
    assert page.locator("h1").inner_text() == "Hasil Survei Kepuasan Masyarakat"
    unit = page.locator("section.panel", has=page.get_by_role("heading", name="Pelayanan Umum"))
    text = unit.inner_text()
    assert "97,22" in text and "Mutu A (Sangat Baik)" in text and "1 responden" in text
    assert "Antrean rapi" not in page.content()  # suggestions are not published
    check("4-hasil")
    context.close()
    assert not {name: v for name, v in problems.items() if v}, problems
    with app.app_context():
        [response] = db.session.scalars(db.select(SurveiResponse)).all()
        assert (response.u1, response.u9, response.sex, response.age_group) == (4, 3, "P", "31-40")


def _login(page, email):
    page.goto("/masuk")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")


def _responses(app, world, count=12):
    with app.app_context():
        for i in range(count):
            db.session.add(
                SurveiResponse(
                    agency_id=world["alpha"]["agency"],
                    unit_id=world["alpha"]["unit"],
                    desk_id=world["alpha"]["desk"],
                    kind="skm",
                    sex="LP"[i % 2],
                    created_at=dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(hours=1),
                    **{f"u{n}": 3 + (i + n) % 2 for n in range(1, 10)},
                )
            )
        db.session.commit()


def test_public_results_fit_a_phone_without_javascript(app, live_server, world, browser, database_url):
    _responses(app, world)
    for size, viewport in (("390", PHONE), ("1366", DESKTOP)):
        context = browser.new_context(base_url=live_server, viewport=viewport, java_script_enabled=False)
        page = context.new_page()
        page.goto("/alpha/survei/hasil")
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        grade = page.locator("section.panel", has=page.get_by_role("heading", name="Pelayanan Umum"))
        assert grade.locator("strong").nth(1).is_visible()  # the grade, on screen
        box = grade.locator("strong").nth(1).bounding_box()
        assert box["x"] + box["width"] <= viewport["width"]
        screenshot(page, _tag(database_url, "hasil", size))
        context.close()


def test_staff_report_prints_on_a4_without_navigation_or_links(
    app, live_server, world, browser, database_url
):
    _responses(app, world)
    context = browser.new_context(base_url=live_server, viewport=DESKTOP)
    page = context.new_page()
    _login(page, world["alpha"]["emails"]["admin"])
    page.goto(f"/kelola/alpha/survei/laporan?unit={world['alpha']['unit']}")
    assert page.locator("form.search").is_visible() and page.locator(".report-actions").is_visible()
    screenshot(page, _tag(database_url, "laporan-layar"))
    page.emulate_media(media="print")
    for hidden in ("header.top", "footer.foot", "form.search", ".report-actions", ".report-tools"):
        assert not page.locator(hidden).first.is_visible(), hidden
    assert page.locator("h1").inner_text() == "Laporan Survei Kepuasan Masyarakat"
    assert page.locator(".signature").is_visible()
    visible_links = page.eval_on_selector_all(
        "main a[href]", "els => els.filter(e => e.getClientRects().length).map(e => e.textContent)"
    )
    assert visible_links == [], visible_links  # hidden, or plain text in print (the unit name)
    breaks = page.eval_on_selector_all("main table", "els => els.map(e => getComputedStyle(e).breakInside)")
    assert breaks and set(breaks) == {"avoid"}
    screenshot(page, _tag(database_url, "laporan-cetak"))
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    assert pdf.startswith(b"%PDF")
    context.close()


def test_a_long_desk_name_is_printed_whole_on_the_poster(app, live_server, world, browser, database_url):
    with app.app_context():
        desk = db.session.get(Desk, world["alpha"]["desk"])
        db.session.get(Unit, world["alpha"]["unit"]).name = "Dinas Kependudukan dan Pencatatan Sipil"
        desk.name = LONG_NAME
        db.session.commit()
    context = browser.new_context(base_url=live_server, viewport=DESKTOP)
    page = context.new_page()
    _login(page, world["alpha"]["emails"]["admin"])
    whole = f"Dinas Kependudukan dan Pencatatan Sipil — {LONG_NAME}"
    for size, width in (("a4", 210), ("a5", 148)):
        page.goto(f"/kelola/alpha/survei/loket/{world['alpha']['desk']}/poster?ukuran={size}")
        lines = page.eval_on_selector_all(
            ".sheet svg text[fill='#0b5394']",
            "els => els.map(e => { const b = e.getBBox(); return [e.textContent, b.x, b.x + b.width]; })",
        )
        assert " ".join(text for text, _left, _right in lines) == whole
        for text, left, right in lines:
            assert 0 <= left and right <= width, (size, text, left, right)  # nothing cut at the edge
        screenshot(page, _tag(database_url, "poster", size))
    context.close()
