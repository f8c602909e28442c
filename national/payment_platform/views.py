"""The payment platform's pages: the CONFIRM callback (server to server, JSON), the page the
payer's browser comes back to, and the platform's receipt download.

The redirect to the payment page (the one synchronous call to the platform in a request) is made
by :func:`start_redirect`, which ``dossiers.payments.views.start`` calls when ``PAYMENT_GATEWAY`` is
``national``."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from dossiers.payments.constants import PaymentStatus
from dossiers.payments.selectors import payments_visible_to
from portal.core.uploads import attachment_response

from .constants import TransactionStatus
from .models import PlatformTransaction
from .services import (
    PlatformPaymentError,
    confirm_handle,
    payment_open_on_platform,
    request_status_lookup,
)

if TYPE_CHECKING:
    from portal.accounts.typed import AuthenticatedHttpRequest


MAX_CONFIRM_BYTES = 64 * 1024


def start_redirect(request: HttpRequest, payment) -> HttpResponse:  # noqa: ANN001 - a dossiers.payments Payment
    """Open the payment on the platform and send the payer to its page; on failure back to the
    dossier with a clear message (nothing charged, the dossier unchanged)."""
    ip = request.META.get("REMOTE_ADDR", "127.0.0.1")[:45]
    try:
        url = payment_open_on_platform(payment=payment, ip=ip)
    except PlatformPaymentError as exc:
        messages.error(request, exc.message)
        return redirect("dossiers:detail", pk=payment.dossier_id)
    return redirect(url)


@csrf_exempt
@require_POST
def confirm(request: HttpRequest) -> JsonResponse:
    """The platform's CONFIRM: a signed JSON message; our answer says what was done with it."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = MAX_CONFIRM_BYTES + 1
    if length > MAX_CONFIRM_BYTES:
        return JsonResponse({"MaLoi": "99", "MoTaLoi": "Ban tin qua lon"}, status=413)
    try:
        message = json.loads(request.body.decode("utf-8") or "null")
    except (UnicodeDecodeError, ValueError):
        message = None
    outcome = confirm_handle(message=message)
    return JsonResponse(outcome.answer(message if isinstance(message, dict) else {}))


@require_GET
def return_view(request: HttpRequest) -> HttpResponse:
    """Where the platform sends the payer back. The query string is not signed by the platform,
    so nothing in it is believed: the page shows what the verified callback recorded and, while
    none has come, asks a worker to look the payment up and refreshes itself."""
    reference = str(request.GET.get("MaThamChieu", ""))[:60]
    txn = None
    if request.user.is_authenticated and reference:
        visible = payments_visible_to(request.user).values("pk")
        txn = (
            PlatformTransaction.objects.filter(reference=reference, payment__in=visible)
            .select_related("payment")
            .first()
        )
    state = "unknown"
    if txn is not None:
        if txn.payment.status == PaymentStatus.PAID:
            state = "paid"
        elif (
            txn.status == TransactionStatus.REDIRECTED
            and txn.payment.status == PaymentStatus.PENDING
        ):
            state = "pending"
            request_status_lookup(transaction_id=txn.pk)
        else:
            state = "failed"
    return render(
        request,
        "payment_platform/return.html",
        {"txn": txn, "payment": txn.payment if txn else None, "state": state},
    )


@login_required
def platform_receipt(request: AuthenticatedHttpRequest, reference: str) -> HttpResponseBase:
    """The platform's own receipt (fetched by GET_BILL), for whoever may see the dossier."""
    visible = payments_visible_to(request.user).values("pk")
    txn = PlatformTransaction.objects.filter(
        reference=str(reference)[:60], payment__in=visible, status=TransactionStatus.PAID
    ).first()
    if txn is None or not txn.receipt_file:
        raise Http404(_("Receipt not found."))
    return attachment_response(
        txn.receipt_file, f"bien-lai-nen-tang-{txn.reference}.pdf", "application/pdf"
    )
