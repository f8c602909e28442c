"""The appointment time from a procedure's processing time and unit."""

import datetime as dt
from decimal import Decimal

import pytest

from portal.workcalendar.constants import Session
from portal.workcalendar.services import (
    add_working_seconds,
    due_at,
    is_working_day,
    session_of,
    working_seconds_between,
)
from tests.workcalendar.conftest import at

H = 3600


@pytest.mark.parametrize(
    "start, amount, expected",
    [
        # start day is day 0 whatever the hour (Civil Code art. 147): Monday → Thursday
        (at(2026, 6, 8, 7, 0), 3, at(2026, 6, 11, 17, 0)),
        (at(2026, 6, 8, 16, 59), 3, at(2026, 6, 11, 17, 0)),
        (at(2026, 6, 12, 10, 0), 1, at(2026, 6, 15, 17, 0)),  # Friday → Monday
        (at(2026, 2, 12, 10, 0), 3, at(2026, 2, 24, 17, 0)),  # 13/2, Tết, 23/2, 24/2
        (at(2027, 2, 3, 10, 0), 2, at(2027, 2, 12, 17, 0)),  # Tết 2027: 11/2, 12/2
        (at(2026, 4, 24, 9, 0), 3, at(2026, 5, 4, 17, 0)),  # Hùng Kings + 30/4 + 1/5
        (at(2026, 8, 21, 9, 0), 1, at(2026, 8, 22, 17, 0)),  # the make-up Saturday is day 1
        (at(2026, 8, 28, 9, 0), 1, at(2026, 9, 3, 17, 0)),  # 31/8, 1/9, 2/9 off
        (at(2026, 6, 8, 10, 0), 0, at(2026, 6, 8, 17, 0)),  # "within the day"
        (at(2026, 6, 8, 17, 30), 1, at(2026, 6, 10, 17, 0)),  # after hours: day 0 is Tuesday
        (at(2026, 6, 13, 9, 0), 1, at(2026, 6, 16, 17, 0)),  # Saturday: day 0 is Monday
        (at(2026, 6, 8, 10, 0), Decimal("0.5"), at(2026, 6, 9, 11, 0)),  # + 4 h after Monday
        (at(2026, 6, 8, 10, 0), Decimal("0.25"), at(2026, 6, 9, 9, 0)),
        (at(2026, 6, 8, 10, 0), Decimal("1.5"), at(2026, 6, 10, 11, 0)),
        (at(2026, 2, 13, 10, 0), Decimal("0.5"), at(2026, 2, 23, 11, 0)),
    ],
)
def test_working_days(cal, start, amount, expected):
    assert due_at(start, amount, "working_days", calendar=cal) == expected


@pytest.mark.parametrize(
    "start, hours, expected",
    [
        (at(2026, 6, 8, 10, 0), 1, at(2026, 6, 8, 11, 0)),
        (
            at(2026, 6, 8, 10, 0),
            Decimal("1.5"),
            at(2026, 6, 8, 11, 30),
        ),  # end of the morning, not 13:30
        (at(2026, 6, 8, 10, 0), 4, at(2026, 6, 8, 16, 0)),  # spans lunch: 1.5 h + 2.5 h
        (at(2026, 6, 8, 10, 0), 8, at(2026, 6, 9, 10, 0)),  # spans the night
        (at(2026, 6, 8, 16, 30), 1, at(2026, 6, 9, 7, 30)),
        (at(2026, 6, 12, 16, 0), 16, at(2026, 6, 16, 16, 0)),  # Fri 1 h + Mon 8 h + Tue 7 h
        (at(2026, 8, 21, 16, 0), 2, at(2026, 8, 22, 8, 0)),  # into the make-up Saturday
        (at(2026, 2, 13, 16, 0), 4, at(2026, 2, 23, 10, 0)),  # over Tết
        (at(2026, 6, 8, 12, 0), 1, at(2026, 6, 8, 14, 30)),  # started in the lunch break
        (at(2026, 6, 8, 10, 0), Decimal("0.5"), at(2026, 6, 8, 10, 30)),
    ],
)
def test_working_hours(cal, start, hours, expected):
    assert due_at(start, hours, "working_hours", calendar=cal) == expected


