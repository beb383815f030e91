"""The waiting-room board: this semester's IKM, today's responses and
satisfaction, approved comments only; refreshes without JavaScript; no
personal data."""

from __future__ import annotations

import datetime as dt

import pytest

from plugins.survei.models import SurveiCommentStatus, SurveiKind, SurveiResponse, SurveiReview
from portal.core.models import Agency, Desk, Officer, Unit
from portal.core.plugin_system import plugins
from portal.extensions import db
from tests.conftest import screenshot


def _add(app, world, **values):
    with app.app_context():
        desk = db.session.get(Desk, world["alpha"]["desk"])
        values.setdefault("created_at", dt.datetime.now(dt.UTC).replace(tzinfo=None))
        row = SurveiResponse(
            agency_id=world["alpha"]["agency"],
            unit_id=desk.unit_id,
            desk_id=desk.id,
            officer_id=world["alpha"]["staff"],
            **values,
        )
        db.session.add(row)
        db.session.commit()


@pytest.fixture
def filled(app, world):
    skm = {f"u{n}": 4 for n in range(1, 10)}
    _add(app, world, kind=SurveiKind.SKM, **skm)
    _add(app, world, kind=SurveiKind.QUICK, face=4)
    _add(
        app,
        world,
        kind=SurveiKind.QUICK,
        face=3,
        comment="Petugas ramah, antrean cepat.",
        comment_status=SurveiCommentStatus.APPROVED,
    )
    _add(
        app,
        world,
        kind=SurveiKind.QUICK,
        face=1,
        comment="Komentar yang belum disetujui",
        comment_status=SurveiCommentStatus.PENDING,
    )
    _add(
        app,
        world,
        kind=SurveiKind.QUICK,
        face=1,
        review=SurveiReview.HELD,
        hold_reason="alamat",
        comment="Komentar ditahan",
        comment_status=SurveiCommentStatus.APPROVED,
    )
    _add(
        app,
        world,
        kind=SurveiKind.QUICK,
        face=2,
        created_at=dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(days=3),
    )


def test_agency_board_shows_today_and_the_semester(app, world, filled, client):
    page = client.get("/alpha/survei/layar/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<meta http-equiv="refresh" content="60">' in html
    assert "<script" not in html
    assert "100,00" in html and "Mutu A · Sangat Baik" in html  # IKM of the one SKM respondent
    # Today: 4 counted responses (the held one and the one of three days ago are not today's count),
    # 2 of 3 quick surveys satisfied.
    assert '<p class="value">4</p>' in html
    assert "67%" in html and "dari 3 survei cepat" in html
    assert "Petugas ramah, antrean cepat." in html
    assert "belum disetujui" not in html and "ditahan" not in html
    with app.app_context():
        names = [o.name for o in db.session.scalars(db.select(Officer))]
    assert not any(name in html for name in names)


def test_unit_board_and_another_agencys_unit(app, world, filled, client):
    page = client.get(f"/alpha/survei/layar/unit/{world['alpha']['unit']}")
    assert page.status_code == 200 and "Pelayanan Umum" in page.get_data(as_text=True)
    assert client.get(f"/alpha/survei/layar/unit/{world['beta']['unit']}").status_code == 404
    assert client.get("/alpha/survei/layar/unit/99999").status_code == 404
    # beta's board knows nothing of alpha's responses
    beta = client.get("/beta/survei/layar/").get_data(as_text=True)
    assert "Petugas ramah" not in beta and "Belum ada survei cepat hari ini." in beta


def test_board_without_data_says_so(app, world, client):
    html = client.get("/alpha/survei/layar/").get_data(as_text=True)
    assert "Belum ada responden SKM semester ini." in html
    assert "Belum ada survei cepat hari ini." in html and "Belum ada komentar yang ditampilkan." in html


def test_board_is_off_with_the_module(app, world, client):
    with app.app_context():
        plugins.set_enabled(db.session.get(Agency, world["alpha"]["agency"]), "survei", False)
        db.session.commit()
    assert client.get("/alpha/survei/layar/").status_code == 404


@pytest.mark.slow
def test_board_screenshots(app, live_server, world, filled, browser):
    with app.app_context():
        unit = db.session.get(Unit, world["alpha"]["unit"])
        unit.name = "Pelayanan Dokumen Kependudukan dan Pencatatan Sipil"
        db.session.commit()
    for width, height in ((390, 844), (1366, 768), (1920, 1080)):
        context = browser.new_context(base_url=live_server, viewport={"width": width, "height": height})
        page = context.new_page()
        page.goto(f"/alpha/survei/layar/unit/{world['alpha']['unit']}")
        screenshot(page, f"papan-{width}")
        # Nothing runs off the side.
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        context.close()
