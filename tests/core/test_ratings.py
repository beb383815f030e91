"""The ratings service: validation, normalisation, rollups under concurrency,
and the record read back from rollups."""

from __future__ import annotations

import datetime as dt
import math
import statistics
import threading

import pytest
from sqlalchemy import func

from portal.core.models import Agency, Officer, RatingEvent, RatingRollup, RatingScore
from portal.core.plugin_system import plugins
from portal.core.record.ratings import (
    RatingError,
    agency_ranking,
    band,
    officer_record,
    period_bounds,
    record_rating,
)
from portal.extensions import db


def _get(world, slug="alpha"):
    agency = db.session.get(Agency, world[slug]["agency"])
    return agency, db.session.get(Officer, world[slug]["staff"]), db.session.get(Officer, world[slug]["boss"])


def test_scores_use_the_skm_conversion(app, world):
    with app.app_context():
        agency, staff, _ = _get(world)
        assert record_rating(agency=agency, officer=staff, source="survei", kind="skm", value=3).score == 75.0
        assert (
            record_rating(agency=agency, officer=staff, source="survei", kind="skm", value=3.5).score == 87.5
        )
        assert (
            record_rating(agency=agency, officer=staff, source="pengaduan", kind="penanganan", value=4).score
            == 80.0
        )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"source": "survei", "kind": "bintang", "value": 3}, "tidak dikenal"),
        ({"source": "tidak_ada", "kind": "skm", "value": 3}, "tidak dikenal"),
        ({"source": "survei", "kind": "skm", "value": 5}, "di luar skala 1–4"),
        ({"source": "survei", "kind": "skm", "value": 0.5}, "di luar skala"),
        ({"source": "survei", "kind": "skm", "value": float("nan")}, "di luar skala"),
        ({"source": "survei", "kind": "skm", "value": "tiga"}, "harus berupa angka"),
        ({"source": "survei", "kind": "skm", "value": None}, "harus berupa angka"),
    ],
)
def test_invalid_ratings_are_refused_and_nothing_is_stored(app, world, kwargs, message):
    with app.test_request_context():
        agency, staff, _ = _get(world)
        with pytest.raises(RatingError, match=message):
            record_rating(agency=agency, officer=staff, **kwargs)
        db.session.rollback()
        assert db.session.scalar(db.select(func.count(RatingEvent.id))) == 0
        assert db.session.scalar(db.select(func.count()).select_from(RatingRollup)) == 0


def test_officer_of_another_agency_is_refused(app, world):
    with app.test_request_context():
        alpha, _, _ = _get(world, "alpha")
        _, beta_staff, _ = _get(world, "beta")
        with pytest.raises(RatingError, match="tidak terdaftar di instansi ini"):
            record_rating(agency=alpha, officer=beta_staff, source="survei", kind="skm", value=4)


def test_inactive_officer_is_refused(app, world):
    with app.test_request_context():
        agency, staff, _ = _get(world)
        staff.active = False
        db.session.commit()
        with pytest.raises(RatingError, match="tidak aktif"):
            record_rating(agency=agency, officer=staff, source="survei", kind="skm", value=4)


def test_rollup_month_follows_the_agency_time_zone(app, world):
    with app.app_context():
        agency, staff, _ = _get(world)
        # 31 Oct 20:00 UTC is 1 Nov 03:00 in Jakarta.
        event = record_rating(
            agency=agency,
            officer=staff,
            source="survei",
            kind="cepat",
            value=4,
            at=dt.datetime(2026, 10, 31, 20, 0),
        )
        assert event.period == dt.date(2026, 11, 1)
        row = db.session.scalars(db.select(RatingRollup)).one()
        assert (row.period, row.count, row.total, row.total_sq) == (dt.date(2026, 11, 1), 1, 100.0, 10000.0)


