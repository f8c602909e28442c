"""The inter-agency exchange (trục liên thông): peers, the inbound side (documents and statuses
received as signed edXML envelopes) and the outbound transport (HTTP POST to a peer's inbound
endpoint, or the same receive function in-process for an agency of this portal).

Exactly-once effect: every envelope is delivered at least once (outbox + Celery retries) and
received idempotently — a document by (receiving organ, sending organ, DocumentId, SteeringType)
and the digest of what it says, a status by
(DocumentId, reporting organ, code, timestamp), both recorded in :class:`InboundReceipt` in the same
transaction as their effect. A true replay (same sender, same document) gets the same answer as the
first delivery; the same DocumentId from another sender, or from the same sender for a different
document, is refused with status 02 ``duplicate_document_id`` (issue 13: a second agency's document
with a used DocumentId was acknowledged "received" and silently dropped).

Answers of :func:`receive_envelope`: 200 with a signed status envelope (01 reached, or 13 for a
recall/update request) for an accepted or repeated document; 200 JSON ``{"status": "ok"}`` for a
status envelope; 400 (malformed, too large), 409 (a DocumentId already used for another document) or 422 (signature, trust, organ, secret, unknown
document) with JSON ``{"status": "02", "reason", "detail"}`` — and nothing stored.

Split by side (issue 16): :mod:`.common` (organs, identities, trust roots, answers),
:mod:`.inbound` (receiving), :mod:`.status` (applying a reported status) and :mod:`.outbound`
(sending documents and status replies); every public name is re-exported here.
"""

from __future__ import annotations

from ..peers import peer_for, peers
from .common import (
    PEER_LANGUAGE,
    REJECT_HTTP,
    STATUS_DESCRIPTIONS,
    InboundResult,
    TransportError,
    cert_organ_code,
    identity,
    json_result,
    local_agency,
    logger,
    max_sizes,
    organ,
    rejected,
    sender_trust_roots,
    status_description,
    status_envelope,
    trust_roots,
    unknown_rejection,
)
from .inbound import receive_envelope
from .outbound import (
    TRANSPORT_ROUTERS,
    deliver_document,
    deliver_status,
    document_envelope,
    handle_answer,
    record_delivery_failure,
    record_status_failure,
    status_envelope_for,
    transmit,
)
from .status import apply_status

__all__ = [
    "InboundResult",
    "PEER_LANGUAGE",
    "REJECT_HTTP",
    "STATUS_DESCRIPTIONS",
    "TRANSPORT_ROUTERS",
    "TransportError",
    "apply_status",
    "cert_organ_code",
    "deliver_document",
    "deliver_status",
    "document_envelope",
    "handle_answer",
    "identity",
    "json_result",
    "local_agency",
    "logger",
    "max_sizes",
    "organ",
    "peer_for",
    "peers",
    "receive_envelope",
    "record_delivery_failure",
    "record_status_failure",
    "rejected",
    "sender_trust_roots",
    "status_description",
    "status_envelope",
    "status_envelope_for",
    "transmit",
    "trust_roots",
    "unknown_rejection",
]
