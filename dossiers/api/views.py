"""The dossier API: the same services and selectors as the pages.

Errors: bad input or a state that does not allow the action → 400 ``{"detail": message, "code":
code}`` (the message in the request's language: ``Accept-Language``, the stable ``code`` for
machines, e.g. ``transition_not_allowed``); a dossier the caller may not see → 404; a visible
dossier but the wrong role → 403 ``{"detail": ..., "code": "permission_denied"}``.

Every workflow action has one endpoint shape, ``POST /api/v1/dossiers/{id}/actions/{action}/``
(:meth:`DossierViewSet.run_action`), and the per-action routes (``/dossiers/{id}/receive/``...) are
generated from the workflow table onto the same dispatcher (:func:`dossiers.inputs.dispatch`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Prefetch
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from portal.accounts.constants import Role
from portal.accounts.models import User
from portal.accounts.permissions import api_user, user_has_any_role
from portal.agencies.models import Agency
from portal.core.api import validation_error
from procedures.models import Procedure

from .. import access_log, inputs, selectors, services, workflow
from ..constants import Action, Visibility
from ..exceptions import DossierError
from ..models import Dossier, DossierEvent, DossierStep
from ..tracking_guard import guard_api
from . import serializers as s

#: Every action of the workflow table, in table order.
ACTIONS: list[str] = workflow.DOSSIER.actions()
ERRORS = {400: s.ErrorSerializer, 403: s.ErrorSerializer, 404: s.ErrorSerializer}


def _bad(message: str, code: str = "invalid") -> Response:
    return Response({"detail": str(message), "code": code}, status=status.HTTP_400_BAD_REQUEST)


def _run(call: Callable[[], Any]) -> Any | Response:
    """Call a service; turn its refusals into 400/403 with the message and its stable code."""
    try:
        return call()
    except DossierError as exc:
        return _bad(exc.message, exc.code)
    except DjangoPermissionDenied as exc:
        return Response(
            {
                "detail": str(exc) or _("You are not allowed to do this."),
                "code": "permission_denied",
            },
            status=status.HTTP_403_FORBIDDEN,
        )


def _staff(pk: Any) -> User | None:
    if pk in (None, ""):
        return None
    return User.objects.staff_members().filter(pk=pk).first()


@extend_schema_view(
    list=extend_schema(
        summary="Dossiers I may see (applicant: my dossiers; staff: my agencies)",
        tags=["dossiers"],
        parameters=[OpenApiParameter("status", int, description="National status code 0–10")],
    ),
    retrieve=extend_schema(
        summary="One dossier with files, steps, history and the actions I may take",
        tags=["dossiers"],
    ),
)
class DossierViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    filter_backends: list = []

    def get_queryset(self):  # type: ignore[override]
        qs = selectors.dossiers_visible_to(self.request.user).order_by("-created_at", "-pk")
        if self.action != "list":
            events = DossierEvent.objects.select_related(
                "actor", "from_user", "to_user", "from_agency", "to_agency"
            ).order_by("seq")
            if not getattr(self.request.user, "is_staff_member", False):
                events = events.filter(visibility=Visibility.PUBLIC)  # internal notes are for staff
            qs = qs.prefetch_related(
                "files",
                Prefetch("steps", queryset=DossierStep.objects.order_by("order")),
                Prefetch("events", queryset=events),
            )
        status_param = self.request.query_params.get("status")
        if self.action == "list" and status_param is not None:
            # ASCII digits only: "²".isdigit() is True but int("²") raises (issue 13)
            qs = (
                qs.filter(status=int(status_param))
                if status_param.isascii() and status_param.isdigit() and len(status_param) < 4
                else qs.none()
            )
        return qs

    def get_serializer_class(self):  # type: ignore[override]
        return s.DossierDetailSerializer if self.action == "retrieve" else s.DossierListSerializer

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # A staff member's read is recorded in the citizen's data-access log, the dossier as its
        # reason, as the page does (Nghị định 13/2023/NĐ-CP Điều 9, 27; issue 18): the detail
        # carries the applicant's identity data and the files' list.
        dossier = self.get_object()
        access_log.dossier_opened(dossier=dossier, staff=request.user)
        return Response(s.DossierDetailSerializer(dossier, context={"request": request}).data)

    def _dossier(self, pk: Any) -> Dossier:
        return selectors.get_dossier_for(api_user(self.request), pk)

    def _detail(self, dossier: Dossier, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=dossier.pk) if self.action != "retrieve" else dossier
        return Response(
            s.DossierDetailSerializer(fresh, context={"request": self.request}).data, status=code
        )

    def _action(
        self,
        request: Request,
        pk: Any,
        serializer_class: type | None,
        call: Callable[[Dossier, dict], Any],
        *,
        wf: str,
    ) -> Response:
        """Visible? (404) — allowed for this role and state? (403/400) — valid input? (400) — then
        the service, which checks again under the row lock."""
        dossier = self._dossier(pk)
        refused = _run(lambda: workflow.check_transition(dossier, api_user(request), wf))
        if isinstance(refused, Response):
            return refused
        data: dict = {}
        if serializer_class is not None:
            ser = serializer_class(data=request.data)
            if not ser.is_valid():
                return validation_error(ser.errors)
            data = ser.validated_data
        result = _run(lambda: call(dossier, data))
        if isinstance(result, Response):
            return result
        return self._detail(dossier)

    # --- submission -----------------------------------------------------------------------------

    @extend_schema(
        summary="Create an online draft",
        request=s.DraftCreateSerializer,
        responses={201: s.DossierDetailSerializer, **ERRORS},
        tags=["dossiers"],
    )
    def create(self, request: Request) -> Response:
        ser = s.DraftCreateSerializer(data=request.data)
        if not ser.is_valid():
            return validation_error(ser.errors)
        procedure = Procedure.objects.filter(code=ser.validated_data["procedure"]).first()
        agency = Agency.objects.filter(code=ser.validated_data["agency"], is_active=True).first()
        if procedure is None or agency is None:
            return _bad(_("Procedure or agency not found."), "not_found")
        result = _run(
            lambda: services.dossier_save_draft(
                actor=api_user(request),
                procedure=procedure,
                agency=agency,
                form_data=ser.validated_data.get("form_data", {}),
                applicant=ser.validated_data.get("applicant"),
                fee_case=ser.validated_data.get("fee_case"),
                fee_copies=ser.validated_data.get("fee_copies"),
            )
        )
        return (
            result
            if isinstance(result, Response)
            else self._detail(result, status.HTTP_201_CREATED)
        )

    @extend_schema(
        summary="Record a walk-in or postal dossier at the counter (clerk)",
        request=s.CounterCreateSerializer,
        responses={201: s.DossierDetailSerializer, **ERRORS},
        tags=["dossiers"],
    )
    @action(detail=False, methods=["post"], url_path="counter")
    def counter(self, request: Request) -> Response:
        if not user_has_any_role(request.user, (Role.CLERK,)):
            return Response(
                {"detail": _("One-stop clerks only."), "code": "permission_denied"},
                status=status.HTTP_403_FORBIDDEN,
            )
        ser = s.CounterCreateSerializer(data=request.data)
        if not ser.is_valid():
            return validation_error(ser.errors)
        procedure = Procedure.objects.filter(code=ser.validated_data["procedure"]).first()
        agency_code = ser.validated_data.get("agency")
        agency = (
            Agency.objects.filter(code=agency_code, is_active=True).first() if agency_code else None
        )
        if procedure is None or (agency_code and agency is None):
            return _bad(_("Procedure or agency not found."), "not_found")
        result = _run(
            lambda: services.dossier_create_at_counter(
                actor=api_user(request),
                procedure=procedure,
                agency=agency,
                channel=ser.validated_data["channel"],
                applicant=ser.validated_data["applicant"],
                form_data=ser.validated_data.get("form_data", {}),
            )
        )
        return (
            result
            if isinstance(result, Response)
            else self._detail(result, status.HTTP_201_CREATED)
        )

    @extend_schema(
        summary="Attach a file (PDF, JPEG, PNG)",
        request={"multipart/form-data": s.FileUploadSerializer},
        responses={201: s.DossierFileSerializer, **ERRORS},
        tags=["dossiers"],
    )
    @action(detail=True, methods=["post"], url_path="files")
    def files(self, request: Request, pk: Any = None) -> Response:
        dossier = self._dossier(pk)
        ser = s.FileUploadSerializer(data=request.data)
        if not ser.is_valid():
            return validation_error(ser.errors)
        result = _run(
            lambda: services.dossier_add_file(
                dossier=dossier,
                actor=api_user(request),
                uploaded_file=ser.validated_data["file"],
                document_id=ser.validated_data.get("document_id"),
                is_digitised=ser.validated_data["is_digitised"],
                supplement_item=ser.validated_data.get("supplement_item"),
            )
        )
        return (
            result
            if isinstance(result, Response)
            else Response(s.DossierFileSerializer(result).data, status=status.HTTP_201_CREATED)
        )

    @extend_schema(
        summary="Take a workflow action (any row of the workflow table)",
        request=None,
        parameters=[
            OpenApiParameter(
                "wf_action", str, OpenApiParameter.PATH, enum=ACTIONS, description="Workflow action"
            )
        ],
        responses={200: s.DossierDetailSerializer, **ERRORS},
        tags=["dossier actions"],
    )
    @action(
        detail=True, methods=["post"], url_path=r"actions/(?P<wf_action>[a-z_]+)", url_name="action"
    )
    def run_action(self, request: Request, pk: Any = None, wf_action: str = "") -> Response:
        """Visible? (404) — allowed for this role and state? (403/400) — valid input? (400) — then
        the dispatcher, which runs the row under the row lock (and checks again)."""
        return self._take_action(request, pk=pk, wf_action=wf_action)

    def _take_action(self, request: Request, pk: Any, wf_action: str) -> Response:
        """run_action's work, a plain method the per-action routes call too (the stubs' action
        wrapper does not bind ``self``)."""
        if wf_action not in ACTIONS:
            raise Http404
        dossier = self._dossier(pk)
        user = api_user(request)

        def check() -> None:
            workflow.check_transition(dossier, user, wf_action)
            inputs.check_entry(wf_action, user)

        refused = _run(check)
        if isinstance(refused, Response):
            return refused
        serializer_class = inputs.input_of(wf_action).serializer
        data: dict = {}
        if serializer_class is not None:
            ser = serializer_class(data=request.data)
            if not ser.is_valid():
                return Response(ser.errors, status=status.HTTP_400_BAD_REQUEST)
            data = _plain(ser.validated_data)
        result = _run(lambda: inputs.dispatch(wf_action, dossier=dossier, actor=user, data=data))
        if isinstance(result, Response):
            return result
        return self._detail(dossier)


def _plain(value: Any) -> Any:
    """Validated data as plain dicts and lists (nested serializers return OrderedDicts)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


