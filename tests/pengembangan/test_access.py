"""Role × agency matrix of every pengembangan staff page, on both databases."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.core.test_access_generated import _staff_urls
from tests.pengembangan.conftest import make_activity, participant_id, today

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
ADMIN_ONLY = {"anonymous": 302, "superadmin": 200, "admin": 200, "supervisor": 403, "officer": 403}
EVERY_STAFF = {"anonymous": 302, "superadmin": 200, "admin": 200, "supervisor": 200, "officer": 200}
HEADS = {"anonymous": 302, "superadmin": 200, "admin": 200, "supervisor": 200, "officer": 403}
# the boss's own pages: the officer below him does not see them
BOSS_PAGES = {"anonymous": 302, "superadmin": 200, "admin": 200, "supervisor": 200, "officer": 404}
# the staff's questionnaire: only the supervisor (or an admin) answers it
ABOUT_STAFF = {"anonymous": 302, "superadmin": 200, "admin": 200, "supervisor": 200, "officer": 403}


def _pages(app, world, dev):
    day = today(app, world)
    staff, boss = world["alpha"]["staff"], world["alpha"]["boss"]
    activity = make_activity(
        app, world, starts=day - dt.timedelta(days=120), ends=day - dt.timedelta(days=100), officers=[staff]
    )
    pid = participant_id(app, activity, staff)
    b = "/kelola/alpha/pengembangan"
    return {
        f"{b}/": EVERY_STAFF,
        f"{b}/tim": EVERY_STAFF,
        f"{b}/ekspor.csv": EVERY_STAFF,
        f"{b}/kebutuhan": EVERY_STAFF,
        f"{b}/perilaku": EVERY_STAFF,
        f"{b}/umpan-balik": EVERY_STAFF,
        f"{b}/umpan-balik/hasil": HEADS,
        f"{b}/katalog": ADMIN_ONLY,
        f"{b}/katalog/{dev['theme']}": ADMIN_ONLY,
        f"{b}/kegiatan/baru": ADMIN_ONLY,
        f"{b}/kegiatan/{activity}/ubah": ADMIN_ONLY,
        f"{b}/kegiatan/{activity}/ekspor.xlsx": ADMIN_ONLY,
        f"{b}/kegiatan/{activity}": EVERY_STAFF,
        f"{b}/kegiatan/{activity}/hasil": EVERY_STAFF,
        f"{b}/pegawai/{boss}": BOSS_PAGES,
        f"{b}/kebutuhan/{boss}": BOSS_PAGES,
        f"{b}/perilaku/{pid}": ABOUT_STAFF,
    }


def _login_as(app, world, role):
    from portal.testing import login

    client = app.test_client()
    if role == "superadmin":
        login(client, world["superadmin"])
    elif role != "anonymous":
        slug = "beta" if role.startswith("other_") else "alpha"
        login(client, world[slug]["emails"][role.removeprefix("other_")])
    return client


@pytest.mark.parametrize("role", ROLES)
def test_pengembangan_pages_matrix(app, world, dev, role):
    pages = _pages(app, world, dev)
    client = _login_as(app, world, role)
    for url, expect in pages.items():
        status = client.get(url).status_code
        wanted = 404 if role.startswith("other_") else expect[role]
        assert status == wanted, (role, url, status)
        if wanted == 302:
            assert client.get(url).headers["Location"].startswith("/masuk")


def test_the_generated_matrix_covers_every_pengembangan_page(app):
    urls = [u for u in _staff_urls(app) if "/pengembangan" in u]
    rules = [
        r.rule
        for r in app.url_map.iter_rules()
        if r.endpoint.startswith("pengembangan.") and "GET" in r.methods
    ]
    assert len(urls) == len({r for r in rules}) >= 15


def test_switched_off_the_pages_answer_404(app, world, dev):
    from portal.testing import post_form

    admin = _login_as(app, world, "admin")
    post_form(admin, "/kelola/alpha/modul", {"plugin": "pengembangan", "enabled": "0"})
    assert admin.get("/kelola/alpha/pengembangan/").status_code == 404
    post_form(admin, "/kelola/alpha/modul", {"plugin": "pengembangan", "enabled": "1"})
    assert admin.get("/kelola/alpha/pengembangan/").status_code == 200
