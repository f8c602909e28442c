from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentAxisConfig(AppConfig):
    """The national document axis (Trục liên thông văn bản quốc gia), reached through the
    province's integration platform (LGSP), as a transport of the edXML exchange."""

    name = "national.document_axis"
    label = "document_axis"
    verbose_name = _("National document axis")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from documents import exchange

        from .transport import route

        if route not in exchange.TRANSPORT_ROUTERS:
            exchange.TRANSPORT_ROUTERS.append(route)
