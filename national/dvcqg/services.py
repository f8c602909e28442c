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
  exactly-once claim of TECH-NOTES); the HTTP calls run outside any transaction; after releasing,
  the sender looks again, so a change recorded while it held the lease is not left behind;
* **retried with back-off** – ``DVCQG_RETRY_BACKOFF`` doubling to ``DVCQG_RETRY_BACKOFF_MAX``; after
  ``DVCQG_MAX_ATTEMPTS`` the changes are ``failed`` (sync page, resend button); the beat sweep
  sends what a crashed or delayed task left.

A batch is one ``DongBoHoSoMC`` (the dossier as it is now: upsert) and one ``CapNhatTienDoHoSoMC``
with the batch's steps — OpenCPS ``syncDossierAndDossierStatus`` makes the same two calls.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from dossiers.constants import DossierStatus
from dossiers.models import Dossier, DossierEvent

from .client import DvcqgClient, DvcqgError, integration_enabled
from .models import ChangeState, DossierSync, OutboundChange
from .payloads import dossier_payload, progress_payload

logger = logging.getLogger(__name__)

LEASE_SECONDS = 120  # above two DVCQG calls at DVCQG_TIMEOUT; a crashed sender's lease expires
BATCH_LIMIT = 50


def backoff(attempts: int) -> timedelta:
    return timedelta(
        seconds=min(
            settings.DVCQG_RETRY_BACKOFF * 2 ** max(attempts - 1, 0),
            settings.DVCQG_RETRY_BACKOFF_MAX,
        )
    )


def record_change(*, dossier_id: int, event_id: int) -> bool:
    """Record one history row to send (idempotent). False when there is nothing to record."""
    event = (
        DossierEvent.objects.filter(pk=event_id, dossier_id=dossier_id)
        .only("pk", "seq", "created_at", "to_status")
        .first()
    )
    if event is None or event.to_status == DossierStatus.DRAFT:
        return False
    acked = DossierSync.objects.filter(pk=dossier_id).values_list("acked_seq", flat=True).first()
    if acked is not None and event.seq <= acked:
        # an earlier task's batch already carried it (taken from the history): nothing to send.
        # Most tasks end here once a backlog drains — one dossier batch serves all its events.
        return False
    with transaction.atomic():
        if acked is None:
            DossierSync.objects.bulk_create(
                [DossierSync(dossier_id=dossier_id)], ignore_conflicts=True
            )
        OutboundChange.objects.bulk_create(
            [
                OutboundChange(
                    dossier_id=dossier_id,
                    event_id=event.pk,
                    seq=event.seq,
                    event_at=event.created_at,
                )
            ],
            ignore_conflicts=True,
        )
    return True


def _record_missing(dossier_id: int, after: int) -> None:
    """Rows for history entries whose event task has not run yet (no gap in the cursor)."""
    missing = (
        DossierEvent.objects.filter(dossier_id=dossier_id, seq__gt=after)
        .exclude(to_status=DossierStatus.DRAFT)
        .exclude(
            pk__in=OutboundChange.objects.filter(dossier_id=dossier_id, seq__gt=after).values(
                "event_id"
            )
        )
        .only("pk", "seq", "created_at")
    )
    rows = [
        OutboundChange(dossier_id=dossier_id, event_id=e.pk, seq=e.seq, event_at=e.created_at)
        for e in missing
    ]
    if rows:
        OutboundChange.objects.bulk_create(rows, ignore_conflicts=True)


def _claim(dossier_id: int) -> DossierSync | None:
    """Take the dossier's lease; the cursor comes back in the same statement (RETURNING)."""
    now = timezone.now()
    with connection.cursor() as cur:
        cur.execute(
            f"UPDATE {DossierSync._meta.db_table} SET lease_until = %s WHERE dossier_id = %s "  # noqa: S608 - table name is ours
            "AND (lease_until IS NULL OR lease_until < %s) RETURNING acked_seq, created_on_dvcqg, attempts, next_attempt_at",
            [now + timedelta(seconds=LEASE_SECONDS), dossier_id, now],
        )
        row = cur.fetchone()
    if row is None:
        return None
    acked_seq, created, attempts, next_attempt_at = row
    return DossierSync(
        dossier_id=dossier_id,
        acked_seq=acked_seq,
        created_on_dvcqg=created,
        attempts=attempts,
        next_attempt_at=next_attempt_at,
    )


def _release(dossier_id: int, **fields: object) -> None:
    DossierSync.objects.filter(pk=dossier_id).update(lease_until=None, **fields)


@dataclass
class FlushResult:
    sent: int = 0
    outcome: str = "idle"  # idle | sent | busy | retry | failed | waiting | off
    retry_in: float = 0.0


def _pending(sync: DossierSync) -> list[OutboundChange]:
    rows = list(
        OutboundChange.objects.filter(dossier_id=sync.dossier_id, seq__gt=sync.acked_seq)
        .select_related("event", "event__actor", "event__to_agency")
        .order_by("seq")[:BATCH_LIMIT]
    )
    batch: list[OutboundChange] = []
    expected = sync.acked_seq + 1
    for row in rows:
        if row.seq != expected or row.state == ChangeState.FAILED:
            break  # a gap or a failed change: nothing after it goes before it
        batch.append(row)
        expected += 1
    return batch


