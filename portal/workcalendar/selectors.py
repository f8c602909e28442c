"""Reads of the working-day calendar for people (the administrator's check of a year)."""

from __future__ import annotations

import datetime as dt

from django.utils import translation
from django.utils.translation import gettext as _

from .constants import DeclaredDayKind
from .models import DeclaredDay, WorkCalendar
from .services import national_holidays, resolve_calendar

MIN_YEAR, MAX_YEAR = 1990, 2100


def _check_year(year: int) -> int:
    year = int(year)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"The year must be between {MIN_YEAR} and {MAX_YEAR}.")
    return year


def _holiday_language() -> str:
    return "vi" if (translation.get_language() or "vi").startswith("vi") else "en_US"


def _declared(calendar: WorkCalendar, year: int) -> dict[dt.date, DeclaredDay]:
    return {d.date: d for d in DeclaredDay.objects.filter(calendar=calendar, date__year=year)}


def days_off(year: int, *, calendar: WorkCalendar | None = None) -> list[tuple[dt.date, str]]:
    """A year's days off other than plain weekends, with their names, in date order.

    National holidays and swapped days off (from ``holidays.VN``, named in the current language,
    including holidays falling on a weekend) plus the province's declared days off; a day the
    province declared a make-up working day is left out.
    """
    year = _check_year(year)
    cal = resolve_calendar(calendar).model
    declared = _declared(cal, year)
    result: dict[dt.date, str] = {}
    for day, name in national_holidays(year, _holiday_language()).items():
        if day.year == year:
            result[day] = name
    for day, item in declared.items():
        if item.kind == DeclaredDayKind.DAY_OFF:
            result[day] = item.reason
        else:
            result.pop(day, None)
    return sorted(result.items())


def make_up_working_days(
    year: int, *, calendar: WorkCalendar | None = None
) -> list[tuple[dt.date, str]]:
    """A year's weekend days that are working days (national swaps and the province's own)."""
    year = _check_year(year)
    resolved = resolve_calendar(calendar)
    cal = resolved.model
    declared = _declared(cal, year)
    result: dict[dt.date, str] = {}
    for day in national_holidays(year).weekend_workdays:
        if day.year == year:
            result[day] = _("Make-up working day (government day swap)")
    for day, item in declared.items():
        if item.kind == DeclaredDayKind.MAKE_UP_WORKING_DAY:
            result[day] = item.reason
        else:
            result.pop(day, None)
    return sorted((d, name) for d, name in result.items() if d.weekday() in resolved.weekend)


def working_day_count(year: int, *, calendar: WorkCalendar | None = None) -> int:
    """How many working days the year has (a quick plausibility figure for the administrator)."""
    year = _check_year(year)
    resolved = resolve_calendar(calendar)
    day, end, count = dt.date(year, 1, 1), dt.date(year, 12, 31), 0
    while day <= end:
        count += resolved.is_working(day)
        day += dt.timedelta(days=1)
    return count
