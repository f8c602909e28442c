"""Celery tasks of the DVCQG adapter. Thin: ids in, a service call, transient errors retried.

Acknowledged late and rejected on a lost worker (a killed child's change is sent again — safe,
the sending is idempotent); time limits under the Redis visibility timeout (3600 s). Retries of a
dossier DVCQG did not acknowledge are scheduled with a short countdown (≤ DVCQG_RETRY_BACKOFF_MAX,
far under the visibility timeout); the beat sweep is the safety net for anything else.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError

logger = logging.getLogger(__name__)
TASK_OPTIONS = {
    "ignore_result": True,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "soft_time_limit": 240,
    "time_limit": 300,
}


def _schedule_retry(dossier_id: int, delay: float) -> None:
    flush_dossier.apply_async(kwargs={"dossier_id": dossier_id}, countdown=max(1.0, delay))


@shared_task(bind=True, name="national.dvcqg.tasks.dossier_changed", max_retries=5, **TASK_OPTIONS)
def dossier_changed(self, dossier_id: int, event_id: int) -> str:
    """The "dossier changed" subscriber: record the change, then send the dossier's batch."""
    from . import services

    try:
        if not services.record_change(dossier_id=dossier_id, event_id=event_id):
            return "ignored"
        result = services.flush_dossier(dossier_id=dossier_id)
    except (OperationalError, InterfaceError) as exc:
        raise self.retry(exc=exc, countdown=min(2 ** (self.request.retries + 1), 60)) from exc
    if result.outcome == "retry":
        _schedule_retry(dossier_id, result.retry_in)
    return result.outcome


@shared_task(bind=True, name="national.dvcqg.tasks.flush_dossier", max_retries=5, **TASK_OPTIONS)
def flush_dossier(self, dossier_id: int) -> str:
    from . import services

    try:
        result = services.flush_dossier(dossier_id=dossier_id)
    except (OperationalError, InterfaceError) as exc:
        raise self.retry(exc=exc, countdown=min(2 ** (self.request.retries + 1), 60)) from exc
    if result.outcome == "retry":
        _schedule_retry(dossier_id, result.retry_in)
    return result.outcome


@shared_task(name="national.dvcqg.tasks.sweep", **TASK_OPTIONS)
def sweep() -> int:
    """Beat: send every dossier with an unsent change whose retry time has come (stuck ones)."""
    from .client import integration_enabled
    from .services import due_dossiers

    if not integration_enabled():
        return 0
    ids = due_dossiers()
    for dossier_id in ids:
        flush_dossier.delay(dossier_id=dossier_id)
    return len(ids)


@shared_task(name="national.dvcqg.tasks.poll_inbound", **TASK_OPTIONS)
def poll_inbound() -> dict:
    from .client import DvcqgError, integration_enabled
    from .inbound import poll

    if not integration_enabled():
        return {}
    try:
        return poll()
    except DvcqgError as exc:
        logger.warning("dvcqg.poll_failed", extra={"error": str(exc)})
        return {"error": str(exc)}


@shared_task(
    name="national.dvcqg.tasks.reconcile",
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=3000,
    time_limit=3300,
)
def reconcile() -> dict:
    """Nightly (beat): compare with TraCuuHoSo, report and re-send differences."""
    from .client import DvcqgError, integration_enabled
    from .reconcile import reconcile_all

    if not integration_enabled():
        return {}
    try:
        return reconcile_all()
    except DvcqgError as exc:
        logger.warning("dvcqg.reconcile_failed", extra={"error": str(exc)})
        return {"error": str(exc)}
