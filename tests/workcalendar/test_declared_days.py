"""A province's own days off and make-up working days, over the national calendar."""

import datetime as dt

import pytest
from django.core.cache import cache

from portal.workcalendar import selectors
from portal.workcalendar.constants import DeclaredDayKind
from portal.workcalendar.models import DeclaredDay, WorkCalendar
from portal.workcalendar.services import (
    add_working_days,
    counting_start,
    declare_day,
    due_at,
    get_calendar,
    is_working_day,
    next_working_day,
    remove_declared_day,
)
from tests.factories.accounts import StaffFactory
from tests.factories.agencies import AgencyFactory
from tests.factories.workcalendar import DeclaredDayFactory, WorkCalendarFactory
from tests.workcalendar.conftest import at

pytestmark = pytest.mark.django_db
D = dt.date


def test_declared_day_off_and_make_up_saturday():
    calendar = WorkCalendarFactory()
    DeclaredDayFactory(calendar=calendar, date=D(2026, 6, 10))  # Wednesday off
    DeclaredDayFactory(calendar=calendar, date=D(2026, 6, 13), make_up=True)  # Saturday worked

    assert not is_working_day(D(2026, 6, 10), calendar=calendar)
    assert is_working_day(D(2026, 6, 13), calendar=calendar)
    assert add_working_days(D(2026, 6, 9), 1, calendar=calendar) == D(2026, 6, 11)
    assert next_working_day(D(2026, 6, 12), calendar=calendar) == D(2026, 6, 13)
    # Monday 10:00 + 4 working days: 9, (10 off), 11, 12, 13 (the make-up Saturday).
    assert due_at(at(2026, 6, 8, 10, 0), 3, "working_days", calendar=calendar) == at(
        2026, 6, 12, 17, 0
    )
    assert due_at(at(2026, 6, 8, 10, 0), 4, "working_days", calendar=calendar) == at(
        2026, 6, 13, 17, 0
    )
    # Online on the declared day off → Thursday morning.
    assert counting_start(at(2026, 6, 10, 9, 0), online=True, calendar=calendar) == at(
        2026, 6, 11, 7, 0
    )


def test_province_declaration_beats_the_national_calendar():
    calendar = WorkCalendarFactory()
    DeclaredDayFactory(
        calendar=calendar, date=D(2026, 8, 22), reason="Không làm bù"
    )  # national make-up Saturday
    DeclaredDayFactory(
        calendar=calendar, date=D(2026, 11, 24), make_up=True
    )  # national holiday worked
    assert not is_working_day(D(2026, 8, 22), calendar=calendar)
    assert is_working_day(D(2026, 11, 24), calendar=calendar)
    other = WorkCalendarFactory()  # another province's calendar is untouched
    assert is_working_day(D(2026, 8, 22), calendar=other)
    assert not is_working_day(D(2026, 11, 24), calendar=other)


def test_changes_are_seen_at_once_by_a_fresh_read_and_by_the_same_object():
    calendar = WorkCalendarFactory()
    assert is_working_day(D(2026, 6, 10), calendar=calendar)  # cached for 2026 now
    declared = declare_day(
        calendar=calendar, day=D(2026, 6, 10), kind=DeclaredDayKind.DAY_OFF, reason="Bão"
    )
    assert not is_working_day(D(2026, 6, 10), calendar=WorkCalendar.objects.get(pk=calendar.pk))
    assert not is_working_day(D(2026, 6, 10), calendar=calendar)

    fresh = WorkCalendar.objects.get(pk=calendar.pk)
    remove_declared_day(declared_day=declared)
    assert is_working_day(D(2026, 6, 10), calendar=WorkCalendar.objects.get(pk=calendar.pk))
    assert fresh.revision != WorkCalendar.objects.get(pk=calendar.pk).revision


def test_bulk_delete_also_invalidates():
    calendar = WorkCalendarFactory()
    DeclaredDayFactory(calendar=calendar, date=D(2026, 6, 10))
    assert not is_working_day(D(2026, 6, 10), calendar=WorkCalendar.objects.get(pk=calendar.pk))
    DeclaredDay.objects.filter(calendar=calendar).delete()
    assert is_working_day(D(2026, 6, 10), calendar=WorkCalendar.objects.get(pk=calendar.pk))


def test_year_sets_are_shared_through_the_cache():
    calendar = WorkCalendarFactory()
    DeclaredDayFactory(calendar=calendar, date=D(2026, 6, 10))
    is_working_day(D(2026, 6, 10), calendar=calendar)
    key = f"workcalendar:{calendar.pk}:{calendar.revision}:2026"
    assert D(2026, 6, 10) in cache.get(key)["off"]
    assert D(2026, 8, 22) in cache.get(key)["extra"]


