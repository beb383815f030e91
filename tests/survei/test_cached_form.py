"""The QR survey form from the worker's page cache: one query per view, and
never a wrong answer about what must be exact (token, module switch)."""

from __future__ import annotations

import re
import time

import pytest
from sqlalchemy import event

from plugins.survei.models import SurveiResponse
from portal.core.models import Agency, Desk, Officer, RatingEvent
from portal.core.plugin_system import plugins
from portal.core.web import pagecache
from portal.extensions import db
from portal.testing import login, nip, post_form
from tests.survei.conftest import NONCE_RE, all_week, open_form


class Statements:
    """Counts the SQL statements the app sends (BEGIN and ROLLBACK aside):
    those through SQLAlchemy and those of :func:`portal.core.web.pagecache.first_row`,
    which go to the driver directly."""

    def __init__(self, app):
        self.count = 0
        with app.app_context():
            self.engine = db.engine
        event.listen(self.engine, "before_cursor_execute", self._seen)
        self._first_row = pagecache.first_row
        pagecache.first_row = self._direct

    def _seen(self, _conn, _cursor, statement, *_args):
        if not statement.lstrip().upper().startswith(("BEGIN", "ROLLBACK", "COMMIT", "PRAGMA")):
            self.count += 1

    def _direct(self, statement, **params):
        self.count += 1
        return self._first_row(statement, **params)

    def close(self):
        event.remove(self.engine, "before_cursor_execute", self._seen)
        pagecache.first_row = self._first_row


@pytest.fixture
def statements(app):
    counter = Statements(app)
    yield counter
    counter.close()


def _without_nonce(html: str) -> str:
    return NONCE_RE.sub('name="nonce" value=""', html)


def test_repeat_views_cost_one_query_and_show_the_same_form(app, client, desk, statements):
    first = client.get(f"/s/{desk}")
    rendered = statements.count
    second = client.get(f"/s/{desk}")
    assert statements.count - rendered == 1  # token, desk, module switch: one query
    a, b = first.get_data(as_text=True), second.get_data(as_text=True)
    assert _without_nonce(a) == _without_nonce(b)
    assert NONCE_RE.search(a).group(1) != NONCE_RE.search(b).group(1)  # every view its own nonce
    assert "Set-Cookie" not in second.headers and second.headers["Content-Type"].startswith("text/html")
    assert second.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]


def test_a_cached_form_submits_like_a_fresh_one(app, client, desk, world):
    client.get(f"/s/{desk}")
    fields, _ = open_form(client, f"/s/{desk}")  # served from the cache
    r = client.post(f"/s/{desk}", data={**fields, "face": "2"})
    assert r.status_code == 302
    with app.app_context():
        [response] = db.session.scalars(db.select(SurveiResponse)).all()
        assert (response.face, response.officer_id) == (2, world["alpha"]["staff"])


def test_edits_in_this_worker_show_at_once(app, client, world, desk):
    assert "Loket 1" in client.get(f"/s/{desk}").get_data(as_text=True)
    with app.app_context():
        db.session.get(Desk, world["alpha"]["desk"]).name = "Loket Terpadu"
        db.session.commit()
    page = client.get(f"/s/{desk}").get_data(as_text=True)
    assert "Loket Terpadu" in page and "Loket 1" not in page
    with app.app_context():  # a second officer on duty: the citizen is asked
        db.session.add_all(all_week(world["alpha"]["desk"], world["alpha"]["boss"]))
        db.session.commit()
    assert "Siapa petugas yang melayani Anda?" in client.get(f"/s/{desk}").get_data(as_text=True)


