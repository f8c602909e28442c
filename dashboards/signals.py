"""Keep the summary tables in step with the dossiers: a dossier whose history grows (every state
change appends exactly one history row, in the same transaction), whose payment changes or whose
signed result is stored (the fact's ``signed`` flag, the ``signed_results`` counter) is marked
dirty in that transaction, and a refresh is queued through the outbox (at most one per
10 s; the beat task every minute catches anything left)."""

from __future__ import annotations

import time
from typing import Any

from django.db import connection
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from dossiers.models import DossierEvent
from dossiers.payments.models import Payment
from portal.core.outbox import outbox_enqueue
from signatures.models import SignedDocument

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


@receiver(post_save, sender=SignedDocument, dispatch_uid="dashboards_signed_result")
def _signed_result_saved(
    sender: Any,
    instance: SignedDocument,
    raw: bool = False,
    update_fields: Any = None,
    **kwargs: Any,
) -> None:
    """A dossier's signed result counts once its file is stored (``sha256`` set): the reserved
    row, and later saves that leave the file alone (the issue number), change no fact."""
    if raw or instance.dossier_id is None or not instance.sha256:
        return
    if update_fields is not None and "sha256" not in update_fields:
        return
    dossier_changed(instance.dossier_id)


@receiver(post_delete, sender=SignedDocument, dispatch_uid="dashboards_signed_result_deleted")
def _signed_result_deleted(sender: Any, instance: SignedDocument, **kwargs: Any) -> None:
    if instance.dossier_id is not None and instance.sha256:
        dossier_changed(instance.dossier_id)
