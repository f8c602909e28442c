"""``{% dossier_notifications dossier %}``: the staff dossier page's list of what was sent to whom."""

from __future__ import annotations

from typing import Any

from django import template

from portal.notifications.labels import event_label
from portal.notifications.selectors import notifications_for_dossier

register = template.Library()


@register.inclusion_tag("notifications/_dossier_notifications.html")
def dossier_notifications(dossier: Any, limit: int = 100) -> dict[str, Any]:
    """Staff only: the caller's template shows it inside ``{% if is_staff %}``."""
    return {"rows": list(notifications_for_dossier(dossier.pk)[:limit])}


@register.filter(name="event_label")
def event_label_filter(event: str) -> str:
    """``{{ n.event|event_label }}``: the event's name as staff read it."""
    return event_label(event)