def test_token_and_module_switch_are_exact_across_workers(app, app_factory, client, world, desk):
    other = app_factory()  # another worker on the same database
    assert client.get(f"/s/{desk}").status_code == 200  # cached here
    with other.app_context():
        plugins.set_enabled(db.session.get(Agency, world["alpha"]["agency"]), "survei", False)
        db.session.commit()
    r = client.get(f"/s/{desk}")
    assert r.status_code == 404 and "Survei tidak tersedia" in r.get_data(as_text=True)
    with other.app_context():
        plugins.set_enabled(db.session.get(Agency, world["alpha"]["agency"]), "survei", True)
        db.session.get(Desk, world["alpha"]["desk"]).qr_token = "token-baru-loket-1"
        db.session.commit()
    r = client.get(f"/s/{desk}")
    assert r.status_code == 404 and "sudah diganti" in r.get_data(as_text=True)
    assert client.get("/s/token-baru-loket-1").status_code == 200


def test_other_workers_edits_show_within_the_cache_time(app_factory, world, desk):
    worker = app_factory(PORTAL_PAGE_CACHE_SECONDS=1)
    other = app_factory()
    client = worker.test_client()
    assert "Loket 1" in client.get(f"/s/{desk}").get_data(as_text=True)
    with other.app_context():
        db.session.get(Desk, world["alpha"]["desk"]).name = "Loket Terpadu"
        db.session.commit()
    time.sleep(1.1)
    assert "Loket Terpadu" in client.get(f"/s/{desk}").get_data(as_text=True)


def test_caching_can_be_switched_off(app_factory, desk):
    worker = app_factory(PORTAL_PAGE_CACHE_SECONDS=0)
    client = worker.test_client()
    counter = Statements(worker)
    try:
        client.get(f"/s/{desk}")
        before = counter.count
        client.get(f"/s/{desk}")
        assert counter.count - before > 1  # rendered afresh
    finally:
        counter.close()


def test_signed_in_staff_get_their_own_page(app, client, world, desk):
    client.get(f"/s/{desk}")
    staff = app.test_client()
    login(staff, world["alpha"]["emails"]["officer"])
    page = staff.get(f"/s/{desk}").get_data(as_text=True)
    assert "Keluar" in page and "Masuk petugas" not in page
    assert "Masuk petugas" in client.get(f"/s/{desk}").get_data(as_text=True)


def test_language_is_part_of_the_cached_page(app, client, desk):
    assert "Seberapa puas Anda" in client.get(f"/s/{desk}").get_data(as_text=True)
    english = app.test_client()
    r = english.get(f"/bahasa/en?next=/s/{desk}")
    assert r.status_code == 302 and r.headers["Location"] == f"/s/{desk}"
    assert "How satisfied are you" in english.get(f"/s/{desk}").get_data(as_text=True)
    assert "Seberapa puas Anda" in client.get(f"/s/{desk}").get_data(as_text=True)


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://situs-lain.example"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Origin": "null"},
    ],
)
def test_a_form_sent_from_another_site_is_refused(app, client, desk, headers):
    fields, _ = open_form(client, f"/s/{desk}")
    r = client.post(f"/s/{desk}", data={**fields, "face": "1"}, headers=headers)
    assert r.status_code == 400 and "dikirim dari situs lain" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(db.select(SurveiResponse)).all() == []


def test_a_form_sent_from_the_portal_itself_is_accepted(app, client, desk):
    fields, _ = open_form(client, f"/s/{desk}")
    r = client.post(
        f"/s/{desk}",
        data={**fields, "face": "4"},
        headers={"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"},
    )
    assert r.status_code == 302


def test_staff_forms_still_need_their_session_token(app, client, world):
    login(client, world["alpha"]["emails"]["admin"])
    r = client.post("/kelola/alpha/loket/baru", data={"name": "Loket 9"})
    assert r.status_code == 400
    assert post_form(client, "/kelola/alpha/loket/baru", {"name": "Loket 9"}).status_code in (200, 302)
    assert re.search(r"csrf_token", client.get("/kelola/alpha/loket/baru").get_data(as_text=True))


