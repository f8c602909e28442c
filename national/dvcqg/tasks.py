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


#: Cache key that says "a drain task is queued and has not started claiming yet" (see below).
DRAIN_KEY = "dvcqg:drain-queued"
#: Seconds the key lives at most: a lost drain task delays the changes by this, or by the sweep.
DRAIN_KEY_TTL = 5


def schedule_drain() -> None:
    """Queue one drain task unless one is queued and has not started claiming: a backlog of
    thousands of "dossier changed" tasks then records its changes and a few drains send them
    DVCQG_BATCH_DOSSIERS dossiers per call, instead of one send per dossier.

    Safe: a change is committed before this looks at the key, and a drain deletes the key before
    it claims, so either the key was there and that drain's claim sees the change, or it was not
    and a new drain is queued. A key whose drain was lost expires (``DRAIN_KEY_TTL``); the beat
    sweep sends whatever is left."""
    from django.core.cache import cache

    if cache.add(DRAIN_KEY, 1, timeout=DRAIN_KEY_TTL):
        drain.apply_async()


def _schedule_retries(retries: list[tuple[list[int], float]]) -> None:
    for ids, delay in retries:
        drain.apply_async(kwargs={"prefer": ids}, countdown=max(1.0, delay))


@shared_task(bind=True, name="national.dvcqg.tasks.dossier_changed", max_retries=5, **TASK_OPTIONS)
def dossier_changed(self, dossier_id: int, event_id: int) -> str:
    """The "dossier changed" subscriber: record the change (one statement), then see that a drain
    sends it (:func:`schedule_drain`)."""
    from . import services

    try:
        if not services.record_change(dossier_id=dossier_id, event_id=event_id):
            return "ignored"
    except (OperationalError, InterfaceError) as exc:
        raise self.retry(exc=exc, countdown=min(2 ** (self.request.retries + 1), 60)) from exc
    schedule_drain()
    return "recorded"


@shared_task(bind=True, name="national.dvcqg.tasks.drain", max_retries=5, **TASK_OPTIONS)
def drain(self, prefer: list[int] | None = None) -> int:
    """Send every ready dossier, several per DVCQG call (:func:`services.drain`)."""
    from django.core.cache import cache

    from . import services

    cache.delete(DRAIN_KEY)  # before claiming: a change recorded from now on queues a new drain
    try:
        result = services.drain(prefer=prefer)
    except (OperationalError, InterfaceError) as exc:
        raise self.retry(exc=exc, countdown=min(2 ** (self.request.retries + 1), 60)) from exc
    _schedule_retries(result.retries)
    return result.sent


@shared_task(bind=True, name="national.dvcqg.tasks.flush_dossier", max_retries=5, **TASK_OPTIONS)
def flush_dossier(self, dossier_id: int) -> int:
    """Send this dossier (a resend, a retry): a drain that takes it first, and other ready ones."""
    from . import services

    try:
        result = services.drain(prefer=[dossier_id])
    except (OperationalError, InterfaceError) as exc:
        raise self.retry(exc=exc, countdown=min(2 ** (self.request.retries + 1), 60)) from exc
    _schedule_retries(result.retries)
    return result.sent


@shared_task(name="national.dvcqg.tasks.sweep", **TASK_OPTIONS)
def sweep() -> int:
    """Beat: send every dossier with an unsent change whose retry time has come (stuck ones), in
    drains of DVCQG_BATCH_DOSSIERS dossiers."""
    from django.conf import settings

    from .client import integration_enabled
    from .services import due_dossiers

    if not integration_enabled():
        return 0
    ids = due_dossiers()
    size = max(1, int(settings.DVCQG_BATCH_DOSSIERS))
    for start in range(0, len(ids), size):
        drain.delay(prefer=ids[start : start + size])
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
