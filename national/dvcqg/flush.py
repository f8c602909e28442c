"""Changes out, one dossier at a time: take the dossier's lease, send its unsent changes in order,
batch by batch, move the cursor only when DVCQG acknowledged, back off when it did not.

Split out of :mod:`national.dvcqg.services` (issue 16: no module over 500 lines), which states the
rules and exports :func:`flush_dossier` as before.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from dossiers.constants import DossierStatus
from dossiers.models import Dossier, DossierEvent

from .changes import BATCH_LIMIT, LEASE_SECONDS, after_recovery, record_missing, retry_delay
from .client import DvcqgClient, DvcqgError, integration_enabled
from .models import ChangeState, DossierSync, OutboundChange
from .payloads import dossier_payload, progress_payload

# the name these events were logged under before the split (issue 16), kept for log filters
logger = logging.getLogger("national.dvcqg.services")


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
        record_missing(dossier_id, sync.acked_seq)
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
        assert dossier is not None  # the batch is not empty
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
            delay = retry_delay(attempts, exc)
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
            after_recovery(dossier_id, sent_at)
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
