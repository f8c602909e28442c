"""Changes out, several dossiers per call: the drain leases a batch of ready dossiers and sends
their changes in one ``DongBoHoSoMC`` and one ``CapNhatTienDoHoSoMC``, with the guarantees of
:func:`national.dvcqg.flush.flush_dossier` per dossier.

Split out of :mod:`national.dvcqg.services` (issue 16: no module over 500 lines), which states the
rules and exports :func:`drain` as before.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from dossiers.constants import DossierStatus
from dossiers.models import Dossier, DossierEvent

from .changes import BATCH_LIMIT, LEASE_SECONDS, after_recovery, record_missing, retry_delay
from .client import DvcqgClient, DvcqgError, integration_enabled
from .flush import flush_dossier
from .models import ChangeState, DossierSync, OutboundChange
from .payloads import dossier_payload, progress_payload

# the name these events were logged under before the split (issue 16), kept for log filters
logger = logging.getLogger("national.dvcqg.services")

DRAIN_ROUNDS = 50


@dataclass
class DrainResult:
    sent: int = 0
    dossiers: int = 0
    calls: int = 0
    #: (dossier ids, seconds): batches DVCQG did not acknowledge, to be tried again after the delay
    retries: list[tuple[list[int], float]] = field(default_factory=list)


def _claim_ready(limit: int, prefer: list[int], exclude: list[int]) -> list[DossierSync]:
    """Lease up to ``limit`` dossiers with an unsent change, no live lease and no back-off running,
    ``prefer`` first: one ``UPDATE … FROM (SELECT … FOR UPDATE SKIP LOCKED)``, so concurrent drains
    take disjoint sets (docs/tech-facts.md "Celery and Redis": exactly-once effect), the cursors
    coming back (RETURNING)."""
    now = timezone.now()
    if connection.vendor != "postgresql":  # the demo's SQLite: one writer at a time anyway
        return _claim_ready_orm(limit, prefer, exclude, now)
    sync, change = DossierSync._meta.db_table, OutboundChange._meta.db_table
    with connection.cursor() as cur:
        cur.execute(
            f"""
            WITH ready AS (
                SELECT s.dossier_id FROM {sync} s
                WHERE s.dossier_id IN (SELECT c.dossier_id FROM {change} c WHERE c.state = %(pending)s)
                  AND (s.lease_until IS NULL OR s.lease_until < %(now)s)
                  AND (s.attempts = 0 OR s.next_attempt_at IS NULL OR s.next_attempt_at <= %(now)s)
                  AND NOT (s.dossier_id = ANY(%(exclude)s))
                  AND EXISTS (SELECT 1 FROM {change} c WHERE c.dossier_id = s.dossier_id
                              AND c.seq > s.acked_seq AND c.state = %(pending)s)
                ORDER BY (s.dossier_id = ANY(%(prefer)s)) DESC, s.dossier_id
                LIMIT %(limit)s
                FOR UPDATE OF s SKIP LOCKED
            )
            UPDATE {sync} s SET lease_until = %(until)s FROM ready
            WHERE s.dossier_id = ready.dossier_id
            RETURNING s.dossier_id, s.acked_seq, s.created_on_dvcqg, s.attempts, s.next_attempt_at
            """,  # noqa: S608 - table names are ours
            {
                "pending": ChangeState.PENDING.value,
                "now": now,
                "exclude": list(exclude),
                "prefer": list(prefer),
                "limit": limit,
                "until": now + timedelta(seconds=LEASE_SECONDS),
            },
        )
        rows = cur.fetchall()
    return [
        DossierSync(dossier_id=d, acked_seq=a, created_on_dvcqg=c, attempts=n, next_attempt_at=t)
        for d, a, c, n, t in sorted(rows)
    ]


def _claim_ready_orm(
    limit: int, prefer: list[int], exclude: list[int], now: datetime
) -> list[DossierSync]:
    """:func:`_claim_ready` through the ORM, for SQLite (the demo), whose writes are serialised."""
    with transaction.atomic():
        pending = OutboundChange.objects.filter(state=ChangeState.PENDING.value)
        candidates = (
            DossierSync.objects.filter(dossier_id__in=pending.values("dossier_id"))
            .filter(models.Q(lease_until__isnull=True) | models.Q(lease_until__lt=now))
            .filter(
                models.Q(attempts=0)
                | models.Q(next_attempt_at__isnull=True)
                | models.Q(next_attempt_at__lte=now)
            )
            .exclude(dossier_id__in=list(exclude))
        )
        ready = [
            sync
            for sync in candidates
            if pending.filter(dossier_id=sync.dossier_id, seq__gt=sync.acked_seq).exists()
        ]
        ready.sort(key=lambda sync: (sync.dossier_id not in prefer, sync.dossier_id))
        ready = ready[:limit]
        until = now + timedelta(seconds=LEASE_SECONDS)
        DossierSync.objects.filter(dossier_id__in=[sync.dossier_id for sync in ready]).update(
            lease_until=until
        )
    return sorted(ready, key=lambda sync: sync.dossier_id)


def _record_missing_many(syncs: list[DossierSync]) -> None:
    """:func:`record_missing` for a whole batch of dossiers in one ``INSERT … SELECT``."""
    if connection.vendor != "postgresql":  # SQLite (the demo): one dossier at a time
        for sync in syncs:
            record_missing(sync.dossier_id, sync.acked_seq)
        return
    change, event = OutboundChange._meta.db_table, DossierEvent._meta.db_table
    with connection.cursor() as cur:
        cur.execute(
            f"""
            INSERT INTO {change} (dossier_id, event_id, seq, state, created_at, event_at, attempts,
                                  last_error, is_resend)
            SELECT e.dossier_id, e.id, e.seq, %(pending)s, now(), e.created_at, 0, '', false
            FROM {event} e
            JOIN unnest(%(ids)s::bigint[], %(acked)s::bigint[]) AS b(dossier_id, acked)
              ON e.dossier_id = b.dossier_id
            WHERE e.seq > b.acked AND e.to_status <> %(draft)s
            ON CONFLICT DO NOTHING
            """,  # noqa: S608 - table names are ours
            {
                "pending": ChangeState.PENDING.value,
                "ids": [s.dossier_id for s in syncs],
                "acked": [s.acked_seq for s in syncs],
                "draft": int(DossierStatus.DRAFT),
            },
        )


def _release_many(ids: list[int]) -> None:
    if ids:
        DossierSync.objects.filter(pk__in=ids).update(lease_until=None)


def _is_outage(exc: DvcqgError) -> bool:
    """DVCQG (or the way to it) failed, not one dossier's data: unreachable, HTTP 5xx, 429."""
    return exc.code == "unreachable" or exc.code.startswith("http_")


