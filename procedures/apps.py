from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProceduresConfig(AppConfig):
    name = "procedures"
    verbose_name = _("Procedures")

    def seed_demo(self) -> str:
        """The demo catalogue (``manage.py seed_demo`` calls it after the agencies and accounts)."""
        from django.db import transaction

        from .demo import seed_procedures

        with transaction.atomic():
            return f"{seed_procedures()} procedures"
