"""Transactional outbox: enqueue Celery tasks inside the business transaction, relay them afterwards.

Why: ``transaction.on_commit(task.delay)`` loses the task when the broker is down right after the
commit, and ``.delay()`` inside the transaction can block the request for minutes when Redis hangs
(docs/tech-facts.md "Celery and Redis"). Here the business transaction writes an :class:`OutboxMessage`; after
the commit one quick publish is tried (broker socket timeouts of 2 s, no publish retries); whatever is
left is relayed by the beat task ``portal.core.tasks.relay_outbox`` or ``manage.py relay_outbox``.

Delivery is at-least-once (a relay that dies between the publish and its commit publishes again), so
every consumer must be idempotent — the notifications claim their row atomically.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from portal.core.models import OutboxMessage, OutboxStatus

logger = logging.getLogger(__name__)

#: After this many failed publishes (setting ``OUTBOX_MAX_ATTEMPTS``) a message is marked ``failed``
#: and shown to administrators.
MAX_ATTEMPTS: int = 12
#: Back-off ceiling in seconds between two attempts on the same message.
MAX_BACKOFF: int = 300
#: After a failed publish this process skips its quick after-commit attempts for this many seconds:
#: one request that writes several messages (a notification, a form, a dashboard refresh) must not
#: wait for the broker's timeout once per message; the beat relay delivers them.
QUICK_RELAY_PAUSE: float = 15.0
_last_publish_failure: float = float("-inf")


def outbox_enqueue(task_name: str, *, kwargs: dict, dedupe_key: str | None = None) -> None:
    """Record that ``task_name(**kwargs)`` must run once this transaction commits.

    Must be called inside the business transaction (``transaction.atomic``), so the task exists if
    and only if the change does. A second call with the same ``dedupe_key`` is ignored (unique key,
    ``ON CONFLICT DO NOTHING``). After the commit one quick publish is attempted; it never raises and
    never blocks longer than the broker timeouts.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("outbox_enqueue() must be called inside transaction.atomic()")
    if dedupe_key is None:
        message_id: int | None = OutboxMessage.objects.create(task_name=task_name, kwargs=kwargs).pk
    else:
        message_id = _insert_once(
            OutboxMessage(task_name=task_name, kwargs=kwargs, dedupe_key=dedupe_key)
        )
        if message_id is None:  # the key exists: relay it again only while it is still pending
            message_id = (
                OutboxMessage.objects.filter(dedupe_key=dedupe_key, status=OutboxStatus.PENDING)
                .values_list("pk", flat=True)
                .first()
            )
    if message_id is not None and getattr(settings, "OUTBOX_RELAY_ON_COMMIT", True):
        _relay_after_commit(message_id)