def test_the_cached_and_the_rendered_form_agree_on_who_is_on_duty(app, world):
    """The cache serves the page rendered for the officers its own reading of
    the roster finds on duty: that reading must match the one the form is
    rendered from, at every hour of the week."""
    import datetime as dt

    from plugins.survei import fastform
    from plugins.survei.models import SurveiRoster
    from plugins.survei.service import officer_choices
    from portal.core.models import Officer

    a, b = world["alpha"], world["beta"]
    with app.app_context():
        gone = Officer(agency_id=a["agency"], unit_id=a["unit"], nip=nip(50), name="Pensiun", active=False)
        third = Officer(agency_id=a["agency"], unit_id=a["unit"], nip=nip(51), name="Staf Ketiga")
        db.session.add_all([gone, third])
        db.session.flush()
        shift = [
            (a["staff"], 0, 8, 12),
            (a["staff"], 0, 13, 16),
            (a["boss"], 0, 10, 14),
            (a["boss"], 2, 0, 23),
            (gone.id, 1, 8, 16),
            (b["staff"], 3, 8, 16),
            (a["staff"], 4, 7, 11),
            (a["boss"], 4, 7, 11),
            (third.id, 4, 9, 10),
        ]
        db.session.add_all(
            [
                SurveiRoster(desk_id=a["desk"], officer_id=o, weekday=d, start=dt.time(h1), end=dt.time(h2))
                for o, d, h1, h2 in shift
            ]
        )
        db.session.commit()
    with app.test_request_context():  # read as a citizen's GET reads
        desk = db.session.get(Desk, a["desk"])
        zone = desk.unit.agency.timezone
        shifts = fastform._shifts(desk.id, desk.unit.agency_id)
        monday = dt.datetime(2026, 11, 30) - dt.timedelta(hours=7)  # Monday 00:00 WIB, in UTC
        seen = set()
        for step in range(7 * 48):  # every half hour of a week
            now = monday + dt.timedelta(minutes=30 * step)
            offered, fixed = officer_choices(desk, now)
            rendered = ((), fixed.id) if fixed else (tuple(sorted(o.id for o in offered)), None)
            assert fastform.duty_key(shifts, zone, now) == rendered, now
            seen.add(rendered)
    assert len(seen) >= 4  # one on duty, several, nobody (everyone rostered), …


def test_a_plain_answer_costs_a_fixed_handful_of_statements(app, client, desk, world, statements):
    """The busiest write: the desk (token, active, switch), the plausibility
    counts, the response, the rating's check (switch, officer, weights), the
    event, the rollup, the scores, the alert window — and on PostgreSQL the
    shared weights lock before the check. No more, whatever the desk's
    history."""
    for face in ("4", "3"):  # the first fills the worker's caches
        fields, _ = open_form(client, f"/s/{desk}")
        client.delete_cookie(f"survei_{world['alpha']['desk']}")
        before = statements.count
        r = client.post(f"/s/{desk}", data={**fields, "face": face})
        assert r.status_code == 302
        client._cookies.clear()
    postgresql = app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")
    assert statements.count - before == (9 if postgresql else 8)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(RatingEvent.id))) == 2


def test_an_officer_deactivated_elsewhere_is_not_credited_from_a_cached_roster(
    app, app_factory, client, desk, world
):
    """Another worker deactivates the officer while this one still has the
    desk's roster cached: the answer is kept for the survey, the officer is
    not credited (checked in the database, not from the cache)."""
    other = app_factory()
    fields, _ = open_form(client, f"/s/{desk}")  # roster cached here
    with other.app_context():
        db.session.get(Officer, world["alpha"]["staff"]).active = False
        db.session.commit()
    r = client.post(f"/s/{desk}", data={**fields, "face": "4"})
    assert r.status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(SurveiResponse.id))) == 1
        assert db.session.scalar(db.select(db.func.count(RatingEvent.id))) == 0


class FlaskRequests:
    """Counts the requests Flask itself handled (not answered early)."""

    def __init__(self, app):
        from flask import request_started

        self.count = 0
        self.app = app
        request_started.connect(self._seen, app)

    def _seen(self, _sender, **_extra):
        self.count += 1


def _headers(response) -> dict:
    return {k.lower(): v for k, v in response.headers.items() if k.lower() not in ("date", "content-length")}


