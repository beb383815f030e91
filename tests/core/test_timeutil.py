"""``day_bounds``: local days of an agency as the stored (naive UTC) window."""

import datetime as dt

from portal.plugin import day_bounds


def test_one_local_day_in_jakarta_starts_at_17_utc_the_day_before():
    day = dt.date(2027, 8, 17)
    assert day_bounds(day, day, "Asia/Jakarta") == (
        dt.datetime(2027, 8, 16, 17, 0),
        dt.datetime(2027, 8, 17, 17, 0),
    )


def test_both_dates_are_included_and_the_end_instant_is_not():
    start, end = day_bounds(dt.date(2027, 1, 1), dt.date(2027, 1, 31), "Asia/Makassar")
    assert start == dt.datetime(2026, 12, 31, 16, 0)
    assert end == dt.datetime(2027, 1, 31, 16, 0)  # midnight ending 31 January, WITA
    assert end - start == dt.timedelta(days=31)


def test_default_zone_is_jakarta_and_bounds_are_naive():
    day = dt.date(2027, 3, 1)
    start, end = day_bounds(day, day)
    assert start.tzinfo is None and end.tzinfo is None
    assert (start, end) == day_bounds(day, day, "Asia/Jakarta")


def test_a_period_with_an_excluded_end_date_passes_the_day_before_it():
    first, after = dt.date(2027, 1, 1), dt.date(2027, 7, 1)
    start, end = day_bounds(first, after - dt.timedelta(days=1), "Asia/Jayapura")
    assert end == dt.datetime.combine(after, dt.time()) - dt.timedelta(hours=9)
    assert start == dt.datetime(2026, 12, 31, 15, 0)
