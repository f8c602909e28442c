from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DossiersConfig(AppConfig):
    name = "dossiers"
    verbose_name = _("Dossiers")

    def ready(self) -> None:
        from . import document_store  # registers the Celery task
        from .events import subscribe

        subscribe(document_store.collect_task.name)  # the citizen's document store fills itself
