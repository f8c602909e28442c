"""Reads of payments, scoped through the dossier they belong to (another's payment is a 404)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from dossiers.selectors import dossiers_visible_to

from .constants import PaymentStatus
from .models import Payment

if TYPE_CHECKING:
    from portal.accounts.typed import Actor

    from .models import PaymentCase


def payments_visible_to(user: Actor) -> QuerySet[Payment]:
    return Payment.objects.filter(dossier__in=dossiers_visible_to(user)).select_related(
        "dossier", "dossier__procedure", "dossier__receiving_agency"
    )


def get_receipt_for(user: Actor, reference: str) -> Payment:
    """A paid payment's receipt, if ``user`` may see its dossier; 404 alike otherwise."""
    payment = (
        payments_visible_to(user)
        .filter(reference=str(reference)[:40], status=PaymentStatus.PAID)
        .first()
    )
    if payment is None:
        raise Http404(_("Receipt not found."))
    return payment


def dossier_payments(dossier: Any) -> list[Payment]:
    """Payments of a dossier the caller already may see, newest first, each with ``shown_status``.

    An attempt left at the gateway stays "pending" in the data (its late callback is still a
    payment: a double payment becomes a refund case), but once another attempt for the dossier
    is paid it is shown as abandoned, not as "Waiting for payment" (issue 14)."""
    payments = list(Payment.objects.filter(dossier=dossier).order_by("-created_at"))
    paid = any(p.status == PaymentStatus.PAID for p in payments)
    for p in payments:
        superseded = paid and p.status == PaymentStatus.PENDING
        p.superseded = superseded  # type: ignore[attr-defined]
        p.shown_status = (  # type: ignore[attr-defined]
            _("Abandoned: another attempt was paid") if superseded else p.get_status_display()
        )
    return payments


def payment_cases_for(user: Actor) -> QuerySet[PaymentCase]:
    """The refund / top-up queue of a one-stop clerk: cases of the dossiers his agency received."""
    from portal.accounts.constants import Role

    from .models import PaymentCase

    if not getattr(user, "is_staff_member", False) or not (
        user.is_superuser or user.has_role(Role.CLERK, Role.ADMIN)
    ):
        return PaymentCase.objects.none()
    return PaymentCase.objects.filter(dossier__in=dossiers_visible_to(user)).select_related(
        "payment", "dossier", "resolved_by"
    )
