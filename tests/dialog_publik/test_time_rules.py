"""Each forum action at its moment, tested at the edges of its window:
check-in from two hours before the start until the end, ratings once the
event has started, cancelling a seat until the start, and no event created
to start in the past. Every clock is passed in, never waited for."""

from __future__ import annotations

import datetime as dt

import pytest

from plugins.dialog_publik.models import (
    CHECKIN_OPENS_BEFORE,
    DialogEvent,
    DialogPanelist,
    DialogRating,
    DialogRegistration,
)
from plugins.dialog_publik.service import (
    CheckinClosed,
    RatingInputError,
    RegistrationError,
    cancel,
    check_in,
    rate,
    register,
)
from portal.core.util.timeutil import utcnow
from portal.extensions import db
from portal.testing import login, post_form

START = dt.datetime(2030, 3, 4, 2, 0)  # 09:00 WIB
END = START + dt.timedelta(hours=2)
SECOND = dt.timedelta(seconds=1)


@pytest.fixture
def forum(app, world):
    """A published forum at START–END with one panelist, and one registration made well before."""
    with app.app_context():
        event = DialogEvent(
            agency_id=world["alpha"]["agency"],
            title="Forum Waktu",
            venue="Aula",
            starts_at=START,
            ends_at=END,
            capacity=10,
            status="terbit",
            panelists=[DialogPanelist(officer_id=world["alpha"]["boss"])],
        )
        db.session.add(event)
        db.session.commit()
        registration, _ = register(event.id, "Ani", "081211112222", now=START - dt.timedelta(days=3))
        return {"event": event.id, "code": registration.code, "registration": registration.id}


def _event(forum):
    return db.session.get(DialogEvent, forum["event"])


def test_window_edges_on_the_model(app, forum):
    with app.app_context():
        event = _event(forum)
        opens = START - CHECKIN_OPENS_BEFORE
        assert CHECKIN_OPENS_BEFORE == dt.timedelta(hours=2)
        assert not event.checkin_open(opens - SECOND)
        assert event.checkin_open(opens) and event.checkin_open(END)
        assert not event.checkin_open(END + SECOND)
        assert not event.has_started(START - SECOND) and event.has_started(START)
        assert not event.rating_open(START - SECOND) and event.rating_open(START)
        assert event.cancellable(START - SECOND) and not event.cancellable(START)
        assert event.questions_open(END) and not event.questions_open(END + SECOND)
        event.status = "dibatalkan"
        assert not event.checkin_open(START) and not event.rating_open(END)


@pytest.mark.parametrize(
    ("offset", "message"),
    [
        (-CHECKIN_OPENS_BEFORE - SECOND, "belum dibuka"),
        (dt.timedelta(hours=2) + SECOND, "sudah ditutup"),  # a second after the end
        (-dt.timedelta(days=9), "belum dibuka"),
    ],
)
def test_check_in_refused_outside_the_window(app, forum, offset, message):
    with app.app_context():
        with pytest.raises(CheckinClosed, match=message):
            check_in(_event(forum), forum["code"], now=START + offset)
        with pytest.raises(CheckinClosed):
            register(forum["event"], "Budi", "081233334444", walk_in=True, now=START + offset)
        assert db.session.get(DialogRegistration, forum["registration"]).checked_in_at is None
        assert db.session.scalar(db.select(db.func.count(DialogRegistration.id))) == 1


@pytest.mark.parametrize("offset", [-CHECKIN_OPENS_BEFORE, dt.timedelta(0), dt.timedelta(hours=2)])
def test_check_in_accepted_at_the_edges(app, forum, offset):
    with app.app_context():
        registration = check_in(_event(forum), forum["code"], now=START + offset)
        assert registration.checked_in_at == START + offset


def test_rating_opens_at_the_start_and_refuses_an_empty_form(app, world, forum):
    boss = world["alpha"]["boss"]
    with app.app_context():
        check_in(_event(forum), forum["code"], now=START - dt.timedelta(minutes=30))
        registration = db.session.get(DialogRegistration, forum["registration"])
        with pytest.raises(RegistrationError, match="setelah acara dimulai"):
            rate(registration, {0: 5}, {}, now=START - SECOND)
        for scores, comments, message in (
            ({0: None, boss: None}, {}, "Pilih nilai 1–5"),
            ({}, {}, "Pilih nilai 1–5"),
            ({0: 6}, {}, "antara 1 dan 5"),
            ({0: 0}, {}, "antara 1 dan 5"),
            ({0: None}, {0: "Bagus sekali"}, "Pilih juga nilainya"),
        ):
            with pytest.raises(RatingInputError, match=message):
                rate(registration, scores, comments, now=START)
        assert db.session.scalar(db.select(db.func.count(DialogRating.id))) == 0
        assert rate(registration, {0: 5, boss: None}, {}, now=START) == 1
        with pytest.raises(RatingInputError, match="sudah tercatat"):
            rate(registration, {0: 1}, {}, now=START)


def test_cancelling_a_seat_ends_at_the_start_or_at_check_in(app, forum):
    with app.app_context():
        with pytest.raises(RegistrationError, match="sebelum acara dimulai"):
            cancel(forum["registration"], now=START)
        check_in(_event(forum), forum["code"], now=START - dt.timedelta(hours=1))
        with pytest.raises(RegistrationError, match="sudah tercatat hadir"):
            cancel(forum["registration"], now=START - dt.timedelta(minutes=59))
        assert db.session.get(DialogRegistration, forum["registration"]).status == "terdaftar"


def _local(moment: dt.datetime) -> str:
    return (moment + dt.timedelta(hours=7)).strftime("%Y-%m-%dT%H:%M")


def test_an_event_cannot_be_created_to_start_in_the_past(app, world):
    staff = app.test_client()
    login(staff, world["alpha"]["emails"]["admin"])
    url = "/kelola/alpha/dialog/acara/baru"
    now = utcnow()
    base = {"title": "Forum Lalu", "unit_id": "0", "mode": "tatap_muka", "venue": "Aula", "capacity": "20"}
    past = {
        **base,
        "starts_at": _local(now - dt.timedelta(minutes=5)),
        "ends_at": _local(now + dt.timedelta(hours=1)),
    }
    page = post_form(staff, url, past)
    assert page.status_code == 422 and "Waktu mulai sudah lewat" in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(DialogEvent.id))) == 0
    ahead = {
        **base,
        "starts_at": _local(now + dt.timedelta(days=1)),
        "ends_at": _local(now + dt.timedelta(days=1, hours=2)),
    }
    r = post_form(staff, url, ahead)
    assert r.status_code == 302
    edit_url = r.headers["Location"]
    with app.app_context():
        event = db.session.scalars(db.select(DialogEvent)).one()
        # It began: editing other fields keeps its start; a new start must still lie ahead.
        event.starts_at = utcnow().replace(second=0, microsecond=0) - dt.timedelta(minutes=10)
        db.session.commit()
        started = event.starts_at
    kept = {**ahead, "title": "Forum Berjalan", "starts_at": _local(started), "ends_at": ahead["ends_at"]}
    assert post_form(staff, edit_url, kept).status_code == 302
    moved = {**kept, "starts_at": _local(started - dt.timedelta(hours=1))}
    assert post_form(staff, edit_url, moved).status_code == 422
    with app.app_context():
        event = db.session.scalars(db.select(DialogEvent)).one()
        assert (event.title, event.starts_at) == ("Forum Berjalan", started)