def test_record_from_rollups_matches_the_raw_events(app, world):
    values = [4, 3, 3, 2, 4, 4, 1, 3]
    with app.app_context():
        agency, staff, boss = _get(world)
        at = dt.datetime(2026, 3, 10, 3, 0)
        for v in values:
            record_rating(agency=agency, officer=staff, source="survei", kind="skm", value=v, at=at)
        record_rating(
            agency=agency, officer=staff, source="pengaduan", kind="penanganan", value=5, at=at, verified=True
        )
        record_rating(agency=agency, officer=boss, source="survei", kind="skm", value=4, at=at)
        start, end = period_bounds("semester", dt.date(2026, 3, 10))
        record = officer_record(staff, start, end)

        scores = [v * 25 for v in values] + [100.0]
        assert record.overall.count == 9
        assert record.overall.mean == pytest.approx(statistics.mean(scores))
        low, high = record.overall.ci
        half = 2.306 * statistics.stdev(scores) / math.sqrt(9)  # t(0.975, 8)
        assert (low, high) == pytest.approx((statistics.mean(scores) - half, statistics.mean(scores) + half))
        assert record.by_source["survei"].count == 8
        assert record.by_source["survei"].mean == pytest.approx(statistics.mean(scores[:8]))
        assert record.by_source["pengaduan"].mean == 100.0
        assert record.by_source["pengaduan"].ci is None  # one rating: no interval
        assert record.verified[True].count == 1 and record.verified[False].count == 8
        # Outside the period nothing counts.
        assert officer_record(staff, *period_bounds("bulan", dt.date(2026, 4, 1))).overall.count == 0


def test_agency_weight_scales_a_source(app, world):
    from portal.core.models import AgencyPlugin

    with app.app_context():
        agency, staff, _ = _get(world)
        at = dt.datetime(2026, 5, 5)
        record_rating(agency=agency, officer=staff, source="survei", kind="skm", value=4, at=at)
        record_rating(agency=agency, officer=staff, source="pengaduan", kind="penanganan", value=1, at=at)
        start, end = period_bounds("bulan", at.date())
        assert officer_record(staff, start, end).overall.mean == pytest.approx(60.0)
        db.session.get(AgencyPlugin, (agency.id, "survei")).weight = 3.0
        db.session.commit()
        # (3·100 + 1·20) / 4
        assert officer_record(staff, start, end).overall.mean == pytest.approx(80.0)


def test_few_ratings_do_not_top_the_ranking(app, world):
    from portal.testing import nip

    with app.app_context():
        agency, staff, boss = _get(world)
        third = Officer(agency_id=agency.id, nip=nip(50), name="Pegawai Ketiga")
        db.session.add(third)
        db.session.commit()
        at = dt.datetime(2026, 6, 2)
        for _ in range(2):  # two perfect ratings
            record_rating(agency=agency, officer=boss, source="survei", kind="skm", value=4, at=at)
        for i in range(60):  # sixty good ones (mean 91.67)
            record_rating(
                agency=agency, officer=staff, source="survei", kind="skm", value=4 if i % 3 else 3, at=at
            )
        for i in range(100):  # a hundred middling ones (mean 62.5)
            record_rating(agency=agency, officer=third, source="survei", kind="skm", value=2 + i % 2, at=at)
        start, end = period_bounds("bulan", at.date())
        everyone, ranked = agency_ranking(agency, start, end)
        mean = everyone.mean
        assert [r.officer_id for r in ranked] == [staff.id, boss.id, third.id]
        by_id = {r.officer_id: r for r in ranked}
        assert by_id[boss.id].stat.mean == 100.0 > by_id[staff.id].stat.mean
        assert mean < by_id[boss.id].shrunk < by_id[staff.id].shrunk
        # Restricted to a team, the agency mean is still the prior.
        _, team = agency_ranking(agency, start, end, officer_ids={boss.id})
        assert [r.officer_id for r in team] == [boss.id]
        assert team[0].shrunk == pytest.approx(by_id[boss.id].shrunk)


def test_shrunk_scores_by_hand(app, world):
    """Two perfect ratings against eight of 50, prior 10 ratings:
    agency mean (2·100 + 8·50) / 10 = 60; shrunk (2·100 + 10·60) / 12 and
    (8·50 + 10·60) / 18."""
    with app.app_context():
        agency, staff, boss = _get(world)
        at = dt.datetime(2026, 8, 4)
        for _ in range(2):
            record_rating(agency=agency, officer=staff, source="survei", kind="skm", value=4, at=at)
        for _ in range(8):
            record_rating(agency=agency, officer=boss, source="survei", kind="skm", value=2, at=at)
        everyone, ranked = agency_ranking(agency, *period_bounds("triwulan", at.date()))
        assert everyone.mean == pytest.approx(60.0) and everyone.count == 10
        shrunk = {r.officer_id: r.shrunk for r in ranked}
        assert shrunk[staff.id] == pytest.approx(800 / 12)  # 66.67
        assert shrunk[boss.id] == pytest.approx(1000 / 18)  # 55.56
        assert ranked[0].stat.ci == pytest.approx((100.0, 100.0))  # no spread: the interval is the mean


