"""``{% apology_drafts_link %}``: on a leader's worklist, the drafted apologies (form 04) waiting for him."""

from __future__ import annotations

from typing import Any

from django import template

from dossiers.selectors import apology_drafts_for

register = template.Library()


@register.inclusion_tag("notifications/_apology_drafts_link.html", takes_context=True)
def apology_drafts_link(context: dict[str, Any]) -> dict[str, Any]:
    """On a leader's worklist: how many drafted apologies wait for him, with the link to them."""
    request = context.get("request")
    user = getattr(request, "user", None)
    count = (
        apology_drafts_for(user).count()
        if user is not None and getattr(user, "is_authenticated", False)
        else 0
    )
    return {"count": count}
