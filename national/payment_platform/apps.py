from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentPlatformConfig(AppConfig):
    """The national public-service portal's payment platform (Nền tảng thanh toán trực tuyến)."""

    name = "national.payment_platform"
    label = "payment_platform"
    verbose_name = _("National payment platform")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # PAYMENT_GATEWAY = "national" sends the payer here (dossiers never names this app)
        from dossiers.payments.providers import register_provider

        from .views import start_redirect

        register_provider("national", start_redirect)
