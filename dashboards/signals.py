"""Keep the summary tables in step with the dossiers: a dossier whose history grows (every state
change appends exactly one history row, in the same transaction) or whose payment changes is
marked dirty in that transaction, and a refresh is queued through the outbox (at most one per
10 s; the beat task every minute catches anything left)."""

from __future__ import annotations

import time
from typing import Any

from django.db import connection
from django.db.models.signals import post_save
from django.dispatch import receiver

from dossiers.models import DossierEvent
from dossiers.payments.models import Payment
from portal.core.outbox import outbox_enqueue

REFRESH_TASK = "dashboards.tasks.refresh_summaries"


def dossier_changed(dossier_id: int) -> None:
    from .summary import mark_dirty

    mark_dirty([dossier_id])
    if connection.in_atomic_block:
        outbox_enqueue(
            REFRESH_TASK, kwargs={}, dedupe_key=f"dashboards-refresh:{int(time.time() // 10)}"
        )


@receiver(post_save, sender=DossierEvent, dispatch_uid="dashboards_event")
def _event_saved(
    sender: Any, instance: DossierEvent, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    if created and not raw:
        dossier_changed(instance.dossier_id)


@receiver(post_save, sender=Payment, dispatch_uid="dashboards_payment")
def _payment_saved(sender: Any, instance: Payment, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        dossier_changed(instance.dossier_id)
