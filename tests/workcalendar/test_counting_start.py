"""When the clock starts (Decree 118/2025): the daily cut-off, online submissions after hours."""

import datetime as dt

import pytest

from portal.workcalendar.services import counting_start, due_at
from tests.workcalendar.conftest import at

CUTOFF = dt.time(15, 0)


def test_received_before_the_cutoff_counts_from_reception(cal):
    received = at(2026, 6, 8, 14, 59)  # Monday
    assert counting_start(received, cutoff=CUTOFF, calendar=cal) == received
    assert due_at(received, 3, "working_days", calendar=cal) == at(2026, 6, 11, 17, 0)  # Thursday


def test_received_after_the_cutoff_counts_from_the_next_working_day(cal):
    start = counting_start(at(2026, 6, 8, 15, 1), cutoff=CUTOFF, calendar=cal)
    assert start == at(2026, 6, 9, 7, 0)
    assert due_at(start, 3, "working_days", calendar=cal) == at(
        2026, 6, 12, 17, 0
    )  # one day later: Friday


def test_exactly_at_the_cutoff_still_counts_the_same_day(cal):
    assert counting_start(at(2026, 6, 8, 15, 0), cutoff=CUTOFF, calendar=cal) == at(
        2026, 6, 8, 15, 0
    )


def test_cutoff_on_the_friday_before_tet(cal):
    assert counting_start(at(2026, 2, 13, 16, 0), cutoff=CUTOFF, calendar=cal) == at(
        2026, 2, 23, 7, 0
    )


def test_no_cutoff_at_the_counter_keeps_the_reception_time(cal):
    assert counting_start(at(2026, 6, 8, 16, 30), calendar=cal) == at(2026, 6, 8, 16, 30)
    assert counting_start(at(2026, 6, 8, 12, 0), calendar=cal) == at(2026, 6, 8, 12, 0)


@pytest.mark.parametrize(
    "submitted, starts",
    [
        (at(2026, 6, 13, 10, 0), at(2026, 6, 15, 7, 0)),  # Saturday → Monday morning
        (at(2026, 6, 8, 20, 0), at(2026, 6, 9, 7, 0)),  # Monday 20:00 → Tuesday morning
        (at(2026, 6, 8, 6, 30), at(2026, 6, 8, 7, 0)),  # before opening → the same morning
        (at(2026, 6, 8, 12, 0), at(2026, 6, 8, 13, 30)),  # lunch break → the afternoon session
        (at(2026, 6, 8, 10, 0), at(2026, 6, 8, 10, 0)),  # in working hours → as is
        (at(2026, 2, 13, 20, 0), at(2026, 2, 23, 7, 0)),  # Friday night before Tết
        (at(2026, 8, 21, 18, 0), at(2026, 8, 22, 7, 0)),  # Friday night → the make-up Saturday
        (at(2026, 4, 30, 9, 0), at(2026, 5, 4, 7, 0)),  # a holiday morning
    ],
)
def test_online_submission_outside_working_hours(cal, submitted, starts):
    assert counting_start(submitted, online=True, calendar=cal) == starts


def test_counter_on_a_day_off_counts_from_the_next_working_day(cal):
    assert counting_start(at(2026, 6, 13, 9, 0), calendar=cal) == at(2026, 6, 15, 7, 0)


def test_other_time_zones_are_converted(cal):
    # 08:01 UTC is 15:01 in Hà Nội: after the cut-off.
    received = dt.datetime(2026, 6, 8, 8, 1, tzinfo=dt.UTC)
    start = counting_start(received, cutoff=CUTOFF, calendar=cal)
    assert start == at(2026, 6, 9, 7, 0)
    assert start.utcoffset() == dt.timedelta(hours=7)


def test_naive_datetime_is_refused_with_a_clear_message(cal):
    with pytest.raises(ValueError, match="timezone-aware"):
        counting_start(dt.datetime(2026, 6, 8, 10, 0), calendar=cal)  # noqa: DTZ001
