"""A session ends for good: a cookie copied before logout, a password change
or a reset by an admin no longer signs anyone in."""

from __future__ import annotations

from portal.core.models import User
from portal.extensions import db
from portal.testing import PASSWORD, login, post_form


def _signed_in(client) -> bool:
    r = client.get("/kelola/alpha/")
    return r.status_code == 200


def _copy_of(app, client):
    """Another browser carrying a copy of ``client``'s session cookie (stolen
    from a shared computer, a proxy log, ...)."""
    cookie = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
    thief = app.test_client()
    thief.set_cookie(cookie.key, cookie.value, domain=cookie.domain or "localhost")
    return thief


def test_copied_cookie_is_refused_after_logout(app, world):
    owner = app.test_client()
    assert login(owner, world["alpha"]["emails"]["admin"]).status_code == 302
    thief = _copy_of(app, owner)
    assert _signed_in(thief)  # the copy works while the session lives
    post_form(owner, "/keluar", token_from="/kelola/alpha/")
    assert not _signed_in(owner)
    assert not _signed_in(thief)
    assert thief.get("/kelola/alpha/").headers["Location"].startswith("/masuk")


def test_password_change_ends_the_other_sessions_and_keeps_this_one(app, world):
    email = world["alpha"]["emails"]["admin"]
    here, elsewhere = app.test_client(), app.test_client()
    assert login(here, email).status_code == 302
    assert login(elsewhere, email).status_code == 302
    thief = _copy_of(app, here)
    r = post_form(
        here,
        "/akun/sandi",
        {"current": PASSWORD, "new": "sandi-baru-panjang", "confirm": "sandi-baru-panjang"},
    )
    assert r.status_code == 302
    assert _signed_in(here)  # the session that changed it goes on
    assert not _signed_in(elsewhere)
    assert not _signed_in(thief)  # a copy of the old cookie of this very browser too
    # The re-issued session is itself a normal one: logging out ends it.
    post_form(here, "/keluar", token_from="/kelola/alpha/")
    assert not _signed_in(here)


def test_password_reset_by_an_admin_ends_the_users_sessions(app, world):
    officer = app.test_client()
    assert login(officer, world["alpha"]["emails"]["supervisor"]).status_code == 302
    assert officer.get("/kelola/").status_code == 302
    admin = app.test_client()
    login(admin, world["alpha"]["emails"]["admin"])
    with app.app_context():
        user = db.session.execute(
            db.select(User).filter_by(email=world["alpha"]["emails"]["supervisor"])
        ).scalar_one()
        fields = {
            "email": user.email,
            "name": user.name,
            "role": user.role,
            "officer_id": user.officer_id,
            "active": "y",
        }
        user_id = user.id
    r = post_form(admin, f"/kelola/alpha/pengguna/{user_id}", dict(fields, password="sandi-baru-panjang"))
    assert r.status_code == 302
    assert officer.get("/kelola/").headers["Location"].startswith("/masuk")
    assert _signed_in(admin)
    assert login(app.test_client(), user.email, "sandi-baru-panjang").status_code == 302


def test_a_session_cookie_without_a_generation_is_refused(app, world):
    """A session cookie made before sessions had generations (or forged to
    the bare user id) signs nobody in."""
    with app.app_context():
        user_id = db.session.execute(
            db.select(User.id).filter_by(email=world["alpha"]["emails"]["admin"])
        ).scalar_one()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(user_id)
        session["_fresh"] = True
    assert not _signed_in(client)
