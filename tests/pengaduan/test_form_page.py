"""The filing form as a cheap phone on a slow link gets it: light, and
complete without its script."""

from __future__ import annotations

import gzip
import re


def test_the_filing_form_is_light_and_works_without_its_script(client, cats):
    page = client.get("/alpha/pengaduan/baru")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    # The only script is the module's own file, deferred: an enhancement.
    [script] = re.findall(r"<script[^>]*>", html)
    assert re.fullmatch(r'<script src="/alpha/pengaduan/static/lokasi\.js\?v=\w+" defer>', script)
    # Without it, "use my location" stays hidden and the address and the
    # coordinates are there to type.
    assert '<div id="lokasi-saya" class="locate" hidden' in html
    assert 'id="address"' in html and 'id="lat"' in html and 'id="lon"' in html
    # Nothing is chosen for the citizen.
    assert '<option selected value="">— pilih jenis pengaduan —</option>' in html
    weight = len(gzip.compress(page.data, 6))
    for asset in (
        "/static/portal.css",
        "/alpha/pengaduan/static/pengaduan.css",
        "/alpha/pengaduan/static/lokasi.js",
    ):
        file = client.get(asset)
        assert file.status_code == 200, asset
        weight += len(gzip.compress(file.data, 6))
        file.close()
    assert weight <= 15 * 1024, weight
