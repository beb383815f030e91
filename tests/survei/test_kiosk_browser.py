"""The offline kiosk in a real browser: enrolled with the admin's one-time
code, it takes answers with no connection, keeps them across a reload, and
sends each exactly once when the connection returns."""

from __future__ import annotations

import pytest

from plugins.survei.models import SurveiKioskCapture, SurveiResponse
from portal.extensions import db
from tests.conftest import screenshot
from tests.survei.test_kiosk_enrolment import new_code

pytestmark = pytest.mark.slow

QUEUED = """() => new Promise((resolve, reject) => {
  const open = indexedDB.open("survei-kiosk", 1);
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const request = open.result.transaction("queue").objectStore("queue").getAll();
    request.onsuccess = () => resolve(request.result);
  };
})"""

REQUEUE = """(items) => new Promise((resolve, reject) => {
  const open = indexedDB.open("survei-kiosk", 1);
  open.onsuccess = () => {
    const tx = open.result.transaction("queue", "readwrite");
    items.forEach((item) => tx.objectStore("queue").put(item));
    tx.oncomplete = () => resolve(items.length);
    tx.onerror = () => reject(tx.error);
  };
})"""


def _stored(app):
    with app.app_context():
        responses = db.session.scalars(db.select(SurveiResponse).order_by(SurveiResponse.id)).all()
        captured = set(db.session.scalars(db.select(SurveiKioskCapture.client_uuid)))
        return [(r.face, r.client_uuid in captured) for r in responses]


def _answer(page, face_label):
    page.get_by_role("button", name=face_label, exact=True).click()
    page.get_by_role("heading", name="Terima kasih!").wait_for()
    page.locator("#thanks").click()  # the next citizen taps on
    page.locator("#quick").wait_for(state="visible")


def test_kiosk_works_offline_and_sends_each_answer_once(app, live_server, world, desk, browser):
    code = new_code(app, world)
    context = browser.new_context(base_url=live_server, viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.goto("/alpha/survei/kiosk/")
    screenshot(page, "kiosk-1-daftar-1366")
    page.fill("#code", code)
    page.get_by_role("button", name="Daftarkan").click()
    # The enrolment page keeps the credential and opens the kiosk.
    page.locator("#quick").wait_for(state="visible")
    assert page.locator("#desk-name").inner_text() == "Pelayanan Umum — Loket 1"
    assert page.locator("#queue-status").inner_text() == "Semua jawaban sudah terkirim."
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    screenshot(page, "kiosk-2-wajah-1366")

    context.set_offline(True)
    for label in ("Sangat puas", "Kurang puas", "Tidak puas"):
        _answer(page, label)
    page.get_by_text("3 jawaban menunggu dikirim").wait_for()
    screenshot(page, "kiosk-3-offline-1366")
    assert _stored(app) == []

    # Reloaded with no connection: the service worker serves the page, the
    # queue is still there.
    page.reload()
    page.locator("#quick").wait_for(state="visible")
    page.get_by_text("3 jawaban menunggu dikirim").wait_for()
    queued = page.evaluate(QUEUED)
    assert sorted(item["face"] for item in queued) == [1, 2, 4]
    assert _stored(app) == []

    context.set_offline(False)
    page.get_by_text("Semua jawaban sudah terkirim.").wait_for()
    assert sorted(_stored(app)) == [(1, True), (2, True), (4, True)]

    # A second sync of the same answers (say their acknowledgement was lost)
    # stores nothing twice.
    assert page.evaluate(REQUEUE, queued) == 3
    page.reload()
    page.get_by_text("Semua jawaban sudah terkirim.").wait_for()
    assert sorted(_stored(app)) == [(1, True), (2, True), (4, True)]
    context.close()


def test_kiosk_skm_form_at_phone_and_desktop_size(app, live_server, world, desk, browser):
    from tests.survei.conftest import set_kind

    set_kind(app, world["alpha"]["desk"], "skm")
    code = new_code(app, world)
    for name, viewport in (("390", {"width": 390, "height": 844}), ("1366", {"width": 1366, "height": 768})):
        context = browser.new_context(base_url=live_server, viewport=viewport)
        page = context.new_page()
        page.goto("/alpha/survei/kiosk/")
        if name == "390":
            page.fill("#code", code)
            page.get_by_role("button", name="Daftarkan").click()
            page.locator("#skm").wait_for(state="visible")
            # Every unsur, then send: stored, once.
            for n in range(1, 10):
                page.locator(f"input[name=u{n}][value='3']").check()
            screenshot(page, f"kiosk-skm-{name}")
            # "All sent" is also what an empty queue says before anything is sent:
            # wait for the sync itself.
            with page.expect_response(
                lambda r: "/api/v1/survei/responses" in r.url and r.request.method == "POST"
            ) as synced:
                page.get_by_role("button", name="Kirim penilaian").click()
            assert synced.value.ok
            page.get_by_text("Semua jawaban sudah terkirim.").wait_for()
            with app.app_context():
                [response] = db.session.scalars(db.select(SurveiResponse)).all()
                assert response.kind == "skm" and response.u9 == 3
        else:
            screenshot(page, f"kiosk-daftar-{name}")
        context.close()
