"""Pages and endpoints of the DVCQG adapter: the signed inbound push, the result link DVCQG
fetches, and the administrator's sync and catalogue pages. Thin: every rule is in a service."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from dossiers.models import Dossier
from portal.accounts.constants import Role
from portal.accounts.permissions import role_required
from portal.core.uploads import attachment_response

from . import catalogue, reconcile, selectors, services
from .client import DvcqgError, integration_enabled
from .inbound import InboundRefused, receive_dossier, verify_push
from .payloads import RESULT_LINK_SALT

if TYPE_CHECKING:
    from portal.accounts.typed import AuthenticatedHttpRequest


def _answer(code: str, message: str, status: int, **extra: object) -> JsonResponse:
    return JsonResponse(
        {"error_code": code, "message": message, **extra},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


@csrf_exempt
@require_POST
def inbound_push(request: HttpRequest) -> HttpResponse:
    """DVCQG pushes a dossier filed there. Signed request (see national.dvcqg.inbound); the
    answer is DVCQG-shaped JSON: error_code "00" when the dossier is here (new or already)."""
    if not integration_enabled():
        return _answer("503", "Kết nối Cổng DVCQG đang tắt.", 503)
    try:
        length = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        length = 0
    if length <= 0 or length > settings.DVCQG_PUSH_MAX_BYTES:
        return _answer("413", "Yêu cầu rỗng hoặc quá lớn.", 413)
    body = request.body
    try:
        nonce = verify_push(
            method=request.method or "POST",
            path=request.path,
            headers={k.lower(): v for k, v in request.headers.items()},
            body=body,
        )
        try:
            payload = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise InboundRefused("Dữ liệu không phải JSON hợp lệ.") from None
        outcome = receive_dossier(payload, via="push", nonce=nonce)
    except InboundRefused as exc:
        return _answer(str(exc.status), exc.message, exc.status)
    message = "Đã tiếp nhận hồ sơ." if outcome.created else "Hồ sơ đã được nhận trước đó."
    return _answer("00", message, 200, MaHoSo=outcome.dossier.code, created=outcome.created)


@require_GET
def result_file(request: HttpRequest, token: str) -> HttpResponseBase:
    """The result file behind ``DuongDanTepTinKetQua``: a signed, expiring token, no account."""
    try:
        data = signing.loads(
            token, salt=RESULT_LINK_SALT, max_age=settings.DVCQG_RESULT_LINK_DAYS * 86400
        )
    except signing.BadSignature:
        raise Http404(_("The link is invalid or has expired.")) from None
    dossier = get_object_or_404(Dossier, pk=data.get("d"))
    if not dossier.result_file or dossier.result_file.name != data.get("f"):
        raise Http404(_("The link is invalid or has expired."))
    return attachment_response(
        dossier.result_file, f"ket-qua-{dossier.code}.pdf", "application/pdf"
    )


@role_required(Role.ADMIN)
def sync_page(request: HttpRequest) -> HttpResponse:
    only_failed = request.GET.get("state") == "failed"
    return render(
        request,
        "dvcqg/sync.html",
        {
            "rows": selectors.sync_rows(only_failed=only_failed),
            "only_failed": only_failed,
            "summary": selectors.sync_summary(),
            "enabled": integration_enabled(),
        },
    )


@role_required(Role.ADMIN)
@require_POST
def resend(request: HttpRequest, dossier_id: int) -> HttpResponse:
    get_object_or_404(Dossier, pk=dossier_id)
    services.resend(dossier_id=dossier_id, full=request.POST.get("full") == "1")
    messages.success(request, _("The dossier will be sent to DVCQG again."))
    return redirect("dvcqg:sync")


@role_required(Role.ADMIN)
@require_POST
def reconcile_now(request: HttpRequest) -> HttpResponse:
    try:
        report = reconcile.reconcile_all()
    except DvcqgError as exc:
        messages.error(request, _("DVCQG could not be reached: %(error)s") % {"error": exc})
    else:
        messages.success(
            request,
            _("Reconciled %(checked)s dossiers: %(different)s differences, re-sent.") % report,
        )
    return redirect("dvcqg:sync")


@role_required(Role.ADMIN)
def catalogue_page(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "dvcqg/catalogue.html",
        {
            "rows": catalogue.differences(),
            "units": catalogue.unit_differences(),
            "enabled": integration_enabled(),
        },
    )


@role_required(Role.ADMIN)
@require_POST
def catalogue_pull(request: HttpRequest) -> HttpResponse:
    try:
        count = catalogue.pull_catalogue()
    except DvcqgError as exc:
        messages.error(request, _("DVCQG could not be reached: %(error)s") % {"error": exc})
    else:
        messages.success(request, _("%(count)s national procedures pulled.") % {"count": count})
    return redirect("dvcqg:catalogue")


@role_required(Role.ADMIN)
@require_POST
def catalogue_accept(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    try:
        catalogue.accept(code=code, actor=request.user)
    except catalogue.CatalogueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The national entry %(code)s was accepted.") % {"code": code})
    return redirect("dvcqg:catalogue")
