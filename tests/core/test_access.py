"""Role × agency matrix for every staff page: who gets the page, who is
refused (403), and who is told it does not exist (404)."""

from __future__ import annotations

import re

import pytest

from portal.extensions import db
from portal.testing import csrf_token, login

MANAGE_PAGES = [
    "/kelola/{a}/unit",
    "/kelola/{a}/unit/baru",
    "/kelola/{a}/unit/{unit}",
    "/kelola/{a}/loket",
    "/kelola/{a}/loket/baru",
    "/kelola/{a}/loket/{desk}",
    "/kelola/{a}/pegawai",
    "/kelola/{a}/pegawai/baru",
    "/kelola/{a}/pegawai/{staff}",
    "/kelola/{a}/pegawai/impor",
    "/kelola/{a}/pengguna",
    "/kelola/{a}/pengguna/baru",
    "/kelola/{a}/modul",
    "/kelola/{a}/modul/survei/nonaktifkan",
    "/kelola/{a}/bobot",
    "/kelola/{a}/profil",
    "/kelola/{a}/audit",
]
SEE_PAGES = ["/kelola/{a}/", "/kinerja/{a}/tim"]
SUPERADMIN_PAGES = ["/kelola/instansi/baru", "/kelola/audit"]

ROLES = [
    "anonymous",
    "superadmin",
    "admin",
    "supervisor",
    "officer",
    "other_admin",
    "other_supervisor",
    "other_officer",
]

# Expected status of a page of agency alpha for each role.
EXPECT_MANAGE = {
    "anonymous": 302,
    "superadmin": 200,
    "admin": 200,
    "supervisor": 403,
    "officer": 403,
    "other_admin": 404,
    "other_supervisor": 404,
    "other_officer": 404,
}
EXPECT_SEE = {**EXPECT_MANAGE, "supervisor": 200, "officer": 200}
EXPECT_SUPER = {
    role: (302 if role == "anonymous" else 200 if role == "superadmin" else 403) for role in ROLES
}


def _login_as(client, world, role):
    if role == "anonymous":
        return
    if role == "superadmin":
        login(client, world["superadmin"])
        return
    slug = "beta" if role.startswith("other_") else "alpha"
    login(client, world[slug]["emails"][role.removeprefix("other_")])


def _url(template, world):
    w = world["alpha"]
    return template.format(a="alpha", unit=w["unit"], desk=w["desk"], staff=w["staff"])


@pytest.mark.parametrize("role", ROLES)
def test_staff_pages_matrix(client, world, role):
    _login_as(client, world, role)
    for pages, expect in (
        (MANAGE_PAGES, EXPECT_MANAGE),
        (SEE_PAGES, EXPECT_SEE),
        (SUPERADMIN_PAGES, EXPECT_SUPER),
    ):
        for template in pages:
            url = _url(template, world)
            response = client.get(url)
            assert response.status_code == expect[role], (role, url)
            if expect[role] == 302:
                assert response.headers["Location"].startswith("/masuk")


@pytest.mark.parametrize("role", ROLES)
def test_staff_posts_matrix(client, world, role):
    """A state-changing POST with a valid CSRF token gets the same answer."""
    _login_as(client, world, role)
    token = csrf_token(client, "/masuk" if role == "anonymous" else "/")
    w = world["alpha"]
    posts = [
        # Before the module switch below turns survei (whose page this is) off.
        (f"/kelola/alpha/survei/loket/{w['desk']}/ganti-token", {}),
        ("/kelola/alpha/modul", {"plugin": "survei", "enabled": "0"}),
        ("/kelola/alpha/unit/baru", {"name": f"Unit {role}"}),
    ]
    for url, data in posts:
        response = client.post(url, data={**data, "csrf_token": token})
        expected = EXPECT_MANAGE[role]
        assert response.status_code == (302 if expected == 200 else expected), (role, url)


@pytest.mark.parametrize("role", ROLES)
def test_officer_record_matrix(client, world, role):
    """An officer sees only their own record, a supervisor also their team's,
    an admin their agency's; other agencies' staff are told nothing."""
    _login_as(client, world, role)
    staff = client.get(f"/kinerja/pegawai/{world['alpha']['staff']}").status_code
    boss = client.get(f"/kinerja/pegawai/{world['alpha']['boss']}").status_code
    for who, status in (("staff", staff), ("boss", boss)):
        summary = client.get(f"/kinerja/pegawai/{world['alpha'][who]}/ringkasan").status_code
        assert summary == status, (role, who)
    expected = {
        "anonymous": (302, 302),
        "superadmin": (200, 200),
        "admin": (200, 200),
        "supervisor": (200, 200),
        "officer": (200, 404),
        "other_admin": (404, 404),
        "other_supervisor": (404, 404),
        "other_officer": (404, 404),
    }[role]
    assert (staff, boss) == expected


