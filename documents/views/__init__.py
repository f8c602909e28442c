"""Document pages (văn bản đi / đến): the clerical office's books and inbox, the specialist's
draft, the leader's signature and assignment, the assignee's progress, recall and update.

Thin: parse input, call a selector (scoped by who asks: another agency's document is a 404) or a
service of :mod:`documents.services` (which checks role and state), render. Errors of the services
are one gettext message in the reader's language, shown as messages; nothing is half-written because each
service is one transaction.

Split by page (issue 16): :mod:`.books` (inbox, books, CSV), :mod:`.outgoing`,
:mod:`.incoming` and :mod:`.common`; every view is re-exported here for ``urls.py``.
"""

from __future__ import annotations

from .books import EXPORT_LIMIT, inbox, incoming_book, outgoing_book
from .common import (
    PAGE_SIZE,
    page_input,
    paginate,
    read_form,
    serve_attachment,
    staff_has_role,
    type_choices,
    urgency_choices,
)
from .incoming import (
    INCOMING_DONE,
    INCOMING_LABELS,
    assign_choices,
    incoming_act,
    incoming_detail,
    incoming_file,
    register_paper,
)
from .outgoing import (
    OUTGOING_DONE,
    OUTGOING_FORMS,
    OUTGOING_LABELS,
    answerable_choices,
    draft_edit,
    draft_new,
    outgoing_act,
    outgoing_detail,
    outgoing_file,
    recipient_choices,
)

__all__ = [
    "EXPORT_LIMIT",
    "INCOMING_DONE",
    "INCOMING_LABELS",
    "OUTGOING_DONE",
    "OUTGOING_FORMS",
    "OUTGOING_LABELS",
    "PAGE_SIZE",
    "answerable_choices",
    "assign_choices",
    "draft_edit",
    "draft_new",
    "inbox",
    "incoming_act",
    "incoming_book",
    "incoming_detail",
    "incoming_file",
    "outgoing_act",
    "outgoing_book",
    "outgoing_detail",
    "outgoing_file",
    "page_input",
    "paginate",
    "read_form",
    "recipient_choices",
    "register_paper",
    "serve_attachment",
    "staff_has_role",
    "type_choices",
    "urgency_choices",
]
