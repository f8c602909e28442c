"""Celery tasks of the exchange (published through the outbox: ids in, idempotent, retried with
exponential back-off on transport errors only)."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from . import exchange


def _countdown(retries: int) -> int:
    return min(
        int(settings.EDXML_RETRY_BACKOFF) * 2**retries,
        int(getattr(settings, "EDXML_RETRY_BACKOFF_MAX", 600)),
    )


@shared_task(bind=True, name="documents.tasks.deliver_document", ignore_result=True, acks_late=True)
def deliver_document(
    self, recipient_id: int, steering: int = 1, reason: str = "", asked_at: str | None = None
) -> str:  # type: ignore[no-untyped-def]
    """Deliver one recipient's envelope; retry while the peer is unreachable, then mark it failed."""
    try:
        return exchange.deliver_document(
            recipient_id=recipient_id, steering=steering, reason=reason, asked_at=asked_at
        )
    except exchange.TransportError as exc:
        final = self.request.retries >= int(settings.EDXML_MAX_RETRIES)
        exchange.record_delivery_failure(recipient_id=recipient_id, error=str(exc), final=final)
        if final:
            return "failed"
        raise self.retry(
            exc=exc,
            countdown=_countdown(self.request.retries),
            max_retries=int(settings.EDXML_MAX_RETRIES),
        ) from exc


@shared_task(bind=True, name="documents.tasks.deliver_status", ignore_result=True, acks_late=True)
def deliver_status(self, event_id: int) -> str:  # type: ignore[no-untyped-def]
    """Send one status envelope back to a sender, with the same retry policy."""
    try:
        return exchange.deliver_status(event_id=event_id)
    except exchange.TransportError as exc:
        if self.request.retries >= int(settings.EDXML_MAX_RETRIES):
            exchange.record_status_failure(event_id=event_id, error=str(exc))
            return "failed"
        raise self.retry(
            exc=exc,
            countdown=_countdown(self.request.retries),
            max_retries=int(settings.EDXML_MAX_RETRIES),
        ) from exc
