"""Working-day calendar and deadline arithmetic (lịch làm việc, tính thời hạn giải quyết).

Rules implemented here, in one place, for every caller (dossiers, documents, dashboards):

* Working days: not a weekend day of the calendar, not a national day off (``holidays.VN``: the
  Labour Code 2019 art. 112 holidays, lunar Tết and Hùng Kings included, and the government's
  day swaps), not a day the province declared off; a make-up working day (a swapped Saturday
  such as 2026-08-22, or one the province declared) is a working day. Precedence: the province's
  declaration > the national calendar > the weekend.
* Working time: the calendar's two sessions, 07:00–11:30 and 13:30–17:00 by default (8 h).
* Counting start (Decree 118/2025/NĐ-CP): a dossier received after the procedure's daily
  cut-off, or submitted online outside working hours or on a day off, counts from the start of
  the next working day.
* Periods in days follow the Civil Code 2015 art. 147–148: the first day (the day of reception)
  is not counted; the period ends at the end of the last day; a period in calendar days whose
  last day is a day off ends at the end of the next working day.

All datetimes must be timezone-aware; results are in the portal's zone (Asia/Ho_Chi_Minh).
Pure functions apart from reading the calendar row and its declared days, which are cached per
calendar revision and year (in the process and in the Django cache).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext

from .calendar import (
    MAX_DAYS_OFF_IN_A_ROW,
    ResolvedCalendar,
    as_date,
    aware,
    get_calendar,
    national_holidays,
    resolve_calendar,
)
from .constants import DeclaredDayKind, Session, Timeliness
from .models import DeclaredDay, WorkCalendar

if TYPE_CHECKING:
    from django.contrib.auth.models import (
        AbstractUser as User,  # the portal's user model (accounts)
    )


__all__ = [
    "Timeliness",
    "Session",
    "get_calendar",
    "national_holidays",
    "resolve_calendar",
    "MAX_DAYS_OFF_IN_A_ROW",
    "ResolvedCalendar",
    "is_working_day",
    "next_working_day",
    "previous_working_day",
    "add_working_days",
    "counting_start",
    "due_at",
    "working_seconds_between",
    "add_working_seconds",
    "extend_for_pause",
    "step_due_times",
    "timeliness",
    "session_of",
    "declare_day",
    "remove_declared_day",
]

logger = logging.getLogger(__name__)

WORKING_DAYS = "working_days"
WORKING_HOURS = "working_hours"
CALENDAR_DAYS = "calendar_days"
UNITS = (WORKING_DAYS, WORKING_HOURS, CALENDAR_DAYS)

# --- days ----------------------------------------------------------------------------------------


def is_working_day(d: dt.date, *, calendar: WorkCalendar | None = None) -> bool:
    """Whether ``d`` is a working day of the calendar (see the module docstring for the rules)."""
    return resolve_calendar(calendar).is_working(as_date(d))


def next_working_day(d: dt.date, *, calendar: WorkCalendar | None = None) -> dt.date:
    """The first working day strictly after ``d``."""
    return resolve_calendar(calendar).next_working(as_date(d))


def previous_working_day(d: dt.date, *, calendar: WorkCalendar | None = None) -> dt.date:
    """The last working day strictly before ``d``."""
    return resolve_calendar(calendar).previous_working(as_date(d))


def add_working_days(d: dt.date, n: int, *, calendar: WorkCalendar | None = None) -> dt.date:
    """The ``n``-th working day after ``d`` (``d`` itself not counted, Civil Code art. 147).

    ``n == 0`` gives ``d`` if it is a working day, else the next one; a negative ``n`` counts
    backwards. The result is always a working day.
    """
    cal = resolve_calendar(calendar)
    d = as_date(d)
    n = int(n)
    if n == 0:
        return cal.next_working(d, include=True)
    step = cal.next_working if n > 0 else cal.previous_working
    for _ in range(abs(n)):
        d = step(d)
    return d


def session_of(moment: dt.datetime, *, calendar: WorkCalendar | None = None) -> Session:
    """The half-day session (buổi sáng / chiều) of an instant, as printed on the appointment slip.

    An instant up to the end of the morning session is "morning"; later ones are "afternoon".
    """
    cal = resolve_calendar(calendar)
    moment = aware(moment, "moment")
    return Session.MORNING if moment.time() <= cal.sessions[0][1] else Session.AFTERNOON


# --- instants and working time ---------------------------------------------------------------------


def counting_start(
    received_at: dt.datetime,
    *,
    cutoff: dt.time | None = None,
    online: bool = False,
    calendar: WorkCalendar | None = None,
) -> dt.datetime:
    """When the processing time starts counting (Decree 118/2025/NĐ-CP, one-stop mechanism).

    * received on a day off (whatever the channel), or after the procedure's daily ``cutoff``
      (strictly after: 15:00:00 with a 15:00 cut-off still counts the same day): the start of the
      next working day;
    * submitted ``online`` outside working hours: after the day's last session, the start of the
      next working day; before the first session, the start of that day's first session; during
      the lunch break, the start of the afternoon session;
    * otherwise ``received_at`` itself.
    """
    cal = resolve_calendar(calendar)
    moment = aware(received_at, "received_at")
    day = moment.date()
    if not cal.is_working(day):
        return cal.day_start(cal.next_working(day))
    if cutoff is not None and moment.time() > cutoff:
        return cal.day_start(cal.next_working(day))
    if online and not cal.in_working_hours(moment):
        for start, _end in cal.intervals(day):
            if moment < start:
                return start
        return cal.day_start(cal.next_working(day))
    return moment


def working_seconds_between(
    a: dt.datetime, b: dt.datetime, *, calendar: WorkCalendar | None = None
) -> int:
    """Working time between two instants, in whole seconds (negative when ``b`` is before ``a``)."""
    a = aware(a, "a")
    b = aware(b, "b")
    if b < a:
        return -working_seconds_between(b, a, calendar=calendar)
    cal = resolve_calendar(calendar)
    total = dt.timedelta()
    d = a.date()
    while d <= b.date():
        for start, end in cal.intervals(d):
            lo, hi = max(start, a), min(end, b)
            if hi > lo:
                total += hi - lo
        d += dt.timedelta(days=1)
    return int(total.total_seconds())


def add_working_seconds(
    start: dt.datetime, seconds: int, *, calendar: WorkCalendar | None = None
) -> dt.datetime:
    """The instant at which ``seconds`` of working time have passed since ``start``.

    The result of a positive amount always lies inside a session or at its very end (10:00 plus
    1.5 h is 11:30, the end of the morning, not 13:30). Zero returns ``start`` unchanged.
    """
    cal = resolve_calendar(calendar)
    start = aware(start, "start")
    seconds = int(seconds)
    if seconds < 0:
        raise ValueError("seconds must not be negative.")
    if seconds == 0:
        return start
    remaining = dt.timedelta(seconds=seconds)
    day_length = dt.timedelta(seconds=cal.day_seconds)
    d = start.date()
    first = True
    while True:
        if not first and cal.is_working(d) and remaining > day_length:
            remaining -= day_length  # a whole working day, no need to look at its sessions
            d += dt.timedelta(days=1)
            continue
        for s, e in cal.intervals(d):
            if e <= start:
                continue
            lo = max(s, start)
            if remaining <= e - lo:
                return lo + remaining
            remaining -= e - lo
        first = False
        d += dt.timedelta(days=1)


def extend_for_pause(
    due: dt.datetime,
    pause_start: dt.datetime,
    pause_end: dt.datetime,
    *,
    calendar: WorkCalendar | None = None,
) -> dt.datetime:
    """The due time pushed back by the working time inside a pause.

    Time waiting for the applicant's supplements (chờ bổ sung, Decree 118/2025) does not count
    towards the processing time. A pause that lies entirely outside working time changes nothing.
    """
    aware(due, "due")
    seconds = working_seconds_between(pause_start, pause_end, calendar=calendar)
    if seconds < 0:
        raise ValueError("pause_end must not be before pause_start.")
    return add_working_seconds(due, seconds, calendar=calendar) if seconds else aware(due, "due")


def _amount(value: Decimal | int | float | str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except Exception as exc:  # decimal.InvalidOperation and friends
        raise ValueError(f"The processing time {value!r} is not a number.") from exc
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"The processing time must be a number ≥ 0, not {value!r}.")
    return amount


def due_at(
    start: dt.datetime,
    amount: Decimal | int,
    unit: str,
    *,
    calendar: WorkCalendar | None = None,
) -> dt.datetime:
    """The due time (thời hạn trả kết quả) of a processing time counted from ``start``.

    ``start`` is normally :func:`counting_start`. Conventions:

    * ``working_days``: the day of ``start`` is day 0 and is never counted, whatever the hour
      (Civil Code 2015 art. 147: "the first day of the period is not counted"); a start on a day
      off or after the last session has the next working day as day 0. N whole days end
      at the end of the last session of the N-th working day after it, so the appointment slip
      shows that date, afternoon session; this is why a dossier received after the cut-off
      (which moves ``start`` to the next working day) gets one more day. A fraction f is f × 8 h
      of working time after the end of day N (0.5 day from Monday: Tuesday 11:00, morning
      session). 0 means "within the day": the end of day 0.
    * ``working_hours``: N hours of working time from ``start``, inside the sessions only.
    * ``calendar_days``: the end of the working day on day N after the start day (a fraction
      rounds up to a whole day); if that day is a day off, the end of the next working day
      (Civil Code art. 148(2)).

    The result grows with ``amount`` (never decreases).
    """
    cal = resolve_calendar(calendar)
    moment = aware(start, "start")
    n = _amount(amount)
    day = moment.date()
    if unit == WORKING_DAYS:
        # Day 0 is the day working time first flows from ``start``: its own date, or the next
        # working day when it lies on a day off or after the day's last session.
        day0 = day if cal.is_working(day) and moment < cal.day_end(day) else cal.next_working(day)
        whole = int(n)
        fraction = n - whole
        base = cal.day_end(add_working_days(day0, whole, calendar=cal.model) if whole else day0)
        if fraction:
            return add_working_seconds(base, int(fraction * cal.day_seconds), calendar=cal.model)
        return base
    if unit == WORKING_HOURS:
        return add_working_seconds(moment, int(n * 3600), calendar=cal.model)
    if unit == CALENDAR_DAYS:
        last = day + dt.timedelta(days=math.ceil(n))
        return cal.day_end(cal.next_working(last, include=True))
    raise ValueError(f"Unknown time unit {unit!r}: expected one of {', '.join(UNITS)}.")


def step_due_times(
    start: dt.datetime,
    total_due: dt.datetime,
    shares: list[Decimal],
    *,
    calendar: WorkCalendar | None = None,
) -> list[dt.datetime]:
    """Each workflow step's due time: its share of the working time between start and total due.

    ``shares`` are percentages in step order; they are normalised by their sum (so 30/50/20 and
    3/5/2 give the same result) and the last step ends exactly at ``total_due``. Every step gets
    the working time of its share, so a step's due time is the previous one plus its part.
    """
    start = aware(start, "start")
    total_due = aware(total_due, "total_due")
    if not shares:
        return []
    try:
        values = [_amount(s) for s in shares]
    except ValueError as exc:
        raise ValueError(f"Every step share must be a percentage ≥ 0, not {shares!r}.") from exc
    whole = sum(values)
    if whole <= 0:
        raise ValueError("The step shares must add up to more than 0 %.")
    total = max(working_seconds_between(start, total_due, calendar=calendar), 0)
    result: list[dt.datetime] = []
    running = Decimal(0)
    for value in values[:-1]:
        running += value
        seconds = int((Decimal(total) * running / whole).to_integral_value())
        result.append(
            min(add_working_seconds(start, seconds, calendar=calendar), total_due)
            if seconds
            else start
        )
    result.append(total_due)
    return result


def timeliness(
    finished_at: dt.datetime, due: dt.datetime, *, calendar: WorkCalendar | None = None
) -> Timeliness:
    """Early / on time / late (trước hạn / đúng hạn / quá hạn), one rule for steps and dossiers.

    LATE when finished after the due instant; EARLY when finished on a date before the due date
    (the appointment date on the slip); ON_TIME on the due date up to the due instant. Dates are
    those of Asia/Ho_Chi_Minh. Pauses for supplements are already in ``due`` (see
    :func:`extend_for_pause`). ``calendar`` is accepted for symmetry; the rule needs no calendar.
    """
    finished = aware(finished_at, "finished_at")
    due = aware(due, "due")
    if finished > due:
        return Timeliness.LATE
    if finished.date() < due.date():
        return Timeliness.EARLY
    return Timeliness.ON_TIME


# --- writes -----------------------------------------------------------------------------------------


def declare_day(
    *,
    calendar: WorkCalendar,
    day: dt.date,
    kind: str,
    reason: str,
    created_by: User | None = None,
) -> DeclaredDay:
    """Declare (or re-declare) a province's day off or make-up working day."""
    if kind not in DeclaredDayKind.values:
        raise ValueError(
            f"Unknown kind {kind!r}: expected one of {', '.join(DeclaredDayKind.values)}."
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValueError(gettext("A reason is required."))
    with transaction.atomic():
        declared, _created = DeclaredDay.objects.update_or_create(
            calendar=calendar,
            date=as_date(day, "day"),
            defaults={"kind": kind, "reason": reason[:255], "created_by": created_by},
        )
    return declared


def remove_declared_day(*, declared_day: DeclaredDay) -> None:
    """Withdraw a declaration: the day falls back to the national calendar."""
    with transaction.atomic():
        declared_day.delete()
