"""The administrator keeps the calendar and checks a year's days off."""

import datetime as dt

import pytest

from portal.workcalendar.models import DeclaredDay
from portal.workcalendar.services import is_working_day
from tests.factories.accounts import StaffFactory, UserFactory
from tests.factories.workcalendar import DeclaredDayFactory, WorkCalendarFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(StaffFactory(is_staff=True, is_superuser=True))
    return client


def test_year_page_lists_holidays_and_declared_days(admin_client):
    calendar = WorkCalendarFactory()
    DeclaredDayFactory(calendar=calendar, date=dt.date(2026, 6, 10), reason="Lễ hội Hoa Ban")
    response = admin_client.get(
        f"/admin/workcalendar/workcalendar/{calendar.pk}/days-off/?year=2026"
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "17/02/2026" in page and "Tết Nguyên Đán" in page
    assert "10/06/2026" in page and "Lễ hội Hoa Ban" in page
    assert "22/08/2026" in page  # the make-up Saturday, in its own table
    assert "248 ngày làm việc" in page  # 249 national working days − the declared one


@pytest.mark.parametrize("year", ["abc", "99999", "", "2026%00"])
def test_bad_year_shows_the_current_year(admin_client, year):
    calendar = WorkCalendarFactory()
    response = admin_client.get(
        f"/admin/workcalendar/workcalendar/{calendar.pk}/days-off/", {"year": year}
    )
    assert response.status_code == 200
    assert f"<strong>{dt.date.today().year}</strong>" in response.content.decode()  # noqa: DTZ011


def test_unknown_calendar_is_404(admin_client):
    assert admin_client.get("/admin/workcalendar/workcalendar/999999/days-off/").status_code == 404


def test_citizens_and_anonymous_cannot_see_it(client):
    calendar = WorkCalendarFactory()
    url = f"/admin/workcalendar/workcalendar/{calendar.pk}/days-off/"
    assert client.get(url).status_code == 302
    client.force_login(UserFactory())
    assert client.get(url).status_code == 302  # the admin sends non-staff to its login page


def test_declaring_a_day_in_the_admin_records_who_and_applies_at_once(admin_client):
    calendar = WorkCalendarFactory()
    is_working_day(dt.date(2026, 6, 10), calendar=calendar)
    data = {
        "name": calendar.name,
        "province": "",
        "morning_start": "07:00",
        "morning_end": "11:30",
        "afternoon_start": "13:30",
        "afternoon_end": "17:00",
        "weekend_days": ["5", "6"],
        "declared_days-TOTAL_FORMS": "1",
        "declared_days-INITIAL_FORMS": "0",
        "declared_days-MIN_NUM_FORMS": "0",
        "declared_days-MAX_NUM_FORMS": "1000",
        "declared_days-0-date": "10/06/2026",
        "declared_days-0-kind": "day_off",
        "declared_days-0-reason": "Bão số 3",
    }
    response = admin_client.post(f"/admin/workcalendar/workcalendar/{calendar.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    declared = DeclaredDay.objects.get()
    assert declared.date == dt.date(2026, 6, 10) and declared.created_by.is_superuser
    calendar.refresh_from_db()
    assert not is_working_day(dt.date(2026, 6, 10), calendar=calendar)


def test_hours_out_of_order_are_refused(admin_client):
    calendar = WorkCalendarFactory()
    data = {
        "name": calendar.name,
        "morning_start": "11:30",
        "morning_end": "07:00",
        "afternoon_start": "13:30",
        "afternoon_end": "17:00",
        "weekend_days": ["5", "6"],
        "declared_days-TOTAL_FORMS": "0",
        "declared_days-INITIAL_FORMS": "0",
        "declared_days-MIN_NUM_FORMS": "0",
        "declared_days-MAX_NUM_FORMS": "1000",
    }
    response = admin_client.post(f"/admin/workcalendar/workcalendar/{calendar.pk}/change/", data)
    assert response.status_code == 200  # the form again, with the error
    calendar.refresh_from_db()
    assert calendar.morning_start == dt.time(7, 0)
