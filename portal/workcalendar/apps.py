from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkCalendarConfig(AppConfig):
    name = "portal.workcalendar"
    label = "workcalendar"
    verbose_name = _("Working-day calendar")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from .models import DeclaredDay
        from .signals import bump_revision

        post_save.connect(
            bump_revision, sender=DeclaredDay, dispatch_uid="workcalendar.bump_on_save"
        )
        post_delete.connect(
            bump_revision, sender=DeclaredDay, dispatch_uid="workcalendar.bump_on_delete"
        )
