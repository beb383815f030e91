"""The officer record page and the team ranking read rollups and scores,
never the raw rating events: their cost must not grow with the number of
ratings. The only rating events they touch are found through small partial
indexes (comments shown on the record, comments waiting for moderation,
ratings held for review)."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import event

from portal.core.models import Agency, CommentState, Officer, RatingEvent
from portal.core.record.ratings import REVIEW_HELD, record_rating
from portal.extensions import db
from portal.testing import login

JUNE = dt.datetime(2026, 6, 10, 3, 0)
APRIL = dt.datetime(2026, 4, 10, 3, 0)
DECEMBER = dt.datetime(2025, 12, 10, 3, 0)  # the previous semester: the movers
ARGS = "periode=semester&tanggal=2026-06-15"
#: The states a statement on rating_event may select by: each has its own partial index.
PARTIAL = {CommentState.SHOWN, CommentState.NEW, REVIEW_HELD}


def _ratings(app, world):
    with app.app_context():
        agency = db.session.get(Agency, world["alpha"]["agency"])
        for who, values in (("staff", [4, 3, 2]), ("boss", [4, 1])):
            officer = db.session.get(Officer, world["alpha"][who])
            for at in (DECEMBER, APRIL, JUNE):
                for v in values:
                    record_rating(agency=agency, officer=officer, source="survei", kind="skm", value=v, at=at)
                record_rating(
                    agency=agency,
                    officer=officer,
                    source="pengaduan",
                    kind="penanganan",
                    value=5,
                    at=at,
                    verified=True,
                )
        staff = db.session.get(Officer, world["alpha"]["staff"])
        shown = record_rating(
            agency=agency,
            officer=staff,
            source="survei",
            kind="skm",
            value=4,
            at=JUNE,
            comment="Ramah sekali.",
        )
        shown.comment_state = CommentState.SHOWN
        record_rating(
            agency=agency, officer=staff, source="survei", kind="skm", value=1, at=JUNE, comment="Menunggu."
        )
        record_rating(
            agency=agency, officer=staff, source="survei", kind="skm", value=1, at=JUNE, hold="pola"
        )
        db.session.commit()


def _pages(client, world) -> dict[str, str]:
    urls = {
        "officer": f"/kinerja/pegawai/{world['alpha']['staff']}?{ARGS}",
        "team": f"/kinerja/alpha/tim?{ARGS}",
        "team by name": f"/kinerja/alpha/tim?{ARGS}&urut=nama",
    }
    out = {}
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200, url
        # Form tokens are signed afresh on each request (with the second they
        # were signed in), in forms and in the account bar's sign-out form.
        out[name] = re.sub(
            r'(name="csrf_token" type="hidden"|type="hidden" name="csrf_token") value="[^"]*"',
            "",
            response.get_data(as_text=True),
        )
    return out


def test_pages_unchanged_when_rolled_up_events_are_gone(app, client, world):
    """Every figure on the officer page and the team ranking comes from the
    rollups and scores: delete the raw events they already count (keeping
    the comment shown, the one waiting and the held rating, which the pages
    list) and the pages stay the same to the byte."""
    _ratings(app, world)
    login(client, world["alpha"]["emails"]["admin"])
    before = _pages(client, world)
    assert "Ramah sekali." in before["officer"]
    with app.app_context():
        gone = db.session.execute(
            db.delete(RatingEvent).where(
                RatingEvent.comment_state == CommentState.NONE, RatingEvent.review != REVIEW_HELD
            )
        ).rowcount
        db.session.commit()
    assert gone >= 20
    assert _pages(client, world) == before


def test_pages_select_rating_events_only_through_partial_indexes(app, client, world):
    """No statement the two pages issue reads rating_event except by a state
    that has its own small partial index."""
    _ratings(app, world)
    login(client, world["alpha"]["emails"]["admin"])
    seen = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        _pages(client, world)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    on_events = [(s, p) for s, p in seen if re.search(r"\bFROM rating_event\b", s)]
    assert on_events, "the pages list shown comments and held ratings"
    for statement, parameters in on_events:
        values = set(parameters.values()) if isinstance(parameters, dict) else set(parameters or ())
        assert re.search(r"rating_event\.(comment_state|review) =", statement), statement
        assert values & PARTIAL, (statement, parameters)
