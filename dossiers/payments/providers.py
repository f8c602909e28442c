"""The online-payment providers besides the built-in gateway (:mod:`dossiers.payments.gateway`): a
registry that a provider's app fills from its ``AppConfig.ready()``, so that dossiers never names
the app above it (issue 12: apps import downward only; the national payment platform used to be
reached through ``import_string``, hidden from the import contract).

``settings.PAYMENT_GATEWAY`` names the provider; "vnpay" is the built-in gateway. A provider is a
function ``start(request, payment) -> HttpResponse`` that opens the payment on its platform and
sends the payer there (or back to the dossier with a message: nothing charged)::

    # yourapp/apps.py
    def ready(self):
        from dossiers.payments.providers import register_provider
        from .views import start_redirect
        register_provider("national", start_redirect)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

    from .models import Payment

#: The built-in VNPay-shaped gateway (PAYMENT_GATEWAY_URL, or the test gateway): not in the registry.
BUILT_IN = "vnpay"


class StartPayment(Protocol):
    def __call__(self, request: HttpRequest, payment: Payment) -> HttpResponse: ...


_providers: dict[str, StartPayment] = {}


def register_provider(name: str, start: StartPayment) -> None:
    """Make ``name`` (a value of ``PAYMENT_GATEWAY``) start payments with ``start``."""
    if name == BUILT_IN:
        raise ValueError(f"{BUILT_IN!r} is the built-in gateway")
    _providers[name] = start


def provider(name: str) -> StartPayment | None:
    """The registered provider called ``name``, or None (the built-in gateway, or none installed)."""
    return _providers.get(name)
