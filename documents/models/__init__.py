"""Inter-agency documents: the outgoing book (văn bản đi), the incoming book (văn bản đến), their
recipients' statuses, the exchange peers and the gapless book counters.

Every write goes through :mod:`documents.services`; history is the append-only
:class:`DocumentEvent`.

The models are split by book: :mod:`.outgoing`, :mod:`.incoming` and :mod:`.events` (peers,
receipts, history); every model is re-exported here so ``documents.models.X`` and the migrations
keep working.
"""

from __future__ import annotations

from .events import (
    AppendOnlyError,
    DocumentEvent,
    DocumentEventQuerySet,
    ExchangePeer,
    InboundReceipt,
)
from .incoming import IncomingAttachment, IncomingDocument
from .outgoing import (
    DocumentNumberCounter,
    OutgoingAttachment,
    OutgoingDocument,
    OutgoingRecipient,
    RecipientStatus,
    new_document_id,
)

#: The default of ``OutgoingDocument.document_id``, by the name migration 0001 refers to.
_new_document_id = new_document_id

__all__ = [
    "AppendOnlyError",
    "DocumentEvent",
    "DocumentEventQuerySet",
    "DocumentNumberCounter",
    "ExchangePeer",
    "InboundReceipt",
    "IncomingAttachment",
    "IncomingDocument",
    "OutgoingAttachment",
    "OutgoingDocument",
    "OutgoingRecipient",
    "RecipientStatus",
    "new_document_id",
]
