"""Per-dossier measures shared by the direct computation and the summary tables (one rule)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from portal.workcalendar import services as workcalendar


class CalendarCache:
    """The working calendar of each receiving agency, looked up once per batch."""

    def __init__(self) -> None:
        self._by_agency: dict[int, Any] = {}

    def __call__(self, agency_id: int) -> Any:
        cal = self._by_agency.get(agency_id)
        if cal is None:
            cal = self._by_agency[agency_id] = workcalendar.get_calendar(agency_id)
        return cal


def processing_seconds(
    counting_start: datetime | None,
    finished_at: datetime | None,
    pauses: Iterable[tuple[datetime, datetime]],
    calendar: Any,
) -> int:
    """Working seconds from the counting start to the approval, minus the working time spent
    waiting for supplements asked during processing (Decision 766: waiting time does not count).
    Never negative."""
    if counting_start is None or finished_at is None:
        return 0
    total = workcalendar.working_seconds_between(counting_start, finished_at, calendar=calendar)
    for start, end in pauses:
        lo, hi = max(start, counting_start), min(end, finished_at)
        if hi > lo:
            total -= workcalendar.working_seconds_between(lo, hi, calendar=calendar)
    return max(0, total)
