"""Reads of notifications (the staff dossier page shows what was sent to whom)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from portal.accounts.constants import Role
from portal.notifications.models import Notification


def notifications_for_dossier(dossier_id: int) -> QuerySet[Notification]:
    """Every notification about one dossier, newest first. The caller has already checked access."""
    return Notification.objects.filter(dossier_id=dossier_id).select_related("recipient").order_by("-created_at", "-id")


def apology_drafts_for(user: Any) -> QuerySet:
    """Drafted apologies (form 04) a leader may approve: not yet sent, on dossiers he sees."""
    from dossiers.models import Apology
    from dossiers.selectors import dossiers_visible_to

    if not getattr(user, "is_staff_member", False) or not user.has_role(Role.LEADER):
        return Apology.objects.none()
    return (
        Apology.objects.filter(sent_at__isnull=True, dossier__in=dossiers_visible_to(user))
        .select_related("dossier", "dossier__procedure", "dossier__assigned_to", "created_by")
        .order_by("dossier__due_at", "pk")
    )