def test_declare_day_validates_and_redeclares():
    calendar = WorkCalendarFactory()
    clerk = StaffFactory()
    with pytest.raises(ValueError, match="Lý do là bắt buộc"):
        declare_day(
            calendar=calendar, day=D(2026, 6, 10), kind=DeclaredDayKind.DAY_OFF, reason="  "
        )
    with pytest.raises(ValueError, match="Unknown kind"):
        declare_day(calendar=calendar, day=D(2026, 6, 10), kind="holiday", reason="x")
    assert not DeclaredDay.objects.exists()
    declare_day(
        calendar=calendar,
        day=D(2026, 6, 13),
        kind=DeclaredDayKind.DAY_OFF,
        reason="a",
        created_by=clerk,
    )
    declare_day(
        calendar=calendar, day=D(2026, 6, 13), kind=DeclaredDayKind.MAKE_UP_WORKING_DAY, reason="b"
    )
    assert DeclaredDay.objects.get().kind == DeclaredDayKind.MAKE_UP_WORKING_DAY
    assert is_working_day(D(2026, 6, 13), calendar=calendar)


def test_get_calendar_creates_a_default_once():
    assert not WorkCalendar.objects.exists()
    first = get_calendar()
    assert (first.morning_start, first.afternoon_end, first.weekend_days) == (
        dt.time(7),
        dt.time(17),
        [5, 6],
    )
    assert first.seconds_per_day == 8 * 3600
    assert get_calendar() == first
    assert WorkCalendar.objects.count() == 1
    # Without a calendar argument, the functions read the default calendar's declarations.
    DeclaredDayFactory(calendar=first, date=D(2026, 6, 10))
    assert not is_working_day(D(2026, 6, 10))


def test_get_calendar_for_an_agency_uses_the_nearest_calendar_above_it():
    province = AgencyFactory(province=True)
    commune = AgencyFactory(commune=True, parent=province)
    default = WorkCalendarFactory(province=None)
    own = WorkCalendarFactory(province=province)
    assert get_calendar(commune) == own
    assert get_calendar(province.pk) == own
    assert get_calendar(AgencyFactory()) == default
    assert get_calendar() == default


def test_an_agency_s_calendar_is_found_in_one_query(django_assert_num_queries):
    """Every reception asks (issue 19): its own calendar, an ancestor's, or the default, in one read."""
    province = AgencyFactory(province=True)
    commune = AgencyFactory(commune=True, parent=province)
    elsewhere = AgencyFactory()
    default = WorkCalendarFactory(province=None)
    WorkCalendarFactory(province=None)  # a second default: the first one stays the default
    own = WorkCalendarFactory(province=province)
    with django_assert_num_queries(1):
        assert get_calendar(commune) == own
    with django_assert_num_queries(1):
        assert get_calendar(elsewhere) == default


def test_default_calendar_reads_cost_one_query(django_assert_num_queries):
    calendar = WorkCalendarFactory()
    is_working_day(D(2026, 6, 10))  # warm the year
    with django_assert_num_queries(1):  # the calendar row only; the year comes from the cache
        assert due_at(at(2026, 6, 8, 10, 0), 20, "working_days") == at(2026, 7, 6, 17, 0)
    with django_assert_num_queries(0):
        due_at(at(2026, 6, 8, 10, 0), 20, "working_days", calendar=calendar)


def test_days_off_selector_names_each_day():
    calendar = WorkCalendarFactory()
    DeclaredDayFactory(calendar=calendar, date=D(2026, 6, 10), reason="Lễ hội Thành Bản Phủ")
    DeclaredDayFactory(calendar=calendar, date=D(2026, 11, 24), make_up=True)
    days = dict(selectors.days_off(2026, calendar=calendar))
    assert days[D(2026, 2, 17)] == "Tết Nguyên Đán"
    assert days[D(2026, 4, 27)] == "Ngày Giỗ Tổ Hùng Vương (nghỉ bù)"
    assert days[D(2026, 8, 31)] == "Ngày nghỉ (thay cho ngày 22/08/2026)"
    assert days[D(2026, 6, 10)] == "Lễ hội Thành Bản Phủ"
    assert D(2026, 11, 24) not in days
    assert list(days) == sorted(days)
    make_up = dict(selectors.make_up_working_days(2026, calendar=calendar))
    assert set(make_up) == {D(2026, 8, 22)}  # 24/11 is a Tuesday: not a weekend day to make up
    assert selectors.working_day_count(2026, calendar=calendar) == 249 - 1 + 1
    with pytest.raises(ValueError, match="year"):
        selectors.days_off(10000, calendar=calendar)
