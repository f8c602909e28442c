"""Supplement pauses push the due time; each step gets its share of the working time."""

import datetime as dt
from decimal import Decimal

import pytest

from portal.workcalendar.services import extend_for_pause, step_due_times, working_seconds_between
from tests.workcalendar.conftest import at

DUE = at(2026, 6, 12, 17, 0)  # Friday


def test_pause_pushes_the_due_time_by_its_working_time(cal):
    # Tuesday 16:00 → Wednesday 08:00 is 1 h + 1 h of working time.
    assert extend_for_pause(DUE, at(2026, 6, 9, 16, 0), at(2026, 6, 10, 8, 0), calendar=cal) == at(
        2026, 6, 15, 9, 0
    )


def test_pause_of_three_working_days(cal):
    assert extend_for_pause(DUE, at(2026, 6, 8, 7, 0), at(2026, 6, 10, 17, 0), calendar=cal) == at(
        2026, 6, 17, 17, 0
    )


def test_pause_outside_working_time_changes_nothing(cal):
    assert (
        extend_for_pause(DUE, at(2026, 6, 13, 8, 0), at(2026, 6, 14, 20, 0), calendar=cal) == DUE
    )  # weekend
    assert (
        extend_for_pause(DUE, at(2026, 6, 9, 11, 40), at(2026, 6, 9, 13, 20), calendar=cal) == DUE
    )  # lunch


def test_pause_over_tet_counts_only_working_time(cal):
    due = at(2026, 2, 24, 17, 0)
    # Friday 13/2 16:00 → Monday 23/2 08:00: 1 h before Tết, 1 h after.
    assert extend_for_pause(due, at(2026, 2, 13, 16, 0), at(2026, 2, 23, 8, 0), calendar=cal) == at(
        2026, 2, 25, 9, 0
    )


def test_pause_ending_before_it_starts_is_refused(cal):
    with pytest.raises(ValueError, match="pause_end"):
        extend_for_pause(DUE, at(2026, 6, 10, 8, 0), at(2026, 6, 9, 8, 0), calendar=cal)


def test_naive_pause_is_refused(cal):
    with pytest.raises(ValueError, match="timezone-aware"):
        extend_for_pause(DUE, dt.datetime(2026, 6, 9, 8, 0), at(2026, 6, 10, 8, 0), calendar=cal)  # noqa: DTZ001


def test_step_shares_of_a_five_day_dossier(cal):
    start = at(2026, 6, 8, 7, 0)  # 40 working hours to Friday 17:00
    dues = step_due_times(start, DUE, [Decimal(30), Decimal(50), Decimal(20)], calendar=cal)
    assert dues == [at(2026, 6, 9, 11, 0), at(2026, 6, 11, 17, 0), DUE]  # 12 h, 32 h, 40 h


def test_step_shares_over_tet(cal):
    start, due = at(2026, 2, 12, 10, 0), at(2026, 2, 24, 17, 0)  # 5 + 8 + 8 + 8 = 29 h
    dues = step_due_times(start, due, [Decimal(50), Decimal(50)], calendar=cal)
    assert dues == [at(2026, 2, 23, 8, 30), due]  # 14.5 h: 12/2 5 h, 13/2 8 h, 23/2 1.5 h


def test_shares_are_normalised(cal):
    start = at(2026, 6, 8, 7, 0)
    assert step_due_times(start, DUE, [Decimal(1), Decimal(1)], calendar=cal) == step_due_times(
        start, DUE, [Decimal(50), Decimal(50)], calendar=cal
    )
    assert step_due_times(start, DUE, [Decimal(100)], calendar=cal) == [DUE]
    assert step_due_times(start, DUE, [], calendar=cal) == []


def test_steps_add_up_to_the_whole(cal):
    """Property: whatever the shares, steps are in order, the last is the total due time, and the
    steps' working times add up to the whole."""
    start = at(2026, 2, 11, 9, 17)
    due = at(2026, 3, 6, 17, 0)
    total = working_seconds_between(start, due, calendar=cal)
    for shares in (
        [10, 20, 30, 40],
        [33, 33, 34],
        [1, 98, 1],
        [0, 100],
        [7, 0, 13, 5, 75],
        [25] * 4,
    ):
        dues = step_due_times(start, due, [Decimal(s) for s in shares], calendar=cal)
        assert len(dues) == len(shares)
        assert dues[-1] == due
        assert dues == sorted(dues)
        edges = [start, *dues]
        parts = [
            working_seconds_between(a, b, calendar=cal)
            for a, b in zip(edges, edges[1:], strict=False)
        ]
        assert sum(parts) == total
        for part, share in zip(parts, shares, strict=True):
            assert abs(part - total * share / sum(shares)) <= 1


def test_bad_shares_are_refused(cal):
    with pytest.raises(ValueError, match="more than 0"):
        step_due_times(at(2026, 6, 8, 7, 0), DUE, [Decimal(0), Decimal(0)], calendar=cal)
    with pytest.raises(ValueError, match="step share must be a percentage"):
        step_due_times(at(2026, 6, 8, 7, 0), DUE, [Decimal(-10), Decimal(110)], calendar=cal)
