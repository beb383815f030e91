"""A citizen's phone on a slow link: the QR journey and the complaint journey
in Chromium with network and CPU emulation.

    python benchmarks/phone.py [--runs 5] [--db sqlite|postgresql]

The portal runs under gunicorn (the same settings as ``run.py``) on a fresh
database with the benchmark agency. Each run opens a new browser context
(nothing cached, as a phone that has never seen the portal; within the
journey its cache works as a phone's does) at 390 × 844
and sets, through the DevTools protocol, 400 kbit/s down and up with 400 ms
round trip (``Network.emulateNetworkConditions``) and a 4× CPU slowdown
(``Emulation.setCPUThrottlingRate``). Then:

* QR journey: open ``/s/<token>``; *form usable* is the page's load event
  (HTML and stylesheet in, the form laid out: the pages need no
  JavaScript), from the navigation's start. Tap a face, press send; *thanks
  shown* is from the press to the thanks page's load event. *Done* is the
  sum, the time the citizen waits, their own tapping excluded.
* Complaint journey: open ``/bench/pengaduan/baru`` (form usable as above),
  fill title, description, name and telephone, send; *receipt shown* is from the press to
  the load event of the page with the ticket code.

Medians over the runs are printed with the targets (form usable ≤ 1.5 s,
quick survey done ≤ 3 s, complaint form usable ≤ 2 s).
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import run as bench  # noqa: E402

CHROMIUM = os.environ.get("BENCH_CHROMIUM", "/usr/bin/chromium")
NETWORK = {
    "offline": False,
    "latency": 400,  # ms, round trip
    "downloadThroughput": 400 * 1000 / 8,  # bytes/s
    "uploadThroughput": 400 * 1000 / 8,
}
CPU_SLOWDOWN = 4
TARGETS = {"survey form usable": 1.5, "quick survey done": 3.0, "complaint form usable": 2.0}


def _load_ms(page) -> float:
    """The current page's load event, in ms from its navigation's start."""
    return page.evaluate(
        "() => { const n = performance.getEntriesByType('navigation')[0];"
        " return n.loadEventEnd - n.startTime; }"
    )


def _phone(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", NETWORK)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    return context, page


def qr_journey(browser, base: str, token: str) -> dict:
    context, page = _phone(browser)
    try:
        page.goto(f"{base}/s/{token}", wait_until="load")
        usable = _load_ms(page) / 1000
        page.locator("input[name=face][value='4']").check()
        start = time.perf_counter()
        with page.expect_navigation(url=f"**/s/{token}/terima-kasih", wait_until="load"):
            page.locator("button[type=submit]").click()
        thanks = time.perf_counter() - start
        return {"survey form usable": usable, "thanks shown": thanks, "quick survey done": usable + thanks}
    finally:
        context.close()


def complaint_journey(browser, base: str) -> dict:
    context, page = _phone(browser)
    try:
        page.goto(f"{base}/bench/pengaduan/baru", wait_until="load")
        usable = _load_ms(page) / 1000
        page.select_option("#category_id", index=1)  # nothing is preselected: the citizen chooses
        page.fill("input[name=title]", "Antrean loket terlalu lama")
        page.fill("textarea[name=description]", "Saya menunggu dua jam di loket tanpa ada panggilan.")
        page.fill("input[name=name]", "Siti Warga")
        page.fill("input[name=phone]", "081234567890")
        start = time.perf_counter()
        with page.expect_navigation(wait_until="load"):
            page.locator("form button[type=submit]").last.click()
        receipt = time.perf_counter() - start
        errors = page.locator(".error").all_inner_texts()
        assert not errors, (page.url, errors)
        return {"complaint form usable": usable, "receipt shown": receipt}
    finally:
        context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    workdir = Path(tempfile.mkdtemp(prefix="bench-phone-"))
    portal_url, _unused, drop = bench.database_urls(args.db, workdir)
    (workdir / "portal.cfg").write_text("RATELIMIT_ENABLED = False\n")
    env = {
        "PORTAL_DATABASE_URL": portal_url,
        "PORTAL_SECRET_KEY": secrets.token_hex(32),
        "PORTAL_CONFIG": str(workdir / "portal.cfg"),
        "PORTAL_SECURE_COOKIES": "0",
    }
    server = None
    try:
        seed = bench.migrate_and_seed(env, 0)
        server = bench.Gunicorn("portal:create_app()", env)
        bench.wait_http(server.url + "/healthz")
        runs = []
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM)
            for _ in range(args.runs):
                runs.append(
                    {
                        **qr_journey(browser, server.url, seed["token"]),
                        **complaint_journey(browser, server.url),
                    }
                )
            browser.close()
    finally:
        if server is not None:
            server.stop()
        drop()
    print(
        f"# phone: 390×844, {NETWORK['downloadThroughput'] * 8 / 1000:.0f} kbit/s, "
        f"{NETWORK['latency']} ms round trip, CPU ÷{CPU_SLOWDOWN}; {args.db}; "
        f"median of {args.runs} cold runs (seconds)\n"
    )
    print("| measure | median s | min–max s | target |\n|---|---|---|---|")
    for name in runs[0]:
        values = [r[name] for r in runs]
        target = TARGETS.get(name)
        verdict = (
            f"≤ {target} s {'met' if statistics.median(values) <= target else 'MISSED'}" if target else ""
        )
        print(
            f"| {name} | {statistics.median(values):.2f} | {min(values):.2f}–{max(values):.2f} | {verdict} |"
        )


if __name__ == "__main__":
    main()