@pytest.mark.parametrize(
    ("score", "letter"),
    [
        (100, "A"),
        (88.31, "A"),
        (88.305, "A"),
        (88.30, "B"),
        (76.61, "B"),
        (76.604, "C"),
        (65.0, "C"),
        (64.99, "D"),
        (25, "D"),
    ],
)
def test_bands_are_the_skm_grades(app, score, letter):
    with app.test_request_context():
        assert band(score)[0] == letter


@pytest.mark.parametrize(
    ("kind", "day", "bounds"),
    [
        ("bulan", dt.date(2026, 12, 31), (dt.date(2026, 12, 1), dt.date(2027, 1, 1))),
        ("triwulan", dt.date(2026, 5, 5), (dt.date(2026, 4, 1), dt.date(2026, 7, 1))),
        ("semester", dt.date(2026, 11, 25), (dt.date(2026, 7, 1), dt.date(2027, 1, 1))),
        ("tahun", dt.date(2026, 2, 1), (dt.date(2026, 1, 1), dt.date(2027, 1, 1))),
    ],
)
def test_period_bounds(kind, day, bounds):
    assert period_bounds(kind, day) == bounds


THREADS, CALLS = 8, 25


def test_concurrent_ratings_never_lose_a_count(app, world):
    """THREADS × CALLS concurrent record_rating calls for the same officer and
    month → exactly that many events, and the rollup agrees with them."""
    errors: list[BaseException] = []
    barrier = threading.Barrier(THREADS)
    at = dt.datetime(2026, 7, 7, 7, 0)

    def worker(n):
        try:
            with app.app_context():
                agency, staff, _ = _get(world)
                db.session.rollback()  # hold no transaction while waiting for the others
                barrier.wait(timeout=60)
                for i in range(CALLS):
                    record_rating(
                        agency=agency,
                        officer=staff,
                        source="survei",
                        kind="cepat",
                        value=1 + (n + i) % 4,
                        at=at,
                        ref=f"t{n}:{i}",
                    )
                db.session.remove()
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors

    with app.app_context():
        events = db.session.execute(
            db.select(
                func.count(), func.sum(RatingEvent.score), func.sum(RatingEvent.score * RatingEvent.score)
            )
        ).one()
        rollup = db.session.scalars(db.select(RatingRollup)).one()
        assert events[0] == THREADS * CALLS
        assert rollup.count == THREADS * CALLS
        assert rollup.total == pytest.approx(events[1])
        assert rollup.total_sq == pytest.approx(events[2])
        expected = sum((1 + (n + i) % 4) * 25 for n in range(THREADS) for i in range(CALLS))
        assert rollup.total == pytest.approx(expected)
        # Weights are all 1 here, so the weighted month score equals the rollup.
        score = db.session.scalars(db.select(RatingScore).filter_by(span="bulan")).one()
        assert (score.count, score.w) == (THREADS * CALLS, THREADS * CALLS)
        assert score.s == pytest.approx(events[1]) and score.q == pytest.approx(events[2])
        assert plugins.installed()  # the app under test had its plugins loaded


