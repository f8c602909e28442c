"""The edXML exchange's inbound endpoint (/api/v1/edxml/inbound/): one signed envelope from a
peer, size-checked before it is read, then :func:`documents.exchange.receive_envelope`.

Split out of :mod:`documents.api.views` by side (issue 16).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.views import APIView

from ... import exchange
from .. import serializers as s

XML_TYPES = ("application/xml", "text/xml")
ENVELOPE_TOO_LARGE = gettext_lazy("The envelope exceeds %(limit)d bytes.")


def _inbound_refusal(http_status: int, reason: str, message: Any, **params: Any) -> JsonResponse:
    """Status 02 before the envelope is read: ``reason`` the stable code, ``detail`` one Vietnamese
    text (the peers are Vietnamese systems, like :func:`exchange.rejected`)."""
    with translation.override(exchange.PEER_LANGUAGE):
        detail = str(message) % params if params else str(message)
    return JsonResponse(
        {"status": "02", "reason": reason, "detail": detail},
        status=http_status,
        json_dumps_params={"ensure_ascii": False},
    )


def inbound_response(request: HttpRequest) -> HttpResponse:
    """POST one signed edXML envelope. The size is checked from Content-Length before anything is
    read (and the read itself stops one byte past the limit), then :func:`exchange.receive_envelope`."""
    content_type = (request.content_type or "").lower()
    if content_type not in XML_TYPES:
        return _inbound_refusal(415, "malformed", gettext_lazy("The body must be application/xml."))
    limit = int(settings.EDXML_MAX_ENVELOPE_BYTES)
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length <= 0:
        return _inbound_refusal(411, "malformed", gettext_lazy("Content-Length is required."))
    if length > limit:
        return _inbound_refusal(413, "too_large", ENVELOPE_TOO_LARGE, limit=limit)
    data = request.read(limit + 1)
    if len(data) > limit:
        return _inbound_refusal(413, "too_large", ENVELOPE_TOO_LARGE, limit=limit)
    result = exchange.receive_envelope(data)
    return HttpResponse(
        result.body, status=result.http_status, content_type=f"{result.content_type}; charset=utf-8"
    )


class InboundView(APIView):
    """The exchange's inbound endpoint. No session or token: the envelope's XML signature, by a
    certificate that leads to this portal's or the sending peer's roots, is the authentication.
    DRF's parsers are off so the body is read by :func:`inbound_response` alone, size-limited."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    parser_classes: list = []
    throttle_classes: list = []

    @extend_schema(
        summary="edXML inbound endpoint of the inter-agency exchange (QCVN 102:2016)",
        tags=["edxml"],
        request={"application/xml": OpenApiTypes.BINARY},
        responses={
            (200, "application/xml"): OpenApiResponse(
                OpenApiTypes.BINARY,
                description="Signed status envelope: 01 reached (also for a repeated DocumentId) or 13 recall/update request received",
            ),
            (200, "application/json"): OpenApiResponse(
                s.InboundAnswerSerializer,
                description="A status envelope was recorded: {status: ok}",
            ),
            400: s.InboundAnswerSerializer,
            411: s.InboundAnswerSerializer,
            413: s.InboundAnswerSerializer,
            415: s.InboundAnswerSerializer,
            422: s.InboundAnswerSerializer,
        },
    )
    def post(self, request: Request) -> HttpResponse:
        return inbound_response(request._request)

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        # the answer is XML or JSON whatever the sender's Accept header says (never a 406)
        return super().perform_content_negotiation(request, force=True)
