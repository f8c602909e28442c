import datetime as dt

import factory

from portal.workcalendar.constants import DeclaredDayKind
from portal.workcalendar.models import DeclaredDay, WorkCalendar


class WorkCalendarFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkCalendar

    name = factory.Sequence(lambda n: f"Lịch làm việc {n}")
    province = None


class DeclaredDayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DeclaredDay

    calendar = factory.SubFactory(WorkCalendarFactory)
    date = dt.date(2026, 6, 10)
    kind = DeclaredDayKind.DAY_OFF
    reason = "Lễ hội truyền thống của tỉnh"

    class Params:
        make_up = factory.Trait(kind=DeclaredDayKind.MAKE_UP_WORKING_DAY, reason="Làm bù")
