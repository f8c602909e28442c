"""``POST /api/v1/dossiers/sign-approve/``: the leader's "Ký số và phê duyệt" for machines (a
desktop signing client, the mobile app): the same service as the approval-queue page."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.accounts.constants import Role
from portal.accounts.permissions import api_user
from portal.core.api import validation_error
from signatures.constants import PadesLevel
from signatures.services import verification_url

from .. import selectors, services
from ..exceptions import DossierError
from ..result_signing import MAX_BATCH
from .serializers import ErrorSerializer


class SignApproveSerializer(serializers.Serializer):
    dossiers = serializers.ListField(
        child=serializers.IntegerField(min_value=1), min_length=1, max_length=MAX_BATCH
    )
    pin = serializers.CharField(max_length=64, trim_whitespace=False, write_only=True)
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    level = serializers.ChoiceField(choices=PadesLevel.values, default=PadesLevel.B_LT)


class SignOutcomeSerializer(serializers.Serializer):
    dossier = serializers.IntegerField()
    code = serializers.CharField()
    ok = serializers.BooleanField()
    error = serializers.CharField()
    signed_document = serializers.CharField(allow_null=True)
    verification_url = serializers.CharField(allow_null=True)


class SignApproveResultSerializer(serializers.Serializer):
    signed = serializers.IntegerField()
    total = serializers.IntegerField()
    results = SignOutcomeSerializer(many=True)


class SignApproveView(APIView):
    """Sign the draft results of the listed dossiers with the caller's certificate (PIN given
    with the request, never stored) and approve each; a dossier that cannot be signed is reported."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Sign and approve dossiers waiting for my approval",
        request=SignApproveSerializer,
        responses={
            200: SignApproveResultSerializer,
            400: ErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
        },
        tags=["dossier actions"],
    )
    def post(self, request: Request) -> Response:
        user = api_user(request)
        if not getattr(user, "is_staff_member", False) or not user.has_role(Role.LEADER):
            return Response(
                {"detail": _("Only leaders sign and approve."), "code": "permission_denied"},
                status=status.HTTP_403_FORBIDDEN,
            )
        ser = SignApproveSerializer(data=request.data)
        if not ser.is_valid():
            return validation_error(ser.errors)
        ids = list(dict.fromkeys(ser.validated_data["dossiers"]))
        found = {d.pk: d for d in selectors.approval_queue(user).filter(pk__in=ids)}
        if len(found) != len(ids):
            return Response(
                {"detail": _("Dossier not found in your approval queue."), "code": "not_found"},
                status=status.HTTP_404_NOT_FOUND,
            )
        try:
            outcomes = services.dossiers_sign_and_approve_batch(
                dossiers=[found[i] for i in ids],
                actor=user,
                pin=ser.validated_data["pin"],
                comment=ser.validated_data["comment"],
                level=ser.validated_data["level"],
            )
        except DossierError as exc:
            return Response(
                {"detail": exc.message, "code": exc.code}, status=status.HTTP_400_BAD_REQUEST
            )
        results = [
            {
                "dossier": o.dossier.pk,
                "code": o.dossier.code or "",
                "ok": o.ok,
                "error": o.error,
                "signed_document": o.document.token if o.document else None,
                "verification_url": verification_url(o.document) if o.document else None,
            }
            for o in outcomes
        ]
        return Response(
            {"signed": sum(1 for o in outcomes if o.ok), "total": len(outcomes), "results": results}
        )