@pytest.mark.parametrize("role", ROLES)
def test_team_tools_matrix(client, world, role):
    """Exports and comment moderation: admins and supervisors (for their
    team), not plain officers; nothing at all for other agencies."""
    _login_as(client, world, role)
    expected = {**EXPECT_MANAGE, "supervisor": 200}
    for url in ("/kinerja/alpha/ekspor.csv", "/kinerja/alpha/ekspor.xlsx", "/kinerja/alpha/komentar"):
        response = client.get(url)
        assert response.status_code == expected[role], (role, url)


@pytest.mark.parametrize("role", ROLES)
def test_feedback_matrix(client, world, role):
    """Only an admin or the officer's supervisor writes feedback on them."""
    _login_as(client, world, role)
    token = csrf_token(client, "/masuk" if role == "anonymous" else "/")
    response = client.post(
        f"/kinerja/pegawai/{world['alpha']['staff']}/umpan-balik",
        data={"strengths": "Teliti", "csrf_token": token},
    )
    expected = {
        "anonymous": 302,
        "superadmin": 302,
        "admin": 302,
        "supervisor": 302,
        "officer": 403,
        "other_admin": 404,
        "other_supervisor": 404,
        "other_officer": 404,
    }[role]
    assert response.status_code == expected
    if role != "anonymous" and expected == 302:
        assert "/kinerja/pegawai/" in response.headers["Location"]


def test_objects_of_another_agency_are_404_even_through_own_agency_url(client, world):
    login(client, world["alpha"]["emails"]["admin"])
    b = world["beta"]
    for url in (
        f"/kelola/alpha/unit/{b['unit']}",
        f"/kelola/alpha/loket/{b['desk']}",
        f"/kelola/alpha/pegawai/{b['staff']}",
    ):
        assert client.get(url).status_code == 404, url
    token = csrf_token(client, "/kelola/alpha/loket")
    assert (
        client.post(
            f"/kelola/alpha/survei/loket/{b['desk']}/ganti-token", data={"csrf_token": token}
        ).status_code
        == 404
    )


#: Citizen forms whose own signed single-use token is their CSRF token (the
#: QR survey's nonce, the signed reference of a call-back request), so that
#: looking at them needs no session.
OWN_TOKEN_FORMS = {
    "survei_qr.survey_submit": "desk",
    "survei_qr.ticket_survey": "ticket",
    "survei_followup.callback": "desk",
}


def test_every_post_without_csrf_token_is_refused(app, client, world):
    _every_post_is_refused(app, client, world, lambda: {})


@pytest.mark.parametrize("kind", ["garbage", "another session's"])
def test_every_post_with_a_wrong_csrf_token_is_refused(app, client, world, kind):
    if kind == "garbage":
        token = "IjAxMjM0NTY3ODkwMTIzNDU2Nzg5Ig.aaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbb"
    else:  # genuine, but bound to someone else's session
        token = csrf_token(app.test_client(), "/masuk")
    _every_post_is_refused(app, client, world, lambda: {"csrf_token": token, "nonce": token})


def _every_post_is_refused(app, client, world, extra):
    import datetime as dt

    from plugins.survei.models import SurveiTicket
    from portal.core.models import Desk

    with app.app_context():
        desk = db.session.get(Desk, world["alpha"]["desk"])
        ticket = SurveiTicket(
            desk_id=desk.id, officer_id=world["alpha"]["staff"], expires_at=dt.datetime(2100, 1, 1)
        )
        db.session.add(ticket)
        db.session.commit()
        tokens = {"desk": desk.qr_token, "ticket": ticket.token}
    login(client, world["alpha"]["emails"]["admin"])
    posted = 0
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.rule.startswith(("/api/", "/open311/")):
            continue  # the API authenticates with keys, not cookies: no CSRF there
        url = rule.rule.replace("<slug>", "alpha").replace("<agency_slug>", "alpha")
        url = re.sub(r"<int:\w+>", "1", url)
        own = OWN_TOKEN_FORMS.get(rule.endpoint)
        url = re.sub(r"<\w+>", tokens[own] if own else "x", url)
        # The survey forms are a citizen's: a staff session is refused before
        # any token is read (tests/survei/test_plausibility.py), so they are
        # posted from a browser signed in as nobody.
        sender = app.test_client() if own else client
        response = sender.post(url, data={"name": "x", "plugin": "survei", "face": "4", **extra()})
        assert response.status_code == 400, url
        expected = "Formulir tidak berlaku" if own else "Formulir sudah kedaluwarsa atau tidak sah"
        assert expected in response.get_data(as_text=True), url
        posted += 1
    assert posted >= 10 and all(
        any(rule.endpoint == name for rule in app.url_map.iter_rules()) for name in OWN_TOKEN_FORMS
    )
