"""Hostile input never breaks the portal.

- Every public form (found from the URL map; its fields read off the page
  that shows it) is posted with hypothesis-generated values, with and
  without a valid CSRF token: the answer is never a 5xx.
- The public machine interfaces outside /api/v1 (Open311 and its
  filters, the kiosk batch API) get generated bodies and queries likewise.
  /api/v1 is covered operation by operation by schemathesis
  (tests/core/test_api_resources.py).
- Every search box and filter (each GET form on the staff pages) gets
  SQL-injection strings: the page still answers normally and no row is
  touched.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.testing import csrf_token, login

PRIVATE_PREFIXES = ("/kelola", "/kinerja", "/api/", "/akun", "/static", "/keluar")
FIELD_RE = re.compile(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"', re.I)
EXAMPLES = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

NASTY = st.sampled_from(
    [
        "",
        " ",
        "0",
        "-1",
        "1.5",
        "1,5",
        "99999999999999999999",
        "1e309",
        "NaN",
        "inf",
        "true",
        "null",
        "[]",
        "{}",
        "<script>alert(1)</script>",
        "' OR '1'='1' --",
        "'; DROP TABLE agency; --",
        "%00",
        "../../etc/passwd",
        "\u202eabc",
        "🙂" * 50,
        "x" * 5000,
        "2026-02-30",
        "31/12/2026",
        "08" * 20,
        "a@b",
        "@@",
        "\r\n",
        "\t",
    ]
)
VALUES = st.one_of(
    NASTY,
    st.text(max_size=200).map(lambda s: s.replace("\x00", "")),
    st.integers(min_value=-(2**40), max_value=2**40).map(str),
)
SQL_STRINGS = [
    "' OR '1'='1",
    "1; DROP TABLE officer; --",
    '" OR ""="',
    "%' UNION SELECT 1,2,3 --",
    "1 AND SLEEP(5)",
    "') OR ('a'='a",
    "\\'; --",
]


@pytest.fixture
def stage(app, world):
    """Everything a public form needs: a desk with a survey, a complaint
    category, a published forum with public questions and a registration,
    and an agency-wide Open311 key. Rate limits off, so every example
    reaches its view."""
    from plugins.dialog_publik.models import DialogEvent
    from plugins.dialog_publik.service import register
    from plugins.pengaduan.models import PengaduanCategory, PengaduanTicket
    from plugins.pengaduan.service import Filing, file_ticket
    from plugins.survei.models import SurveiTicket
    from portal.core.models import Agency, Desk
    from portal.core.util.timeutil import utcnow
    from portal.core.web.api import create_key
    from portal.extensions import db, limiter
    from tests.system.conftest import complaint_category, forum_event, survey_desk

    app.config["RATELIMIT_ENABLED"] = False
    limiter.enabled = False
    token = survey_desk(app, world)
    category_id = complaint_category(app, world, '[{"code": "rt", "label": "RT/RW", "required": true}]')
    event_id = forum_event(
        app,
        world,
        capacity=500,
        starts_in=-dt.timedelta(hours=1),
        public_questions=True,
        panelists=[world["alpha"]["staff"]],
    )
    with app.app_context():
        agency = db.session.get(Agency, world["alpha"]["agency"])
        category = db.session.get(PengaduanCategory, category_id)
        event = db.session.get(DialogEvent, event_id)
        registration, _created = register(event.id, "Peserta Uji", "081234567890", walk_in=True)
        registration.checked_in_at = utcnow()
        ticket = file_ticket(
            agency,
            Filing(
                category=category,
                title="Loket tutup",
                description="x" * 30,
                name="A",
                phone="08123456789",
                extra={"rt": "1"},
            ),
        )
        # Resolved, so its page carries the citizen's rating form.
        ticket.status, ticket.resolved_at, ticket.resolution = "selesai", utcnow(), "Sudah diperbaiki."
        _row, key = create_key(agency, "uji", "write")
        db.session.commit()
        desk = db.session.get(Desk, world["alpha"]["desk"])
        one_time = SurveiTicket(
            token=secrets.token_urlsafe(16),
            desk_id=desk.id,
            officer_id=world["alpha"]["staff"],
            expires_at=utcnow() + dt.timedelta(hours=1),
        )
        db.session.add(one_time)
        db.session.commit()
        staged = {
            "token": token,
            "one_time": one_time.token,
            "event": event.id,
            "code": registration.code,
            "ticket": ticket.code,
            "key": key,
            "desk": desk.id,
            "category": category.code,
            "ticket_model": PengaduanTicket,
        }
        db.session.remove()
    yield staged
    limiter.enabled = True


def _public_forms(app, stage) -> list[tuple[str, str]]:
    """(post URL, page showing its form) for every public POST route."""
    forms = []
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.rule.startswith(PRIVATE_PREFIXES):
            continue
        if rule.rule.startswith("/open311/"):
            continue  # a machine interface, fuzzed below
        url = (
            rule.rule.replace("<agency_slug>", "alpha")
            .replace("<slug>", "alpha")
            .replace("/s/t/<token>", f"/s/t/{stage['one_time']}")
            .replace("<token>", stage["token"])
            .replace("<int:event_id>", str(stage["event"]))
            .replace("<code>", stage["ticket"] if "pengaduan" in rule.rule else stage["code"])
            .replace("<int:question_id>", "1")
        )
        url = re.sub(r"<(?:\w+:)?\w+>", "1", url)
        page = (
            url
            if "GET" in rule.methods
            else (
                f"/alpha/dialog/pendaftaran/{stage['code']}"
                if "pendaftaran" in url
                else f"/alpha/pengaduan/lacak/{stage['ticket']}"
                if "pengaduan" in url
                else f"/alpha/dialog/{stage['event']}"
            )
        )
        forms.append((url, page))
    return sorted(set(forms))


def test_the_public_form_list_covers_every_citizen_form(app, stage):
    posted = {url for url, _page in _public_forms(app, stage)}
    for known in (
        f"/s/{stage['token']}",
        "/alpha/pengaduan/baru",
        "/masuk",
        f"/alpha/dialog/{stage['event']}",
        f"/alpha/dialog/{stage['event']}/tanya",
        f"/alpha/pengaduan/lacak/{stage['ticket']}",
        f"/alpha/dialog/pendaftaran/{stage['code']}/nilai",
    ):
        assert any(url.startswith(known) for url in posted), known


def test_every_public_form_survives_generated_input(app, stage):
    client = app.test_client()
    forms = []
    for url, page in _public_forms(app, stage):
        html = client.get(page).get_data(as_text=True)
        names = sorted(set(FIELD_RE.findall(html)) - {"csrf_token"}) or ["x"]
        forms.append((url, page, names))
    assert len(forms) >= 10

    for url, _page, names in forms:
        _fuzz_form(client, url, names)


def _fuzz_form(client, url, names):
    @EXAMPLES
    @given(
        values=st.fixed_dictionaries({}, optional={name: VALUES for name in names}),
        with_token=st.sampled_from([True, True, True, False]),
    )
    def post_something(values, with_token):
        if with_token:
            # One token per session, whichever page shows it.
            values = {**values, "csrf_token": csrf_token(client, "/masuk")}
        response = client.post(url, data=values)
        assert response.status_code < 500, (url, values, response.status_code)
        assert "Traceback" not in response.get_data(as_text=True)

    post_something()


def test_open311_and_kiosk_survive_generated_input(app, stage):
    client = app.test_client()
    keys = [
        "service_code",
        "description",
        "lat",
        "long",
        "address_string",
        "email",
        "first_name",
        "last_name",
        "phone",
        "attribute[rt]",
        "jurisdiction_id",
        "api_key",
        "status",
        "start_date",
        "end_date",
        "service_request_id",
        "page",
        "page_size",
    ]

    @EXAMPLES
    @given(
        values=st.fixed_dictionaries({}, optional={k: VALUES for k in keys}),
        fmt=st.sampled_from(["json", "xml"]),
        use_key=st.booleans(),
    )
    def open311(values, fmt, use_key):
        if use_key:
            values = {**values, "api_key": stage["key"], "jurisdiction_id": "alpha"}
        for response in (
            client.post(f"/open311/v2/requests.{fmt}", data=values),
            client.get(f"/open311/v2/requests.{fmt}", query_string=values),
            client.get(f"/open311/v2/services.{fmt}", query_string=values),
            client.get(f"/open311/v2/requests/{stage['ticket']}.{fmt}", query_string=values),
        ):
            assert response.status_code < 500, (values, response.status_code, response.get_data(as_text=True))

    open311()

    item = st.fixed_dictionaries(
        {},
        optional={
            "client_uuid": st.one_of(st.uuids().map(str), VALUES),
            "desk_id": st.one_of(st.just(stage["desk"]), st.integers(), VALUES),
            "kind": st.sampled_from(["cepat", "skm", "x", ""]),
            "face": st.one_of(st.integers(-5, 9), VALUES),
            "captured_at": st.one_of(st.datetimes().map(lambda d: d.isoformat()), VALUES),
            "answers": st.dictionaries(VALUES, VALUES, max_size=3),
            "comment": VALUES,
        },
    )
    body = st.one_of(
        st.lists(item, max_size=5).map(lambda items: {"responses": items}),
        st.dictionaries(VALUES, VALUES, max_size=3),
        st.lists(VALUES, max_size=3),
        VALUES,
    )

    @EXAMPLES
    @given(payload=body)
    def kiosk(payload):
        response = client.post(
            "/api/v1/survei/responses", json=payload, headers={"Authorization": f"Bearer {stage['key']}"}
        )
        assert response.status_code < 500, (payload, response.status_code, response.get_data(as_text=True))

    kiosk()


def _search_forms(client, pages) -> list[tuple[str, list[str]]]:
    found = []
    for page in pages:
        html = client.get(page).get_data(as_text=True)
        for form in re.findall(r'<form[^>]*method="get"[^>]*>(.*?)</form>', html, re.S | re.I):
            names = sorted(set(FIELD_RE.findall(form)))
            if names:
                found.append((page, names))
    return found


def test_sql_injection_in_every_search_box_is_harmless(app, client, stage, world):
    from sqlalchemy import func, select

    from portal.core.models import Officer
    from portal.extensions import db

    login(client, world["alpha"]["emails"]["admin"])
    pages = [
        "/kelola/alpha/pengaduan/",
        "/kelola/alpha/pengaduan/statistik",
        "/kinerja/alpha/tim",
        f"/kinerja/pegawai/{world['alpha']['staff']}",
        "/kelola/alpha/survei/laporan",
        "/kelola/alpha/dialog/",
        "/kelola/alpha/audit",
        "/alpha/dialog/",
        "/dialog/",
        "/kelola/alpha/pegawai",
    ]
    forms = _search_forms(client, pages)
    assert len(forms) >= 5, forms
    with app.app_context():
        before = (
            db.session.scalar(select(func.count(Officer.id))),
            db.session.scalar(select(func.count(stage["ticket_model"].id))),
        )
    for page, names in forms:
        for name in names:
            for value in SQL_STRINGS:
                response = client.get(page, query_string={name: value})
                assert response.status_code in (200, 302, 400, 404, 422), (page, name, value)
                assert "Traceback" not in response.get_data(as_text=True)
    # A search for the ticket's own code still finds exactly it.
    page = client.get("/kelola/alpha/pengaduan/", query_string={"q": stage["ticket"]}).get_data(as_text=True)
    assert stage["ticket"] in page
    with app.app_context():
        after = (
            db.session.scalar(select(func.count(Officer.id))),
            db.session.scalar(select(func.count(stage["ticket_model"].id))),
        )
    assert before == after
