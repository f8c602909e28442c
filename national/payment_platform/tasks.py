"""Celery tasks of the payment-platform link: ids only, idempotent, late-acknowledged; retried
with back-off on the platform's transient errors (timeouts, 5xx)."""

from __future__ import annotations

from celery import shared_task

from . import client, services


@shared_task(
    bind=True,
    name="national.payment_platform.tasks.query_status",
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=6,
    ignore_result=True,
    soft_time_limit=120,
    time_limit=150,
)
def query_status(self, transaction_id: int) -> None:
    """Look a transaction up (QUERY) and apply a verified final answer."""
    try:
        services.status_lookup(transaction_id=transaction_id)
    except client.PlatformUnavailable as exc:
        raise self.retry(exc=exc, countdown=min(30 * 2**self.request.retries, 900)) from None


@shared_task(
    bind=True,
    name="national.payment_platform.tasks.fetch_receipt",
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=10,
    ignore_result=True,
    soft_time_limit=120,
    time_limit=150,
)
def fetch_receipt(self, transaction_id: int) -> None:
    """Fetch and store the platform's receipt (GET_BILL) of a paid transaction."""
    try:
        services.receipt_fetch(transaction_id=transaction_id)
    except client.PlatformError as exc:
        raise self.retry(exc=exc, countdown=min(30 * 2**self.request.retries, 1800)) from None


@shared_task(name="national.payment_platform.tasks.scan_pending", ignore_result=True)
def scan_pending() -> int:
    """Beat: look up the transactions whose callback is overdue."""
    return services.scan_pending()
