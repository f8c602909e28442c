"""Document API under /api/v1/: outgoing and incoming documents scoped by the caller's agencies
(the same selectors and services as the pages), and the edXML inbound endpoint of the exchange.

Errors: bad input or a state that does not allow the action → 400 ``{"detail": message, "code":
code}`` (the message in the request's language); a document the caller may not see → 404; a visible document but the wrong role → 403.

Every row of the two tables (documents/workflow.py) has one endpoint shape,
``POST /api/v1/documents/outgoing|incoming/{id}/actions/{action}/``, onto the dispatcher the pages
use (:mod:`documents.inputs`); the per-action routes below are kept for existing callers.

Split by side (issue 16): :mod:`.outgoing`, :mod:`.incoming`, :mod:`.inbound` (the exchange's
endpoint) and :mod:`.common`; the views are exported here for ``urls.py``.
"""

from __future__ import annotations

from .common import ERRORS
from .inbound import ENVELOPE_TOO_LARGE, XML_TYPES, InboundView, inbound_response
from .incoming import INCOMING_ACTIONS, IncomingDocumentViewSet
from .outgoing import OUTGOING_ACTIONS, OutgoingDocumentViewSet

__all__ = [
    "ENVELOPE_TOO_LARGE",
    "ERRORS",
    "INCOMING_ACTIONS",
    "OUTGOING_ACTIONS",
    "XML_TYPES",
    "InboundView",
    "IncomingDocumentViewSet",
    "OutgoingDocumentViewSet",
    "inbound_response",
]
