"""API plumbing shared by every app: an exception handler that never leaks a stack trace."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)


def exception_handler(exc: Exception, context: dict) -> Response | None:
    response = drf_exception_handler(exc, context)
    if response is not None:
        return response
    if isinstance(exc, DjangoValidationError):
        return Response({"detail": exc.messages}, status=status.HTTP_400_BAD_REQUEST)
    logger.exception("api.unhandled_error", extra={"view": str(context.get("view"))})
    return Response(
        {"detail": "Lỗi hệ thống, vui lòng thử lại sau. / Internal error, please try again later."},
        status=status.HTTP_500_INTERNAL_SERVER_ERROR,
    )