def _batch_dossiers(ids: list[int]) -> Mapping[int, Dossier]:
    from dossiers.payments.constants import PaymentMethod
    from dossiers.payments.models import Payment

    return (
        Dossier.objects.select_related(
            "procedure__sector",
            "procedure_version",
            "receiving_agency",
            "handling_department",
            "applicant",
            "dvcqg_inbound",
        )
        .prefetch_related(
            "files",
            models.Prefetch(
                "payments",
                queryset=Payment.objects.filter(method=PaymentMethod.ONLINE).only(
                    "id", "dossier_id", "status"
                ),
                to_attr="dvcqg_online_payments",
            ),
        )
        .in_bulk(ids)
    )


def _mark_failed(
    batches: dict[int, list[OutboundChange]], syncs: dict[int, DossierSync], exc: DvcqgError
) -> float | None:
    """A batch DVCQG did not acknowledge: each dossier backs off by its own count; returns the
    shortest delay (``None`` when every dossier reached DVCQG_MAX_ATTEMPTS and failed)."""
    now = timezone.now()
    error = str(exc)[:1000]
    by_attempts: dict[int, list[int]] = {}
    for dossier_id in batches:
        by_attempts.setdefault(syncs[dossier_id].attempts + 1, []).append(dossier_id)
    delays = []
    with transaction.atomic():
        for attempts, ids in by_attempts.items():
            failed = attempts >= settings.DVCQG_MAX_ATTEMPTS
            delay = retry_delay(attempts, exc)
            OutboundChange.objects.filter(pk__in=[r.pk for d in ids for r in batches[d]]).update(
                attempts=attempts,
                last_error=error,
                **({"state": ChangeState.FAILED} if failed else {}),
            )
            DossierSync.objects.filter(pk__in=ids).update(
                lease_until=None,
                attempts=0 if failed else attempts,
                next_attempt_at=None if failed else now + delay,
                last_error=error,
            )
            if not failed:
                delays.append(delay.total_seconds())
    logger.warning(
        "dvcqg.send_failed",
        extra={"dossiers": len(batches), "error": str(exc), "attempts": sorted(by_attempts)},
    )
    return min(delays) if delays else None


def _mark_sent(batches: dict[int, list[OutboundChange]]) -> None:
    sent_at = timezone.now()
    sync = DossierSync._meta.db_table
    ids = list(batches)
    with transaction.atomic():
        OutboundChange.objects.filter(
            pk__in=[r.pk for rows in batches.values() for r in rows]
        ).update(state=ChangeState.SENT, sent_at=sent_at, last_error="")
        if connection.vendor != "postgresql":  # SQLite (the demo): one UPDATE per dossier
            for dossier_id in ids:
                DossierSync.objects.filter(dossier_id=dossier_id).update(
                    acked_seq=batches[dossier_id][-1].seq,
                    created_on_dvcqg=True,
                    attempts=0,
                    next_attempt_at=None,
                    last_error="",
                    last_sent_at=sent_at,
                    lease_until=None,
                )
            return
        with connection.cursor() as cur:
            cur.execute(
                f"""
                UPDATE {sync} s SET acked_seq = b.acked, created_on_dvcqg = true, attempts = 0,
                       next_attempt_at = NULL, last_error = '', last_sent_at = %(at)s,
                       lease_until = NULL
                FROM unnest(%(ids)s::bigint[], %(acked)s::bigint[]) AS b(dossier_id, acked)
                WHERE s.dossier_id = b.dossier_id
                """,  # noqa: S608 - table name is ours
                {"at": sent_at, "ids": ids, "acked": [batches[d][-1].seq for d in ids]},
            )


