"""Receiving over the national document axis: beat polls this system's mailboxes, every message
is fetched, handed to the exchange's inbound pipeline (:func:`documents.exchange.receive_envelope`:
signature, trust, organ, exactly-once registration by sender + DocumentId) and acknowledged to
the axis; a document's answer (its signed 01, or 13 for a recall) goes back to the sender over the
axis as a status envelope. Statuses of our own documents come in the same way and are recorded
on the outgoing recipient (:func:`documents.exchange.apply_status`, idempotent on code + time, the
latest by time shown whatever order they arrive in).

Exactly once: a message is an :class:`AxisReceived` row keyed by the axis's DocId, claimed with
one conditional ``UPDATE`` (a lease); a crash between processing and acknowledgement leaves it
``processed`` and the next poll acknowledges it without processing it again; a message the axis
delivers twice (another DocId, same envelope) is recognised by the exchange's own receipt.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from documents import exchange

from . import client
from .models import AxisReceived, AxisReceivedState

log = logging.getLogger(__name__)

#: How long a poller holds a message it took (longer than a fetch and a receive can take).
LEASE = timedelta(minutes=10)


@dataclass
class PollReport:
    listed: int = 0
    processed: int = 0
    acknowledged: int = 0
    errors: list[str] = field(default_factory=list)


def _claim(doc_id: str, item: dict[str, Any], message_type: str) -> AxisReceived | None:
    """Take the message for this poller: one conditional UPDATE (a lease of :data:`LEASE`), so two
    pollers (two beats, an overlapping pass) never process the same message at once; a poller that
    crashes leaves a lease that expires. None when it is acknowledged already or someone else has it."""
    try:
        with transaction.atomic():
            AxisReceived.objects.create(
                axis_doc_id=doc_id[:100],
                from_organ=str(item.get("from", ""))[:60],
                message_type=message_type,
            )
    except IntegrityError:
        pass
    now = timezone.now()
    taken = (
        AxisReceived.objects.filter(axis_doc_id=doc_id[:100])
        .exclude(state=AxisReceivedState.ACKNOWLEDGED)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(claimed_until=now + LEASE, attempts=F("attempts") + 1)
    )
    if taken != 1:
        return None
    return AxisReceived.objects.get(axis_doc_id=doc_id[:100])


def _release(row: AxisReceived) -> None:
    AxisReceived.objects.filter(pk=row.pk).update(claimed_until=None)


def _process(row: AxisReceived) -> None:
    """Fetch and receive one message (not yet processed); record the outcome."""
    data = client.get_edoc(doc_id=row.axis_doc_id)
    result = exchange.receive_envelope(data)
    outcome = result.status_code or ("ok" if result.http_status == 200 else str(result.http_status))
    if result.duplicate:
        outcome = f"{outcome} dup"
    detail = "" if result.http_status == 200 else result.body[:2000].decode("utf-8", "replace")
    answer = (
        result.body if (result.http_status == 200 and result.content_type.endswith("xml")) else None
    )
    if answer is not None and not row.answer_sent:
        # the signed 01/13 of a document goes back to its sender, over the axis
        sender = row.from_organ or _sender_of(data)
        exchange.transmit(sender, answer)
    AxisReceived.objects.filter(pk=row.pk).update(
        state=AxisReceivedState.PROCESSED, outcome=outcome[:20], detail=detail, answer_sent=True
    )
    row.state, row.outcome, row.detail = AxisReceivedState.PROCESSED, outcome, detail


def _sender_of(data: bytes) -> str:
    from .transport import envelope_facts

    return envelope_facts(data)[1]


def poll(*, message_types: tuple[str, ...] = (client.EDOC, client.STATUS)) -> PollReport:
    """One pass over the mailboxes. Transient axis errors stop the pass (the next beat goes on);
    a message that fails alone is left for the next pass."""
    report = PollReport()
    if not client.enabled():
        return report
    for message_type in message_types:
        items = client.received_list(message_type=message_type)
        report.listed += len(items)
        for item in items:
            doc_id = str(item.get("DocId") or item.get("docId"))
            row = _claim(doc_id, item, message_type)
            if row is None:
                continue
            try:
                if row.state == AxisReceivedState.NEW:
                    _process(row)
                    report.processed += 1
                ack = "done" if row.outcome and not row.outcome.startswith(("4", "02")) else "fail"
                client.update_status(
                    doc_id=row.axis_doc_id, status=ack, description=row.detail[:500]
                )
            except (client.AxisUnavailable, exchange.TransportError) as exc:
                _release(row)
                report.errors.append(f"{doc_id}: {exc}")
                log.warning(
                    "document_axis.poll_transient", extra={"doc_id": doc_id, "error": str(exc)}
                )
                return report
            except client.AxisRefused as exc:
                _release(row)
                report.errors.append(f"{doc_id}: {exc}")
                log.warning(
                    "document_axis.poll_refused", extra={"doc_id": doc_id, "error": str(exc)}
                )
                continue
            AxisReceived.objects.filter(pk=row.pk).update(
                state=AxisReceivedState.ACKNOWLEDGED, claimed_until=None
            )
            report.acknowledged += 1
    return report
