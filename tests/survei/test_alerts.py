"""Bad days noticed the same day: the unit head is alerted when a desk's
satisfaction falls below the threshold (not at it) or a citizen gives the
lowest answer, once per desk and window; a citizen who rated low is offered
a complaint link and a call-back that lands on the staff follow-up list."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest

from plugins.survei import alerts
from plugins.survei.models import SurveiCallback, SurveiCallbackStatus, SurveiTicket
from portal.core.models import Agency, Notification, User
from portal.core.web.api import create_key
from portal.extensions import db
from portal.plugin import workdays
from portal.testing import login, other_writer_blocked, post_form
from tests.survei.conftest import open_form

REF_RE = re.compile(r'name="ref" value="([^"]+)"')


@pytest.fixture
def send(app, world, desk):
    app.config.update(
        SURVEI_ALERT_MIN_RESPONSES=2, SURVEI_ALERT_THRESHOLD=62.5, SURVEI_ALERT_WINDOW_MINUTES=120
    )
    with app.app_context():
        _row, key = create_key(db.session.get(Agency, world["alpha"]["agency"]), "kios", "write")
        db.session.commit()
    client = app.test_client()
    # Every item at one moment: one alert window.
    at = (dt.datetime.now(dt.timezone(dt.timedelta(hours=7))) - dt.timedelta(minutes=1)).isoformat()

    def post(*faces):
        items = [
            {"client_uuid": str(uuid.uuid4()), "desk_token": desk, "created_at": at, "face": f} for f in faces
        ]
        r = client.post(
            "/api/v1/survei/responses", json={"responses": items}, headers={"Authorization": f"Bearer {key}"}
        )
        assert r.status_code == 200 and r.json["stored"] == len(faces), r.json

    return post


def notes(app, email):
    with app.app_context():
        user = db.session.execute(db.select(User).filter_by(email=email)).scalar_one()
        return [n.title for n in db.session.scalars(db.select(Notification).filter_by(user_id=user.id))]


def test_at_the_threshold_no_alert(app, world, send):
    send(3, 2)  # 75 and 50: mean 62.5, the threshold itself
    assert notes(app, world["alpha"]["emails"]["supervisor"]) == []


def test_below_the_threshold_the_unit_head_is_alerted_once_per_window(app, world, send):
    send(2)  # one response is not enough to judge a desk
    assert notes(app, world["alpha"]["emails"]["supervisor"]) == []
    send(2)  # 50 and 50: below 62.5
    assert notes(app, world["alpha"]["emails"]["supervisor"]) == [
        "Kepuasan di Pelayanan Umum — Loket 1 turun"
    ]
    send(2, 2)  # still below, same window: nothing new
    assert len(notes(app, world["alpha"]["emails"]["supervisor"])) == 1
    # The head of the unit is told, not the officer, nor another agency.
    assert notes(app, world["alpha"]["emails"]["officer"]) == []
    assert notes(app, world["beta"]["emails"]["supervisor"]) == []


def test_the_lowest_answer_alerts_at_once(app, world, send):
    send(1)
    assert notes(app, world["alpha"]["emails"]["supervisor"]) == [
        "Penilaian terendah di Pelayanan Umum — Loket 1"
    ]


def test_a_unit_without_a_head_alerts_the_admins(app, world, send):
    from portal.core.models import Officer

    with app.app_context():
        db.session.get(Officer, world["alpha"]["staff"]).supervisor_id = None
        db.session.commit()
    send(1)
    assert notes(app, world["alpha"]["emails"]["admin"]) == ["Penilaian terendah di Pelayanan Umum — Loket 1"]
    assert notes(app, world["alpha"]["emails"]["supervisor"]) == []


def _low_rating(client, desk):
    fields, _html = open_form(client, f"/s/{desk}")
    r = client.post(f"/s/{desk}", data=fields | {"face": "1"})
    assert r.status_code == 302 and "?r=" in r.headers["Location"]
    page = client.get(r.headers["Location"])
    return page.get_data(as_text=True)


def test_a_low_rating_is_offered_a_complaint_and_a_call_back(app, world, desk, client):
    html = _low_rating(client, desk)
    assert "Maaf, layanan kami belum memuaskan" in html
    assert "/alpha/pengaduan/" in html  # the complaint form, found through the hook
    ref = REF_RE.search(html).group(1)
    url = f"/s/{desk}/telepon-balik"

    for bad, message in (
        ("", "Tuliskan nomor telepon"),
        ("12345", "diawali 0 atau +62"),
        ("0812-34ab-789", "hanya berisi angka"),
        ("0812", "9 sampai 13 angka"),
    ):
        r = client.post(url, data={"ref": ref, "phone": bad})
        assert r.status_code == 400 and message in r.get_data(as_text=True), bad
    assert client.post(url, data={"ref": "palsu", "phone": "081234567890"}).status_code == 400
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(SurveiCallback.id))) == 0

    r = client.post(url, data={"ref": ref, "phone": "0812 3456 7890"})
    assert r.status_code == 200 and "Petugas akan menelepon Anda" in r.get_data(as_text=True)
    again = client.post(url, data={"ref": ref, "phone": "0812 3456 7890"})
    assert again.status_code == 200
    with app.app_context():
        [row] = db.session.scalars(db.select(SurveiCallback)).all()
        agency = db.session.get(Agency, world["alpha"]["agency"])
        today = dt.datetime.now(dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=7))).date()
        assert row.phone == "+6281234567890" and row.status == SurveiCallbackStatus.OPEN
        assert row.due_on == workdays.add_working_days(agency, today, 2)
    assert "Warga minta ditelepon balik: Pelayanan Umum — Loket 1" in notes(
        app, world["alpha"]["emails"]["supervisor"]
    )

    # The unit head sees it on the follow-up list and closes it; an officer may not.
    head = app.test_client()
    login(head, world["alpha"]["emails"]["supervisor"])
    listing = head.get("/kelola/alpha/survei/telepon-balik/").get_data(as_text=True)
    assert "+6281234567890" in listing and "Jatuh tempo" in listing
    r = post_form(
        head,
        f"/kelola/alpha/survei/telepon-balik/{row.id}/selesai",
        {"note": "Sudah ditelepon"},
        token_from="/kelola/alpha/survei/telepon-balik/",
    )
    assert r.status_code == 302
    with app.app_context():
        assert db.session.get(SurveiCallback, row.id).status == SurveiCallbackStatus.DONE
    officer = app.test_client()
    login(officer, world["alpha"]["emails"]["officer"])
    assert officer.get("/kelola/alpha/survei/telepon-balik/").status_code == 403


def test_a_good_rating_gets_the_plain_thanks(app, world, desk, client):
    fields, _html = open_form(client, f"/s/{desk}")
    r = client.post(f"/s/{desk}", data=fields | {"face": "4"})
    assert r.status_code == 302 and "?r=" not in r.headers["Location"]
    html = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Terima kasih!" in html and "telepon" not in html.lower()


def test_the_retention_job_removes_call_back_numbers(app, world, desk, client, runner):
    html = _low_rating(client, desk)
    ref = REF_RE.search(html).group(1)
    client.post(f"/s/{desk}/telepon-balik", data={"ref": ref, "phone": "081234567890"})
    with app.app_context():
        changed = alerts.anonymise(dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(seconds=5))
        db.session.commit()
        assert changed == {"nomor telepon balik survei": 1}
        assert db.session.scalars(db.select(SurveiCallback.phone)).all() == [None]


def test_a_database_lost_during_the_alert_keeps_the_answer_and_logs_one_line(
    app, world, send, monkeypatch, caplog
):
    """A database restart between the answer and its alert step: the answer
    is stored, the alert is skipped with one warning line, no traceback."""
    import psycopg
    from sqlalchemy.exc import OperationalError

    from plugins.survei.models import SurveiResponse

    def lost(*_args):
        raise OperationalError("SELECT 1", {}, psycopg.OperationalError("server closed the connection"))

    monkeypatch.setattr(alerts, "_alerts", lost)
    with caplog.at_level("WARNING", logger=alerts.log.name):
        send(1)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(SurveiResponse)) == 1
    warned = [r for r in caplog.records if r.name == alerts.log.name]
    assert len(warned) == 1 and warned[0].levelname == "WARNING"
    assert "database unavailable" in warned[0].getMessage() and warned[0].exc_info is None
    assert notes(app, world["alpha"]["emails"]["supervisor"]) == []


def test_a_pool_of_one_connection_still_raises_the_alert(app_factory, world, desk):
    """The alert step reads the window through the request's own connection
    when it holds one: it never waits for a second connection."""
    small = app_factory(
        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 1, "max_overflow": 0, "pool_timeout": 1},
        SURVEI_ALERT_MIN_RESPONSES=2,
        SURVEI_ALERT_THRESHOLD=62.5,
        SURVEI_ALERT_WINDOW_MINUTES=120,
    )
    with small.app_context():
        _row, key = create_key(db.session.get(Agency, world["alpha"]["agency"]), "kios", "write")
        db.session.commit()
    at = (dt.datetime.now(dt.timezone(dt.timedelta(hours=7))) - dt.timedelta(minutes=1)).isoformat()
    items = [
        {"client_uuid": str(uuid.uuid4()), "desk_token": desk, "created_at": at, "face": 2} for _ in range(2)
    ]
    r = small.test_client().post(
        "/api/v1/survei/responses", json={"responses": items}, headers={"Authorization": f"Bearer {key}"}
    )
    assert r.status_code == 200 and r.json["stored"] == 2, r.json
    assert notes(small, world["alpha"]["emails"]["supervisor"]) == [
        "Kepuasan di Pelayanan Umum — Loket 1 turun"
    ]


def test_a_one_time_qr_answers_alert_reads_leave_the_write_lock_free(app, client, world, desk, monkeypatch):
    """After a one-time QR answer is stored, what follows (the reply's
    reference, the alert window) only reads: on SQLite it must not hold the
    database's one write lock while other counters' answers wait."""
    sqlite = app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")
    held_during_alerts = []

    real = alerts._alerts

    def watched(response, zone):
        if sqlite:
            held_during_alerts.append(other_writer_blocked(app))
        return real(response, zone)

    monkeypatch.setattr(alerts, "_alerts", watched)
    login(client, world["alpha"]["emails"]["officer"])
    assert (
        post_form(
            client, "/kelola/alpha/survei/selesai-melayani", {"desk_id": world["alpha"]["desk"]}
        ).status_code
        == 302
    )
    with app.app_context():
        token = db.session.scalars(db.select(SurveiTicket.token)).one()
    browser = app.test_client()
    browser.environ_base["REMOTE_ADDR"] = "10.1.2.3"
    fields, _html = open_form(browser, f"/s/t/{token}")
    assert browser.post(f"/s/t/{token}", data={**fields, "face": "4"}).status_code == 302
    assert held_during_alerts == ([False] if sqlite else [])
