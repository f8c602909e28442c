"""Every write to an outgoing or incoming document. One service per action, keyword-only, one
transaction: lock the row, check the state and the actor's role in the agency, change, append the
:class:`~documents.models.DocumentEvent` history row, and put every message that leaves the portal
(an edXML envelope to a recipient, a status back to a sender) in the transactional outbox — all
committed together or not at all.

Rules implemented: Decree 30/2020/NĐ-CP (numbering per agency and year without gaps, the văn thư
issues and registers, the leader signs and assigns), QCVN 102:2016 (edXML exchange and its status
codes 01–06, 13, 15, 16), and the rule that secret documents (độ mật) never travel over the exchange.

Split by book (issue 16): :mod:`.outgoing`, :mod:`.incoming` and :mod:`.common` (role, state
and field checks); every public name, and the old private aliases, are re-exported here.
"""

from __future__ import annotations

from ..effects import (  # the rows' effects and what the tables use, under their old names too
    DELIVER_DOCUMENT_TASK,
    DELIVER_STATUS_TASK,
    DRAFTERS,
    MAX_TEXT,
    STEERING_NEW,
    STEERING_RECALL,
    STEERING_UPDATE,
    check_sendable,
    clean_text,
    default_notation,
    fx_assign,
    fx_complete,
    fx_issue,
    fx_recall,
    fx_recall_accept,
    fx_recall_refuse,
    fx_register,
    fx_reject,
    fx_send,
    fx_send_back,
    fx_sign,
    fx_submit,
    lock_incoming,
    lock_outgoing,
    max_attachment_bytes,
    may_process,
    record_event,
    send_key,
    status_out,
    store_bytes,
)
from ..exceptions import DocumentError, PermissionDenied
from .common import (
    EDITABLE_FIELDS,
    RecipientSpec,
    check_state,
    clean_choice,
    clean_fields,
    require_role,
    resolve_recipient,
    safe_file_name,
)
from .incoming import (
    incoming_answer_recall,
    incoming_assign,
    incoming_complete,
    incoming_register,
    incoming_register_manual,
    incoming_reject,
    incoming_start,
    store_incoming_attachment,
)
from .outgoing import (
    outgoing_add_attachment,
    outgoing_create_draft,
    outgoing_issue,
    outgoing_redeliver,
    outgoing_remove_attachment,
    outgoing_request_recall,
    outgoing_return_draft,
    outgoing_send,
    outgoing_set_recipients,
    outgoing_sign,
    outgoing_submit_for_signature,
    outgoing_update_draft,
    set_recipients,
)

__all__ = [
    "DocumentError",
    "PermissionDenied",
    "DELIVER_DOCUMENT_TASK",
    "DELIVER_STATUS_TASK",
    "DRAFTERS",
    "EDITABLE_FIELDS",
    "MAX_TEXT",
    "RecipientSpec",
    "STEERING_NEW",
    "STEERING_RECALL",
    "STEERING_UPDATE",
    "check_sendable",
    "check_state",
    "clean_choice",
    "clean_fields",
    "clean_text",
    "default_notation",
    "fx_assign",
    "fx_complete",
    "fx_issue",
    "fx_recall",
    "fx_recall_accept",
    "fx_recall_refuse",
    "fx_register",
    "fx_reject",
    "fx_send",
    "fx_send_back",
    "fx_sign",
    "fx_submit",
    "incoming_answer_recall",
    "incoming_assign",
    "incoming_complete",
    "incoming_register",
    "incoming_register_manual",
    "incoming_reject",
    "incoming_start",
    "lock_incoming",
    "lock_outgoing",
    "max_attachment_bytes",
    "may_process",
    "outgoing_add_attachment",
    "outgoing_create_draft",
    "outgoing_issue",
    "outgoing_redeliver",
    "outgoing_remove_attachment",
    "outgoing_request_recall",
    "outgoing_return_draft",
    "outgoing_send",
    "outgoing_set_recipients",
    "outgoing_sign",
    "outgoing_submit_for_signature",
    "outgoing_update_draft",
    "record_event",
    "require_role",
    "resolve_recipient",
    "safe_file_name",
    "send_key",
    "set_recipients",
    "status_out",
    "store_bytes",
    "store_incoming_attachment",
]

# The old private names (before documents/effects.py, issue 12, and before the split, issue 16),
# for callers and tests.
_text = clean_text
_event = record_event
_lock_outgoing = lock_outgoing
_lock_incoming = lock_incoming
_store_bytes = store_bytes
_send_key = send_key
_check_sendable = check_sendable
_status_out = status_out
_may_process = may_process
_set_recipients = set_recipients
