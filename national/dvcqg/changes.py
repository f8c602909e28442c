"""Changes out, what the senders share: the record of each history row to send (one
:class:`OutboundChange` per row, idempotent), the rows a sender adds for the history its tasks
have not recorded yet, the lease and batch sizes, the back-off, and the recovery rule after an
outage.

Split out of :mod:`national.dvcqg.services` (issue 16: no module over 500 lines), which states the
rules of changes out and exports these names as before; one dossier is sent by
:mod:`national.dvcqg.flush`, several per call by :mod:`national.dvcqg.drain`.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import connection, models, transaction

from dossiers.constants import DossierStatus
from dossiers.models import DossierEvent

from .client import DvcqgError
from .models import ChangeState, DossierSync, OutboundChange

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


def record_missing(dossier_id: int, after: int) -> None:
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


#: ``last_error`` prefixes that say DVCQG itself was down (not this dossier's data): the client's
#: "unreachable: …" and "HTTP 5xx".
OUTAGE_ERRORS = ("unreachable", "HTTP 5")


def after_recovery(dossier_id: int, now: object, also_exclude: list[int] | None = None) -> None:
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
