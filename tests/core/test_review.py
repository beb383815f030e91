"""The review queue of held ratings (/kelola/<slug>/tinjauan): who may see
and decide, that a decision counts exactly once, and what the officer's
record shows."""

from __future__ import annotations

import threading

from sqlalchemy import func

from portal.core.models import Agency, Officer, RatingEvent, RatingRollup, User
from portal.core.record.ratings import record_rating
from portal.extensions import db
from portal.testing import PASSWORD, csrf_token, login, post_form

QUEUE = "/kelola/alpha/tinjauan"


def _hold(app, world, officer="staff", reason="alamat", value=4):
    with app.app_context():
        agency = db.session.get(Agency, world["alpha"]["agency"])
        officer = db.session.get(Officer, world["alpha"][officer])
        return record_rating(
            agency=agency, officer=officer, source="survei", kind="cepat", value=value, hold=reason
        ).id


def _counted(app, officer_id):
    with app.app_context():
        return int(
            db.session.scalar(db.select(func.sum(RatingRollup.count)).filter_by(officer_id=officer_id)) or 0
        )


def _review(app, event_id):
    with app.app_context():
        return db.session.get(RatingEvent, event_id).review


def test_admin_sees_the_reason_and_accepting_counts_the_rating(app, client, world):
    event_id = _hold(app, world)
    login(client, world["alpha"]["emails"]["admin"])
    page = client.get(QUEUE).get_data(as_text=True)
    assert "Staf alpha" in page and "Lonjakan penilaian dari satu alamat jaringan" in page
    assert "1 penilaian ditahan menunggu tinjauan" in client.get("/kelola/alpha/").get_data(as_text=True)
    assert _counted(app, world["alpha"]["staff"]) == 0
    r = post_form(client, f"{QUEUE}/{event_id}", {"keputusan": "terima"}, token_from=QUEUE)
    assert r.status_code == 302
    assert _counted(app, world["alpha"]["staff"]) == 1 and _review(app, event_id) == "diterima"
    # Accepting again: refused as no longer held, still counted once.
    r = post_form(client, f"{QUEUE}/{event_id}", {"keputusan": "terima"}, token_from=QUEUE)
    assert r.status_code == 404
    assert _counted(app, world["alpha"]["staff"]) == 1
    assert "Tidak ada penilaian yang ditahan" in client.get(QUEUE).get_data(as_text=True)


def test_rejecting_keeps_the_rating_for_audit_and_never_counts_it(app, client, world):
    event_id = _hold(app, world, reason="pola")
    login(client, world["alpha"]["emails"]["supervisor"])  # the officer's supervisor
    assert "Pola jawaban identik" in client.get(QUEUE).get_data(as_text=True)
    r = post_form(client, f"{QUEUE}/{event_id}", {"keputusan": "tolak"}, token_from=QUEUE)
    assert r.status_code == 302
    assert _review(app, event_id) == "ditolak" and _counted(app, world["alpha"]["staff"]) == 0
    r = post_form(client, f"{QUEUE}/{event_id}", {"keputusan": "terima"}, token_from=QUEUE)
    assert r.status_code == 404 and _counted(app, world["alpha"]["staff"]) == 0


def test_decisions_need_a_csrf_token(app, client, world):
    event_id = _hold(app, world)
    login(client, world["alpha"]["emails"]["admin"])
    assert client.post(f"{QUEUE}/{event_id}", data={"keputusan": "terima"}).status_code == 400
    assert _review(app, event_id) == "ditahan"


def test_two_reviewers_accepting_at_once_count_it_once(app, world):
    event_id = _hold(app, world)
    clients = []
    for role in ("admin", "supervisor"):
        c = app.test_client()
        login(c, world["alpha"]["emails"][role])
        clients.append((c, csrf_token(c, QUEUE)))
    barrier = threading.Barrier(2)
    codes, errors = [], []

    def accept(c, token):
        try:
            barrier.wait(timeout=30)
            codes.append(
                c.post(f"{QUEUE}/{event_id}", data={"keputusan": "terima", "csrf_token": token}).status_code
            )
        except BaseException as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=accept, args=pair) for pair in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and 302 in codes and set(codes) <= {302, 404}
    assert _counted(app, world["alpha"]["staff"]) == 1


