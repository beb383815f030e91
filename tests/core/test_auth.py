"""Staff login, lockout, rate limit, logout and password change."""

from __future__ import annotations

from portal.core.models import User
from portal.extensions import db
from tests.conftest import PASSWORD, csrf_token, login, post_form


def test_login_and_logout(client, world):
    email = world["alpha"]["emails"]["admin"]
    r = login(client, email.upper())  # e-mail is case-insensitive
    assert r.status_code == 302 and r.headers["Location"] == "/kelola/"
    assert client.get("/kelola/").headers["Location"] == "/kelola/alpha/"
    r = post_form(client, "/keluar", token_from="/kelola/alpha/")
    assert r.status_code == 302
    assert client.get("/kelola/alpha/").status_code == 302


def test_wrong_password_is_one_message_for_unknown_and_known_users(client, world):
    for email in (world["alpha"]["emails"]["admin"], "tidak.ada@alpha.example"):
        page = login(client, email, "salah-sekali").get_data(as_text=True)
        assert "E-mail atau kata sandi salah." in page


def test_account_locks_after_repeated_failures_and_says_so(app, client, world):
    email = world["alpha"]["emails"]["officer"]
    for _ in range(app.config["PORTAL_LOGIN_MAX_FAILURES"]):
        login(client, email, "salah-sekali")
    page = login(client, email).get_data(as_text=True)  # right password, but locked
    assert "Akun dikunci sementara" in page and "Coba lagi dalam 15 menit." in page
    with app.app_context():
        user = db.session.execute(db.select(User).filter_by(email=email)).scalar_one()
        user.locked_until = None
        db.session.commit()
    assert login(client, email).status_code == 302


def test_login_rate_limit_per_ip_answers_429_page(app_factory, world):
    client = app_factory(PORTAL_LOGIN_RATE_LIMIT="3 per minute").test_client()
    codes = [login(client, f"x{i}@alpha.example", "salah-sekali").status_code for i in range(4)]
    assert codes == [200, 200, 200, 429]
    r = login(client, "x@alpha.example", "salah-sekali")
    assert "Terlalu banyak permintaan" in r.get_data(as_text=True)
    # The page says what the limit is, not only that it was hit.
    assert "Batasnya 3 kali per menit dari satu alamat internet." in r.get_data(as_text=True)
    assert "Retry-After" in r.headers


def test_rate_limit_is_shared_by_workers_through_redis(app_factory, redis_url, world):
    """The login budget lives in Redis, so every worker and host that points
    at the same Redis draws from it (here two app instances)."""
    import redis

    first = app_factory(PORTAL_REDIS_URL=redis_url, RATELIMIT_STORAGE_URI=redis_url,
                        PORTAL_LOGIN_RATE_LIMIT="4 per minute").test_client()
    second = app_factory(PORTAL_REDIS_URL=redis_url, RATELIMIT_STORAGE_URI=redis_url,
                         PORTAL_LOGIN_RATE_LIMIT="4 per minute").test_client()
    codes = [login(c, "x@alpha.example", "salah-sekali").status_code
             for c in (first, second, first, second, first)]
    assert codes == [200, 200, 200, 200, 429]
    assert login(second, "x@alpha.example", "salah-sekali").status_code == 429
    keys = redis.Redis.from_url(redis_url).keys("LIMITS:*")
    assert any(b"/masuk" in key or b"login" in key for key in keys), keys


def test_next_parameter_cannot_redirect_off_site(client, world):
    token = csrf_token(client, "/masuk")
    r = client.post("/masuk?next=//jahat.example/", data={
        "csrf_token": token, "email": world["alpha"]["emails"]["admin"], "password": PASSWORD})
    assert r.headers["Location"] == "/kelola/"


def test_login_required_redirects_back_after_login(client, world):
    r = client.get("/kelola/alpha/unit")
    assert r.headers["Location"] == "/masuk?next=/kelola/alpha/unit"
    token = csrf_token(client, r.headers["Location"])
    r = client.post(r.headers["Location"], data={
        "csrf_token": token, "email": world["alpha"]["emails"]["admin"], "password": PASSWORD})
    assert r.headers["Location"] == "/kelola/alpha/unit"


def test_password_change(client, world):
    email = world["alpha"]["emails"]["officer"]
    login(client, email)
    page = post_form(client, "/akun/sandi", {"current": "salah", "new": "sandi-baru-panjang",
                                             "confirm": "sandi-baru-panjang"}).get_data(as_text=True)
    assert "Kata sandi sekarang salah." in page
    page = post_form(client, "/akun/sandi", {"current": PASSWORD, "new": "sandi-baru-panjang",
                                             "confirm": "lain-lagi-panjang"}).get_data(as_text=True)
    assert "Kedua kata sandi baru tidak sama." in page
    r = post_form(client, "/akun/sandi", {"current": PASSWORD, "new": "sandi-baru-panjang",
                                          "confirm": "sandi-baru-panjang"})
    assert r.status_code == 302
    post_form(client, "/keluar", token_from="/")
    assert "E-mail atau kata sandi salah." in login(client, email).get_data(as_text=True)
    assert login(client, email, "sandi-baru-panjang").status_code == 302


def test_inactive_user_cannot_log_in(app, client, world):
    email = world["beta"]["emails"]["officer"]
    with app.app_context():
        db.session.execute(db.update(User).where(User.email == email).values(active=False))
        db.session.commit()
    assert "E-mail atau kata sandi salah." in login(client, email).get_data(as_text=True)


def test_language_switch(client):
    # The switch's button appears once the English catalogue is complete;
    # the mechanism (a per-session locale) is here already.
    r = post_form(client, "/bahasa/en", {"next": "/"}, token_from="/masuk")
    assert r.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert post_form(client, "/bahasa/xx", token_from="/masuk").status_code == 404
