"""Payment pages: start paying (redirect to the gateway), the gateway's IPN and return URL, the
electronic receipt (page and PDF), and the built-in TEST gateway for the demo and tests."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from dossiers.exceptions import DossierError
from dossiers.exceptions import PermissionDenied as DossierPermissionDenied
from dossiers.selectors import get_dossier_for

from . import gateway, providers
from .constants import GATEWAY_CANCELLED, GATEWAY_SUCCESS, CaseStatus, IpnCode, PaymentStatus
from .selectors import get_receipt_for, payment_cases_for, payments_visible_to
from .services import payment_case_resolve, payment_handle_callback, payment_start

if TYPE_CHECKING:
    from portal.accounts.typed import AuthenticatedHttpRequest


def _client_ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "127.0.0.1")[:45]


@login_required
@require_POST
def start(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The applicant pays a dossier's fees online: create the payment and go to the gateway."""
    dossier = get_dossier_for(request.user, pk)
    try:
        payment = payment_start(dossier=dossier, actor=request.user)
    except DossierError as exc:
        messages.error(request, exc.message)
        return redirect("dossiers:detail", pk=dossier.pk)
    if settings.PAYMENT_GATEWAY != providers.BUILT_IN:
        # another provider (the national payment platform: its own app and callback URL), which
        # registered itself from its AppConfig.ready()
        start_elsewhere = providers.provider(settings.PAYMENT_GATEWAY)
        if start_elsewhere is None:
            messages.error(
                request,
                _(
                    "Online payment is not available at the moment. Please pay at the one-stop counter, or try again later."
                ),
            )
            return redirect("dossiers:detail", pk=dossier.pk)
        return start_elsewhere(request, payment)
    url = gateway.payment_url(
        reference=payment.reference,
        amount=payment.amount,
        order_info=f"Thanh toan phi ho so {dossier.code or dossier.pk}",
        return_url=request.build_absolute_uri(reverse("payments:return")),
        ip=_client_ip(request),
        created=timezone.localtime().strftime("%Y%m%d%H%M%S"),
        site=request.build_absolute_uri("/"),
    )
    return redirect(url)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def ipn(request: HttpRequest) -> JsonResponse:
    """Server-to-server notification from the gateway. Answers in the gateway's JSON format."""
    params = request.GET if request.method == "GET" else request.POST
    outcome = payment_handle_callback(params=params.dict())
    return JsonResponse(outcome.as_ipn)


def return_view(request: HttpRequest) -> HttpResponse:
    """Where the gateway sends the payer's browser back. The parameters are signed like the IPN's,
    so they are processed the same idempotent way (in case the IPN is late), then shown."""
    params = request.GET.dict()
    outcome = payment_handle_callback(params=params)
    payment = None
    if outcome.payment is not None and request.user.is_authenticated:
        payment = payments_visible_to(request.user).filter(pk=outcome.payment.pk).first()
    ok = (
        outcome.code in (IpnCode.CONFIRMED, IpnCode.ALREADY_CONFIRMED)
        and payment is not None
        and payment.status == PaymentStatus.PAID
    )
    status = 200 if outcome.code != IpnCode.INVALID_SIGNATURE else 400
    return render(
        request,
        "payments/return.html",
        {"ok": ok, "payment": payment, "outcome": outcome, "bad_signature": status == 400},
        status=status,
    )


@login_required
def receipt(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    payment = get_receipt_for(request.user, reference)
    return render(
        request, "payments/receipt.html", {"payment": payment, "dossier": payment.dossier}
    )


@login_required
def receipt_pdf(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    """The electronic receipt as a PDF (one page, rendered in the request: ~20 ms with harfbuzz)."""
    from weasyprint import HTML

    payment = get_receipt_for(request.user, reference)
    html = render_to_string(
        "payments/receipt_pdf.html",
        {"payment": payment, "dossier": payment.dossier},
        request=request,
    )
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="bien-lai-{payment.receipt_number}.pdf"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def cases(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The clerks' queue of payments to refund or top up (đối soát), and closing one (POST)."""
    from django.core.exceptions import PermissionDenied

    from portal.accounts.constants import Role

    user = request.user
    if not (
        user.is_superuser
        or (getattr(user, "is_staff_member", False) and user.has_role(Role.CLERK, Role.ADMIN))
    ):
        raise PermissionDenied(_("This queue is for the one-stop clerks."))
    queue = payment_cases_for(user)
    if request.method == "POST":
        raw = str(request.POST.get("case", ""))
        case = (
            queue.filter(pk=int(raw)).first()
            if raw.isascii() and raw.isdigit() and len(raw) < 12
            else None
        )
        if case is None:
            raise Http404
        try:
            payment_case_resolve(
                case=case, actor=request.user, resolution=request.POST.get("resolution", "")
            )
        except (DossierError, DossierPermissionDenied) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Case closed."))
        return redirect("payments:cases")
    return render(
        request,
        "payments/cases.html",
        {
            "open_cases": queue.filter(status=CaseStatus.OPEN),
            "closed_cases": queue.filter(status=CaseStatus.RESOLVED).order_by("-resolved_at")[:50],
        },
    )


# --- the built-in TEST gateway ------------------------------------------------------------------


def _test_gateway_enabled() -> None:
    if not settings.PAYMENT_TEST_GATEWAY:
        raise Http404


def test_gateway(request: HttpRequest) -> HttpResponse:
    """A stand-in for the bank's page: shows the order, "Pay" or "Cancel"; then sends the signed
    notification (processed as the IPN endpoint would) and redirects the browser back."""
    _test_gateway_enabled()
    params = (request.GET if request.method == "GET" else request.POST).dict()
    params.pop("csrfmiddlewaretoken", None)
    choice = params.pop("choice", "")
    order = {k: v for k, v in params.items() if k.startswith("vnp_")}
    if not gateway.verify(order):
        return render(request, "payments/test_gateway.html", {"bad_signature": True}, status=400)
    amount = gateway.amount_from_gateway(order.get("vnp_Amount", ""))
    if request.method == "GET":
        return render(request, "payments/test_gateway.html", {"order": order, "amount": amount})
    return_url = order.get("vnp_ReturnUrl", "")
    if not url_has_allowed_host_and_scheme(
        return_url, allowed_hosts=set(settings.ALLOWED_HOSTS) | {request.get_host()}
    ):
        return render(request, "payments/test_gateway.html", {"bad_signature": True}, status=400)
    paid = choice == "pay"
    callback = {
        "vnp_TmnCode": order.get("vnp_TmnCode", ""),
        "vnp_Amount": order.get("vnp_Amount", ""),
        "vnp_BankCode": "NCB",
        "vnp_TxnRef": order.get("vnp_TxnRef", ""),
        "vnp_OrderInfo": order.get("vnp_OrderInfo", ""),
        "vnp_ResponseCode": GATEWAY_SUCCESS if paid else GATEWAY_CANCELLED,
        "vnp_TransactionStatus": GATEWAY_SUCCESS if paid else "02",
        "vnp_TransactionNo": "".join(secrets.choice("0123456789") for _ in range(10))
        if paid
        else "",
        "vnp_PayDate": timezone.localtime().strftime("%Y%m%d%H%M%S"),
    }
    callback["vnp_SecureHash"] = gateway.sign(callback)
    payment_handle_callback(params=callback)  # what the gateway's server-to-server IPN delivers
    return redirect(f"{return_url}{'&' if '?' in return_url else '?'}{urlencode(callback)}")
