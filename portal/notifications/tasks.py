"""Celery tasks of the notifications app (published through the outbox, see portal.core.outbox).
The dossier events' task ``send_dossier_event`` is in :mod:`dossiers.tasks`.

All are idempotent (rows keyed on the event occurrence, atomic claims), acknowledged late and
rejected on worker loss (settings), time-limited (``CELERY_TASK_TIME_LIMIT``), and retried with
exponential back-off when the database is briefly unreachable (:data:`TRANSIENT`).
"""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from portal.notifications import services

#: Errors worth a retry: the database restarting or a connection dropped.
TRANSIENT = (OperationalError, InterfaceError)
RETRY = {
    "autoretry_for": TRANSIENT,
    "retry_backoff": 2,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 8,
}


@shared_task(bind=True, name="portal.notifications.tasks.deliver", ignore_result=True, **RETRY)
def deliver(self, notification_id: int) -> bool:  # type: ignore[no-untyped-def]
    if (self.request.delivery_info or {}).get("redelivered"):
        services.reclaim_abandoned(ids=[notification_id])  # its first worker died mid-send
    return services.deliver(notification_id=notification_id)


@shared_task(name="portal.notifications.tasks.requeue_stuck", ignore_result=True, **RETRY)
def requeue_stuck() -> int:
    """Beat sweep for notifications a crashed worker left in ``sending``."""
    return services.requeue_stuck()
