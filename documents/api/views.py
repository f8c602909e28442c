"""Document API under /api/v1/: outgoing and incoming documents scoped by the caller's agencies
(the same selectors and services as the pages), and the edXML inbound endpoint of the exchange.

Errors: bad input or a state that does not allow the action → 400 ``{"detail": message, "code":
code}`` (the message in the request's language); a document the caller may not see → 404; a visible document but the wrong role → 403.

Every row of the two tables (documents/workflow.py) has one endpoint shape,
``POST /api/v1/documents/outgoing|incoming/{id}/actions/{action}/``, onto the dispatcher the pages
use (:mod:`documents.inputs`); the per-action routes below are kept for existing callers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.translation import gettext, gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.accounts.models import User
from portal.accounts.selectors import agencies_in_scope
from portal.agencies.models import Agency
from portal.core.api import validation_error

from .. import exchange, inputs, selectors, services, workflow
from ..exceptions import DocumentError
from ..models import IncomingDocument
from . import serializers as s

ERRORS = {
    400: s.DocumentErrorSerializer,
    403: s.DocumentErrorSerializer,
    404: s.DocumentErrorSerializer,
}


def _run(call: Callable[[], Any]) -> Any:
    try:
        return call()
    except DocumentError as exc:
        return Response(
            {"detail": exc.message, "code": exc.code}, status=status.HTTP_400_BAD_REQUEST
        )
    except DjangoPermissionDenied as exc:
        return Response(
            {
                "detail": str(exc) or gettext("You are not allowed to do this."),
                "code": "permission_denied",
            },
            status=status.HTTP_403_FORBIDDEN,
        )


#: Every action of the two tables, in table order (the generic endpoint's ``{action}``).
OUTGOING_ACTIONS: list[str] = workflow.OUTGOING.actions()
INCOMING_ACTIONS: list[str] = workflow.INCOMING.actions()


def _plain(value: Any) -> Any:
    """Validated data as plain dicts and lists (nested serializers return OrderedDicts)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _run_table_action(
    table_name: str, document: Any, request: Request, wf_action: str
) -> Response | None:
    """Allowed for this role and state? (403/400, the table's check) — valid input? (400) — then
    the one dispatcher (:mod:`documents.inputs`, shared with the pages), which runs the row under
    the row lock and checks again. ``None`` when the action ran."""
    table, dispatch = inputs.TABLES[table_name]
    refused = _run(lambda: table.check(document, request.user, wf_action))
    if isinstance(refused, Response):
        return refused
    serializer_class = inputs.input_of(table, wf_action).serializer
    data: dict = {}
    if serializer_class is not None:
        ser = serializer_class(data=request.data)
        if not ser.is_valid():
            invalid = validation_error(ser.errors)
            invalid.data["code"] = "invalid"
            return invalid
        data = _plain(ser.validated_data)
    result = _run(lambda: dispatch(wf_action, document=document, actor=request.user, data=data))
    return result if isinstance(result, Response) else None


def _action_schema(actions: list[str], detail: type, tag: str) -> Callable:
    return extend_schema(
        summary="Take a workflow action (any row of the documents table)",
        request=None,
        parameters=[
            OpenApiParameter(
                "wf_action",
                str,
                OpenApiParameter.PATH,
                enum=actions,
                description="Workflow action (documents/workflow.py)",
            )
        ],
        responses={200: detail, **ERRORS},
        tags=[tag],
    )


def _valid(serializer_class: type, request: Request) -> Any:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


