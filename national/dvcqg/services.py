"""Changes out: every history row of a dossier reaches DVCQG once, in order, retried until it does.

Issue 17 "Changes out". The rules, and how they are kept:

* **idempotent by (dossier, event)** – one :class:`OutboundChange` per history row (unique
  ``event`` and ``(dossier, seq)``; inserted with ``ON CONFLICT DO NOTHING``), so an event task
  delivered twice records one row; DVCQG's side is kept idempotent by resending the same step
  (same ``ThoiDiemXuLy``/``TrangThai``/``NguoiXuLy``/``NoiDungXuLy``), never a new one;
* **in order per dossier** – the cursor :class:`DossierSync.acked_seq`: a batch is the changes
  ``acked_seq+1 …`` without a gap (missing rows are recorded from the history first), sent in
  ``seq`` order, and the cursor moves only when DVCQG acknowledged the whole batch;
* **one sender per dossier** – a lease taken with one conditional ``UPDATE … RETURNING`` (the
  exactly-once claim of docs/tech-facts.md "Celery and Redis"); the HTTP calls run outside any
  transaction; after releasing, the sender looks again, so a change recorded while it held the
  lease is not left behind;
* **retried with back-off** – ``DVCQG_RETRY_BACKOFF`` doubling to ``DVCQG_RETRY_BACKOFF_MAX``; after
  ``DVCQG_MAX_ATTEMPTS`` the changes are ``failed`` (sync page, resend button); the beat sweep
  sends what a crashed or delayed task left.

A batch is one ``DongBoHoSoMC`` (the dossier as it is now: upsert) and one ``CapNhatTienDoHoSoMC``
with the batch's steps — OpenCPS ``syncDossierAndDossierStatus`` makes the same two calls.

The work is split by job (issue 16): the record and the shared rules in :mod:`.changes`, one
dossier in :mod:`.flush`, several per call in :mod:`.drain`; their public names are exported here
(the tasks, the views, the reconciliation and the tests use them here). The administrator's resend
and the sweep's look-up stay here.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from .changes import (  # noqa: F401
    BATCH_LIMIT,
    LEASE_SECONDS,
    OUTAGE_ERRORS,
    after_recovery,
    backoff,
    in_flight_guard,
    record_change,
    record_missing,
    retry_delay,
)
from .drain import DRAIN_ROUNDS, DrainResult, drain  # noqa: F401
from .flush import FlushResult, flush_dossier  # noqa: F401
from .models import ChangeState, DossierSync, OutboundChange


@transaction.atomic
def resend(*, dossier_id: int, full: bool = False) -> int:
    """An administrator sends a dossier again (the sync page's button): failed changes become
    pending; with ``full`` the cursor goes back to 0 so every step is sent again (DVCQG keeps
    one record per step, so a full resend repairs a difference without duplicating)."""
    DossierSync.objects.bulk_create([DossierSync(dossier_id=dossier_id)], ignore_conflicts=True)
    rows = OutboundChange.objects.filter(dossier_id=dossier_id)
    if not full:
        rows = rows.filter(state=ChangeState.FAILED)
    count = rows.update(state=ChangeState.PENDING, attempts=0, is_resend=True)
    fields: dict[str, Any] = {"attempts": 0, "next_attempt_at": None, "last_error": ""}
    if full:
        fields["acked_seq"] = 0
    DossierSync.objects.filter(pk=dossier_id).update(**fields)
    from portal.core.outbox import outbox_enqueue

    outbox_enqueue(
        "national.dvcqg.tasks.flush_dossier",
        kwargs={"dossier_id": dossier_id},
        dedupe_key=f"dvcqg-resend:{dossier_id}:{timezone.now().timestamp()}",
    )
    return count


def due_dossiers(limit: int = 500) -> list[int]:
    """Dossiers with an unsent change whose retry time has come and no live lease (the sweep)."""
    now = timezone.now()
    return list(
        DossierSync.objects.filter(dossier__dvcqg_changes__state=ChangeState.PENDING)
        .exclude(lease_until__gt=now)
        .exclude(next_attempt_at__gt=now)
        .values_list("dossier_id", flat=True)
        .distinct()[:limit]
    )


#: The public service names (their own and those of the modules they split into).
__all__ = [
    "BATCH_LIMIT",
    "DRAIN_ROUNDS",
    "DrainResult",
    "FlushResult",
    "LEASE_SECONDS",
    "OUTAGE_ERRORS",
    "after_recovery",
    "backoff",
    "drain",
    "due_dossiers",
    "flush_dossier",
    "in_flight_guard",
    "record_change",
    "record_missing",
    "resend",
    "retry_delay",
]