def drain(
    *,
    prefer: list[int] | None = None,
    client: DvcqgClient | None = None,
    rounds: int = DRAIN_ROUNDS,
) -> DrainResult:
    """Send every ready dossier's unsent changes, up to ``DVCQG_BATCH_DOSSIERS`` dossiers per call.

    Each round leases a batch of ready dossiers (:func:`_claim_ready`), records the history rows
    whose task has not run yet (one statement), reads their unsent changes and the dossiers (two
    queries and two prefetches), and makes ONE ``DongBoHoSoMC`` with the dossiers (two when new and
    known dossiers are mixed: ``isUpdating`` is per call) and ONE ``CapNhatTienDoHoSoMC`` with every
    step, each dossier's steps in ``seq`` order — both services take a ``data`` list (OpenCPS
    ``syncDossierAndDossierStatus``, Thanh Hóa ``DongBoDVC``). The guarantees of
    :func:`flush_dossier` hold per dossier: the cursor moves only when DVCQG acknowledged both
    calls; a batch DVCQG did not acknowledge backs off (each dossier by its own count); an answer
    that refuses the data (an ``error_code``, not an outage) is not charged to the whole batch — its
    dossiers are sent one by one (:func:`flush_dossier`), so one bad dossier delays only itself.
    Rounds go on until nothing is ready (bounded by ``rounds``)."""
    result = DrainResult()
    if not integration_enabled():
        return result
    client = client or DvcqgClient()
    limit = max(1, int(settings.DVCQG_BATCH_DOSSIERS))
    prefer = list(prefer or [])
    skipped: list[int] = []  # claimed but nothing to send now (no code yet, a failed change)
    for _round in range(rounds):
        syncs = {s.dossier_id: s for s in _claim_ready(limit, prefer, skipped)}
        if not syncs:
            break
        _record_missing_many(list(syncs.values()))
        rows = (
            OutboundChange.objects.filter(dossier_id__in=list(syncs))
            .exclude(state=ChangeState.SENT)
            .select_related("event", "event__actor", "event__to_agency")
            .order_by("dossier_id", "seq")
        )
        batches: dict[int, list[OutboundChange]] = {}
        stopped: set[int] = set()
        for row in rows:
            d = row.dossier_id
            if d in stopped or row.seq <= syncs[d].acked_seq:
                continue
            batch = batches.setdefault(d, [])
            expected = syncs[d].acked_seq + 1 + len(batch)
            if row.seq != expected or row.state == ChangeState.FAILED or len(batch) >= BATCH_LIMIT:
                stopped.add(d)  # a gap or a failed change: nothing after it goes before it
                continue
            batch.append(row)
        batches = {d: b for d, b in batches.items() if b}
        dossiers = _batch_dossiers(list(batches)) if batches else {}
        idle = [d for d in syncs if d not in batches or not dossiers[d].code]
        if idle:
            _release_many(idle)
            skipped.extend(idle)
            for d in idle:
                batches.pop(d, None)
        if not batches:
            continue
        groups: dict[bool, list[dict[str, Any]]] = {}
        steps: list[dict[str, Any]] = []
        for d, batch in batches.items():
            dossier = dossiers[d]
            groups.setdefault(syncs[d].created_on_dvcqg, []).append(dossier_payload(dossier))
            steps.extend(progress_payload(dossier, row.event) for row in batch)
        try:
            for created, items in sorted(groups.items()):
                client.call("DongBoHoSoMC", isUpdating="True" if created else "False", data=items)
                result.calls += 1
            client.call("CapNhatTienDoHoSoMC", data=steps)
            result.calls += 1
        except DvcqgError as exc:
            if len(batches) > 1 and not _is_outage(exc):
                # refused for data (error_code): find the dossier, do not charge the others
                _release_many(list(batches))
                for d in batches:
                    one = flush_dossier(dossier_id=d, client=client)
                    result.sent += one.sent
                    if one.outcome == "retry":
                        result.retries.append(([d], one.retry_in))
                skipped.extend(batches)
                continue
            delay = _mark_failed(batches, syncs, exc)
            if delay is not None:
                result.retries.append((list(batches), delay))
            skipped.extend(batches)
            if _is_outage(exc):
                break  # DVCQG is down: the retry (and the sweep) take the rest
            continue
        _mark_sent(batches)
        recovered = [d for d in batches if syncs[d].attempts]
        if recovered:
            after_recovery(recovered[0], timezone.now(), also_exclude=recovered)
        result.sent += sum(len(b) for b in batches.values())
        result.dossiers += len(batches)
        # a dossier whose batch hit BATCH_LIMIT or whose history went on is ready again: the next
        # round claims it (its lease is free now); one preferred round is enough
        prefer = []
    return result
