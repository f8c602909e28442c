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
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

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


def in_flight_guard() -> timedelta:
    """How long after an unanswered call (a timeout, a dropped connection) DVCQG may still apply it:
    a retry sent sooner could be overtaken by the late original, whose older ``TrangThaiHoSo``
    would then win the upsert (bench/dvcqg_sync.py found 3 such records in 1,000 once batches
    made the recovery rule resend dozens of dossiers at once). Three times ``DVCQG_TIMEOUT``."""
    return timedelta(seconds=3 * float(settings.DVCQG_TIMEOUT))


def retry_delay(attempts: int, exc: DvcqgError) -> timedelta:
    """The back-off, never shorter than :func:`in_flight_guard` after an unanswered call (unless
    ``DVCQG_RETRY_BACKOFF`` is 0: "retry at once", the tests' setting)."""
    delay = backoff(attempts)
    if exc.code == "unreachable" and settings.DVCQG_RETRY_BACKOFF > 0:
        return max(delay, in_flight_guard())
    return delay


def backoff(attempts: int) -> timedelta:
    return timedelta(
        seconds=min(
            settings.DVCQG_RETRY_BACKOFF * 2 ** max(attempts - 1, 0),
            settings.DVCQG_RETRY_BACKOFF_MAX,
        )
    )


def record_change(*, dossier_id: int, event_id: int) -> bool:
    """Record one history row to send (idempotent). False when there is nothing to record (a
    draft, an unknown event, or a change an earlier batch already carried).

    One statement (a round trip in autocommit): the sync row is created if missing and the change
    inserted with ``ON CONFLICT DO NOTHING`` — a backlog runs one such task per history row, so
    this is the per-change floor of a drain (bench/README.md, DVCQG sync)."""
    sync, change, event = (
        DossierSync._meta.db_table,
        OutboundChange._meta.db_table,
        DossierEvent._meta.db_table,
    )
    if connection.vendor != "postgresql":  # the demo's SQLite: the same rule through the ORM
        return _record_change_orm(dossier_id, event_id)
    with connection.cursor() as cur:
        cur.execute(
            f"""
            WITH e AS (
                SELECT id, seq, created_at FROM {event}
                WHERE id = %(event)s AND dossier_id = %(dossier)s AND to_status <> %(draft)s
            ), s AS (
                INSERT INTO {sync} (dossier_id, acked_seq, created_on_dvcqg, attempts, last_error,
                                    reconcile_difference)
                SELECT %(dossier)s, 0, false, 0, '', '' FROM e
                ON CONFLICT DO NOTHING
            ), acked AS (
                SELECT COALESCE((SELECT acked_seq FROM {sync} WHERE dossier_id = %(dossier)s), 0) AS n
            ), ins AS (
                INSERT INTO {change} (dossier_id, event_id, seq, state, created_at, event_at,
                                      attempts, last_error, is_resend)
                SELECT %(dossier)s, e.id, e.seq, %(pending)s, now(), e.created_at, 0, '', false
                FROM e, acked WHERE e.seq > acked.n
                ON CONFLICT DO NOTHING
            )
            SELECT e.seq > acked.n FROM e, acked
            """,  # noqa: S608 - table names are ours
            {
                "event": event_id,
                "dossier": dossier_id,
                "draft": int(DossierStatus.DRAFT),
                "pending": ChangeState.PENDING.value,
            },
        )
        row = cur.fetchone()
    return bool(row and row[0])


def _record_change_orm(dossier_id: int, event_id: int) -> bool:
    """:func:`record_change` for databases without data-modifying CTEs (SQLite, the demo)."""
    event = (
        DossierEvent.objects.filter(pk=event_id, dossier_id=dossier_id)
        .exclude(to_status=int(DossierStatus.DRAFT))
        .values("pk", "seq", "created_at")
        .first()
    )
    if event is None:
        return False
    with transaction.atomic():
        sync, _created = DossierSync.objects.get_or_create(dossier_id=dossier_id)
        if event["seq"] <= sync.acked_seq:
            return False
        OutboundChange.objects.get_or_create(
            dossier_id=dossier_id,
            event_id=event["pk"],
            defaults={
                "seq": event["seq"],
                "state": ChangeState.PENDING.value,
                "event_at": event["created_at"],
            },
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


# -- the drain: several dossiers per call ---------------------------------------------------------
#: Rounds one drain call makes at most (each claims up to DVCQG_BATCH_DOSSIERS dossiers).
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
    take disjoint sets (TECH-NOTES "exactly-once effect"), the cursors coming back (RETURNING)."""
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
    """:func:`_record_missing` for a whole batch of dossiers in one ``INSERT … SELECT``."""
    if connection.vendor != "postgresql":  # SQLite (the demo): one dossier at a time
        for sync in syncs:
            _record_missing(sync.dossier_id, sync.acked_seq)
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
        groups: dict[bool, list[dict]] = {}
        steps: list[dict] = []
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
            _after_recovery(recovered[0], timezone.now(), also_exclude=recovered)
        result.sent += sum(len(b) for b in batches.values())
        result.dossiers += len(batches)
        # a dossier whose batch hit BATCH_LIMIT or whose history went on is ready again: the next
        # round claims it (its lease is free now); one preferred round is enough
        prefer = []
    return result


#: ``last_error`` prefixes that say DVCQG itself was down (not this dossier's data): the client's
#: "unreachable: …" and "HTTP 5xx".
OUTAGE_ERRORS = ("unreachable", "HTTP 5")


def _after_recovery(dossier_id: int, now: object, also_exclude: list[int] | None = None) -> None:
    """DVCQG acknowledged a dossier that had failed before: it is back. Every dossier that backed
    off because DVCQG was down (unreachable, HTTP 5xx) becomes due now with its count reset, so
    the beat sweep sends it within DVCQG_SWEEP_INTERVAL instead of after up to
    DVCQG_RETRY_BACKOFF_MAX — after a long outage the back-log would otherwise trickle in for
    minutes (bench/dvcqg_sync.py, the simulator killed). A dossier refused for its own data
    (an error_code) keeps its back-off."""
    outage = models.Q()
    for prefix in OUTAGE_ERRORS:
        outage |= models.Q(last_error__startswith=prefix)
    # not before in_flight_guard(): a dossier that failed a moment ago may have a call in flight
    due = now + in_flight_guard()  # type: ignore[operator]
    DossierSync.objects.filter(outage, attempts__gt=0, next_attempt_at__gt=due).exclude(
        pk__in=[dossier_id, *(also_exclude or [])]
    ).update(next_attempt_at=due, attempts=0)


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