def test_a_first_scan_is_answered_before_flask_with_the_same_page(app, client, desk, world):
    """A plain GET without any cookie is answered from the cache before
    Flask's request handling: the same page and headers as Flask's answer,
    a fresh nonce that works."""
    flask_handled = FlaskRequests(app)
    rendered = client.get(f"/s/{desk}")  # fills the cache
    assert flask_handled.count == 1
    early = client.get(f"/s/{desk}")
    assert flask_handled.count == 1  # Flask never saw it
    client.set_cookie("unrelated", "1")
    through_flask = client.get(f"/s/{desk}")
    client.delete_cookie("unrelated")
    assert flask_handled.count == 2  # a cookie: Flask answers, from the same cache
    assert early.status_code == through_flask.status_code == 200
    assert _headers(early) == _headers(through_flask) == _headers(rendered)
    assert "Strict-Transport-Security" not in early.headers  # plain-HTTP test app, as Flask's
    pages = [r.get_data(as_text=True) for r in (rendered, early, through_flask)]
    assert len({_without_nonce(page) for page in pages}) == 1
    assert len({NONCE_RE.search(page).group(1) for page in pages}) == 3
    r = client.post(f"/s/{desk}", data={"nonce": NONCE_RE.search(pages[1]).group(1), "face": "3"})
    assert r.status_code == 302
    with app.app_context():
        [response] = db.session.scalars(db.select(SurveiResponse)).all()
        assert (response.face, response.officer_id) == (3, world["alpha"]["staff"])


@pytest.mark.parametrize(
    "path, cookie, method",
    [
        ("/s/{desk}?lang=en", None, "GET"),  # a query string
        ("/s/{desk}", "session", "GET"),  # any cookie
        ("/s/{desk}", "survei_1", "GET"),
        ("/s/{desk}", None, "HEAD"),
        ("/s/{desk}/", None, "GET"),  # not one plain segment
        ("/s/{desk}%00", None, "GET"),
    ],
)
def test_anything_but_a_plain_first_scan_goes_through_flask(app, client, desk, path, cookie, method):
    client.get(f"/s/{desk}")  # the cache is filled
    if cookie:
        client.set_cookie(cookie, "x")
    flask_handled = FlaskRequests(app)
    response = client.open(path.format(desk=desk), method=method)
    assert flask_handled.count == 1
    assert response.status_code < 500


def test_a_closed_desk_is_never_answered_early(app, client, world, desk):
    client.get(f"/s/{desk}")  # cached while open
    with app.app_context():
        db.session.get(Desk, world["alpha"]["desk"]).active = False
        db.session.commit()
    flask_handled = FlaskRequests(app)
    response = client.get(f"/s/{desk}")
    assert flask_handled.count == 1 and response.status_code == 404
    assert "Survei tidak tersedia" in response.get_data(as_text=True)


def test_a_database_error_in_the_early_path_is_answered_by_flask(app, client, desk, monkeypatch):
    from sqlalchemy.exc import OperationalError

    client.get(f"/s/{desk}")

    def down(*_args, **_params):
        raise OperationalError("SELECT", {}, Exception("connection refused"))

    monkeypatch.setattr(pagecache, "first_row", down)
    flask_handled = FlaskRequests(app)
    response = client.get(f"/s/{desk}")
    assert flask_handled.count == 1
    assert response.status_code == 503 and "Layanan sedang tidak tersedia" in response.get_data(as_text=True)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_first_scan_is_answered_while_an_answer_holds_the_write_lock(app, client, desk):
    """SQLite: what the early path reads (here the desk's roster, its cache
    entry expired) it reads beside a writer; it never queues for the write
    lock a survey answer holds."""
    import sqlite3

    from plugins.survei import fastform

    client.get(f"/s/{desk}")  # the page is cached
    with app.app_context():
        fastform.rosters().clear()
        path = db.engine.url.database
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # an answer being written, not yet committed
    try:
        flask_handled = FlaskRequests(app)
        response = client.get(f"/s/{desk}")
        assert response.status_code == 200 and NONCE_RE.search(response.get_data(as_text=True))
        assert flask_handled.count == 0  # answered early, without waiting for the writer
    finally:
        writer.execute("ROLLBACK")
        writer.close()
