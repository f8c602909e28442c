"""The dossier API: the same services and selectors as the pages.

Errors: bad input or a state that does not allow the action → 400 ``{"detail": "Tiếng Việt /
English"}``; a dossier the caller may not see → 404; a visible dossier but the wrong role → 403.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Prefetch
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
from portal.accounts.permissions import user_has_any_role
from portal.agencies.models import Agency
from portal.core.api import validation_error
from procedures.models import Procedure

from .. import selectors, services, workflow
from ..constants import Action
from ..exceptions import DossierError
from ..models import Dossier, DossierEvent, DossierStep
from ..tracking_guard import guard_api
from . import serializers as s

ERRORS = {400: s.ErrorSerializer, 403: s.ErrorSerializer, 404: s.ErrorSerializer}


def _bad(message: str) -> Response:
    return Response({"detail": message}, status=status.HTTP_400_BAD_REQUEST)


def _run(call: Callable[[], Any]) -> Any | Response:
    """Call a service; turn its refusals into 400/403 with the bilingual message."""
    try:
        return call()
    except DossierError as exc:
        return _bad(exc.message)
    except DjangoPermissionDenied as exc:
        return Response({"detail": str(exc) or "Bạn không có quyền thực hiện việc này. / You are not allowed to do this."}, status=status.HTTP_403_FORBIDDEN)


def _staff(pk: Any) -> User | None:
    if pk in (None, ""):
        return None
    return User.objects.staff_members().filter(pk=pk).first()


@extend_schema_view(
    list=extend_schema(summary="Dossiers I may see (applicant: my dossiers; staff: my agencies)", tags=["dossiers"],
                       parameters=[OpenApiParameter("status", int, description="National status code 0–10")]),
    retrieve=extend_schema(summary="One dossier with files, steps, history and the actions I may take", tags=["dossiers"]),
)
class DossierViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    filter_backends: list = []

    def get_queryset(self):  # type: ignore[override]
        qs = selectors.dossiers_visible_to(self.request.user).order_by("-created_at", "-pk")
        if self.action == "retrieve":
            qs = qs.prefetch_related(
                "files", Prefetch("steps", queryset=DossierStep.objects.order_by("order")),
                Prefetch("events", queryset=DossierEvent.objects.select_related("actor", "from_user", "to_user", "from_agency", "to_agency").order_by("seq")),
            )
        status_param = self.request.query_params.get("status")
        if self.action == "list" and status_param is not None:
            # ASCII digits only: "²".isdigit() is True but int("²") raises (issue 13)
            qs = qs.filter(status=int(status_param)) if status_param.isascii() and status_param.isdigit() and len(status_param) < 4 else qs.none()
        return qs

    def get_serializer_class(self):  # type: ignore[override]
        return s.DossierDetailSerializer if self.action == "retrieve" else s.DossierListSerializer

    def _dossier(self, pk: Any) -> Dossier:
        return selectors.get_dossier_for(self.request.user, pk)

    def _detail(self, dossier: Dossier, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=dossier.pk) if self.action != "retrieve" else dossier
        return Response(s.DossierDetailSerializer(fresh, context={"request": self.request}).data, status=code)

    def _action(self, request: Request, pk: Any, serializer_class: type | None, call: Callable[[Dossier, dict], Any], *, wf: str) -> Response:
        """Visible? (404) — allowed for this role and state? (403/400) — valid input? (400) — then
        the service, which checks again under the row lock."""
        dossier = self._dossier(pk)
        refused = _run(lambda: workflow.check_transition(dossier, request.user, wf))
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

    @extend_schema(summary="Create an online draft", request=s.DraftCreateSerializer, responses={201: s.DossierDetailSerializer, **ERRORS}, tags=["dossiers"])
    def create(self, request: Request) -> Response:
        ser = s.DraftCreateSerializer(data=request.data)
        if not ser.is_valid():
            return validation_error(ser.errors)
        procedure = Procedure.objects.filter(code=ser.validated_data["procedure"]).first()
        agency = Agency.objects.filter(code=ser.validated_data["agency"], is_active=True).first()
        if procedure is None or agency is None:
            return _bad("Không tìm thấy thủ tục hoặc cơ quan. / Procedure or agency not found.")
        result = _run(lambda: services.dossier_save_draft(
            actor=request.user, procedure=procedure, agency=agency,
            form_data=ser.validated_data.get("form_data", {}), applicant=ser.validated_data.get("applicant"),
        ))
        return result if isinstance(result, Response) else self._detail(result, status.HTTP_201_CREATED)

    @extend_schema(summary="Record a walk-in or postal dossier at the counter (clerk)", request=s.CounterCreateSerializer, responses={201: s.DossierDetailSerializer, **ERRORS}, tags=["dossiers"])
    @action(detail=False, methods=["post"], url_path="counter")
    def counter(self, request: Request) -> Response:
        if not user_has_any_role(request.user, (Role.CLERK,)):
            return Response({"detail": "Chỉ công chức Bộ phận Một cửa. / One-stop clerks only."}, status=status.HTTP_403_FORBIDDEN)
        ser = s.CounterCreateSerializer(data=request.data)
        if not ser.is_valid():
            return validation_error(ser.errors)
        procedure = Procedure.objects.filter(code=ser.validated_data["procedure"]).first()
        agency_code = ser.validated_data.get("agency")
        agency = Agency.objects.filter(code=agency_code, is_active=True).first() if agency_code else None
        if procedure is None or (agency_code and agency is None):
            return _bad("Không tìm thấy thủ tục hoặc cơ quan. / Procedure or agency not found.")
        result = _run(lambda: services.dossier_create_at_counter(
            actor=request.user, procedure=procedure, agency=agency, channel=ser.validated_data["channel"],
            applicant=ser.validated_data["applicant"], form_data=ser.validated_data.get("form_data", {}),
        ))
        return result if isinstance(result, Response) else self._detail(result, status.HTTP_201_CREATED)

    @extend_schema(summary="Attach a file (PDF, JPEG, PNG)", request={"multipart/form-data": s.FileUploadSerializer}, responses={201: s.DossierFileSerializer, **ERRORS}, tags=["dossiers"])
    @action(detail=True, methods=["post"], url_path="files")
    def files(self, request: Request, pk: Any = None) -> Response:
        dossier = self._dossier(pk)
        ser = s.FileUploadSerializer(data=request.data)
        if not ser.is_valid():
            return validation_error(ser.errors)
        result = _run(lambda: services.dossier_add_file(
            dossier=dossier, actor=request.user, uploaded_file=ser.validated_data["file"],
            document_id=ser.validated_data.get("document_id"), is_digitised=ser.validated_data["is_digitised"],
        ))
        return result if isinstance(result, Response) else Response(s.DossierFileSerializer(result).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Submit the draft (status 1)", request=None, responses={200: s.DossierDetailSerializer, **ERRORS}, tags=["dossiers"])
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: Any = None) -> Response:
        return self._action(request, pk, None, lambda d, v: services.dossier_submit(dossier=d, actor=request.user), wf=Action.SUBMIT)

    # --- staff and applicant actions ------------------------------------------------------------

    @extend_schema(summary="Receive (status 2: code and appointment date)", request=s.CommentSerializer, responses={200: s.DossierDetailSerializer, **ERRORS}, tags=["dossier actions"])
    @action(detail=True, methods=["post"])
    def receive(self, request: Request, pk: Any = None) -> Response:
        return self._action(request, pk, s.CommentSerializer, lambda d, v: services.dossier_receive(dossier=d, actor=request.user, comment=v.get("comment", "")), wf=Action.RECEIVE)

    @extend_schema(summary="Request supplements (status 5)", request=s.SupplementRequestInputSerializer, responses={200: s.DossierDetailSerializer, **ERRORS}, tags=["dossier actions"])
    @action(detail=True, methods=["post"], url_path="request-supplement")
    def request_supplement(self, request: Request, pk: Any = None) -> Response:
        return self._action(request, pk, s.SupplementRequestInputSerializer, lambda d, v: services.dossier_request_supplement(
            dossier=d, actor=request.user, items=[dict(i) for i in v["items"]], reason=v["reason"]), wf=Action.REQUEST_SUPPLEMENT)

    @extend_schema(summary="Answer the supplement request", request=s.CommentSerializer, responses={200: s.DossierDetailSerializer, **ERRORS}, tags=["dossier actions"])
    @action(detail=True, methods=["post"], url_path="answer-supplement")
    def answer_supplement(self, request: Request, pk: Any = None) -> Response:
        return self._action(request, pk, s.CommentSerializer, lambda d, v: services.dossier_answer_supplement(dossier=d, actor=request.user, comment=v.get("comment", "")), wf=Action.ANSWER_SUPPLEMENT)

    @extend_schema(summary="Refuse (status 3)", request=s.ReasonSerializer, responses={200: s.DossierDetailSerializer, **ERRORS}, tags=["dossier actions"])
    @action(detail=True, methods=["post"])
    def refuse(self, request: Request, pk: Any = None) -> Response:
        return self._action(request, pk, s.ReasonSerializer, lambda d, v: services.dossier_refuse(dossier=d, actor=request.user, reason=v["reason"]), wf=Action.REFUSE)

    @extend_schema(summary="Assign to a department and/or a specialist (status 4)", request=s.AssignSerializer, responses={200: s.DossierDetailSerializer, **ERRORS}, tags=["dossier actions"])
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: Any = None) -> Response:
        def call(d: Dossier, v: dict) -> Any:
            assignee = _staff(v.get("assignee"))
            if v.get("assignee") and assignee is None:
                raise DossierError("Không tìm thấy chuyên viên. / Specialist not found.")
            return services.dossier_assign(dossier=d, actor=request.user, department=v.get("department"), assignee=assignee, comment=v.get("comment", ""))

        return self._action(request, pk, s.AssignSerializer, call, wf=Action.ASSIGN)

    @extend_schema(summary="Forward to the leader for approval", request=s.ForwardSerializer, responses={200: s.DossierDetailSerializer, **ERRORS}, tags=["dossier actions"])
    @action(detail=True, methods=["post"])
    def forward(self, request: Request, pk: Any = None) -> Response:
        def call(d: Dossier, v: dict) -> Any:
            leader = _staff(v.get("leader"))
            if v.get("leader") and leader is None:
                raise DossierError("Không tìm thấy lãnh đạo. / Leader not found.")
            return services.dossier_forward_for_approval(dossier=d, actor=request.user, leader=leader, comment=v.get("comment", ""))

        return self._action(request, pk, s.ForwardSerializer, call, wf=Action.FORWARD)

    @extend_schema(summary="Approve (status 9)", request=s.CommentSerializer, responses={200: s.DossierDetailSerializer, **ERRORS}, tags=["dossier actions"])
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: Any = None) -> Response:
        return self._action(request, pk, s.CommentSerializer, lambda d, v: services.dossier_approve(dossier=d, actor=request.user, comment=v.get("comment", "")), wf=Action.APPROVE)

    @extend_schema(summary="Return the result (status 10)", request=s.ReturnSerializer, responses={200: s.DossierDetailSerializer, **ERRORS}, tags=["dossier actions"])
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_result(self, request: Request, pk: Any = None) -> Response:
        return self._action(request, pk, s.ReturnSerializer, lambda d, v: services.dossier_return_result(dossier=d, actor=request.user, delivery=v["delivery"], comment=v.get("comment", "")), wf=Action.RETURN_RESULT)

    @extend_schema(summary="Withdraw at the applicant's request (status 7)", request=s.WithdrawSerializer, responses={200: s.DossierDetailSerializer, **ERRORS}, tags=["dossier actions"])
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: Any = None) -> Response:
        return self._action(request, pk, s.WithdrawSerializer, lambda d, v: services.dossier_withdraw(dossier=d, actor=request.user, reason=v.get("reason", "")), wf=Action.WITHDRAW)

    @extend_schema(summary="Stop processing (status 8)", request=s.ReasonSerializer, responses={200: s.DossierDetailSerializer, **ERRORS}, tags=["dossier actions"])
    @action(detail=True, methods=["post"])
    def stop(self, request: Request, pk: Any = None) -> Response:
        return self._action(request, pk, s.ReasonSerializer, lambda d, v: services.dossier_stop(dossier=d, actor=request.user, reason=v["reason"]), wf=Action.STOP)

    @extend_schema(summary="Transfer to another agency (liên thông)", request=s.TransferSerializer, responses={200: s.DossierDetailSerializer, **ERRORS}, tags=["dossier actions"])
    @action(detail=True, methods=["post"])
    def transfer(self, request: Request, pk: Any = None) -> Response:
        def call(d: Dossier, v: dict) -> Any:
            agency = Agency.objects.filter(code=v["to_agency"], is_active=True).first()
            to_user = _staff(v.get("to_user"))
            if agency is None or (v.get("to_user") and to_user is None):
                raise DossierError("Không tìm thấy cơ quan hoặc người nhận. / Agency or receiver not found.")
            return services.dossier_transfer(dossier=d, actor=request.user, to_agency=agency, to_user=to_user, comment=v.get("comment", ""))

        return self._action(request, pk, s.TransferSerializer, call, wf=Action.TRANSFER)

    @extend_schema(summary="Rate the service after the return", request=s.RateSerializer, responses={200: s.DossierDetailSerializer, **ERRORS}, tags=["dossier actions"])
    @action(detail=True, methods=["post"])
    def rate(self, request: Request, pk: Any = None) -> Response:
        return self._action(request, pk, s.RateSerializer, lambda d, v: services.dossier_rate(dossier=d, actor=request.user, rating=v["rating"], comment=v.get("comment", "")), wf=Action.RATE)


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
            OpenApiParameter("code", OpenApiTypes.STR, required=True, description="Mã hồ sơ / dossier code"),
            OpenApiParameter("second_factor", OpenApiTypes.STR, required=True, description="4 số cuối CCCD/MST hoặc điện thoại / last 4 digits of the ID number or phone"),
        ],
        responses={200: s.PublicTrackingSerializer, 400: s.ErrorSerializer, 404: s.ErrorSerializer, 429: s.ErrorSerializer}, tags=["tracking"],
    )
    @guard_api
    def get(self, request: Request) -> Response:
        code, factor = request.query_params.get("code", ""), request.query_params.get("second_factor", "")
        if not code.strip() or not factor.strip():
            return _bad("Cần nhập mã hồ sơ và 4 số cuối CCCD/MST hoặc điện thoại. / Enter the dossier code and the last 4 digits of the ID number or phone.")
        view = selectors.track_public(code, factor)
        if view is None:
            return Response({"detail": "Không tìm thấy hồ sơ với mã và thông tin xác thực này. / No dossier matches this code and check digits."}, status=status.HTTP_404_NOT_FOUND)
        return Response(s.PublicTrackingSerializer(view).data)


class TrackingByTokenView(APIView):
    """Tracking through the QR code printed on the receipt."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [TrackingThrottle]

    @extend_schema(summary="Track a dossier by its QR token", responses={200: s.PublicTrackingSerializer, 404: s.ErrorSerializer, 429: s.ErrorSerializer}, tags=["tracking"])
    @guard_api
    def get(self, request: Request, token: str) -> Response:
        view = selectors.track_by_token(token)
        if view is None:
            return Response({"detail": "Không tìm thấy hồ sơ. / Dossier not found."}, status=status.HTTP_404_NOT_FOUND)
        return Response(s.PublicTrackingSerializer(view).data)
