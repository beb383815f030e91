"""Results (before/after and difference in differences) and the needs
analysis against hand-computed data sets. Scores: a quick-survey value v
(1–4) is v × 25 points; all ratings weigh the same."""

from __future__ import annotations

import datetime as dt

import pytest

from plugins.pengembangan import service
from plugins.pengembangan.models import PengembanganActivity, PengembanganAssessment, PengembanganTheme
from portal.extensions import db
from portal.testing import login, post_form
from tests.pengembangan.conftest import make_activity, rate, today

BASE = "/kelola/alpha/pengembangan"


@pytest.fixture
def training(app, world, dev):
    """Staff (Pelayanan Umum: the boss, A and B are the comparison group)
    and C and D (the whole of Akta: no comparison group) attended.
    Windows of 14 days: before = day−44 … day−31, after = day−28 … day−15."""
    day = today(app, world)
    return make_activity(
        app,
        world,
        starts=day - dt.timedelta(days=30),
        ends=day - dt.timedelta(days=29),
        jp=12,
        officers=[world["alpha"]["staff"], dev["ids"]["c"], dev["ids"]["d"]],
        theme=dev["theme"],
        window_days=14,
    )


def _evaluate(app, activity_id):
    with app.app_context():
        activity = db.session.get(PengembanganActivity, activity_id)
        result = service.evaluate(activity)
        return (
            {
                r.participant.officer_id: (
                    r.status,
                    r.own.before.mean,
                    r.own.before.count,
                    r.own.after.mean,
                    r.own.after.count,
                    r.control.value if r.control else None,
                    r.effect,
                    r.control_size,
                )
                for r in result.rows
            },
            result.mean_effect,
            result.sources,
        )


def test_difference_in_differences_by_hand(app, client, world, dev, training):
    staff, boss, a = world["alpha"]["staff"], world["alpha"]["boss"], dev["ids"]["a"]
    rate(app, world, staff, 38, [3, 3, 3, 3, 3])  # before: 75
    rate(app, world, staff, 20, [4, 4, 4, 4, 4])  # after: 100 → +25
    rate(app, world, boss, 38, [3, 3, 3, 3, 3])  # comparison before: (75×5 + 50×5) / 10 = 62.5
    rate(app, world, a, 38, [2, 2, 2, 2, 2])
    rate(app, world, boss, 20, [3, 3, 3, 3, 3])  # comparison after: (75×5 + 65×5) / 10 = 70
    rate(app, world, a, 20, [2, 3, 3, 3, 2])
    rate(app, world, staff, 60, [1, 1, 1, 1, 1])  # outside both windows: ignored
    rate(app, world, staff, 5, [1, 1, 1, 1, 1])
    rows, mean, sources = _evaluate(app, training)
    assert sources == ["survei"]
    status, before, n_before, after, n_after, control, effect, size = rows[staff]
    assert (status, before, n_before, after, n_after) == ("ok", 75.0, 5, 100.0, 5)
    assert control == pytest.approx(7.5)
    assert effect == pytest.approx(17.5)
    assert size == 3  # boss, A and B (B has no ratings, the pooled figures are A's and the boss's)
    assert mean == pytest.approx(17.5)  # C and D have no effect: Akta has no comparison group
    login(client, world["alpha"]["emails"]["admin"])
    page = client.get(f"{BASE}/kegiatan/{training}/hasil").get_data(as_text=True)
    assert "+17,5 poin" in page
    assert "Rata-rata selisih perubahan +17,5 poin pada 1 peserta." in page
    assert (
        "berkaitan dengan kegiatan" in page and "menyebabkan" in page
    )  # "tidak membuktikan … menyebabkannya"
    assert "disebabkan oleh" not in page


