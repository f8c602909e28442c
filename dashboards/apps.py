from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    """Provincial and agency dashboards, the Decision 766 service index and the public transparency page."""

    name = "dashboards"
    verbose_name = _("Dashboards")

    def ready(self) -> None:
        from . import signals  # noqa: F401 - connects the summary tables' dirty marking
