from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "portal.core"
    label = "core"
    verbose_name = _("Site shell")

    def ready(self) -> None:
        # The admin says whose it is, in the reader's language, instead of "Django administration".
        from django.contrib import admin

        admin.site.site_header = _("One-stop portal administration")
        admin.site.site_title = _("One-stop portal administration")
        admin.site.index_title = _("Administration")
