"""API plumbing shared by every app: an exception handler that never leaks a stack trace."""

from __future__ import annotations

import logging

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)


def _summary(data: object) -> str:
    """One line out of DRF's field map ({"field": ["message", ...], ...}) for ``detail``."""
    if isinstance(data, dict):
        return "; ".join(
            f"{k}: {_summary(v)}" if k != "non_field_errors" else _summary(v)
            for k, v in data.items()
        )
    if isinstance(data, list | tuple):
        return " ".join(_summary(v) for v in data)
    return str(data)


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's answers, shaped as the schema documents them: every error has a ``detail`` string (a
    validation error keeps its field map beside it); a body over DATA_UPLOAD_MAX_MEMORY_SIZE is a
    413, another suspicious request a 400, never a 500."""
    if isinstance(exc, RequestDataTooBig):
        return Response(
            {"detail": _("The request body is too large."), "code": "request_too_large"},
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, SuspiciousOperation):
        return Response(
            {"detail": _("The request was not valid."), "code": "bad_request"},
            status=status.HTTP_400_BAD_REQUEST,
        )
    response = drf_exception_handler(exc, context)
    if response is not None:
        if isinstance(exc, exceptions.ValidationError):
            data = response.data
            if isinstance(data, dict) and not isinstance(data.get("detail"), str):
                response.data = {
                    "detail": _summary(data),
                    **{k: v for k, v in data.items() if k != "detail"},
                }
            elif isinstance(data, list):
                response.data = {"detail": _summary(data)}
        return response
    if isinstance(exc, DjangoValidationError):
        return Response({"detail": " ".join(exc.messages)}, status=status.HTTP_400_BAD_REQUEST)
    logger.exception("api.unhandled_error", extra={"view": str(context.get("view"))})
    return Response(
        {"detail": _("Internal error, please try again later."), "code": "server_error"},
        status=status.HTTP_500_INTERNAL_SERVER_ERROR,
    )


def validation_error(errors: dict | list) -> Response:
    """A 400 for a serializer's ``errors`` as the schema documents it: ``detail`` and the field map."""
    if isinstance(errors, dict):
        return Response(
            {"detail": _summary(errors), **{k: v for k, v in errors.items() if k != "detail"}},
            status=status.HTTP_400_BAD_REQUEST,
        )
    return Response({"detail": _summary(errors)}, status=status.HTTP_400_BAD_REQUEST)
