"""Choices of the working-day calendar (lịch làm việc)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Timeliness(models.TextChoices):
    """Early / on time / late (trước hạn / đúng hạn / quá hạn), the one rule of
    :func:`portal.workcalendar.services.timeliness`."""

    EARLY = "early", _("Early")
    ON_TIME = "on_time", _("On time")
    LATE = "late", _("Late")


class DeclaredDayKind(models.TextChoices):
    """A day the province declares itself, on top of the national calendar."""

    DAY_OFF = "day_off", _("Day off")
    MAKE_UP_WORKING_DAY = "make_up_working_day", _("Make-up working day")
    #: A weekday the national calendar (``holidays.VN``) lists as a day off but the law in force
    #: does not (24/11, see ``government_days``): counted as an ordinary working day.
    WORKING_DAY = "working_day", _("Working day (not a day off under the law in force)")


class Session(models.TextChoices):
    """Half-day sessions (buổi) printed on the appointment slip."""

    MORNING = "morning", _("Morning")
    AFTERNOON = "afternoon", _("Afternoon")


#: Names of the days of the week, ISO order starting Monday = 0 (Python's ``date.weekday()``).
WEEKDAY_CHOICES = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]
