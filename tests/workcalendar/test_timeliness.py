"""Early / on time / late: one rule for steps and dossiers, on the edge instants."""

import datetime as dt

import pytest

from portal.workcalendar.constants import Timeliness
from portal.workcalendar.services import timeliness
from tests.workcalendar.conftest import at

DUE = at(2026, 6, 11, 17, 0)  # Thursday, afternoon session


@pytest.mark.parametrize(
    "finished, expected",
    [
        (at(2026, 6, 10, 16, 0), Timeliness.EARLY),  # the day before
        (at(2026, 6, 10, 23, 59, 59), Timeliness.EARLY),
        (at(2026, 6, 11, 0, 0), Timeliness.ON_TIME),  # on the appointment date
        (at(2026, 6, 11, 8, 0), Timeliness.ON_TIME),
        (at(2026, 6, 11, 17, 0), Timeliness.ON_TIME),  # exactly the due instant
        (at(2026, 6, 11, 17, 0, 1), Timeliness.LATE),
        (at(2026, 6, 12, 8, 0), Timeliness.LATE),
        # the date is Vietnam's, whatever zone the instant comes in
        (dt.datetime(2026, 6, 10, 16, 59, tzinfo=dt.UTC), Timeliness.EARLY),  # 23:59 in Hà Nội
        (dt.datetime(2026, 6, 10, 17, 30, tzinfo=dt.UTC), Timeliness.ON_TIME),  # 00:30 on the 11th
        (dt.datetime(2026, 6, 11, 10, 0, 1, tzinfo=dt.UTC), Timeliness.LATE),  # 17:00:01
    ],
)
def test_timeliness(finished, expected):
    assert timeliness(finished, DUE) == expected


def test_values_are_the_stored_codes():
    assert [t.value for t in Timeliness] == ["early", "on_time", "late"]


def test_naive_instants_are_refused():
    with pytest.raises(ValueError, match="finished_at must be a timezone-aware"):
        timeliness(dt.datetime(2026, 6, 10, 8, 0), DUE)  # noqa: DTZ001
    with pytest.raises(ValueError, match="due must be a timezone-aware"):
        timeliness(DUE, dt.datetime(2026, 6, 10, 8, 0))  # noqa: DTZ001