@extend_schema_view(
    list=extend_schema(
        summary="Outgoing documents of my agencies (văn bản đi)", tags=["documents"]
    ),
    retrieve=extend_schema(
        summary="One outgoing document with its recipients' statuses, files and history",
        tags=["documents"],
    ),
)
class OutgoingDocumentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):  # type: ignore[override]
        qs = selectors.outgoing_visible_to(self.request.user).order_by("-created_at", "-pk")
        if self.action != "list":
            qs = selectors.outgoing_with_statuses(qs)
        state = self.request.query_params.get("state")
        if self.action == "list" and state:
            qs = qs.filter(state=state)
        return qs

    def get_serializer_class(self):  # type: ignore[override]
        return s.OutgoingListSerializer if self.action == "list" else s.OutgoingDetailSerializer

    def _detail(self, document: Any, code: int = status.HTTP_200_OK) -> Response:
        fresh = selectors.outgoing_with_statuses(
            selectors.outgoing_visible_to(self.request.user)
        ).get(pk=document.pk)
        return Response(s.OutgoingDetailSerializer(fresh).data, status=code)

    @extend_schema(
        summary="Create a draft",
        request=s.OutgoingCreateSerializer,
        responses={201: s.OutgoingDetailSerializer, **ERRORS},
        tags=["documents"],
    )
    def create(self, request: Request) -> Response:
        data = _valid(s.OutgoingCreateSerializer, request)
        agency_id = data.pop("agency", None) or request.user.agency_id
        agency = agencies_in_scope(request.user).filter(pk=agency_id).first()
        if agency is None:
            return Response(
                {"detail": gettext("Agency not found.")}, status=status.HTTP_400_BAD_REQUEST
            )
        reply_id = data.pop("in_reply_to", None)
        reply = (
            selectors.incoming_visible_to(request.user).filter(pk=reply_id).first()
            if reply_id
            else None
        )
        if reply_id and reply is None:
            return Response(
                {"detail": gettext("Incoming document not found.")},
                status=status.HTTP_400_BAD_REQUEST,
            )
        result = _run(
            lambda: services.outgoing_create_draft(
                agency=agency, actor=request.user, in_reply_to=reply, **data
            )
        )
        return (
            result
            if isinstance(result, Response)
            else self._detail(result, status.HTTP_201_CREATED)
        )

    @extend_schema(
        summary="Attach a file (the main PDF or an appendix)",
        request=s.DocumentAttachSerializer,
        responses={201: s.OutgoingDetailSerializer, **ERRORS},
        tags=["documents"],
    )
    @action(detail=True, methods=["post"])
    def attach(self, request: Request, pk: Any = None) -> Response:
        document = self.get_object()
        data = _valid(s.DocumentAttachSerializer, request)
        upload = data["file"]
        limit = services.max_attachment_bytes()
        if upload.size > limit:
            return Response(
                {
                    "detail": gettext("The file is too large (at most %(limit)d bytes).")
                    % {"limit": limit}
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        result = _run(
            lambda: services.outgoing_add_attachment(
                document=document,
                actor=request.user,
                data=upload.read(),
                name=upload.name,
                content_type=upload.content_type or "application/octet-stream",
                is_main=data["is_main"],
                description=data["description"],
            )
        )
        return (
            result
            if isinstance(result, Response)
            else self._detail(document, status.HTTP_201_CREATED)
        )

    @extend_schema(
        summary="Sign the main PDF (leader)",
        request=s.DocumentPinSerializer,
        responses={200: s.OutgoingDetailSerializer, **ERRORS},
        tags=["documents"],
    )
    @action(detail=True, methods=["post"])
    def sign(self, request: Request, pk: Any = None) -> Response:
        document = self.get_object()
        pin = _valid(s.DocumentPinSerializer, request)["pin"]
        result = _run(
            lambda: services.outgoing_sign(document=document, actor=request.user, pin=pin)
        )
        return result if isinstance(result, Response) else self._detail(document)

    @extend_schema(
        summary="Issue: number, notation, date (văn thư)",
        request=s.DocumentIssueSerializer,
        responses={200: s.OutgoingDetailSerializer, **ERRORS},
        tags=["documents"],
    )
    @action(detail=True, methods=["post"])
    def issue(self, request: Request, pk: Any = None) -> Response:
        document = self.get_object()
        data = _valid(s.DocumentIssueSerializer, request)
        result = _run(
            lambda: services.outgoing_issue(document=document, actor=request.user, **data)
        )
        return result if isinstance(result, Response) else self._detail(document)

    @extend_schema(
        summary="Send to every recipient over the exchange (văn thư)",
        request=None,
        responses={200: s.OutgoingDetailSerializer, **ERRORS},
        tags=["documents"],
    )
    @action(detail=True, methods=["post"])
    def send(self, request: Request, pk: Any = None) -> Response:
        document = self.get_object()
        result = _run(lambda: services.outgoing_send(document=document, actor=request.user))
        return result if isinstance(result, Response) else self._detail(document)

    @extend_schema(
        summary="Ask the recipients to recall (or accept an update of) the document",
        request=s.DocumentReasonSerializer,
        responses={200: s.OutgoingDetailSerializer, **ERRORS},
        tags=["documents"],
    )
    @action(detail=True, methods=["post"])
    def recall(self, request: Request, pk: Any = None) -> Response:
        document = self.get_object()
        data = _valid(s.DocumentReasonSerializer, request)
        result = _run(
            lambda: services.outgoing_request_recall(
                document=document, actor=request.user, reason=data["reason"], update=data["update"]
            )
        )
        return result if isinstance(result, Response) else self._detail(document)

    @_action_schema(OUTGOING_ACTIONS, s.OutgoingDetailSerializer, "document actions")
    @action(
        detail=True, methods=["post"], url_path=r"actions/(?P<wf_action>[a-z_]+)", url_name="action"
    )
    def run_action(self, request: Request, pk: Any = None, wf_action: str = "") -> Response:
        """Every row of the outgoing table (submit, send back, sign, issue, send, recall, attach):
        the page's actions, the page's permissions. Someone else's document → 404."""
        if wf_action not in OUTGOING_ACTIONS:
            raise Http404
        document = self.get_object()
        refused = _run_table_action("outgoing", document, request, wf_action)
        return refused if refused is not None else self._detail(document)

    @extend_schema(
        summary="Each recipient's statuses (01 reached … 16 recall refused)",
        responses={200: s.RecipientSerializer(many=True), 404: s.DocumentErrorSerializer},
        tags=["documents"],
    )
    @action(detail=True, methods=["get"])
    def statuses(self, request: Request, pk: Any = None) -> Response:
        document = self.get_object()
        return Response(s.RecipientSerializer(document.recipients.all(), many=True).data)


@extend_schema_view(
    list=extend_schema(
        summary="Incoming documents of my agencies (văn bản đến)", tags=["documents"]
    ),
    retrieve=extend_schema(
        summary="One incoming document with its files and history", tags=["documents"]
    ),
)
class IncomingDocumentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    permission_classes = [IsAuthenticated]

    def get_queryset(self):  # type: ignore[override]
        qs = selectors.incoming_visible_to(self.request.user).order_by("-received_at", "-pk")
        if self.action != "list":
            qs = qs.prefetch_related("attachments", "events__actor")
        state = self.request.query_params.get("state")
        if self.action == "list" and state:
            qs = qs.filter(state=state)
        return qs

    def get_serializer_class(self):  # type: ignore[override]
        return s.IncomingListSerializer if self.action == "list" else s.IncomingDetailSerializer

    def _do(self, call: Callable[[IncomingDocument], Any]) -> Response:
        document = self.get_object()
        result = _run(lambda: call(document))
        if isinstance(result, Response):
            return result
        fresh = (
            selectors.incoming_visible_to(self.request.user)
            .prefetch_related("attachments", "events__actor")
            .filter(pk=document.pk)
            .first()
            or result
        )
        return Response(s.IncomingDetailSerializer(fresh).data)

    @_action_schema(INCOMING_ACTIONS, s.IncomingDetailSerializer, "document actions")
    @action(
        detail=True, methods=["post"], url_path=r"actions/(?P<wf_action>[a-z_]+)", url_name="action"
    )
    def run_action(self, request: Request, pk: Any = None, wf_action: str = "") -> Response:
        """Every row of the incoming table (register, reject, assign, start, complete, answer a
        recall): the page's actions, the page's permissions. Someone else's document → 404."""
        if wf_action not in INCOMING_ACTIONS:
            raise Http404
        return self._do(lambda d: _run_table_action("incoming", d, request, wf_action) or d)

    @extend_schema(
        summary="Register in the incoming book (03)",
        request=None,
        responses={200: s.IncomingDetailSerializer, **ERRORS},
        tags=["documents"],
    )
    @action(detail=True, methods=["post"])
    def register(self, request: Request, pk: Any = None) -> Response:
        return self._do(lambda d: services.incoming_register(document=d, actor=request.user))

    @extend_schema(
        summary="Assign to a department and/or a person (04, leader)",
        request=s.DocumentAssignSerializer,
        responses={200: s.IncomingDetailSerializer, **ERRORS},
        tags=["documents"],
    )
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: Any = None) -> Response:
        data = _valid(s.DocumentAssignSerializer, request)
        department = (
            Agency.objects.filter(pk=data["department"]).first() if data["department"] else None
        )
        assignee = (
            User.objects.staff_members().filter(pk=data["assignee"]).first()
            if data["assignee"]
            else None
        )
        if (data["department"] and department is None) or (data["assignee"] and assignee is None):
            return Response(
                {"detail": gettext("Department or assignee not found.")},
                status=status.HTTP_400_BAD_REQUEST,
            )
        return self._do(
            lambda d: services.incoming_assign(
                document=d,
                actor=request.user,
                department=department,
                assignee=assignee,
                note=data["note"],
            )
        )

    @extend_schema(
        summary="Start processing (05)",
        request=None,
        responses={200: s.IncomingDetailSerializer, **ERRORS},
        tags=["documents"],
    )
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk: Any = None) -> Response:
        return self._do(lambda d: services.incoming_start(document=d, actor=request.user))

    @extend_schema(
        summary="Mark done (06)",
        request=s.DocumentNoteSerializer,
        responses={200: s.IncomingDetailSerializer, **ERRORS},
        tags=["documents"],
    )
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: Any = None) -> Response:
        note = _valid(s.DocumentNoteSerializer, request)["note"]
        return self._do(
            lambda d: services.incoming_complete(document=d, actor=request.user, note=note)
        )

    @extend_schema(
        summary="Reject (02) with a reason",
        request=s.DocumentReasonSerializer,
        responses={200: s.IncomingDetailSerializer, **ERRORS},
        tags=["documents"],
    )
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: Any = None) -> Response:
        reason = _valid(s.DocumentReasonSerializer, request)["reason"]
        return self._do(
            lambda d: services.incoming_reject(document=d, actor=request.user, reason=reason)
        )

    @extend_schema(
        summary="Answer a recall/update request: accept (15) or refuse (16)",
        request=s.RecallAnswerSerializer,
        responses={200: s.IncomingDetailSerializer, **ERRORS},
        tags=["documents"],
    )
    @action(detail=True, methods=["post"], url_path="answer-recall")
    def answer_recall(self, request: Request, pk: Any = None) -> Response:
        data = _valid(s.RecallAnswerSerializer, request)
        return self._do(
            lambda d: services.incoming_answer_recall(
                document=d, actor=request.user, accept=data["accept"], reason=data["reason"]
            )
        )


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