def test_outsiders_can_neither_see_nor_act(app, client, world):
    staff_event = _hold(app, world)
    boss_event = _hold(app, world, officer="boss")
    # Staff of another agency: the queue does not exist (404), nor does deciding.
    for role in ("admin", "supervisor", "officer"):
        other = app.test_client()
        login(other, world["beta"]["emails"][role])
        assert other.get(QUEUE).status_code == 404
        token = csrf_token(other, "/kelola/beta/")
        r = other.post(f"{QUEUE}/{staff_event}", data={"keputusan": "terima", "csrf_token": token})
        assert r.status_code == 404
    # An officer reviews nothing, not even to clear their own held ratings.
    login(client, world["alpha"]["emails"]["officer"])
    assert client.get(QUEUE).status_code == 403
    # A supervisor of another team of the same agency sees none of this team's.
    with app.app_context():
        agency = db.session.get(Agency, world["alpha"]["agency"])
        lead = Officer(agency=agency, nip="198601012011011001", name="Atasan lain")
        db.session.add(lead)
        db.session.flush()
        user = User(
            email="lain@alpha.example",
            name="Atasan lain",
            role="supervisor",
            agency=agency,
            officer_id=lead.id,
        )
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
    other_team = app.test_client()
    login(other_team, "lain@alpha.example")
    page = other_team.get(QUEUE)
    assert page.status_code == 200 and "Staf alpha" not in page.get_data(as_text=True)
    r = post_form(other_team, f"{QUEUE}/{staff_event}", {"keputusan": "terima"}, token_from=QUEUE)
    assert r.status_code == 404
    # A supervisor does not review their own held ratings.
    boss = app.test_client()
    login(boss, world["alpha"]["emails"]["supervisor"])
    assert "Atasan alpha</td>" not in boss.get(QUEUE).get_data(as_text=True)
    r = post_form(boss, f"{QUEUE}/{boss_event}", {"keputusan": "terima"}, token_from=QUEUE)
    assert r.status_code == 404
    assert _review(app, staff_event) == _review(app, boss_event) == "ditahan"
    assert _counted(app, world["alpha"]["staff"]) == 0


def test_an_admin_who_is_also_an_officer_does_not_review_their_own(app, client, world):
    own = _hold(app, world)
    with app.app_context():
        emails = world["alpha"]["emails"]
        own_login = db.session.scalars(db.select(User).filter_by(email=emails["officer"])).one()
        own_login.officer_id = None
        db.session.flush()
        admin = db.session.scalars(db.select(User).filter_by(email=emails["admin"])).one()
        admin.officer_id = world["alpha"]["staff"]  # the admin is this officer too
        db.session.commit()
    login(client, world["alpha"]["emails"]["admin"])
    assert "Staf alpha" not in client.get(QUEUE).get_data(as_text=True)
    r = post_form(client, f"{QUEUE}/{own}", {"keputusan": "terima"}, token_from=QUEUE)
    assert r.status_code == 404 and _review(app, own) == "ditahan"


def test_the_record_page_shows_held_counts_per_reason_not_their_content(app, client, world):
    for reason in ("alamat", "alamat", "kapasitas"):
        _hold(app, world, reason=reason)
    login(client, world["alpha"]["emails"]["officer"])
    page = client.get(f"/kinerja/pegawai/{world['alpha']['staff']}").get_data(as_text=True)
    assert "Penilaian ditahan untuk ditinjau" in page
    assert "Lonjakan penilaian dari satu alamat jaringan: <strong>2</strong>" in page
    assert "Kapasitas loket terlampaui" in page and "<strong>1</strong>" in page
    assert "Tinjau penilaian yang ditahan" not in page  # the officer does not review
