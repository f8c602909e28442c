"""The outgoing documents' API (văn bản đi): list and read the caller's agencies' documents,
create a draft, attach, sign, issue, send, recall, and every row of the outgoing table.

Split out of :mod:`documents.api.views` by side (issue 16).
"""

from __future__ import annotations

from typing import Any, cast

from django.http import Http404
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from portal.accounts.models import User
from portal.accounts.permissions import api_user
from portal.accounts.selectors import agencies_in_scope

from ... import selectors, services, workflow
from .. import serializers as s
from .common import ERRORS, action_schema, run_service, run_table_action, valid_data

#: Every action of the outgoing table, in table order (the generic endpoint's ``{action}``).
OUTGOING_ACTIONS: list[str] = workflow.OUTGOING.actions()


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
            selectors.outgoing_visible_to(api_user(self.request))
        ).get(pk=document.pk)
        return Response(s.OutgoingDetailSerializer(fresh).data, status=code)

    @extend_schema(
        summary="Create a draft",
        request=s.OutgoingCreateSerializer,
        responses={201: s.OutgoingDetailSerializer, **ERRORS},
        tags=["documents"],
    )
    def create(self, request: Request) -> Response:
        data = valid_data(s.OutgoingCreateSerializer, request)
        user = cast(User, request.user)  # IsAuthenticated: never anonymous here
        agency_id: Any = data.pop("agency", None) or user.agency_id
        agency = agencies_in_scope(user).filter(pk=agency_id).first()
        if agency is None:
            return Response(
                {"detail": gettext("Agency not found.")}, status=status.HTTP_400_BAD_REQUEST
            )
        reply_id = data.pop("in_reply_to", None)
        reply = (
            selectors.incoming_visible_to(api_user(request)).filter(pk=reply_id).first()
            if reply_id
            else None
        )
        if reply_id and reply is None:
            return Response(
                {"detail": gettext("Incoming document not found.")},
                status=status.HTTP_400_BAD_REQUEST,
            )
        result = run_service(
            lambda: services.outgoing_create_draft(
                agency=agency, actor=api_user(request), in_reply_to=reply, **data
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
        data = valid_data(s.DocumentAttachSerializer, request)
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
        result = run_service(
            lambda: services.outgoing_add_attachment(
                document=document,
                actor=api_user(request),
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
        pin = valid_data(s.DocumentPinSerializer, request)["pin"]
        result = run_service(
            lambda: services.outgoing_sign(document=document, actor=api_user(request), pin=pin)
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
        data = valid_data(s.DocumentIssueSerializer, request)
        result = run_service(
            lambda: services.outgoing_issue(document=document, actor=api_user(request), **data)
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
        result = run_service(
            lambda: services.outgoing_send(document=document, actor=api_user(request))
        )
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
        data = valid_data(s.DocumentReasonSerializer, request)
        result = run_service(
            lambda: services.outgoing_request_recall(
                document=document,
                actor=api_user(request),
                reason=data["reason"],
                update=data["update"],
            )
        )
        return result if isinstance(result, Response) else self._detail(document)

    @action_schema(OUTGOING_ACTIONS, s.OutgoingDetailSerializer, "document actions")
    @action(
        detail=True, methods=["post"], url_path=r"actions/(?P<wf_action>[a-z_]+)", url_name="action"
    )
    def run_action(self, request: Request, pk: Any = None, wf_action: str = "") -> Response:
        """Every row of the outgoing table (submit, send back, sign, issue, send, recall, attach):
        the page's actions, the page's permissions. Someone else's document → 404."""
        if wf_action not in OUTGOING_ACTIONS:
            raise Http404
        document = self.get_object()
        refused = run_table_action("outgoing", document, request, wf_action)
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