def _insert_once(message: OutboxMessage) -> int | None:
    """``INSERT … ON CONFLICT (dedupe_key) DO NOTHING RETURNING id``: the new row's id, or None
    when the key exists. One statement where ``bulk_create(ignore_conflicts=True)`` and a read of
    the id took two (issue 19: five messages per reception). The columns and their values come
    from the model, as the ORM's own insert would write them (defaults included)."""
    fields = [f for f in OutboxMessage._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(OutboxMessage._meta.db_table)} "
        f"({', '.join(quote(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))}) "
        f"ON CONFLICT ({quote(OutboxMessage._meta.get_field('dedupe_key').column)}) DO NOTHING "
        f"RETURNING {quote(OutboxMessage._meta.pk.column)}"
    )
    params = [f.get_db_prep_save(f.pre_save(message, add=True), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return None if row is None else int(row[0])


class _QuickRelay:
    """The messages of one transaction, published in one relay pass after its commit.

    Each enqueued message registers this same object with ``transaction.on_commit`` (so a
    savepoint rolled back drops its registrations as Django always does); the first call after the
    commit relays every id collected and the others do nothing. One pass, one transaction, where a
    pass per message took four (BEGIN, SELECT … FOR UPDATE SKIP LOCKED, UPDATE, COMMIT) each: a
    reception writes five messages (issue 19). An id whose own savepoint rolled back is in the list
    too: its row no longer exists (ids are not reused), or, for a key that existed already, it is
    a committed pending row, which the relay may publish at any time anyway."""

    def __init__(self) -> None:
        self.ids: list[int] = []
        self.done = False

    def __call__(self) -> None:
        if not self.done:
            self.done = True
            _relay_quietly(list(dict.fromkeys(self.ids)))


def _relay_after_commit(message_id: int) -> None:
    """Add ``message_id`` to the quick relay of the current transaction (one per transaction)."""
    pending = transaction.get_connection().run_on_commit
    relay = next(
        (f for _, f, _ in reversed(pending) if isinstance(f, _QuickRelay) and not f.done), None
    )
    if relay is None:
        relay = _QuickRelay()
    relay.ids.append(message_id)
    transaction.on_commit(relay)


def _relay_quietly(message_ids: list[int]) -> None:
    """The quick attempt after the commit: any failure is left to the beat relay, never to the user.
    Skipped while the broker recently failed in this process (``QUICK_RELAY_PAUSE``)."""
    if time.monotonic() - _last_publish_failure < QUICK_RELAY_PAUSE:
        return
    try:
        relay_outbox(batch=len(message_ids), ids=message_ids)
    except Exception:  # noqa: BLE001 - the request has committed; the beat relay will retry
        logger.warning(
            "outbox.quick_relay_failed", exc_info=True, extra={"outbox_ids": message_ids}
        )


def backoff(attempts: int) -> timedelta:
    """Exponential back-off: 2, 4, 8 … seconds, capped at five minutes."""
    return timedelta(seconds=min(2 ** max(attempts, 1), MAX_BACKOFF))


def _publish(message: OutboxMessage) -> None:
    from portal.celery import app

    # A deterministic task id: a row published twice (relay crash before its commit) is one occurrence
    # for the idempotent consumers (the notifications key on it).
    app.send_task(
        message.task_name, kwargs=message.kwargs, retry=False, task_id=f"outbox-{message.pk}"
    )


def relay_outbox(batch: int = 100, *, ids: list[int] | None = None) -> int:
    """Publish up to ``batch`` due messages; return how many were dispatched.

    Rows are claimed with ``SELECT … FOR UPDATE SKIP LOCKED`` so several relays (beat twice, a quick
    on-commit attempt) never publish the same row concurrently. On the first broker error the pass
    stops: the row's next attempt is pushed back exponentially and it stays ``pending`` until
    ``MAX_ATTEMPTS``, then ``failed`` (visible and retryable in the admin).
    """
    now = timezone.now()
    published: list[int] = []
    with transaction.atomic():
        rows = OutboxMessage.objects.filter(status=OutboxStatus.PENDING, available_at__lte=now)
        if ids is not None:
            rows = rows.filter(pk__in=ids)
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True)
        for message in list(rows.order_by("id")[:batch]):
            try:
                _publish(message)
            except Exception as exc:  # noqa: BLE001 - any broker failure: keep the row, back off
                _record_failure(message, exc)
                break
            published.append(message.pk)
        if published:  # one statement for the pass; it commits with the pass either way
            OutboxMessage.objects.filter(pk__in=published).update(
                status=OutboxStatus.DISPATCHED,
                dispatched_at=timezone.now(),
                attempts=F("attempts") + 1,
                last_error="",
            )
        dispatched = len(published)
    if dispatched:
        logger.info("outbox.relayed", extra={"count": dispatched})
    return dispatched


def _record_failure(message: OutboxMessage, exc: Exception) -> None:
    global _last_publish_failure
    _last_publish_failure = time.monotonic()
    attempts = message.attempts + 1
    status = (
        OutboxStatus.FAILED
        if attempts >= getattr(settings, "OUTBOX_MAX_ATTEMPTS", MAX_ATTEMPTS)
        else OutboxStatus.PENDING
    )
    OutboxMessage.objects.filter(pk=message.pk).update(
        attempts=attempts,
        available_at=timezone.now() + backoff(attempts),
        last_error=f"{type(exc).__name__}: {exc}"[:2000],
        status=status,
    )
    logger.warning(
        "outbox.publish_failed",
        extra={"outbox_id": message.pk, "attempts": attempts, "error": str(exc)},
    )


def retry_messages(*, ids: list[int]) -> int:
    """Make failed (or backed-off) messages due again now; used by the admin action."""
    return (
        OutboxMessage.objects.filter(pk__in=ids)
        .exclude(status=OutboxStatus.DISPATCHED)
        .update(status=OutboxStatus.PENDING, available_at=timezone.now(), attempts=0, last_error="")
    )


def pending_count() -> int:
    """How many messages wait to be published (for health checks)."""
    return OutboxMessage.objects.filter(status=OutboxStatus.PENDING).count()


__all__: list[Any] = [
    "outbox_enqueue",
    "relay_outbox",
    "retry_messages",
    "pending_count",
    "backoff",
]
