import datetime as dt

from plugins.pengaduan.workdays import add_working_days, is_working_day, working_days_between

D = dt.date


def test_weekend_is_skipped():
    assert add_working_days(D(2026, 11, 20), 3) == D(2026, 11, 25)  # Fri → Wed


def test_christmas_is_skipped():
    assert not is_working_day(D(2026, 12, 25))
    assert add_working_days(D(2026, 12, 24), 3) == D(2026, 12, 30)  # Thu → Mon, Tue, Wed


def test_filed_just_before_idul_fitri_with_cuti_bersama():
    # 2027: Nyepi Mon 8 March, Idul Fitri Wed 10 and Thu 11 March.
    assert add_working_days(D(2027, 3, 5), 3) == D(2027, 3, 15)
    # The agency declares Fri 12 March cuti bersama: one more day.
    assert add_working_days(D(2027, 3, 5), 3, leave={D(2027, 3, 12)}) == D(2027, 3, 16)


def test_working_days_between():
    assert working_days_between(D(2026, 11, 20), D(2026, 11, 25)) == 3
    assert working_days_between(D(2026, 11, 25), D(2026, 11, 20)) == 0
