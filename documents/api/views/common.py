"""What the document API's views share: the error answers (a service's refusal as 400 or 403,
with its message in the request's language), the run of one row of a workflow table through the
dispatcher the pages use, and its OpenAPI description.

Split out of :mod:`documents.api.views` (issue 16: no module over 500 lines).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from portal.accounts.permissions import api_user
from portal.core.api import validation_error

from ... import inputs
from ...exceptions import DocumentError
from .. import serializers as s

ERRORS = {
    400: s.DocumentErrorSerializer,
    403: s.DocumentErrorSerializer,
    404: s.DocumentErrorSerializer,
}


def run_service(call: Callable[[], Any]) -> Any:
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


def plain(value: Any) -> Any:
    """Validated data as plain dicts and lists (nested serializers return OrderedDicts)."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def run_table_action(
    table_name: str, document: Any, request: Request, wf_action: str
) -> Response | None:
    """Allowed for this role and state? (403/400, the table's check) — valid input? (400) — then
    the one dispatcher (:mod:`documents.inputs`, shared with the pages), which runs the row under
    the row lock and checks again. ``None`` when the action ran."""
    table, dispatcher = inputs.TABLES[table_name]
    # the two dispatchers' signatures differ, so mypy sees TABLES' second item as "function"
    dispatch = cast(Callable[..., Any], dispatcher)
    refused = run_service(lambda: table.check(document, api_user(request), wf_action))
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
        data = plain(ser.validated_data)
    result = run_service(
        lambda: dispatch(wf_action, document=document, actor=request.user, data=data)
    )
    return result if isinstance(result, Response) else None


def action_schema(actions: list[str], detail: type, tag: str) -> Callable:
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


def valid_data(serializer_class: type, request: Request) -> Any:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
