"""A target measured by the portal: the officer's citizen score from the
record, hand-computed, and "not enough ratings" below the minimum of five."""

from __future__ import annotations

from portal.core.models import Agency, Officer
from portal.extensions import db
from portal.plugin import record_rating
from portal.testing import post_form

BASE = "/kelola/alpha/kinerja-harian"


def _rate(app, world, values):
    with app.app_context(), app.test_request_context("/"):
        agency = db.session.get(Agency, world["alpha"]["agency"])
        officer = db.session.get(Officer, world["alpha"]["staff"])
        for i, value in enumerate(values):
            record_rating(
                agency=agency,
                officer=officer,
                source="pengaduan",
                kind="penanganan",
                value=value,
                ref=f"uji:{i}:{value}",
            )


def test_a_measured_target_says_not_enough_ratings_then_the_hand_computed_score(app, world, people):
    staff = world["alpha"]["staff"]
    form = {
        "owner": f"o{staff}",
        "period_kind": "triwulan",
        "period_day": "2026-12-01",
        "kind": "terukur",
        "indicator_key": "core.score",
        "title": "",
        "target_value": "85",
        "unit_label": "",
    }
    # A unit's indicator is not one an officer can be measured by.
    response = post_form(people["supervisor"], f"{BASE}/target/baru", {**form, "indicator_key": "survei.ikm"})
    assert response.status_code == 400 and "Pilih indikator yang dapat diukur portal" in response.get_data(
        as_text=True
    )
    assert post_form(people["supervisor"], f"{BASE}/target/baru", form).status_code == 302
    _rate(app, world, [5, 4, 4, 3])
    page = people["officer"].get(f"{BASE}/pegawai/{staff}").get_data(as_text=True)
    assert "Skor warga (semua sumber)" in page
    assert "Belum cukup data untuk diukur (4 penilaian sejauh ini)" in page
    assert "Capaian" not in page
    _rate(app, world, [5])
    page = people["officer"].get(f"{BASE}/pegawai/{staff}").get_data(as_text=True)
    # (100 + 80 + 80 + 60 + 100) / 5 = 84 of 85: 98.8% → 99%, not reached.
    assert "Capaian 84 dari target 85 /100" in page and "(99%)" in page
    assert "dari 5 penilaian" in page and "selang kepercayaan 95%" in page
    assert "tercapai" not in page


def test_the_on_time_share_is_an_indicator_other_pages_can_use(app, world, people):
    from plugins.kinerja_harian.service import MIN_SETTLED_DAYS
    from portal.plugin import indicators

    with app.app_context(), app.test_request_context("/"):
        agency = db.session.get(Agency, world["alpha"]["agency"])
        found = indicators(agency, scope="officer")
        assert "kinerja_harian.on_time" in found
        import datetime as dt

        officer = db.session.get(Officer, world["alpha"]["staff"])
        nothing = found["kinerja_harian.on_time"].measure(
            officer, dt.date(2026, 12, 1), dt.date(2026, 12, 10)
        )
        # 1–8 December: 6 working days past their deadline, none reported → 0%.
        assert nothing.value == 0 and nothing.count == 6 >= MIN_SETTLED_DAYS
        few = found["kinerja_harian.on_time"].measure(officer, dt.date(2026, 12, 7), dt.date(2026, 12, 10))
        assert few.value is None and not few.enough
