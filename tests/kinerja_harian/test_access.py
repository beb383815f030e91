"""Role × agency on every kinerja harian page: an officer sees only their
own, a supervisor those below them, an admin the agency; evaluation is
never one's own; staff of another agency get 404 (the generated matrix in
tests/core covers every page of this plugin too, checked below)."""

from __future__ import annotations

import pytest

from portal.testing import csrf_token, post_form
from tests.core.test_access_generated import _staff_urls
from tests.kinerja_harian.conftest import ACTIVITY, YESTERDAY, day_url, send_day

BASE = "/kelola/alpha/kinerja-harian"


def test_the_generated_matrix_covers_every_page_of_the_plugin(app):
    urls = _staff_urls(app)
    ours = [u for u in urls if u.startswith(BASE)]
    for expected in (
        f"{BASE}/",
        f"{BASE}/tim",
        f"{BASE}/target",
        f"{BASE}/target/baru",
        f"{BASE}/pegawai/1",
        f"{BASE}/pegawai/1/hari/x",
        f"{BASE}/pegawai/1/rekap",
        f"{BASE}/pegawai/1/evaluasi",
        f"{BASE}/ekspor/csv",
        f"{BASE}/lampiran/1",
    ):
        assert expected in ours, expected
    rules = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("kinerja_harian.")}
    covered = {
        r.endpoint
        for r in app.url_map.iter_rules()
        if r.rule.startswith("/kelola/<agency_slug>/kinerja-harian")
    }
    assert rules - {"kinerja_harian.static"} <= covered


def _pages(world, who):
    officer = world["alpha"][who]
    return [
        f"{BASE}/pegawai/{officer}",
        day_url(world, YESTERDAY, who=who),
        f"{BASE}/pegawai/{officer}/rekap",
    ]


@pytest.mark.parametrize(
    ("role", "own", "boss", "evaluate_staff"),
    [
        ("officer", 200, 404, 403),
        ("supervisor", 200, 200, 200),
        ("admin", 200, 200, 200),
        ("beta", 404, 404, 404),
    ],
)
def test_who_sees_which_officer(app, world, people, role, own, boss, evaluate_staff):
    client = people[role]
    for url in _pages(world, "staff"):
        assert client.get(url).status_code == own, (role, url)
    for url in _pages(world, "boss"):
        expected = 200 if role in ("supervisor", "admin") else 404
        assert client.get(url).status_code == expected, (role, url)
    response = client.get(f"{BASE}/pegawai/{world['alpha']['staff']}/evaluasi")
    assert response.status_code == evaluate_staff, role


def test_team_page_and_exports_by_role(app, world, people):
    assert people["officer"].get(f"{BASE}/tim").status_code == 302  # to their own month
    assert people["officer"].get(f"{BASE}/ekspor/csv").status_code == 403
    for role in ("supervisor", "admin"):
        assert people[role].get(f"{BASE}/tim").status_code == 200
        assert people[role].get(f"{BASE}/ekspor/csv").status_code == 200
    assert people["beta"].get(f"{BASE}/tim").status_code == 404


def test_nobody_evaluates_themself_or_writes_someone_elses_day(app, world, people):
    # The supervisor may not fill the officer's day.
    response = post_form(
        people["supervisor"], day_url(world, YESTERDAY, tail="/kegiatan"), ACTIVITY, token_from=f"{BASE}/tim"
    )
    assert response.status_code == 403
    # The officer sends a day; they may not approve it themself.
    post_form(
        people["officer"],
        day_url(world, YESTERDAY, tail="/kegiatan"),
        ACTIVITY,
        token_from=day_url(world, YESTERDAY),
    )
    send_day(people["officer"], world, YESTERDAY)
    token = csrf_token(people["officer"], day_url(world, YESTERDAY))
    response = people["officer"].post(
        day_url(world, YESTERDAY, tail="/nilai"), data={"csrf_token": token, "decision": "setujui"}
    )
    assert response.status_code == 403
    # The supervisor's own day: they cannot approve it either (nobody above them has a login here).
    response = people["supervisor"].post(
        day_url(world, YESTERDAY, who="boss", tail="/nilai"),
        data={"csrf_token": csrf_token(people["supervisor"], f"{BASE}/tim"), "decision": "setujui"},
    )
    assert response.status_code == 403
    # Another agency's staff: 404 for every write.
    token = csrf_token(people["beta"], "/kinerja/beta/tim")
    for tail in ("/kegiatan", "/kirim", "/nilai", "/usulan"):
        assert (
            people["beta"].post(day_url(world, YESTERDAY, tail=tail), data={"csrf_token": token}).status_code
            == 404
        )


def test_a_form_without_its_csrf_token_is_refused(app, world, people):
    response = people["officer"].post(day_url(world, YESTERDAY, tail="/kegiatan"), data=ACTIVITY)
    assert response.status_code == 400
