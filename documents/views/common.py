"""What the document pages share: paging, the choice lists of the forms, reading a form, the
role check and serving an attachment."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.paginator import Paginator
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from portal.core.uploads import attachment_response

from .. import inputs
from ..constants import DocumentType, Urgency

if TYPE_CHECKING:
    from portal.accounts.typed import Actor


PAGE_SIZE = 25


def type_choices() -> list[tuple[int, str]]:
    return [(v, str(label)) for v, label in DocumentType.choices]


def urgency_choices() -> list[tuple[int, str]]:
    return [(v, str(label)) for v, label in Urgency.choices]


def paginate(request: HttpRequest, qs: Any) -> tuple[Any, str]:
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


def staff_has_role(user: Actor, *roles: str) -> bool:
    return bool(getattr(user, "is_staff_member", False) and user.has_role(*roles))


# --- downloads -----------------------------------------------------------------------------------


def serve_attachment(item: Any) -> HttpResponseBase:
    return attachment_response(
        item.file, item.name, item.content_type or "application/octet-stream"
    )


# --- outgoing: draft, detail, actions ---------------------------------------------------------------


def read_form(upload: Any) -> bytes:
    upload.seek(0)
    return b"".join(upload.chunks()) if hasattr(upload, "chunks") else upload.read()


def page_input(table: Any, action: str, cleaned: dict) -> dict:
    """The page form's cleaned data, limited to the fields of the row's declared input."""
    spec = inputs.input_of(table, action)
    fields = spec.form.base_fields if spec.form is not None else {}
    return {k: v for k, v in cleaned.items() if k in fields}
