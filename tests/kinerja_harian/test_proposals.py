"""Proposed entries: the day's page offers the work other modules report
through ``portal_daily_evidence``; each accepted entry keeps the key and
link of its evidence; evidence that is not the officer's (another agency's,
another day's, made up) is refused and nothing is stored."""

from __future__ import annotations

import pytest

from plugins.kinerja_harian.models import KinerjaHarianActivity
from portal.extensions import db
from portal.testing import make_app, post_form, reset_schema
from tests.kinerja_harian import evidence_plugin
from tests.kinerja_harian.conftest import YESTERDAY, day_url


@pytest.fixture
def app(database_url, tmp_path):
    evidence_plugin.WORK.clear()
    app = make_app(
        database_url,
        PORTAL_PLUGINS="kinerja_harian,tests.kinerja_harian.evidence_plugin",
        PORTAL_UPLOAD_DIR=str(tmp_path / "uploads"),
    )
    reset_schema(app)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _activities(app):
    with app.app_context():
        return [
            (a.description, a.quantity, a.minutes, a.evidence_key, a.evidence_source, a.evidence_url)
            for a in db.session.scalars(db.select(KinerjaHarianActivity).order_by(KinerjaHarianActivity.id))
        ]


def test_each_proposed_entry_is_traced_to_its_evidence(app, world, people):
    staff = world["alpha"]["staff"]
    evidence_plugin.WORK[(staff, YESTERDAY)] = [
        (11, "Menyelesaikan pengaduan ADU-AAAA", 1, 45),
        (12, "Menjadi narasumber dialog publik", 1, None),
    ]
    page = people["officer"].get(day_url(world, YESTERDAY)).get_data(as_text=True)
    assert "Usulan dari portal" in page
    assert "Menyelesaikan pengaduan ADU-AAAA" in page and "Menjadi narasumber dialog publik" in page
    response = post_form(
        people["officer"],
        day_url(world, YESTERDAY, tail="/usulan"),
        {"bukti": ["bukti_uji:selesai:11", "bukti_uji:selesai:12"]},
        token_from=day_url(world, YESTERDAY),
    )
    assert response.status_code == 302
    assert _activities(app) == [
        (
            "Menyelesaikan pengaduan ADU-AAAA",
            1,
            45,
            "bukti_uji:selesai:11",
            "bukti_uji",
            "/kelola/alpha/bukti/11",
        ),
        (
            "Menjadi narasumber dialog publik",
            1,
            15,
            "bukti_uji:selesai:12",
            "bukti_uji",
            "/kelola/alpha/bukti/12",
        ),
    ]
    page = people["officer"].get(day_url(world, YESTERDAY)).get_data(as_text=True)
    assert "Usulan dari portal" not in page  # both taken
    assert 'href="/kelola/alpha/bukti/11"' in page
    # Twice is refused: the same evidence is never counted twice in a day.
    response = post_form(
        people["officer"],
        day_url(world, YESTERDAY, tail="/usulan"),
        {"bukti": "bukti_uji:selesai:11"},
        token_from=day_url(world, YESTERDAY),
    )
    assert response.status_code == 400 and "sudah ada di laporan" in response.get_data(as_text=True)
    assert len(_activities(app)) == 2


@pytest.mark.parametrize(
    "key",
    [
        "bukti_uji:selesai:99",  # beta's officer's evidence of the same day
        "bukti_uji:selesai:13",  # the alpha officer's evidence of another day
        "pengaduan:resolved:1",  # made up
    ],
)
def test_evidence_that_is_not_the_officers_is_refused(app, world, people, key):
    evidence_plugin.WORK[(world["beta"]["staff"], YESTERDAY)] = [(99, "Pekerjaan di instansi beta", 1, 30)]
    evidence_plugin.WORK[(world["alpha"]["staff"], YESTERDAY.replace(day=8))] = [(13, "Hari lain", 1, 30)]
    response = post_form(
        people["officer"],
        day_url(world, YESTERDAY, tail="/usulan"),
        {"bukti": key},
        token_from=day_url(world, YESTERDAY),
    )
    assert response.status_code == 400
    assert "tidak tercatat atas nama Anda" in response.get_data(as_text=True)
    assert _activities(app) == []
