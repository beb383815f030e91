"""Error pages in the portal's look and the visitor's language, and citizen
pages light enough for a cheap phone on a slow link."""

from __future__ import annotations

import gzip
import hashlib
import re
from pathlib import Path

import pytest

from portal.testing import csrf_token, login

ERRORS = {
    403: ("Akses ditolak", "Access denied"),
    404: ("Halaman tidak ditemukan", "Page not found"),
    429: ("Terlalu banyak permintaan", "Too many requests"),
    500: ("Terjadi kesalahan", "Something went wrong"),
    503: ("Layanan sedang tidak tersedia", "Service temporarily unavailable"),
}


def _trigger(app, client, world, code):
    """Make the portal answer ``code`` the way a visitor would meet it."""
    from sqlalchemy.exc import OperationalError

    if code == 403:
        login(client, world["alpha"]["emails"]["officer"])
        return client.get("/kelola/alpha/unit")
    if code == 404:
        return client.get("/alpha/tidak-ada")
    if code == 429:
        app.config["PORTAL_LOGIN_RATE_LIMIT"] = "1 per minute"
        token = csrf_token(client, "/masuk")
        for _ in range(2):
            answer = client.post(
                "/masuk", data={"csrf_token": token, "email": "x@x.example", "password": "x"}
            )
        return answer
    if code == 500:

        @app.route("/_test/rusak")
        def broken():
            raise RuntimeError("a bug")

        return client.get("/_test/rusak")

    @app.route("/_test/db-mati")
    def database_gone():
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))

    return client.get("/_test/db-mati")


@pytest.mark.parametrize("code", sorted(ERRORS))
@pytest.mark.parametrize("language", ["id", "en"])
def test_error_pages_have_the_portals_look_and_language(app, world, code, language):
    client = app.test_client()
    with client.session_transaction() as session:
        session["lang"] = language
    answer = _trigger(app, client, world, code)
    page = answer.get_data(as_text=True)
    assert answer.status_code == code
    assert f'<html lang="{language}">' in page and "portal.css" in page  # the portal's own layout
    assert ERRORS[code][0 if language == "id" else 1] in page
    assert "Traceback" not in page and "a bug" not in page
    assert ("Kembali ke beranda" if language == "id" else "Back to the home page") in page


CITIZEN_PAGES = [
    "/",
    "/alpha/",
    "/s/{token}",
    "/s/{token}/terima-kasih",
    "/alpha/survei/",
    "/alpha/survei/hasil",
    "/alpha/pengaduan/",
    "/alpha/pengaduan/baru",
    "/alpha/dialog/",
    "/dialog/",
    "/masuk",
]


def test_citizen_pages_are_light_and_need_no_script(app, client, world):
    """Each page with its stylesheets and scripts stays under 15 KB gzipped,
    and no citizen page needs a script: a script is only ever the portal's
    own file, deferred, enhancing a page that works without it."""
    from tests.system.conftest import survey_desk

    token = survey_desk(app, world)
    css = client.get("/static/portal.css")
    css_weight = len(gzip.compress(css.data, 6))
    css.close()
    for url in CITIZEN_PAGES:
        answer = client.get(url.format(token=token))
        assert answer.status_code == 200, url
        page = answer.get_data(as_text=True)
        weight = len(gzip.compress(answer.data, 6))
        scripts = re.findall(r"<script[^>]*>", page)
        assert all(re.fullmatch(r'<script src="/[^"]+\.js(\?v=\w+)?" defer>', tag) for tag in scripts), url
        extra = re.findall(r'<script src="([^"]+)"', page) + [
            href
            for href in re.findall(r'<link rel="stylesheet" href="([^"]+)"', page)
            if "portal.css" not in href
        ]
        for asset in extra:
            file = client.get(asset)
            assert file.status_code == 200, (url, asset)
            weight += len(gzip.compress(file.data, 6))
            file.close()
        assert weight + css_weight <= 15 * 1024, (url, weight, css_weight)


def test_static_files_have_versioned_addresses_kept_for_a_year(app, client, world):
    """A phone on a slow link fetches the stylesheet once: every page links
    it with its content's version, and that address may be kept for a year.
    The same file without a version is revalidated, so nothing stale stays."""
    from tests.system.conftest import survey_desk

    token = survey_desk(app, world)
    page = client.get(f"/s/{token}").get_data(as_text=True)
    [href] = re.findall(r'href="(/static/portal\.css\?v=\w+)"', page)
    kept = client.get(href)
    assert kept.status_code == 200
    assert kept.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    kept.close()
    plain = client.get("/static/portal.css")
    assert "max-age=31536000" not in plain.headers.get("Cache-Control", "")
    plain.close()
    version = href.rpartition("=")[2]
    assert version == hashlib.sha256((Path(app.static_folder) / "portal.css").read_bytes()).hexdigest()[:10]