def test_too_few_ratings_and_an_empty_comparison_group(app, client, world, dev, training):
    staff, boss, c = world["alpha"]["staff"], world["alpha"]["boss"], dev["ids"]["c"]
    rate(app, world, staff, 38, [3, 3, 3, 3, 3])
    rate(app, world, staff, 20, [4, 4, 4, 4])  # only 4 after: below the minimum of 5
    rate(app, world, boss, 38, [3] * 6)
    rate(app, world, boss, 20, [3] * 6)
    rate(app, world, c, 38, [2] * 5)
    rate(app, world, c, 20, [3] * 5)
    rows, mean, _ = _evaluate(app, training)
    assert rows[staff][0] == "too_few" and rows[staff][6] is None
    status, before, _nb, after, _na, control, effect, size = rows[c]
    assert (status, before, after, control, effect, size) == ("no_control", 50.0, 75.0, None, None, 0)
    assert mean is None
    login(client, world["alpha"]["emails"]["admin"])
    page = client.get(f"{BASE}/kegiatan/{training}/hasil").get_data(as_text=True)
    assert "Penilaian belum cukup" in page and "4 penilaian" in page
    assert "Tidak ada: semua pegawai unit ini ikut kegiatan" in page
    assert "Belum ada peserta dengan penilaian yang cukup" in page
    assert "+25,0" in page  # C's own change is shown, without an effect


def test_results_wait_for_the_after_window(app, client, world, dev):
    day = today(app, world)
    activity = make_activity(
        app,
        world,
        starts=day - dt.timedelta(days=3),
        ends=day - dt.timedelta(days=2),
        officers=[world["alpha"]["staff"]],
        theme=dev["theme"],
    )
    rows, mean, _ = _evaluate(app, activity)
    assert rows[world["alpha"]["staff"]][0] == "pending" and mean is None
    login(client, world["alpha"]["emails"]["admin"])
    page = client.get(f"{BASE}/kegiatan/{activity}/hasil").get_data(as_text=True)
    assert "hasil dihitung setelah itu" in page


def test_needs_flag_only_credible_differences(app, client, world, dev):
    staff, boss, a, b = world["alpha"]["staff"], world["alpha"]["boss"], dev["ids"]["a"], dev["ids"]["b"]
    rate(app, world, staff, 0, [1, 1, 2, 1, 1, 1, 2, 1])  # about 31 with a narrow interval
    for colleague in (boss, b):
        rate(app, world, colleague, 0, [4, 4, 3, 4, 4, 4, 3, 4])  # about 94
    rate(app, world, a, 0, [1, 1, 1])  # only 3 ratings: never evidence
    login(client, world["alpha"]["emails"]["admin"])
    page = client.get(f"{BASE}/kebutuhan/{staff}").get_data(as_text=True)
    assert "Pelayanan prima" in page and "di bawah unit" in page and "tidak bertumpang tindih" in page
    page = client.get(f"{BASE}/kebutuhan/{a}").get_data(as_text=True)
    assert "di bawah unit" not in page and "Belum ada kebutuhan" in page
    page = client.get(f"{BASE}/kebutuhan?unit={world['alpha']['unit']}").get_data(as_text=True)
    assert "Pelayanan prima" in page


def test_overlapping_intervals_are_not_evidence(app, client, world, dev):
    staff, boss = world["alpha"]["staff"], world["alpha"]["boss"]
    rate(app, world, staff, 0, [1, 4, 2, 4, 3, 4])
    rate(app, world, boss, 0, [4, 3, 4, 2, 4, 4])
    login(client, world["alpha"]["emails"]["admin"])
    page = client.get(f"{BASE}/kebutuhan/{staff}").get_data(as_text=True)
    assert "di bawah unit" not in page