def flush_dossier(*, dossier_id: int, client: DvcqgClient | None = None) -> FlushResult:
    """Send the dossier's unsent changes in order, batch by batch, until none is left."""
    if not integration_enabled():
        return FlushResult(outcome="off")
    result = FlushResult()
    client = client or DvcqgClient()
    for _round in range(1000):  # bounded: a cursor that cannot move never spins a worker
        sync = _claim(dossier_id)
        if sync is None:
            if not DossierSync.objects.filter(pk=dossier_id).exists():
                DossierSync.objects.bulk_create(
                    [DossierSync(dossier_id=dossier_id)], ignore_conflicts=True
                )
                continue
            return FlushResult(result.sent, "busy" if not result.sent else "sent")
        _record_missing(dossier_id, sync.acked_seq)
        now = timezone.now()
        if sync.next_attempt_at and sync.next_attempt_at > now and sync.attempts:
            _release(dossier_id)
            return FlushResult(result.sent, "retry", (sync.next_attempt_at - now).total_seconds())
        batch = _pending(sync)
        dossier = None
        if batch:
            dossier = Dossier.objects.select_related(
                "procedure__sector",
                "procedure_version",
                "receiving_agency",
                "handling_department",
                "applicant",
                "dvcqg_inbound",
            ).get(pk=dossier_id)
        if dossier is not None and not dossier.code:
            _release(dossier_id)
            return FlushResult(result.sent, "waiting")  # sent once reception issues the code
        if not batch:
            _release(dossier_id)
            first = (
                OutboundChange.objects.filter(dossier_id=dossier_id, seq__gt=sync.acked_seq)
                .order_by("seq")
                .first()
            )
            if first is None:
                return FlushResult(result.sent, "sent" if result.sent else "idle")
            if first.state == ChangeState.FAILED:
                return FlushResult(result.sent, "failed")
            continue  # a change was recorded while we held the lease: take it too
        try:
            client.call(
                "DongBoHoSoMC",
                isUpdating="True" if sync.created_on_dvcqg else "False",
                data=[dossier_payload(dossier)],
            )
            client.call(
                "CapNhatTienDoHoSoMC", data=[progress_payload(dossier, row.event) for row in batch]
            )
        except DvcqgError as exc:
            attempts = sync.attempts + 1
            failed = attempts >= settings.DVCQG_MAX_ATTEMPTS
            delay = backoff(attempts)
            with transaction.atomic():
                OutboundChange.objects.filter(pk__in=[r.pk for r in batch]).update(
                    attempts=attempts,
                    last_error=str(exc)[:1000],
                    **({"state": ChangeState.FAILED} if failed else {}),
                )
                _release(
                    dossier_id,
                    attempts=0 if failed else attempts,
                    next_attempt_at=None if failed else now + delay,
                    last_error=str(exc)[:1000],
                )
            logger.warning(
                "dvcqg.send_failed",
                extra={"dossier_id": dossier_id, "attempts": attempts, "error": str(exc)},
            )
            return FlushResult(
                result.sent, "failed" if failed else "retry", 0 if failed else delay.total_seconds()
            )
        sent_at = timezone.now()
        with transaction.atomic():
            OutboundChange.objects.filter(pk__in=[r.pk for r in batch]).update(
                state=ChangeState.SENT, sent_at=sent_at, last_error=""
            )
            _release(
                dossier_id,
                acked_seq=batch[-1].seq,
                created_on_dvcqg=True,
                attempts=0,
                next_attempt_at=None,
                last_error="",
                last_sent_at=sent_at,
            )
        if sync.attempts:
            _after_recovery(dossier_id, sent_at)
        result.sent += len(batch)
        result.outcome = "sent"
        # Look again only if the history went on meanwhile (one query instead of a whole round).
        # Safe: a change committed after this look has its own task, which finds the lease free.
        if (
            len(batch) < BATCH_LIMIT
            and not DossierEvent.objects.filter(dossier_id=dossier_id, seq__gt=batch[-1].seq)
            .exclude(to_status=DossierStatus.DRAFT)
            .exists()
        ):
            return result
    return result


#: ``last_error`` prefixes that say DVCQG itself was down (not this dossier's data): the client's
#: "unreachable: …" and "HTTP 5xx".
OUTAGE_ERRORS = ("unreachable", "HTTP 5")


def _after_recovery(dossier_id: int, now: object) -> None:
    """DVCQG acknowledged a dossier that had failed before: it is back. Every dossier that backed
    off because DVCQG was down (unreachable, HTTP 5xx) becomes due now with its count reset, so
    the beat sweep sends it within DVCQG_SWEEP_INTERVAL instead of after up to
    DVCQG_RETRY_BACKOFF_MAX — after a long outage the back-log would otherwise trickle in for
    minutes (bench/dvcqg_sync.py, the simulator killed). A dossier refused for its own data
    (an error_code) keeps its back-off."""
    outage = models.Q()
    for prefix in OUTAGE_ERRORS:
        outage |= models.Q(last_error__startswith=prefix)
    DossierSync.objects.filter(outage, attempts__gt=0, next_attempt_at__gt=now).exclude(
        pk=dossier_id
    ).update(next_attempt_at=now, attempts=0)


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
    fields: dict = {"attempts": 0, "next_attempt_at": None, "last_error": ""}
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
