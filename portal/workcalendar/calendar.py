"""The calendar itself: which days of a year are off or worked, and the resolved calendar the
deadline arithmetic of :mod:`portal.workcalendar.services` walks (the rules are in that
module's docstring: Labour Code 2019 art. 112, the Government's day swaps, the province's
declared days).

Day sets are cached per calendar revision and year, in the process and in the Django cache.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings
from django.core.cache import cache
from django.db.models import Q

from .constants import DeclaredDayKind
from .models import DeclaredDay, WorkCalendar

if TYPE_CHECKING:
    from portal.agencies.models import Agency

logger = logging.getLogger(__name__)

#: Longest stretch of consecutive days off we tolerate before declaring the calendar broken
#: (Tết plus weekends is ~9 days; a misconfigured calendar must not loop for ever).
MAX_DAYS_OFF_IN_A_ROW = 60


def portal_tz() -> ZoneInfo:
    """The portal's time zone (Asia/Ho_Chi_Minh)."""
    return ZoneInfo(settings.TIME_ZONE)


def aware(value: dt.datetime, name: str) -> dt.datetime:
    """The instant in the portal's time zone; a naive datetime is refused, never guessed."""
    if not isinstance(value, dt.datetime):
        raise TypeError(f"{name} must be a datetime, not {type(value).__name__}.")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(
            f"{name} must be a timezone-aware datetime (got the naive {value.isoformat()}); "
            "use django.utils.timezone.now() or attach Asia/Ho_Chi_Minh."
        )
    return value.astimezone(portal_tz())


def as_date(value: dt.date, name: str = "d") -> dt.date:
    """``value`` as a date (a datetime: its date in the portal's zone)."""
    if isinstance(value, dt.datetime):
        return aware(value, name).date()
    if not isinstance(value, dt.date):
        raise TypeError(f"{name} must be a date, not {type(value).__name__}.")
    return value


# --- the calendar and its per-year day sets -----------------------------------------------------


@dataclass(frozen=True)
class YearDays:
    """The exceptions to the weekly pattern in one year."""

    off: frozenset[dt.date]  # non-working days that are not weekend days by pattern
    extra_working: frozenset[dt.date]  # weekend days that are working days


_memo: dict[tuple[int, str, int], YearDays] = {}
_memo_lock = threading.Lock()
_MEMO_MAX = 256


def national_holidays(year: int, language: str | None = None) -> holidays.HolidayBase:
    """Vietnam's public holidays of ``year`` (``holidays.VN``), names in ``language`` if given."""
    country: holidays.HolidayBase = holidays.country_holidays("VN", years=year, language=language)
    return country


def _compute_year(calendar: WorkCalendar, year: int) -> YearDays:
    weekend = set(calendar.weekend_days)
    national = national_holidays(year)
    off = {d for d in national if d.year == year}
    extra = {d for d in national.weekend_workdays if d.year == year}
    declared: list[tuple[dt.date, str]] = []
    if calendar.pk is not None:  # an unsaved calendar (tests, previews) has no declared days
        declared = list(
            DeclaredDay.objects.filter(calendar_id=calendar.pk, date__year=year).values_list(
                "date", "kind"
            )
        )
    for day, kind in declared:
        if kind == DeclaredDayKind.DAY_OFF:
            off.add(day)
            extra.discard(day)
        else:
            off.discard(day)
            extra.add(day)
    # A make-up working day wins over a day off; "extra" only matters on weekend days.
    off = {d for d in off if d not in extra}
    extra = {d for d in extra if d.weekday() in weekend}
    return YearDays(off=frozenset(off), extra_working=frozenset(extra))


def _year_days(calendar: WorkCalendar, year: int) -> YearDays:
    key = (calendar.pk or 0, calendar.revision, year)
    found = _memo.get(key)
    if found is not None:
        return found
    if calendar.pk is None:  # unsaved: nothing shared to cache, memoise in the process only
        return _remember(key, _compute_year(calendar, year))
    cache_key = f"workcalendar:{key[0]}:{key[1]}:{year}"
    found = None
    try:
        raw = cache.get(cache_key)
        if raw is not None:
            found = YearDays(off=frozenset(raw["off"]), extra_working=frozenset(raw["extra"]))
    except Exception:  # the cache is an optimisation: a broken Redis must not stop deadlines
        logger.warning("workcalendar.cache_unavailable", exc_info=True)
    if found is None:
        found = _compute_year(calendar, year)
        try:
            cache.set(
                cache_key,
                {"off": sorted(found.off), "extra": sorted(found.extra_working)},
                7 * 24 * 3600,
            )
        except Exception:
            logger.warning("workcalendar.cache_unavailable", exc_info=True)
    return _remember(key, found)