#: The per-action routes kept from before the generic one (``/dossiers/{id}/<path>/``), generated
#: from the table: every action gets one; these keep their old spelling.
ROUTE_PATHS: dict[str, str] = {
    Action.REQUEST_SUPPLEMENT: "request-supplement",
    Action.ANSWER_SUPPLEMENT: "answer-supplement",
    Action.RETURN_RESULT: "return",
    Action.SEND_BACK: "send-back",
    Action.REQUEST_PAYMENT: "request-payment",
    Action.CONFIRM_PAYMENT: "confirm-payment",
    Action.ATTACH_DRAFT: "draft-result",
    Action.SIGN_APPROVE: "sign-and-approve",
    Action.ISSUE_RESULT: "issue-result",
}
ROUTE_NAMES: dict[str, str] = {
    Action.RETURN_RESULT: "return",
    Action.SIGN_APPROVE: "sign-approve-one",
}


def _per_action_route(wf_action: str) -> Callable[..., Response]:
    def view(self: DossierViewSet, request: Request, pk: Any = None) -> Response:
        return self._take_action(request, pk=pk, wf_action=wf_action)

    view.__name__ = f"action_{wf_action}"
    view.__doc__ = f"{Action(wf_action).label} (the same as POST actions/{wf_action}/)."
    serializer = inputs.input_of(wf_action).serializer
    view = extend_schema(
        summary=str(Action(wf_action).label),
        request=serializer,
        responses={200: s.DossierDetailSerializer, **ERRORS},
        tags=["dossier actions"],
    )(view)
    return action(
        detail=True,
        methods=["post"],
        url_path=ROUTE_PATHS.get(wf_action, wf_action),
        url_name=ROUTE_NAMES.get(wf_action, wf_action.replace("_", "-")),
    )(view)