def test_ratings_during_changes_of_weights_are_counted_with_the_weights_in_force(app, world):
    """Ratings recorded while an admin keeps changing the survey's weight:
    afterwards the stored scores are exactly what the rollups give with the
    final weight, as if every rating had come before or after each change."""
    from portal.core.models import AgencyPlugin
    from portal.core.record.ratings import recompute_scores, weights_lock

    errors: list[BaseException] = []
    barrier = threading.Barrier(THREADS + 1)
    at = dt.datetime(2026, 7, 7, 7, 0)

    def rater(n):
        try:
            with app.app_context():
                agency, staff, _ = _get(world)
                db.session.rollback()
                barrier.wait(timeout=60)
                for i in range(CALLS):
                    record_rating(
                        agency=agency.id,
                        officer=staff.id,
                        source="survei",
                        kind="cepat",
                        value=1 + (n + i) % 4,
                        at=at,
                    )
                db.session.remove()
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    def admin():
        try:
            with app.app_context():
                agency_id = world["alpha"]["agency"]
                db.session.rollback()
                barrier.wait(timeout=60)
                for weight in (2.0, 0.5, 3.0, 1.5):
                    weights_lock(agency_id, exclusive=True)
                    agency = db.session.get(Agency, agency_id)
                    db.session.get(AgencyPlugin, (agency_id, "survei")).weight = weight
                    db.session.flush()
                    recompute_scores(agency)
                    db.session.commit()
                db.session.remove()
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=rater, args=(n,)) for n in range(THREADS)]
    threads.append(threading.Thread(target=admin))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors

    def scores():
        rows = db.session.scalars(db.select(RatingScore).order_by(RatingScore.span, RatingScore.period)).all()
        return [(r.span, r.count, round(r.w, 6), round(r.s, 4), round(r.q, 2)) for r in rows]

    with app.app_context():
        stored = scores()
        assert stored and stored[0][1] == THREADS * CALLS
        recompute_scores(db.session.get(Agency, world["alpha"]["agency"]))
        db.session.flush()
        assert stored == scores()
        assert {w for _span, _n, w, _s, _q in stored} == {1.5 * THREADS * CALLS}


# ---------------------------------------------------------------- held for review


def _held(world, **kwargs):
    agency, staff, _ = _get(world)
    return record_rating(
        agency=agency, officer=staff, source="survei", kind="skm", value=4, hold="alamat", **kwargs
    )


def _counted(officer_id):
    rollup = db.session.scalar(db.select(func.sum(RatingRollup.count)).filter_by(officer_id=officer_id))
    score = db.session.scalar(db.select(func.sum(RatingScore.count)).filter_by(officer_id=officer_id))
    return int(rollup or 0), int(score or 0)


def test_a_held_rating_is_stored_but_counted_nowhere(app, world):
    from portal.core.record.ratings import held_counts

    with app.app_context():
        event = _held(world)
        assert (event.review, event.hold_reason) == ("ditahan", "alamat")
        agency, staff, _ = _get(world)
        assert _counted(staff.id) == (0, 0)
        start, end = period_bounds("tahun", event.period)
        assert officer_record(staff, start, end).overall.count == 0
        assert agency_ranking(agency, start, end)[1] == []
        assert held_counts(staff) == {"alamat": 1}


def test_an_unknown_hold_reason_is_a_programming_error(app, world):
    with app.app_context(), pytest.raises(ValueError, match="unknown hold reason"):
        agency, staff, _ = _get(world)
        record_rating(agency=agency, officer=staff, source="survei", kind="skm", value=4, hold="entah")


def test_accepting_counts_exactly_once_and_calls_the_hook(app, world):
    from portal.core.record.ratings import accept_held, reject_held

    with app.app_context():
        event = _held(world)
        assert accept_held(event.id) is not None
        assert accept_held(event.id) is None  # a second accept changes nothing
        assert reject_held(event.id) is None  # nor does a late reject
        staff_id = world["alpha"]["staff"]
        assert _counted(staff_id) == (1, 4)  # one rating, in its month, quarter, semester, year rows
        assert db.session.get(RatingEvent, event.id).review == "diterima"


def test_a_rejected_rating_never_counts(app, world):
    from portal.core.record.ratings import accept_held, reject_held

    with app.app_context():
        event = _held(world)
        assert reject_held(event.id) is not None
        assert accept_held(event.id) is None
        assert _counted(world["alpha"]["staff"]) == (0, 0)
        assert db.session.get(RatingEvent, event.id).review == "ditolak"


def test_two_reviewers_accepting_at_once_count_the_rating_once(app, world):
    from portal.core.record.ratings import accept_held

    with app.app_context():
        event_id = _held(world).id
    barrier = threading.Barrier(2)
    results, errors = [], []

    def accept():
        try:
            with app.app_context():
                barrier.wait(timeout=30)
                results.append(accept_held(event_id) is not None)
        except BaseException as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=accept) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and sorted(results) == [False, True]
    with app.app_context():
        assert _counted(world["alpha"]["staff"]) == (1, 4)
