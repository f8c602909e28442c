"""Reads that depend on who asks: pages and API both use these, so another agency's document is a
404 everywhere."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Prefetch, Q, QuerySet

from portal.accounts.selectors import agencies_in_scope

from .models import (
    DocumentEvent,
    IncomingDocument,
    OutgoingDocument,
    OutgoingRecipient,
    RecipientStatus,
)

if TYPE_CHECKING:
    from portal.accounts.typed import Actor


def outgoing_visible_to(user: Actor) -> QuerySet[OutgoingDocument]:
    """Outgoing documents of the agencies in the user's scope (staff only)."""
    return OutgoingDocument.objects.filter(agency__in=agencies_in_scope(user)).select_related(
        "agency"
    )


def incoming_visible_to(user: Actor) -> QuerySet[IncomingDocument]:
    """Incoming documents of the agencies in scope, plus those assigned to the user."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_staff_member", False):
        return IncomingDocument.objects.none()
    return IncomingDocument.objects.filter(
        Q(agency__in=agencies_in_scope(user)) | Q(assigned_to=user)
    ).select_related("agency")


def outgoing_with_statuses(queryset: QuerySet[OutgoingDocument]) -> QuerySet[OutgoingDocument]:
    """Prefetch what a detail view shows: recipients with their status history, files, history."""
    return queryset.prefetch_related(
        Prefetch(
            "recipients",
            queryset=OutgoingRecipient.objects.prefetch_related(
                Prefetch("statuses", queryset=RecipientStatus.objects.order_by("at", "id"))
            ),
        ),
        "attachments",
        Prefetch(
            "events",
            queryset=DocumentEvent.objects.select_related("actor").order_by("created_at", "id"),
        ),
    )


def inbox(user: Actor) -> QuerySet[IncomingDocument]:
    """What arrived and waits for the văn thư: received, not yet registered or rejected."""
    return incoming_visible_to(user).filter(state="received").order_by("-urgency", "received_at")
