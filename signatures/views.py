"""Public endpoints of the signatures app: CRL, OCSP, TSA, CA certificates and the verify page."""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING
from urllib.parse import unquote

from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.accounts.constants import Role
from portal.accounts.permissions import role_required
from portal.core.uploads import attachment_response

from . import services
from .forms import SignBatchForm, VerifyUploadForm
from .models import CertificateAuthority, SignedDocument
from .verify import verify_and_audit

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from portal.accounts.models import User
    from portal.accounts.typed import AuthenticatedHttpRequest

_MAX_PROTOCOL_BYTES = 64 * 1024


@require_GET
def crl(request: HttpRequest, ca: str) -> HttpResponse:
    if not CertificateAuthority.objects.filter(slug=ca, kind__in=["root", "issuing"]).exists():
        raise Http404
    return HttpResponse(services.crl_bytes(ca_slug=ca), content_type="application/pkix-crl")


@require_GET
def ca_certificate(request: HttpRequest, ca: str) -> HttpResponse:
    authority = get_object_or_404(CertificateAuthority, slug=ca)
    response = HttpResponse(
        authority.certificate.public_bytes(_der()), content_type="application/pkix-cert"
    )
    response["Content-Disposition"] = f'attachment; filename="{authority.slug}.crt"'
    return response


def _der():  # type: ignore[no-untyped-def]
    from cryptography.hazmat.primitives.serialization import Encoding

    return Encoding.DER


@csrf_exempt
@require_http_methods(["GET", "POST"])
def ocsp(request: HttpRequest, encoded: str = "") -> HttpResponse:
    """RFC 6960 Appendix A.1: POST with the DER request, or GET with it base64 in the path (NSS)."""
    if request.method == "POST":
        body = request.body[:_MAX_PROTOCOL_BYTES]
    else:
        try:
            body = base64.b64decode(unquote(encoded)[:_MAX_PROTOCOL_BYTES], validate=False)
        except (ValueError, binascii.Error):
            body = b""
    return HttpResponse(
        services.ocsp_response(request_der=body), content_type="application/ocsp-response"
    )


@csrf_exempt
@require_POST
def tsa(request: HttpRequest) -> HttpResponse:
    """RFC 3161 §3.4: ``application/timestamp-query`` in, ``application/timestamp-reply`` out."""
    if request.content_type != "application/timestamp-query":
        return HttpResponse(
            _("Expected application/timestamp-query."), status=415, content_type="text/plain"
        )
    body = request.body[:_MAX_PROTOCOL_BYTES]
    return HttpResponse(
        services.timestamp_response(query_der=body), content_type="application/timestamp-reply"
    )


@require_http_methods(["GET", "POST"])
def verify_page(request: HttpRequest) -> HttpResponse:
    report = None
    if request.method == "POST":
        form = VerifyUploadForm(request.POST, request.FILES)
        if form.is_valid():
            report = verify_and_audit(
                form.cleaned_data["file"].read(),
                actor=request.user if request.user.is_authenticated else None,
            )
    else:
        form = VerifyUploadForm()
    return render(request, "signatures/verify.html", {"form": form, "report": report})


@require_GET
def verify_token(request: HttpRequest, token: str) -> HttpResponse:
    document = get_object_or_404(SignedDocument, token=token)
    if not document.file:
        raise Http404
    with document.file.open("rb") as fh:
        data = fh.read()
    report = verify_and_audit(data, actor=request.user if request.user.is_authenticated else None)
    return render(
        request,
        "signatures/verify.html",
        {"form": VerifyUploadForm(), "report": report, "document": document},
    )


@role_required(Role.LEADER, Role.CLERICAL)
@require_http_methods(["GET", "POST"])
def sign_batch_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Leader (or clerical office) signs one or more results after one PIN entry."""
    results = None
    if request.method == "POST":
        form = SignBatchForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                results = services.sign_and_publish(
                    files=[(f.name, f.read()) for f in data["files"]],
                    signer_user=request.user,
                    pin=data["pin"],
                    reason=data["reason"],
                    location=request.user.agency.name if request.user.agency else "",
                    level=data["level"],
                )
            except services.SigningError as exc:
                form.add_error("pin" if "PIN" in str(exc) else None, str(exc))
        form = (
            SignBatchForm(
                initial={
                    "reason": form.data.get("reason", ""),
                    "level": form.data.get("level", "B-T"),
                }
            )
            if results
            else form
        )
    else:
        form = SignBatchForm()
    total = len(results or [])
    return render(
        request,
        "signatures/sign_batch.html",
        {
            "form": form,
            "results": results,
            "total": total,
            "done": total,
            "pct": 100,
            "signed_count": sum(1 for r in results if r.document) if results else None,
        },
    )


@require_GET
def download_signed(request: HttpRequest, token: str) -> HttpResponseBase:
    """The signed PDF behind a verification token (the token is printed on the document as a QR code)."""
    document = get_object_or_404(SignedDocument, token=token)
    if not document.file:
        raise Http404
    return attachment_response(
        document.file, f"{slugify(document.title) or document.token}.pdf", "application/pdf"
    )


# --- administrators: officials' certificates ------------------------------------------------------


def _holders(user: User) -> QuerySet[User]:
    from portal.accounts.models import User
    from portal.accounts.selectors import agencies_in_scope

    return (
        User.objects.staff_members()
        .filter(agency__in=agencies_in_scope(user), is_active=True)
        .order_by("full_name")
    )


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def certificates_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Each official's certificate, its validity and revocation; import of a PKCS#12 file."""
    from django.contrib import messages
    from django.core.exceptions import ValidationError
    from django.shortcuts import redirect
    from django.utils import timezone

    from .forms import ImportPkcs12Form, RevokeForm
    from .selectors import certificates_for_admin

    form = ImportPkcs12Form(
        request.POST or None, request.FILES or None, holders=_holders(request.user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.certificate_import_pkcs12(
                user=form.cleaned_data["holder"],
                pkcs12_bytes=form.cleaned_data["file"].read(),
                password=form.cleaned_data["password"],
                actor=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Certificate imported."))
            return redirect("signatures:certificates")
    return render(
        request,
        "signatures/certificates.html",
        {
            "certificates": certificates_for_admin(request.user),
            "form": form,
            "revoke_form": RevokeForm(),
            "now": timezone.now(),
        },
    )


@role_required(Role.ADMIN)
@require_POST
def certificate_revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    from django.contrib import messages
    from django.core.exceptions import ValidationError
    from django.shortcuts import redirect

    from .forms import RevokeForm
    from .selectors import certificates_for_admin

    certificate = get_object_or_404(certificates_for_admin(request.user), pk=pk)
    form = RevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the reason for the revocation."))
        return redirect("signatures:certificates")
    try:
        services.certificate_revoke(
            certificate=certificate, actor=request.user, reason=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("Certificate %(serial)s revoked.") % {"serial": certificate.serial}
        )
    return redirect("signatures:certificates")
