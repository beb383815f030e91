"""Staff login, throttling of failures, rate limit, logout, password change
and redirects after them."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest

from portal.core.models import User
from portal.extensions import db
from portal.testing import CSRF_RE, PASSWORD, csrf_token, login, post_form


def test_login_and_logout(client, world):
    email = world["alpha"]["emails"]["admin"]
    r = login(client, email.upper())  # e-mail is case-insensitive
    assert r.status_code == 302 and r.headers["Location"] == "/kelola/alpha/"  # the agency's page
    assert client.get("/kelola/").headers["Location"] == "/kelola/alpha/"
    r = post_form(client, "/keluar", token_from="/kelola/alpha/")
    assert r.status_code == 302
    assert client.get("/kelola/alpha/").status_code == 302


def test_each_role_lands_on_its_own_page_and_a_local_next_wins(app, client, world):
    alpha = world["alpha"]
    landing = {
        alpha["emails"]["officer"]: f"/kinerja/pegawai/{alpha['staff']}",  # their own record
        alpha["emails"]["supervisor"]: "/kinerja/alpha/tim",  # their team
        alpha["emails"]["admin"]: "/kelola/alpha/",  # the agency's management page
        world["superadmin"]: "/kelola/",  # the list of agencies
    }
    for email, page in landing.items():
        browser = app.test_client()
        r = login(browser, email)
        assert r.status_code == 302 and r.headers["Location"] == page, email
        assert browser.get(page).status_code == 200, page
        # "Halaman saya" in the header and a second visit to /masuk go there too.
        assert browser.get("/akun/").headers["Location"] == page
        assert browser.get("/masuk").headers["Location"] == page
    officer_email = alpha["emails"]["officer"]
    for target, expected in (
        ("/alpha/survei/", "/alpha/survei/"),  # a local target wins
        ("https://situs-lain.example/", landing[officer_email]),  # another site never does
        ("//situs-lain.example/", landing[officer_email]),
    ):
        browser = app.test_client()
        token = csrf_token(browser, "/masuk")
        r = browser.post(
            "/masuk?" + urlencode({"next": target}),
            data={"csrf_token": token, "email": officer_email, "password": PASSWORD},
        )
        assert r.status_code == 302 and r.headers["Location"] == expected, target


def test_an_officer_without_a_record_lands_on_the_management_page(app, client, world):
    with app.app_context():
        user = db.session.scalars(db.select(User).filter_by(email=world["alpha"]["emails"]["officer"])).one()
        user.officer_id = None
        db.session.commit()
    r = login(client, world["alpha"]["emails"]["officer"])
    assert r.status_code == 302 and r.headers["Location"] == "/kelola/"


def test_wrong_password_is_one_message_for_unknown_and_known_users(client, world):
    for email in (world["alpha"]["emails"]["admin"], "tidak.ada@alpha.example"):
        page = login(client, email, "salah-sekali").get_data(as_text=True)
        assert "E-mail atau kata sandi salah." in page


@pytest.mark.parametrize("address", ["bukan-email", "dua kata@alpha.example", "a@b@c", "x" * 250 + "@a.id"])
def test_a_mistyped_address_is_refused_before_the_lookup(client, world, address):
    r = login(client, address)
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "Alamat e-mail tidak valid." in page
    assert "E-mail atau kata sandi salah." not in page  # not counted as a failed sign-in


def test_signing_in_leaves_email_validator_to_the_forms_that_save_an_address(tmp_path):
    """Every account's address was checked in full when it was saved; the
    sign-in form only checks its shape, so a worker that signs someone in
    does not import email_validator (and idna). The forms that save an
    address still check it in full (test_admin, test_pengaduan)."""
    import json
    import os
    import subprocess
    import sys

    code = (
        "import json, sys\n"
        "from portal import create_app\n"
        "from portal.core.models import User\n"
        "from portal.extensions import db\n"
        "from portal.testing import login\n"
        f"app = create_app({{'TESTING': True, 'SECRET_KEY': 'k' * 40, 'RATELIMIT_ENABLED': False, "
        f"'SQLALCHEMY_DATABASE_URI': 'sqlite:///{tmp_path}/x.sqlite3'}})\n"
        "with app.app_context():\n"
        "    db.create_all()\n"
        "    user = User(email='su@contoh.example', name='Su', role='superadmin')\n"
        "    user.set_password('kata-sandi-panjang')\n"
        "    db.session.add(user)\n"
        "    db.session.commit()\n"
        "client = app.test_client()\n"
        "codes = [login(client, e, 'kata-sandi-panjang').status_code\n"
        "         for e in ('bukan-email', 'tidak.ada@contoh.example', 'su@contoh.example')]\n"
        "print(json.dumps([codes, 'email_validator' in sys.modules, 'idna' in sys.modules]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PORTAL_INSTANCE_PATH": str(tmp_path)},
    )
    assert json.loads(done.stdout.splitlines()[-1]) == [[200, 200, 302], False, False]


class Clock:
    """The throttle's clock, moved by hand: waits pass without sleeping."""

    def __init__(self):
        self.now = 1_800_000_000.0

    def __call__(self):
        return self.now

    def advance(self, seconds):
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    from portal.core.accounts import auth

    fake = Clock()
    monkeypatch.setattr(auth, "_now", fake, raising=False)
    return fake


