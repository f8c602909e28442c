"""``POST /api/v1/signatures/verify/``: anyone (another agency, an app) may verify a signed PDF."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from ..verify import verify_and_audit
from .serializers import VerificationReportSerializer, VerifyRequestSerializer


class VerifyThrottle(AnonRateThrottle):
    rate = "60/min"


class VerifyView(APIView):
    permission_classes = [AllowAny]
    parser_classes = [MultiPartParser, FormParser]
    throttle_classes = [VerifyThrottle]

    @extend_schema(
        request=VerifyRequestSerializer,
        responses={200: VerificationReportSerializer},
        tags=["signatures"],
    )
    def post(self, request: Request) -> Response:
        serializer = VerifyRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        if upload.size > settings.UPLOAD_MAX_BYTES * 3:
            return Response(
                {"detail": _("The file is too large."), "code": "file_too_large"},
                status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            )
        report = verify_and_audit(
            upload.read(), actor=request.user if request.user.is_authenticated else None
        )
        if report.error_code == "not_pdf":
            return Response(report.as_dict(), status=status.HTTP_400_BAD_REQUEST)
        return Response(report.as_dict())
