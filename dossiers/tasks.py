"""Celery tasks of the dossiers app: the printed forms (published through the outbox, see
portal.core.outbox) and the deadline reminders (beat).

The tasks keep the names they were registered under before they moved here from ``portal.pdf``
and ``portal.notifications`` (``portal.pdf.tasks.*``, ``portal.notifications.tasks.*``): messages
already queued, outbox rows and the beat schedule (settings) still resolve.

Printed forms:

Thin: load by id, call :func:`dossiers.printing.render_form`. Acknowledged late and rejected on a
lost worker (a killed child's form is rendered again), retried with exponential back-off on
transient errors (database, storage, broker), time-limited.
Rendering twice is harmless: the same row, its file replaced.
"""

from __future__ import annotations

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.core.exceptions import ObjectDoesNotExist
from django.db import DatabaseError, InterfaceError, OperationalError

from portal.notifications.tasks import RETRY

logger = logging.getLogger(__name__)

TRANSIENT = (OperationalError, InterfaceError, OSError, SoftTimeLimitExceeded)
MAX_RETRIES = 5


@shared_task(
    bind=True,
    name="portal.pdf.tasks.render_printed_form",
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=MAX_RETRIES,
    soft_time_limit=540,
    time_limit=600,  # a year-long book of a busy agency (the worker keeps its message: portal.broker)
)
def render_printed_form(self, form_id: int, generation: int | None = None) -> str:
    """Render one :class:`~dossiers.models.PrintedForm`; returns its state."""
    from dossiers import printing

    try:
        form = printing.render_form(form_id=form_id, generation=generation)
    except TRANSIENT as exc:
        if self.request.retries >= MAX_RETRIES:
            printing.mark_failed(form_id=form_id, error=f"{type(exc).__name__}: {exc}")
            raise
        raise self.retry(exc=exc, countdown=min(2 ** (self.request.retries + 1), 120)) from exc
    except (ObjectDoesNotExist, DatabaseError, LookupError, ValueError) as exc:
        # not transient (e.g. the supplement request behind a form was deleted): say so on the row
        logger.exception("printed_form.failed", extra={"form_id": form_id})
        printing.mark_failed(form_id=form_id, error=f"{type(exc).__name__}: {exc}")
        return "failed"
    return form.state if form else "gone"


@shared_task(name="portal.pdf.tasks.requeue_stale_forms", ignore_result=True)
def requeue_stale_forms() -> int:
    """Beat sweep: forms pending far too long are asked for again (see ``requeue_stale``)."""
    from dossiers import printing

    return printing.requeue_stale()


# --- dossier events' notifications (see dossiers.notifications) ----------------------------------


@shared_task(
    bind=True, name="portal.notifications.tasks.send_dossier_event", ignore_result=True, **RETRY
)
def send_dossier_event(
    self, dossier_id: int, event: str, user_id: int | None = None, key: str | None = None
) -> int:
    """Notify the applicant (``user_id`` None) or one staff member of a dossier event.

    The task id is the occurrence key: a redelivered message (acks_late, worker lost) carries the
    same id, so it creates no second notification.
    """
    from portal.notifications.services import reclaim_abandoned

    from . import notifications

    key = key or f"task:{self.request.id}"
    if (self.request.delivery_info or {}).get("redelivered"):
        # handed out again (its worker was killed): send what the dead worker left half-sent now
        reclaim_abandoned(key_prefix=f"{key}:")
    if user_id:
        return len(
            notifications.notify_staff(user_id=user_id, dossier_id=dossier_id, event=event, key=key)
        )
    return len(notifications.notify_applicant(dossier_id=dossier_id, event=event, key=key))


# --- deadline reminders (beat; see dossiers.reminders) -------------------------------------------


@shared_task(name="portal.notifications.tasks.scan_deadlines", ignore_result=True, **RETRY)
def scan_deadlines() -> dict[str, int]:
    """Beat: claim the due-soon / overdue reminders and apology drafts now due (set-based)."""
    from . import reminders

    return reminders.scan_deadlines()


@shared_task(name="portal.notifications.tasks.send_reminders", ignore_result=True, **RETRY)
def send_reminders() -> int:
    """Turn pending reminders into notifications and send them (enqueued by the scan; beat too)."""
    from . import reminders

    return reminders.drain()


@shared_task(name="portal.notifications.tasks.daily_digest", ignore_result=True, **RETRY)
def daily_digest() -> int:
    """Beat, once a day: each leader's digest of due and overdue dossiers."""
    from . import reminders

    return reminders.daily_digest()
