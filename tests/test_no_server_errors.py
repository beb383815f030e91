"""No value a request can carry gives a server error: generated from the URL map.

For every route of the app (whatever plugins are installed):
- the parameters it reads are found by calling it once with a recording
  parameter store (query string for GET; form fields for POST);
- each of them, and each integer in its path, is then sent boundary values:
  huge and negative integers, years 1 and 9999, empty, non-numeric;
- every POST route also gets deeply nested JSON.

The answer may be a page, a redirect or a clear 4xx, never a 5xx, on both
databases. A route that a new plugin adds is covered without touching this
file.
"""

from __future__ import annotations

import re

import pytest
from werkzeug.datastructures import ImmutableMultiDict

from portal.testing import login
from tests.test_fuzz import stage  # noqa: F401 - the fixture, shared

BOUNDARY = [
    "",
    "0",
    "-1",
    "-2147483649",
    "2147483648",
    "9223372036854775808",
    "99999999999999999999999999999999",
    "1e309",
    "NaN",
    "abc",
    "0001-01-01",
    "9999-12-31",
    "10000-01-01",
    "0000-00-00",
    "2026-02-30",
    "1-1-1",
    "0001-01-01T00:00:00",
    "9999-12-31T23:59:59+14:00",
]
PATH_INTS = ["0", "2147483648", "9223372036854775808", "99999999999999999999999999999999"]
NESTED_JSON = b"[" * 50_000
SKIP = ("/static/", "/keluar")


class _Recorder(ImmutableMultiDict):
    """A parameter store that notes every name a view asks for."""

    seen: set[str] = set()

    def get(self, key, default=None, type=None):  # noqa: A002 - MultiDict's own signature
        _Recorder.seen.add(key)
        return super().get(key, default=default, type=type)

    def __getitem__(self, key):
        _Recorder.seen.add(key)
        return super().__getitem__(key)

    def getlist(self, key, type=None):  # noqa: A002
        _Recorder.seen.add(key)
        return super().getlist(key, type=type)

    def __contains__(self, key):
        _Recorder.seen.add(key)
        return super().__contains__(key)


def _fill(rule: str, staged, world) -> str:
    """A real URL for ``rule``: alpha's objects, the staged token and codes."""
    values = {
        "slug": "alpha",
        "agency_slug": "alpha",
        "token": staged["token"],
        "code": staged["code"],
        "kode": staged["ticket"],
        "fmt": "csv",
        "size": "a4",
        "ext": "json",
        "lang": "en",
        "service_code": staged["category"],
    }

    def one(match):
        converter, name = match.group(1), match.group(2)
        if converter == "int":
            return "1"
        if name in values:
            return values[name]
        if "code" in name or "kode" in name:
            return staged["ticket"]
        return "x"

    return re.sub(r"<(?:(\w+):)?(\w+)>", one, rule)


def _routes(app, method: str):
    for rule in app.url_map.iter_rules():
        if method in rule.methods and not rule.rule.startswith(SKIP):
            yield rule


def _params_read(app, client, method: str, url: str) -> set[str]:
    original = app.request_class
    recording = type("RecordingRequest", (original,), {"parameter_storage_class": _Recorder})
    app.request_class = recording
    _Recorder.seen = set()
    try:
        if method == "GET":
            client.get(url).close()
        else:
            client.post(url, data={}).close()
    finally:
        app.request_class = original
    return set(_Recorder.seen) - {"csrf_token"}


class _Failures(list):
    """Every 5xx (or escaped exception) seen, reported together at the end."""

    def check(self, client, what, url, **request):
        try:
            response = client.open(url, **request)
        except Exception as error:  # noqa: BLE001 - reported as a failure below
            self.append(f"{type(error).__name__} from {what}")
            return
        if response.status_code >= 500:
            self.append(f"{response.status_code} from {what}")
        response.close()

    def assert_none(self):
        assert not self, f"{len(self)} server errors, e.g.:\n" + "\n".join(self[:40])


@pytest.mark.parametrize("role", ["anonymous", "admin", "officer"])
def test_no_query_value_gives_a_server_error(app, stage, world, role):  # noqa: F811
    client = app.test_client()
    if role != "anonymous":
        login(client, world["alpha"]["emails"][role])
    covered, failures = 0, _Failures()
    for rule in _routes(app, "GET"):
        url = _fill(rule.rule, stage, world)
        for name in sorted(_params_read(app, client, "GET", url)):
            for value in BOUNDARY:
                failures.check(client, f"GET {url}?{name}={value!r}", url, query_string={name: value})
                covered += 1
        if "<int:" in rule.rule:
            for value in PATH_INTS:
                bad = re.sub(r"<int:\w+>", value, rule.rule)
                failures.check(client, f"GET {bad}", _fill(bad, stage, world))
    failures.assert_none()
    assert covered > (50 if role == "anonymous" else 200)


def test_no_form_value_gives_a_server_error(app, stage, world):  # noqa: F811
    """Every POST route, signed in as alpha's admin, CSRF off so each value
    reaches the view: every field it reads at once, at each boundary."""
    client = app.test_client()
    login(client, world["alpha"]["emails"]["admin"])
    app.config["WTF_CSRF_ENABLED"] = False
    covered, failures = 0, _Failures()
    for rule in _routes(app, "POST"):
        url = _fill(rule.rule, stage, world)
        names = _params_read(app, client, "POST", url)
        for value in BOUNDARY:
            failures.check(
                client, f"POST {url} {value!r}", url, method="POST", data=dict.fromkeys(names, value)
            )
            covered += 1
    failures.assert_none()
    assert covered > 100


def test_deeply_nested_json_is_a_clear_400_everywhere(app, stage, world):  # noqa: F811
    client = app.test_client()
    checked, failures = 0, _Failures()
    for rule in _routes(app, "POST"):
        url = _fill(rule.rule, stage, world)
        failures.check(
            client,
            f"POST {url} nested JSON",
            url,
            method="POST",
            data=NESTED_JSON,
            content_type="application/json",
        )
        checked += 1
    failures.assert_none()
    assert checked > 20
