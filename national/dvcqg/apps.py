from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DvcqgConfig(AppConfig):
    """The adapter to the national public-service portal (Cổng Dịch vụ công quốc gia, DVCQG)."""

    name = "national.dvcqg"
    label = "dvcqg"
    verbose_name = _("National public-service portal")

    def ready(self) -> None:
        # Every history row of a dossier ("dossier changed") is queued for DVCQG through the
        # transactional outbox (dossiers.events): the task records it and sends it in order.
        from dossiers.events import subscribe

        subscribe("national.dvcqg.tasks.dossier_changed")
