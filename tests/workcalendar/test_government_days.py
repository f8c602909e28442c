"""The Government's yearly day swaps as editable data (portal.workcalendar.government_days), the
24/11 question checked against the Labour Code in force, and 2027's lunar dates as estimates.

Sources: Labour Code 2019 Art. 112 (the 11 days off, and the compensating day of para. 3); the
Government's agreement of 25/12/2025 and the Ministry of Home Affairs' notice of the same day
(New Year 2026: Friday 2 January off, Saturday 10 January worked); docs/regulations.md."""

import datetime as dt

import pytest

from portal.workcalendar import government_days
from portal.workcalendar.constants import DeclaredDayKind
from portal.workcalendar.models import DeclaredDay
from portal.workcalendar.services import due_at, get_calendar, is_working_day

from .conftest import at

pytestmark = pytest.mark.django_db
D = dt.date


def test_new_year_2026_swap_moves_a_one_day_dossier_off_friday_2_january():
    """The issue's case: a 1-day dossier received 31/12/2025 fell due on Friday 2/1/2026, a day off."""
    calendar = get_calendar()  # the portal's default calendar, created with the Government's days
    assert not is_working_day(D(2026, 1, 2), calendar=calendar)
    assert is_working_day(D(2026, 1, 10), calendar=calendar)  # Saturday, worked in exchange
    due = due_at(at(2025, 12, 31, 9, 0), 1, "working_days", calendar=calendar)
    assert due.date() == D(2026, 1, 5)  # Thu 1/1 holiday, Fri 2/1 swapped off, weekend: Monday


def test_every_row_carries_its_source_and_2027_lunar_days_are_estimates():
    calendar = get_calendar()
    rows = list(DeclaredDay.objects.filter(calendar=calendar))
    assert {r.date.year for r in rows} == {2025, 2026, 2027}
    assert all(r.source for r in rows)
    tet_2027 = [r for r in rows if r.date.year == 2027 and r.date.month == 2]
    assert tet_2027 and all(r.is_estimate for r in tet_2027)
    assert not any(r.is_estimate for r in rows if r.date.year == 2026)


def test_24_november_is_a_working_day_under_the_labour_code_in_force():
    """Labour Code 2019 Art. 112(1) lists 11 days off and not 24/11; Resolution 80-NQ/TW and
    Resolution 30/NQ-CP (2026) ask for the amendment, not found in force (docs/regulations.md).
    ``holidays.VN`` 0.109 lists 24/11/2026 as a holiday: the declared row overrides it."""
    calendar = get_calendar()
    row = DeclaredDay.objects.get(calendar=calendar, date=D(2026, 11, 24))
    assert row.kind == DeclaredDayKind.WORKING_DAY and "Điều 112" in row.source
    assert is_working_day(D(2026, 11, 24), calendar=calendar)
    # the administrator removes the row once the amendment is in force: 24/11 is then a day off
    row.delete()
    from portal.workcalendar.models import WorkCalendar

    WorkCalendar.objects.filter(pk=calendar.pk).update(revision="after-amendment")
    assert not is_working_day(D(2026, 11, 24), calendar=WorkCalendar.objects.get(pk=calendar.pk))


def test_loading_again_keeps_what_the_administrator_edited():
    calendar = get_calendar()
    edited = DeclaredDay.objects.get(calendar=calendar, date=D(2026, 8, 31))
    edited.reason = "Tỉnh điều chỉnh"
    edited.save()
    assert government_days.load(calendar) == 0  # nothing new, nothing overwritten
    assert DeclaredDay.objects.get(pk=edited.pk).reason == "Tỉnh điều chỉnh"


def test_the_demo_has_the_government_days():
    """seed_demo loads them into the portal's calendar (and adds the missing ones to an existing one)."""
    import io

    from django.core.management import call_command

    call_command("seed_demo", stdout=io.StringIO())
    calendar = get_calendar()
    assert DeclaredDay.objects.filter(
        calendar=calendar, date=D(2026, 1, 2), kind=DeclaredDayKind.DAY_OFF
    ).exists()
    assert DeclaredDay.objects.filter(
        calendar=calendar, date=D(2026, 1, 10), kind=DeclaredDayKind.MAKE_UP_WORKING_DAY
    ).exists()
