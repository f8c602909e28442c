"""Applying a status a recipient reported (QCVN 102:2016 status message) to the outgoing book."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from .. import edxml
from ..constants import (
    EventAction,
    RecallState,
    StatusCode,
)
from ..models import (
    DocumentEvent,
    OutgoingDocument,
    OutgoingRecipient,
    RecipientStatus,
)


def apply_status(recipient: OutgoingRecipient, message: edxml.StatusMessage) -> bool:
    """Record a recipient's status on our outgoing document (idempotent on code + timestamp);
    returns False for a status already recorded. 15/16 settle the document's recall state."""
    if message.code not in StatusCode.values:
        raise edxml.EnvelopeRejected(
            "malformed",
            f"unknown status code {message.code}",
            detail_vi=f"mã trạng thái {message.code} không hợp lệ",
        )
    at = (
        message.timestamp
        if timezone.is_aware(message.timestamp)
        else timezone.make_aware(message.timestamp, dt.UTC)
    )
    with transaction.atomic():
        recipient = (
            OutgoingRecipient.objects.select_for_update()
            .select_related("document")
            .get(pk=recipient.pk)
        )
        _, created = RecipientStatus.objects.get_or_create(
            recipient=recipient,
            code=message.code,
            at=at,
            defaults={
                "description": message.description,
                "staff_name": message.staff_name[:150],
                "department": message.department[:255],
            },
        )
        if not created:
            return False
        if recipient.status_at is None or at >= recipient.status_at:
            recipient.status_code, recipient.status_description, recipient.status_at = (
                message.code,
                message.description,
                at,
            )
        if recipient.delivered_at is None and message.code != StatusCode.REJECTED:
            recipient.delivered_at = timezone.now()
        recipient.last_error = ""
        recipient.save()
        document = OutgoingDocument.objects.select_for_update().get(pk=recipient.document_id)
        DocumentEvent.objects.create(
            outgoing=document,
            action=EventAction.STATUS,
            status_code=message.code,
            comment=message.description[:4000],
            data={
                "recipient": recipient.organ_code,
                "at": at.isoformat(),
                "staff": message.staff_name,
            },
        )
        if (
            message.code in (StatusCode.RECALL_ACCEPTED, StatusCode.RECALL_REFUSED)
            and document.recall_state == RecallState.REQUESTED
        ):
            _settle_recall(document)
    return True


def _settle_recall(document: OutgoingDocument) -> None:
    """Accepted when every asked recipient accepted; refused as soon as one refused."""
    asked = [
        r
        for r in document.recipients.all()
        if r.status_code != StatusCode.REJECTED or r.statuses.filter(code__in=["15", "16"]).exists()
    ]
    since = (
        document.events.filter(action=EventAction.RECALL)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    answers = {}
    for r in asked:
        last = (
            r.statuses.filter(code__in=["15", "16"], received_at__gte=since).order_by("-at").first()
            if since
            else None
        )
        answers[r.pk] = last.code if last else None
    if any(code == StatusCode.RECALL_REFUSED for code in answers.values()):
        document.recall_state = RecallState.REFUSED
    elif answers and all(code == StatusCode.RECALL_ACCEPTED for code in answers.values()):
        document.recall_state = RecallState.ACCEPTED
    else:
        return
    document.save(update_fields=["recall_state", "updated_at"])