for _wf_action in ACTIONS:
    setattr(DossierViewSet, f"action_{_wf_action}", _per_action_route(_wf_action))


class TrackingThrottle(AnonRateThrottle):
    """Guessing second factors is slowed down: 60 lookups a minute per address."""

    rate = "60/min"


class TrackingView(APIView):
    """Public tracking by code + last 4 digits of the ID number or phone: no personal data."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [TrackingThrottle]

    @extend_schema(
        summary="Track a dossier by code and second factor",
        parameters=[
            OpenApiParameter("code", OpenApiTypes.STR, required=True, description="Dossier code"),
            OpenApiParameter(
                "second_factor",
                OpenApiTypes.STR,
                required=True,
                description="Last 4 digits of the ID number or phone",
            ),
        ],
        responses={
            200: s.PublicTrackingSerializer,
            400: s.ErrorSerializer,
            404: s.ErrorSerializer,
            429: s.ErrorSerializer,
        },
        tags=["tracking"],
    )
    @guard_api
    def get(self, request: Request) -> Response:
        code, factor = (
            request.query_params.get("code", ""),
            request.query_params.get("second_factor", ""),
        )
        if not code.strip() or not factor.strip():
            return _bad(
                _("Enter the dossier code and the last 4 digits of the ID number or phone."),
                "required",
            )
        view = selectors.track_public(code, factor)
        if view is None:
            return Response(
                {
                    "detail": _("No dossier matches this code and check digits."),
                    "code": "not_found",
                },
                status=status.HTTP_404_NOT_FOUND,
            )
        return Response(s.PublicTrackingSerializer(view).data)


class TrackingByTokenView(APIView):
    """Tracking through the QR code printed on the receipt."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [TrackingThrottle]

    @extend_schema(
        summary="Track a dossier by its QR token",
        responses={200: s.PublicTrackingSerializer, 404: s.ErrorSerializer, 429: s.ErrorSerializer},
        tags=["tracking"],
    )
    @guard_api
    def get(self, request: Request, token: str) -> Response:
        view = selectors.track_by_token(token)
        if view is None:
            return Response(
                {"detail": _("Dossier not found."), "code": "not_found"},
                status=status.HTTP_404_NOT_FOUND,
            )
        return Response(s.PublicTrackingSerializer(view).data)
