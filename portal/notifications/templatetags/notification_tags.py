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
    rows = list(notifications_for_dossier(dossier.pk)[:limit])
    for row in rows:
        row.event_label = event_label(row.event)
    return {"rows": rows}
