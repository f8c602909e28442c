"""Load the Government's day swaps of 2025-2027 (portal.workcalendar.government_days) into every
calendar that exists, as declared days an administrator can edit (issue 15). Dates already
declared are kept. A portal without a calendar gets them when its default calendar is created
(``services.get_calendar``)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from portal.workcalendar import government_days

    WorkCalendar = apps.get_model("workcalendar", "WorkCalendar")
    DeclaredDay = apps.get_model("workcalendar", "DeclaredDay")
    for calendar in WorkCalendar.objects.all():
        government_days.load(calendar, declared_day_model=DeclaredDay)


def backwards(apps, schema_editor):
    from portal.workcalendar import government_days

    DeclaredDay = apps.get_model("workcalendar", "DeclaredDay")
    for day in government_days.DAYS:
        DeclaredDay.objects.filter(date=day.date, kind=day.kind, source=day.source[:500]).delete()


class Migration(migrations.Migration):
    dependencies = [("workcalendar", "0002_declared_day_source")]
    operations = [migrations.RunPython(forwards, backwards)]