def _remember(key: tuple[int, str, int], found: YearDays) -> YearDays:
    with _memo_lock:
        if len(_memo) >= _MEMO_MAX:
            _memo.clear()
        _memo[key] = found
    return found


def get_calendar(province: Agency | int | None = None) -> WorkCalendar:
    """The calendar that applies to ``province`` (an agency or its id).

    A calendar attached to the agency or to one of its ancestors wins; otherwise the portal's
    default calendar (one without a province, else the first one). A portal without any calendar
    gets one with the default hours, created here.
    """
    if province is not None:
        from portal.agencies.models import Agency

        agency = (
            province if isinstance(province, Agency) else Agency.objects.filter(pk=province).first()
        )
        if agency is not None:
            ids = [int(p) for p in (agency.path or str(agency.pk)).split("/") if p.isdigit()]
            # the agency's own calendars and the default ones in one read (issue 19: every
            # reception asks); the default is the one without a province with the lowest id
            found = list(
                WorkCalendar.objects.filter(
                    Q(province_id__in=ids) | Q(province__isnull=True)
                ).order_by("pk")
            )
            own = {c.province_id: c for c in found if c.province_id is not None}
            for pk in reversed(ids):  # nearest ancestor first
                if pk in own:
                    return own[pk]
            default = next((c for c in found if c.province_id is None), None)
            if default is not None:
                return default
    default = WorkCalendar.objects.filter(province__isnull=True).order_by("pk").first()
    if default is None:
        default = WorkCalendar.objects.order_by("pk").first()
    if default is not None:
        return default
    from . import government_days

    created = WorkCalendar.objects.create(name="Lịch làm việc")
    government_days.load(created)  # the Government's day swaps, as editable declared days
    return WorkCalendar.objects.get(pk=created.pk)


def resolve_calendar(calendar: WorkCalendar | None) -> ResolvedCalendar:
    """``calendar``, or the default one, with its year tables (what the calendar functions use)."""
    return ResolvedCalendar(calendar if calendar is not None else get_calendar())


class ResolvedCalendar:
    """A resolved calendar: hours as numbers and fast day checks, for one call."""

    def __init__(self, calendar: WorkCalendar) -> None:
        self.model = calendar
        self.weekend = frozenset(calendar.weekend_days)
        self.sessions = (
            (calendar.morning_start, calendar.morning_end),
            (calendar.afternoon_start, calendar.afternoon_end),
        )
        self._years: dict[int, YearDays] = {}

    @cached_property
    def day_seconds(self) -> int:
        return self.model.seconds_per_day

    def is_working(self, d: dt.date) -> bool:
        year = self._years.get(d.year)
        if year is None:
            year = self._years[d.year] = _year_days(self.model, d.year)
        if d in year.extra_working:
            return True
        return d.weekday() not in self.weekend and d not in year.off

    def next_working(self, d: dt.date, *, include: bool = False) -> dt.date:
        d = d if include else d + dt.timedelta(days=1)
        for _ in range(MAX_DAYS_OFF_IN_A_ROW + 1):
            if self.is_working(d):
                return d
            d += dt.timedelta(days=1)
        raise ValueError(
            f"The calendar has more than {MAX_DAYS_OFF_IN_A_ROW} days off in a row after {d}: check it."
        )

    def previous_working(self, d: dt.date) -> dt.date:
        d -= dt.timedelta(days=1)
        for _ in range(MAX_DAYS_OFF_IN_A_ROW + 1):
            if self.is_working(d):
                return d
            d -= dt.timedelta(days=1)
        raise ValueError(
            f"The calendar has more than {MAX_DAYS_OFF_IN_A_ROW} days off in a row before {d}: check it."
        )

    def at(self, d: dt.date, t: dt.time) -> dt.datetime:
        return dt.datetime.combine(d, t, tzinfo=portal_tz())

    def day_start(self, d: dt.date) -> dt.datetime:
        return self.at(d, self.sessions[0][0])

    def day_end(self, d: dt.date) -> dt.datetime:
        return self.at(d, self.sessions[-1][1])

    def intervals(self, d: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        if not self.is_working(d):
            return []
        return [(self.at(d, a), self.at(d, b)) for a, b in self.sessions]

    def in_working_hours(self, moment: dt.datetime) -> bool:
        return any(a <= moment < b for a, b in self.intervals(moment.date()))
