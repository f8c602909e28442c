"""The incoming documents' API (văn bản đến): list and read the caller's agencies' documents,
register, assign, progress, finish, reject, answer a recall, and every row of the incoming table.

Split out of :mod:`documents.api.views` by side (issue 16).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import Http404
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from portal.accounts.models import User
from portal.accounts.permissions import api_user
from portal.agencies.models import Agency

from ... import selectors, services, workflow
from ...models import IncomingDocument
from .. import serializers as s
from .common import ERRORS, action_schema, run_service, run_table_action, valid_data

#: Every action of the incoming table, in table order (the generic endpoint's ``{action}``).
INCOMING_ACTIONS: list[str] = workflow.INCOMING.actions()


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
        result = run_service(lambda: call(document))
        if isinstance(result, Response):
            return result
        fresh = (
            selectors.incoming_visible_to(api_user(self.request))
            .prefetch_related("attachments", "events__actor")
            .filter(pk=document.pk)
            .first()
            or result
        )
        return Response(s.IncomingDetailSerializer(fresh).data)

    @action_schema(INCOMING_ACTIONS, s.IncomingDetailSerializer, "document actions")
    @action(
        detail=True, methods=["post"], url_path=r"actions/(?P<wf_action>[a-z_]+)", url_name="action"
    )
    def run_action(self, request: Request, pk: Any = None, wf_action: str = "") -> Response:
        """Every row of the incoming table (register, reject, assign, start, complete, answer a
        recall): the page's actions, the page's permissions. Someone else's document → 404."""
        if wf_action not in INCOMING_ACTIONS:
            raise Http404
        return self._do(lambda d: run_table_action("incoming", d, request, wf_action) or d)

    @extend_schema(
        summary="Register in the incoming book (03)",
        request=None,
        responses={200: s.IncomingDetailSerializer, **ERRORS},
        tags=["documents"],
    )
    @action(detail=True, methods=["post"])
    def register(self, request: Request, pk: Any = None) -> Response:
        return self._do(lambda d: services.incoming_register(document=d, actor=api_user(request)))

    @extend_schema(
        summary="Assign to a department and/or a person (04, leader)",
        request=s.DocumentAssignSerializer,
        responses={200: s.IncomingDetailSerializer, **ERRORS},
        tags=["documents"],
    )
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: Any = None) -> Response:
        data = valid_data(s.DocumentAssignSerializer, request)
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
                actor=api_user(request),
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
        return self._do(lambda d: services.incoming_start(document=d, actor=api_user(request)))

    @extend_schema(
        summary="Mark done (06)",
        request=s.DocumentNoteSerializer,
        responses={200: s.IncomingDetailSerializer, **ERRORS},
        tags=["documents"],
    )
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: Any = None) -> Response:
        note = valid_data(s.DocumentNoteSerializer, request)["note"]
        return self._do(
            lambda d: services.incoming_complete(document=d, actor=api_user(request), note=note)
        )

    @extend_schema(
        summary="Reject (02) with a reason",
        request=s.DocumentReasonSerializer,
        responses={200: s.IncomingDetailSerializer, **ERRORS},
        tags=["documents"],
    )
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: Any = None) -> Response:
        reason = valid_data(s.DocumentReasonSerializer, request)["reason"]
        return self._do(
            lambda d: services.incoming_reject(document=d, actor=api_user(request), reason=reason)
        )

    @extend_schema(
        summary="Answer a recall/update request: accept (15) or refuse (16)",
        request=s.RecallAnswerSerializer,
        responses={200: s.IncomingDetailSerializer, **ERRORS},
        tags=["documents"],
    )
    @action(detail=True, methods=["post"], url_path="answer-recall")
    def answer_recall(self, request: Request, pk: Any = None) -> Response:
        data = valid_data(s.RecallAnswerSerializer, request)
        return self._do(
            lambda d: services.incoming_answer_recall(
                document=d, actor=api_user(request), accept=data["accept"], reason=data["reason"]
            )
        )
