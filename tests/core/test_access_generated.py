"""The role × agency matrix generated from the URL map, so that a new staff
page or API endpoint cannot escape it: staff of another agency never get a
staff page of agency alpha, anonymous visitors are sent to the login page,
and no API endpoint answers without a key."""

from __future__ import annotations

import re

import pytest

from portal.testing import login

STAFF_PREFIXES = ("/kelola/<slug>", "/kelola/<agency_slug>", "/kinerja/<slug>", "/kinerja/pegawai/")
FILL = {"fmt": "csv", "size": "a4", "ext": "json", "plugin": "survei"}


def _staff_urls(app) -> list[str]:
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or not rule.rule.startswith(STAFF_PREFIXES):
            continue
        url = rule.rule.replace("<slug>", "alpha").replace("<agency_slug>", "alpha")
        url = re.sub(r"<int:\w+>", "1", url)  # alpha's objects are created first: id 1
        url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: FILL.get(m.group(1), "x"), url)
        urls.append(url)
    return sorted(set(urls))


def test_the_generated_list_covers_the_known_staff_pages(app):
    urls = _staff_urls(app)
    for known in (
        "/kelola/alpha/unit",
        "/kelola/alpha/bobot",
        "/kinerja/alpha/tim",
        "/kinerja/alpha/ekspor.csv",
        "/kelola/alpha/survei/",
        "/kelola/alpha/pengaduan/",
        "/kelola/alpha/dialog/",
        "/kinerja/pegawai/1",
        "/kelola/alpha/modul/survei/nonaktifkan",
    ):
        assert known in urls, known
    assert len(urls) >= 40


@pytest.mark.parametrize("role", ["anonymous", "admin", "supervisor", "officer"])
def test_no_staff_page_of_alpha_for_outsiders(app, client, world, role):
    """Anonymous → login; staff of agency beta → 403 or 404, on every page."""
    if role != "anonymous":
        login(client, world["beta"]["emails"][role])
    for url in _staff_urls(app):
        response = client.get(url)
        if role == "anonymous":
            assert response.status_code == 302 and response.headers["Location"].startswith("/masuk"), url
        else:
            assert response.status_code in (403, 404), (role, url, response.status_code)
        response.close()


def test_alpha_admin_gets_every_page_without_an_error(app, client, world):
    """Never a 5xx; 403 only where the page is an officer's own (e.g. the
    one-time QR of "selesai melayani", for an admin who serves no desk)."""
    login(client, world["alpha"]["emails"]["admin"])
    for url in _staff_urls(app):
        response = client.get(url)
        assert response.status_code in (200, 302, 403, 404), (url, response.status_code)
        if response.status_code == 403:
            assert "selesai-melayani" in url, url
        response.close()


def test_no_api_endpoint_answers_without_a_key(app, client, world):
    checked = 0
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.rule.endswith("openapi.json"):
            continue
        url = re.sub(r"<(?:\w+:)?\w+>", "1", rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method, json={})
            assert response.status_code == 401, (method, url, response.status_code)
            assert "Kunci API" in response.json["error"]["message"]
            checked += 1
    assert checked >= 8


@pytest.mark.parametrize("role", ["admin", "supervisor", "officer"])
def test_no_staff_post_of_alpha_for_outsiders(app, client, world, role):
    """Every state-changing staff route of alpha, posted with a valid CSRF
    token by staff of beta, is refused and changes nothing visible."""
    from portal.testing import csrf_token

    login(client, world["beta"]["emails"][role])
    token = csrf_token(client, "/kinerja/beta/tim")
    posted = 0
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or not rule.rule.startswith(STAFF_PREFIXES):
            continue
        url = rule.rule.replace("<slug>", "alpha").replace("<agency_slug>", "alpha")
        url = re.sub(r"<int:\w+>", "1", url)
        url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: FILL.get(m.group(1), "x"), url)
        response = client.post(
            url, data={"csrf_token": token, "name": "x", "plugin": "survei", "enabled": "0", "strengths": "x"}
        )
        assert response.status_code in (403, 404), (role, url, response.status_code)
        posted += 1
    assert posted >= 20