def browser(app, address):
    """A browser of its own (cookies) at internet address ``address``."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def error_of(response) -> str:
    match = re.search(
        r'<p class="error" id="password-error" role="alert">([^<]*)</p>', response.get_data(as_text=True)
    )
    return match.group(1) if match else ""


def test_failures_make_each_next_attempt_wait_longer_and_say_how_long(app, world, clock):
    email = world["alpha"]["emails"]["officer"]
    client = browser(app, "198.51.100.20")
    for _ in range(3):  # the first few mistakes cost nothing
        r = login(client, email, "salah-sekali")
        assert (r.status_code, error_of(r)) == (200, "E-mail atau kata sandi salah.")
    r = login(client, email, "salah-sekali")
    assert error_of(r) == "E-mail atau kata sandi salah. Tunggu 2 detik sebelum mencoba lagi."
    # Too early, even with the right password: not checked, and told how long.
    r = login(client, email)
    assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 2
    assert error_of(r) == "Terlalu banyak percobaan masuk yang gagal. Tunggu 2 detik lalu coba lagi."
    waits = []
    for seconds in (2, 4, 8, 16, 32, 64, 128, 256, 512, 600):
        clock.advance(seconds)
        r = login(client, email, "salah-sekali")
        assert r.status_code == 200
        waits.append(re.search(r"Tunggu (.*) sebelum", error_of(r)).group(1))
    # Doubling, capped; from a minute on, in whole minutes (rounded up).
    assert waits == [
        "4 detik",
        "8 detik",
        "16 detik",
        "32 detik",
        "2 menit",
        "3 menit",
        "5 menit",
        "9 menit",
        "10 menit",
        "10 menit",
    ]
    assert "Tunggu 10 menit lalu coba lagi." in error_of(login(client, email))
    clock.advance(600)  # waited: the right password signs in, never locked out
    assert login(client, email).status_code == 302


def test_owner_signs_in_from_a_known_browser_while_attacked_from_elsewhere(app, world, clock):
    email = world["alpha"]["emails"]["admin"]
    owner = browser(app, "198.51.100.7")
    assert login(owner, email).status_code == 302  # the owner's browser has signed in before
    post_form(owner, "/keluar", token_from="/")
    attacker = browser(app, "203.0.113.66")
    for _ in range(15):
        login(attacker, email, "tebakan-salah")
        clock.advance(1)
    assert login(attacker, email, "tebakan-salah").status_code == 429
    # A browser that never signed in to the account waits, wherever it is...
    r = login(browser(app, "192.0.2.99"), email)
    assert r.status_code == 429 and "Tunggu" in error_of(r)
    # ...but the owner's own browser does not.
    r = login(owner, email)
    assert r.status_code == 302 and r.headers["Location"] == "/kelola/alpha/"
    # That browser is still slowed by its own failures.
    post_form(owner, "/keluar", token_from="/")
    for _ in range(4):
        r = login(owner, email, "salah-ketik")
    assert error_of(r) == "E-mail atau kata sandi salah. Tunggu 2 detik sebelum mencoba lagi."
    assert login(owner, email).status_code == 429
    clock.advance(2)
    assert login(owner, email).status_code == 302


def test_a_forged_device_cookie_exempts_nobody(app, world, clock):
    email = world["alpha"]["emails"]["admin"]
    attacker = browser(app, "203.0.113.67")
    attacker.set_cookie(
        "portal_perangkat", "W1sxLCJ4Il1d.forged.signature", domain="localhost", path="/masuk"
    )
    for _ in range(4):
        login(attacker, email, "tebakan-salah")
    assert login(attacker, email).status_code == 429


def test_one_address_cannot_keep_four_accounts_out(app, world, clock):
    emails = [world["alpha"]["emails"][r] for r in ("admin", "supervisor", "officer")]
    emails.append(world["beta"]["emails"]["admin"])
    owners = {}
    for i, email in enumerate(emails):
        owners[email] = browser(app, f"198.51.100.{30 + i}")
        assert login(owners[email], email).status_code == 302
        post_form(owners[email], "/keluar", token_from="/")
    attacker = browser(app, "203.0.113.5")
    codes = [login(attacker, email, "tebakan-salah").status_code for email in emails for _ in range(5)]
    assert codes[-5:] == [429] * 5  # the address was slowed down before it reached the fourth
    for email in emails:  # every owner signs in at once from their own browser
        assert login(owners[email], email).status_code == 302, email
    clock.advance(app.config["PORTAL_LOGIN_DELAY_SECONDS"])
    for i, email in enumerate(emails):  # and from anywhere after the first, short wait
        assert login(browser(app, f"192.0.2.{40 + i}"), email).status_code == 302, email


def test_unknown_and_known_accounts_cost_and_answer_the_same(app, world, clock, monkeypatch):
    """No timing or wording tells whether an e-mail has an account: the same
    password-hash work (counted, not timed), the same status and page."""
    import werkzeug.security

    with app.app_context():
        db.session.execute(
            db.update(User).where(User.email == world["beta"]["emails"]["officer"]).values(active=False)
        )
        db.session.commit()
    hashes = []
    original = werkzeug.security._hash_internal

    def counting(method, salt, password):
        hashes.append(method)
        return original(method, salt, password)

    monkeypatch.setattr(werkzeug.security, "_hash_internal", counting)
    cases = {
        world["alpha"]["emails"]["admin"]: "salah-sekali",  # exists, wrong password
        "tidak.ada@alpha.example": "salah-sekali",  # no such account
        world["beta"]["emails"]["officer"]: PASSWORD,  # deactivated, right password
    }
    answers = {}
    for number, (email, password) in enumerate(cases.items()):
        client = browser(app, f"198.51.100.{60 + number}")
        csrf_token(client, "/masuk")
        seen = []
        for _ in range(5):  # three free failures, one that sets a wait, one refused
            hashes.clear()
            r = login(client, email, password)
            body = CSRF_RE.sub("", r.get_data(as_text=True)).replace(email, "EMAIL")
            seen.append((r.status_code, body, list(hashes)))
        answers[email] = seen
    first, *others = answers.values()
    for other in others:
        assert other == first
    method = app.config["PORTAL_PASSWORD_HASH"]
    assert [h for _, _, h in first] == [[method]] * 4 + [[]]
    assert [code for code, _, _ in first] == [200, 200, 200, 200, 429]


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

    first = app_factory(
        PORTAL_REDIS_URL=redis_url, RATELIMIT_STORAGE_URI=redis_url, PORTAL_LOGIN_RATE_LIMIT="4 per minute"
    ).test_client()
    second = app_factory(
        PORTAL_REDIS_URL=redis_url, RATELIMIT_STORAGE_URI=redis_url, PORTAL_LOGIN_RATE_LIMIT="4 per minute"
    ).test_client()
    codes = [
        login(c, "x@alpha.example", "salah-sekali").status_code for c in (first, second, first, second, first)
    ]
    assert codes == [200, 200, 200, 200, 429]
    assert login(second, "x@alpha.example", "salah-sekali").status_code == 429
    keys = redis.Redis.from_url(redis_url).keys("LIMITS:*")
    assert any(b"/masuk" in key or b"login" in key for key in keys), keys


def test_failure_counters_are_shared_by_workers_through_redis(app_factory, redis_url, world):
    """A failure counted by one worker slows the next attempt on another."""
    import redis

    settings = dict(
        PORTAL_REDIS_URL=redis_url, RATELIMIT_STORAGE_URI=redis_url, PORTAL_LOGIN_DELAY_SECONDS=300
    )
    first, second = (app_factory(**settings).test_client() for _ in range(2))
    email = world["alpha"]["emails"]["officer"]
    for client in (first, second, first, second):
        assert login(client, email, "salah-sekali").status_code == 200
    r = login(first, email)
    assert r.status_code == 429 and "Tunggu 5 menit lalu coba lagi." in error_of(r)
    assert redis.Redis.from_url(redis_url).keys("*portal-login:account:*")


NASTY_NEXT = [
    "%2F%09%2Fevil.example",  # /<tab>/evil.example: browsers drop the tab
    "/%09/evil.example",
    "%2F%0A%2Fevil.example",  # newline: must not be a 500 either
    "/%0D%0A/evil.example",
    "/%0D%0ASet-Cookie:%20x=1",
    "//evil.example",
    "%2F%2Fevil.example",
    "///evil.example",
    "/%5Cevil.example",  # /\evil.example
    "%5C%5Cevil.example",
    "%5C/evil.example",
    "/%E2%80%8B/evil.example",  # zero-width space
    "%20//evil.example",
    "https://evil.example/",
    "https:evil.example",
    "https%3A%2F%2Fevil.example",
    "javascript:alert(1)",
    "JaVaScRiPt%3Aalert(1)",
    "evil.example",
]


def test_language_switch_goes_only_to_pages_of_this_site(client):
    wrong = {}
    for raw in NASTY_NEXT:
        r = client.get(f"/bahasa/en?next={raw}")
        if (r.status_code, r.headers.get("Location")) != (302, "/"):
            wrong[raw] = (r.status_code, r.headers.get("Location"))
    assert wrong == {}
    r = client.get("/bahasa/en?next=%2F%00%2Fevil.example")  # NUL: refused for every request
    assert r.status_code == 400 and "Location" not in r.headers
    r = client.get("/bahasa/id?next=/alpha/survei/%3Fa%3D1")
    assert r.headers["Location"] == "/alpha/survei/?a=1"


def test_login_goes_only_to_pages_of_this_site(app, world):
    wrong = {}
    for number, raw in enumerate(NASTY_NEXT):
        client = browser(app, f"198.51.100.{100 + number}")
        url = f"/masuk?next={raw}"
        r = client.post(
            url,
            data={
                "csrf_token": csrf_token(client, "/masuk"),
                "email": world["alpha"]["emails"]["admin"],
                "password": PASSWORD,
            },
        )
        if (r.status_code, r.headers.get("Location")) != (302, "/kelola/alpha/"):
            wrong[raw] = (r.status_code, r.headers.get("Location"))
    assert wrong == {}


def test_referrer_is_used_only_when_it_is_this_site(app):
    from portal.core.accounts.auth import referrer_or

    cases = {
        "http://localhost/kelola/alpha/pengaduan?status=baru": "/kelola/alpha/pengaduan?status=baru",
        "https://evil.example/kelola/": "/x",
        "http://localhost//evil.example/": "/x",
        "http://localhost/%09/a": "/%09/a",
        "javascript:alert(1)": "/x",
        None: "/x",
    }
    for referrer, expected in cases.items():
        headers = {"Referer": referrer} if referrer else {}
        with app.test_request_context("/kelola/", headers=headers):
            assert referrer_or("/x") == expected, referrer


def test_next_parameter_cannot_redirect_off_site(client, world):
    token = csrf_token(client, "/masuk")
    r = client.post(
        "/masuk?next=//jahat.example/",
        data={"csrf_token": token, "email": world["alpha"]["emails"]["admin"], "password": PASSWORD},
    )
    assert r.headers["Location"] == "/kelola/alpha/"


def test_login_required_redirects_back_after_login(client, world):
    r = client.get("/kelola/alpha/unit")
    assert r.headers["Location"] == "/masuk?next=/kelola/alpha/unit"
    token = csrf_token(client, r.headers["Location"])
    r = client.post(
        r.headers["Location"],
        data={"csrf_token": token, "email": world["alpha"]["emails"]["admin"], "password": PASSWORD},
    )
    assert r.headers["Location"] == "/kelola/alpha/unit"


def test_password_change(client, world):
    email = world["alpha"]["emails"]["officer"]
    login(client, email)
    page = post_form(
        client,
        "/akun/sandi",
        {"current": "salah", "new": "sandi-baru-panjang", "confirm": "sandi-baru-panjang"},
    ).get_data(as_text=True)
    assert "Kata sandi sekarang salah." in page
    page = post_form(
        client,
        "/akun/sandi",
        {"current": PASSWORD, "new": "sandi-baru-panjang", "confirm": "lain-lagi-panjang"},
    ).get_data(as_text=True)
    assert "Kedua kata sandi baru tidak sama." in page
    r = post_form(
        client,
        "/akun/sandi",
        {"current": PASSWORD, "new": "sandi-baru-panjang", "confirm": "sandi-baru-panjang"},
    )
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
