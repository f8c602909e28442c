"""Small template helpers of the document pages: the colour of a status badge, the page link that
keeps the filters."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import template

if TYPE_CHECKING:
    from portal.accounts.typed import MaybeAnonymous


register = template.Library()

_BADGES = {
    "01": "secondary",
    "02": "danger",
    "03": "info",
    "04": "primary",
    "05": "warning",
    "06": "success",
    "13": "warning",
    "15": "success",
    "16": "danger",
    "received": "secondary",
    "registered": "info",
    "assigned": "primary",
    "in_progress": "warning",
    "done": "success",
    "rejected": "danger",
    "recalled": "dark",
    "draft": "secondary",
    "signed": "info",
    "issued": "primary",
    "sent": "success",
}


@register.filter
def badge(code: Any) -> str:
    """Bootstrap colour of a status (edXML code 01…16, or a document state)."""
    return _BADGES.get(str(code or ""), "light")


@register.simple_tag(takes_context=True)
def page_link(context: Any, number: int) -> str:
    query = context.get("query_string") or ""
    return f"?{query}&page={number}" if query else f"?page={number}"


@register.filter
def sees_books(user: MaybeAnonymous) -> bool:
    """The books are for the clerical office, leaders and provincial staff."""
    from portal.accounts.permissions import user_has_any_role

    from ..ui_services import BOOK_ROLES

    return user_has_any_role(user, BOOK_ROLES)


@register.filter
def works_with_documents(user: MaybeAnonymous) -> bool:
    """Staff who draft, sign, register or handle inter-agency documents (the nav entry)."""
    from portal.accounts.permissions import user_has_any_role

    from ..ui_services import DOCUMENT_ROLES

    return user_has_any_role(user, DOCUMENT_ROLES)