@pytest.mark.parametrize(
    "start, days, expected",
    [
        (at(2026, 6, 8, 10, 0), 3, at(2026, 6, 11, 17, 0)),
        (at(2026, 6, 8, 10, 0), 5, at(2026, 6, 15, 17, 0)),  # Saturday → Monday
        (at(2026, 4, 20, 10, 0), 7, at(2026, 4, 28, 17, 0)),  # lands on Hùng Kings observed
        (at(2026, 8, 24, 10, 0), 7, at(2026, 9, 3, 17, 0)),  # 31/8 → 1/9, 2/9 off → 3/9
        (at(2026, 2, 10, 10, 0), 7, at(2026, 2, 23, 17, 0)),  # lands in Tết
        (at(2026, 8, 15, 10, 0), 7, at(2026, 8, 22, 17, 0)),  # lands on the make-up Saturday: kept
        (at(2026, 6, 8, 10, 0), Decimal("2.5"), at(2026, 6, 11, 17, 0)),  # a fraction rounds up
    ],
)
def test_calendar_days(cal, start, days, expected):
    assert due_at(start, days, "calendar_days", calendar=cal) == expected


@pytest.mark.parametrize("amount", [-1, "abc", "NaN", Decimal("-0.5")])
def test_bad_amounts_are_refused(cal, amount):
    with pytest.raises(ValueError, match="processing time"):
        due_at(at(2026, 6, 8, 10, 0), amount, "working_days", calendar=cal)


def test_unknown_unit_is_refused(cal):
    with pytest.raises(ValueError, match="Unknown time unit 'weeks'"):
        due_at(at(2026, 6, 8, 10, 0), 1, "weeks", calendar=cal)


def test_naive_start_is_refused(cal):
    with pytest.raises(ValueError, match="timezone-aware"):
        due_at(dt.datetime(2026, 6, 8, 10, 0), 1, "working_days", calendar=cal)  # noqa: DTZ001


def test_units_match_the_catalogue():
    from procedures.constants import TimeUnit

    assert set(TimeUnit.values) == {"working_days", "working_hours", "calendar_days"}


STARTS = [
    at(2026, 2, 9, 7, 0) + dt.timedelta(hours=5 * i) for i in range(0, 80)
]  # Feb–Mar 2026, any hour


@pytest.mark.parametrize("unit", ["working_days", "working_hours", "calendar_days"])
def test_due_at_grows_with_the_amount(cal, unit):
    amounts = [Decimal(n) / 4 for n in range(0, 41)]  # 0, 0.25, ... 10
    for start in STARTS:
        dues = [due_at(start, a, unit, calendar=cal) for a in amounts]
        assert dues == sorted(dues), (start, unit)
        assert all(d >= start for d in dues[1:])


def test_whole_working_days_end_at_the_end_of_a_working_day(cal):
    for start in STARTS:
        for n in (1, 2, 7):
            due = due_at(start, n, "working_days", calendar=cal)
            assert due.time() == dt.time(17, 0)
            assert is_working_day(due.date(), calendar=cal)
            assert session_of(due, calendar=cal) == Session.AFTERNOON


def test_adding_working_seconds_is_undone_by_measuring_them(cal):
    for start in STARTS:
        for seconds in (1, 1800, 4 * H + 1, 8 * H, 40 * H + 17):
            end = add_working_seconds(start, seconds, calendar=cal)
            assert working_seconds_between(start, end, calendar=cal) == seconds
            assert working_seconds_between(end, start, calendar=cal) == -seconds


def test_working_seconds_between_counts_only_sessions(cal):
    assert (
        working_seconds_between(at(2026, 6, 8, 0, 0), at(2026, 6, 9, 0, 0), calendar=cal) == 8 * H
    )
    assert working_seconds_between(at(2026, 6, 8, 11, 0), at(2026, 6, 8, 14, 0), calendar=cal) == H
    assert (
        working_seconds_between(at(2026, 6, 13, 0, 0), at(2026, 6, 15, 0, 0), calendar=cal) == 0
    )  # weekend
    assert (
        working_seconds_between(at(2026, 2, 13, 7, 0), at(2026, 2, 24, 7, 0), calendar=cal)
        == 16 * H
    )
    # 2026: 261 weekdays − 13 weekday holidays (1/1, 16–20/2, 27/4, 30/4, 1/5, 31/8, 1–2/9, 24/11)
    # + the make-up Saturday 22/8 = 249 working days.
    assert (
        working_seconds_between(at(2026, 1, 1, 0, 0), at(2027, 1, 1, 0, 0), calendar=cal)
        == 8 * H * 249
    )


def test_session_of_the_appointment(cal):
    assert session_of(at(2026, 6, 9, 11, 0), calendar=cal) == Session.MORNING
    assert session_of(at(2026, 6, 9, 11, 30), calendar=cal) == Session.MORNING
    assert session_of(at(2026, 6, 9, 14, 0), calendar=cal) == Session.AFTERNOON
