"""Which days are working days: weekends, Tết, the other holidays, the government's day swaps."""

import datetime as dt

import pytest

from portal.workcalendar.services import (
    add_working_days,
    is_working_day,
    next_working_day,
    previous_working_day,
)

D = dt.date


@pytest.mark.parametrize(
    "day, working",
    [
        (D(2026, 2, 13), True),  # Friday before Tết
        (D(2026, 2, 14), False),  # Saturday
        (D(2026, 2, 16), False),  # Tết 2026: 16..20 February
        (D(2026, 2, 17), False),
        (D(2026, 2, 20), False),
        (D(2026, 2, 23), True),  # first Monday after Tết
        (D(2026, 4, 27), False),  # Hùng Kings (Sunday 26/4) observed on Monday
        (D(2026, 4, 28), True),
        (D(2026, 4, 30), False),  # Reunification Day
        (D(2026, 5, 1), False),  # Labour Day
        (D(2026, 8, 22), True),  # Saturday worked to make up for Monday 31/8
        (D(2026, 8, 23), False),  # the Sunday after it is still off
        (D(2026, 8, 31), False),  # swapped day off
        (D(2026, 9, 1), False),  # National Day (2 days)
        (D(2026, 9, 2), False),
        (D(2026, 9, 3), True),
        (D(2026, 11, 24), False),  # Vietnam Cultural Day
        (D(2027, 2, 3), True),  # Wednesday before Tết 2027
        (D(2027, 2, 4), False),  # Tết 2027: 4..10 February
        (D(2027, 2, 10), False),
        (D(2027, 2, 11), True),
        (D(2027, 5, 3), False),  # Labour Day (Saturday 1/5) observed on Monday
        (D(2026, 6, 9), True),  # an ordinary Tuesday
    ],
)
def test_is_working_day(cal, day, working):
    assert is_working_day(day, calendar=cal) is working


def test_next_working_day_jumps_over_tet(cal):
    assert next_working_day(D(2026, 2, 13), calendar=cal) == D(2026, 2, 23)
    assert next_working_day(D(2027, 2, 3), calendar=cal) == D(2027, 2, 11)


def test_next_working_day_is_strictly_after(cal):
    assert next_working_day(D(2026, 6, 9), calendar=cal) == D(2026, 6, 10)
    assert next_working_day(D(2026, 6, 12), calendar=cal) == D(2026, 6, 15)  # Friday → Monday


def test_make_up_saturday_and_national_day(cal):
    assert next_working_day(D(2026, 8, 21), calendar=cal) == D(2026, 8, 22)  # the make-up Saturday
    assert next_working_day(D(2026, 8, 28), calendar=cal) == D(2026, 9, 3)  # 29..2/9 all off
    assert previous_working_day(D(2026, 9, 3), calendar=cal) == D(2026, 8, 28)


def test_add_working_days_around_30_april(cal):
    # From Friday 24/4/2026: 28 (1), 29 (2), then 27/4, 30/4, 1/5 and the weekend are off: 4/5 (3).
    assert add_working_days(D(2026, 4, 24), 3, calendar=cal) == D(2026, 5, 4)


def test_add_working_days_counts_the_make_up_saturday(cal):
    # Thursday 20/8: 21 (1), Saturday 22 (2), 24 (3), 25 (4), 26 (5), 27 (6), 28 (7), 3/9 (8)
    assert add_working_days(D(2026, 8, 20), 2, calendar=cal) == D(2026, 8, 22)
    assert add_working_days(D(2026, 8, 20), 8, calendar=cal) == D(2026, 9, 3)


def test_add_zero_and_negative_working_days(cal):
    assert add_working_days(D(2026, 6, 9), 0, calendar=cal) == D(2026, 6, 9)
    assert add_working_days(D(2026, 2, 14), 0, calendar=cal) == D(2026, 2, 23)
    assert add_working_days(D(2026, 2, 23), -1, calendar=cal) == D(2026, 2, 13)


def test_add_working_days_lands_on_a_working_day_and_counts_exactly_n(cal):
    """Property: over two years of start days and n = 0..15, the result is a working day and
    exactly n working days lie in (d, result]."""
    day = D(2026, 1, 1)
    while day < D(2027, 12, 31):
        working = is_working_day(day, calendar=cal)
        assert add_working_days(day, 0, calendar=cal) == (
            day if working else next_working_day(day, calendar=cal)
        )
        for n in (1, 2, 5, 15):
            result = add_working_days(day, n, calendar=cal)
            assert is_working_day(result, calendar=cal)
            between = [day + dt.timedelta(days=i) for i in range(1, (result - day).days + 1)]
            assert sum(is_working_day(x, calendar=cal) for x in between) == n
        day += dt.timedelta(days=3)


def test_weekly_pattern_comes_from_the_calendar():
    from portal.workcalendar.models import WorkCalendar

    six_day_week = WorkCalendar(name="Sunday only", weekend_days=[6])
    assert is_working_day(D(2026, 6, 13), calendar=six_day_week)  # Saturday
    assert not is_working_day(D(2026, 6, 14), calendar=six_day_week)
    assert not is_working_day(D(2026, 2, 16), calendar=six_day_week)  # Tết still off