def test_self_and_supervisor_assessments_rank_needs(app, client, world, dev):
    staff = world["alpha"]["staff"]
    with app.app_context():
        second = PengembanganTheme(agency_id=world["alpha"]["agency"], name="Literasi digital", unsur="8")
        db.session.add(second)
        db.session.commit()
        second_id = second.id
    officer = app.test_client()
    login(officer, world["alpha"]["emails"]["officer"])
    url = f"{BASE}/kebutuhan/{staff}"
    r = post_form(
        officer,
        url,
        {f"tema-{dev['theme']}": "1", f"tema-{second_id}": "3", f"catatan-{second_id}": "Aplikasi"},
    )
    assert r.status_code == 302
    r = post_form(officer, url, {f"tema-{dev['theme']}": "7"})
    assert r.status_code == 400 and "Pilih tingkat kebutuhan dari daftar." in r.get_data(as_text=True)
    boss = app.test_client()
    login(boss, world["alpha"]["emails"]["supervisor"])
    assert post_form(boss, url, {f"tema-{dev['theme']}": "3"}).status_code == 302
    with app.app_context():
        rows = db.session.scalars(db.select(PengembanganAssessment).filter_by(officer_id=staff)).all()
        assert sorted((r.by, r.level) for r in rows) == [("atasan", 3), ("pegawai", 1), ("pegawai", 3)]
    page = officer.get(url).get_data(as_text=True)
    # supervisor 3 × 1.0 + self 1 × 0.5 = 3.5 for Pelayanan prima; self 3 × 0.5 = 1.5 for Literasi digital
    assert page.index("Pelayanan prima</strong>") < page.index("Literasi digital</strong>")
    assert "Pandangan atasan: kebutuhan tinggi." in page and "Catatan: Aplikasi" in page
    # a colleague may not assess the officer
    other = app.test_client()
    login(other, dev["emails"]["a"])
    assert other.get(url).status_code == 404


def test_seeded_demo_shows_a_result(app, world):
    """The demo's past training has enough ratings before and after to show an effect."""
    from portal.core.models import Agency

    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        agency = db.session.execute(db.select(Agency).filter_by(slug="disdukcapil")).scalar_one()
        training = db.session.execute(
            db.select(PengembanganActivity).filter_by(agency_id=agency.id, kind="kursus")
        ).scalar_one()
        evaluation = service.evaluate(training)
        assert evaluation.mean_effect is not None and evaluation.mean_effect > 0
        assert {r.status for r in evaluation.rows} == {"ok", "no_control"}


def test_the_units_weakest_skm_unsur_points_at_its_theme(app, client, world, dev):
    """Twelve SKM responses at the unit's desk, every unsur 4 except U3
    (waktu penyelesaian) 2: U3 is the weakest, so "Manajemen waktu" (U3) is
    a need of the unit with that evidence."""
    from plugins.survei.models import SurveiKind
    from plugins.survei.service import Submission, store
    from portal.core.models import Desk
    from portal.core.util.timeutil import utcnow
    from tests.survei.conftest import set_kind

    set_kind(app, world["alpha"]["desk"], SurveiKind.SKM)
    with app.app_context():
        theme = PengembanganTheme(agency_id=world["alpha"]["agency"], name="Manajemen waktu", unsur="3")
        db.session.add(theme)
        db.session.commit()
        desk = db.session.get(Desk, world["alpha"]["desk"])
        for n in range(12):
            submission = Submission(kind=SurveiKind.SKM)
            submission.values.update({f"u{u}": (2 if u == 3 else 4) for u in range(1, 10)})
            # an hour apart: a burst of identical answers would be held for review
            store(desk, submission, nonce=f"uji-skm-{n}", at=utcnow() - dt.timedelta(hours=n + 1))
    login(client, world["alpha"]["emails"]["admin"])
    page = client.get(f"{BASE}/kebutuhan").get_data(as_text=True)
    assert "Unsur SKM terlemah unit Pelayanan Umum: Unsur SKM U3" in page
    assert "Manajemen waktu" in page
    page = client.get(f"{BASE}/kebutuhan/{world['alpha']['staff']}").get_data(as_text=True)
    assert "Manajemen waktu</strong>" in page and "50,0/100 (n=12" in page
