"""Reads of notifications (the staff dossier page shows what was sent to whom)."""

from __future__ import annotations

from django.db.models import QuerySet

from portal.notifications.models import Notification


def notifications_for_dossier(dossier_id: int) -> QuerySet[Notification]:
    """Every notification about one dossier, newest first. The caller has already checked access."""
    return (
        Notification.objects.filter(dossier_id=dossier_id)
        .select_related("recipient")
        .order_by("-created_at", "-id")
    )
