"""Per-dossier measures shared by the direct computation and the summary tables (one rule)."""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from portal.workcalendar import services as workcalendar

_US = timedelta(microseconds=1)


class FastCalendar:
    """The working calendar's arithmetic for millions of dossiers: the same results as
    :mod:`portal.workcalendar.services` (tests compare them), from each day's working status
    looked up once and cumulative working time per day."""

    def __init__(self, model: Any) -> None:
        self.model = model
        self.tz = timezone.get_current_timezone()
        self.sessions: list[tuple[time, time]] = [
            (model.morning_start, model.morning_end),
            (model.afternoon_start, model.afternoon_end),
        ]
        self.session_us = [
            (datetime.combine(date(2000, 1, 1), e) - datetime.combine(date(2000, 1, 1), s)) // _US
            for s, e in self.sessions
        ]
        #: (start as µs after local midnight, length µs) of each session: a moment's working time
        #: that day is integer arithmetic on its wall clock, no datetime built per call
        self._bounds = [
            (((s.hour * 60 + s.minute) * 60 + s.second) * 1_000_000 + s.microsecond, length)
            for (s, _e), length in zip(self.sessions, self.session_us, strict=True)
        ]
        self.day_us = sum(self.session_us)
        self.origin: date | None = None
        self._origin_ord = 0
        self.days: list[date] = []  # every calendar day from the origin
        self.prefix: list[int] = []  # working µs from the origin to the start of days[i]
        self.working: list[bool] = []
        self.working_days: list[date] = []

    def _extend(self, d: date) -> None:
        if self.origin is None:
            self.origin = d - timedelta(days=400)
            self._origin_ord = self.origin.toordinal()
            self.days, self.prefix, self.working = [], [], []
            self._grow_to(d + timedelta(days=400))
        elif d < self.origin:
            old_end = self.days[-1]
            self.origin = d - timedelta(days=400)
            self._origin_ord = self.origin.toordinal()
            self.days, self.prefix, self.working, self.working_days = [], [], [], []
            self._grow_to(old_end)
        if d > self.days[-1]:
            self._grow_to(d + timedelta(days=400))

    def _grow_to(self, last: date) -> None:
        d = self.days[-1] + timedelta(days=1) if self.days else self.origin
        assert d is not None  # the origin is set before the first growth
        total = (self.prefix[-1] + (self.day_us if self.working[-1] else 0)) if self.days else 0
        while d <= last:
            w = workcalendar.is_working_day(d, calendar=self.model)
            self.days.append(d)
            self.prefix.append(total)
            self.working.append(w)
            if w:
                self.working_days.append(d)
                total += self.day_us
            d += timedelta(days=1)

    def _index(self, d: date) -> int:
        i = d.toordinal() - self._origin_ord
        if self.origin is None or i < 0 or i >= len(self.days):
            self._extend(
                d.date() if isinstance(d, datetime) else d
            )  # may replace the lists and move the origin
            i = d.toordinal() - self._origin_ord
        return i

    def is_working(self, d: date) -> bool:
        i = self._index(d)  # may replace the lists: index first
        return self.working[i]

    def cumulative_us(self, moment: datetime) -> int:
        """Working µs from the origin to ``moment``."""
        local = moment.astimezone(self.tz)
        i = self._index(local)  # a datetime is a date: its ordinal is its local day's
        total = self.prefix[i]
        if self.working[i]:
            t = (
                (local.hour * 60 + local.minute) * 60 + local.second
            ) * 1_000_000 + local.microsecond
            for start, length in self._bounds:
                if t > start:
                    total += min(t - start, length)
        return total

    def working_seconds_between(self, a: datetime, b: datetime) -> int:
        if b < a:
            return -self.working_seconds_between(b, a)
        # Extend to the earlier day first: going back in time rebuilds the prefix sums.
        self._index(a.astimezone(self.tz))
        self._index(b.astimezone(self.tz))
        return (self.cumulative_us(b) - self.cumulative_us(a)) // 1_000_000

    def add_working_seconds(self, start: datetime, seconds: int) -> datetime:
        """Like :func:`portal.workcalendar.services.add_working_seconds`: a positive amount ends
        inside a session or at its very end."""
        if seconds <= 0:
            return start
        target = self.cumulative_us(start) + seconds * 1_000_000
        i = self._index(start.astimezone(self.tz))
        while self.prefix[-1] < target:
            self._extend(self.days[-1] + timedelta(days=60))
        # the first day whose end reaches the target is at or after the last day starting below it
        i = max(i, bisect.bisect_left(self.prefix, target - self.day_us) - 1)
        while True:
            if i >= len(self.days):
                self._extend(self.days[-1] + timedelta(days=1))
            if self.working[i] and self.prefix[i] + self.day_us >= target:
                d = self.days[i]
                remaining = target - self.prefix[i]
                for (s, _e), length in zip(self.sessions, self.session_us, strict=True):
                    if remaining <= length:
                        return datetime.combine(d, s, tzinfo=self.tz) + remaining * _US
                    remaining -= length
            i += 1

    def day_end(self, d: date) -> datetime:
        return datetime.combine(d, self.sessions[-1][1], tzinfo=self.tz)

    def add_working_days(self, d: date, n: int) -> date:
        """The n-th working day after ``d``."""
        self._extend(d)
        k = bisect.bisect_right(self.working_days, d) + n - 1
        while k >= len(self.working_days):
            self._extend(self.days[-1] + timedelta(days=60))
        return self.working_days[k]

    def due_at_working_days(self, start: datetime, days: int) -> datetime:
        """``due_at(start, days, "working_days")`` for a whole number of days."""
        local = start.astimezone(self.tz)
        d = local.date()
        if self.is_working(d) and local < self.day_end(d):
            day0 = d
        else:
            day0 = self.add_working_days(d, 1)
        return self.day_end(self.add_working_days(day0, days) if days else day0)


class CalendarCache:
    """The fast working calendar of each receiving agency, looked up once per batch."""

    def __init__(self) -> None:
        self._by_agency: dict[int, FastCalendar] = {}
        self._by_model: dict[int, FastCalendar] = {}

    def __call__(self, agency_id: int) -> FastCalendar:
        cal = self._by_agency.get(agency_id)
        if cal is None:
            model = workcalendar.get_calendar(agency_id)
            cal = self._by_model.get(model.pk)
            if cal is None:
                cal = self._by_model[model.pk] = FastCalendar(model)
            self._by_agency[agency_id] = cal
        return cal


def processing_seconds(
    counting_start: datetime | None,
    finished_at: datetime | None,
    pauses: Iterable[tuple[datetime, datetime]],
    calendar: FastCalendar,
) -> int:
    """Working seconds from the counting start to the approval, minus the working time spent
    waiting for supplements asked during processing (Decision 766: waiting time does not count).
    Never negative."""
    if counting_start is None or finished_at is None:
        return 0
    total = calendar.working_seconds_between(counting_start, finished_at)
    for start, end in pauses:
        lo, hi = max(start, counting_start), min(end, finished_at)
        if hi > lo:
            total -= calendar.working_seconds_between(lo, hi)
    return max(0, total)
