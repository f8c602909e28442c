"""Every write to an incoming document (văn bản đến): manual registration, register, assign,
process, complete, reject and the answer to a recall."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any, cast

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.constants import Role
from portal.agencies.models import Agency

from .. import workflow
from ..constants import (
    TYPE_INFO,
    Book,
    DocumentType,
    EventAction,
    IncomingSource,
    IncomingState,
    RecallState,
    Urgency,
)
from ..effects import (  # the rows' effects and what the tables use, under their old names too
    clean_text,
    max_attachment_bytes,
    record_event,
    status_out,
    store_bytes,
)
from ..exceptions import DocumentError
from ..models import (
    DocumentEvent,
    IncomingAttachment,
    IncomingDocument,
)
from ..numbering import next_number
from .common import clean_choice, require_role, safe_file_name

if TYPE_CHECKING:
    from portal.accounts.typed import Actor


# --- incoming documents (văn bản đến) ---------------------------------------------------------


def _incoming_event(
    document: IncomingDocument,
    *,
    action: str,
    code: str,
    actor: Actor,
    comment: str = "",
    data: dict[str, Any] | None = None,
    notify: bool = True,
) -> DocumentEvent:
    event = record_event(
        incoming=document, action=action, status_code=code, actor=actor, comment=comment, data=data
    )
    if notify:
        status_out(document, event)
    return event


@transaction.atomic
def incoming_register_manual(
    *,
    agency: Agency,
    actor: Actor,
    from_organ_name: str,
    subject: str,
    code_number: str = "",
    code_notation: str = "",
    from_organ_code: str = "",
    promulgation_date: date | None = None,
    document_type: int = DocumentType.OFFICIAL_LETTER,
    urgency: int = Urgency.NORMAL,
    due_date: date | None = None,
    content: str = "",
    files: Iterable[tuple[str, str, bytes]] = (),
) -> IncomingDocument:
    """The văn thư enters a paper (or e-mailed) document in the incoming book: registered at once
    with the next book number. ``files`` are (name, content type, bytes) of the scans."""
    require_role(actor, agency, Role.CLERICAL)
    files = list(files)
    limit = max_attachment_bytes()
    for name, _content_type, data in files:
        if len(data) > limit:
            raise DocumentError(
                _("File %(name)s is too large (at most %(limit)d bytes).")
                % {"name": name, "limit": limit}
            )
    now = timezone.now()
    year = timezone.localdate().year
    document = IncomingDocument.objects.create(
        agency=agency,
        source=IncomingSource.MANUAL,
        state=IncomingState.REGISTERED,
        from_organ_name=clean_text(
            from_organ_name, what=_("The sending organ"), required=True, limit=255
        ),
        from_organ_code=clean_text(from_organ_code, what=_("The sending organ code"), limit=40),
        subject=clean_text(subject, what=_("The subject"), required=True, limit=1000),
        code_number=clean_text(code_number, what=_("The number"), limit=20),
        code_notation=clean_text(code_notation, what=_("The notation"), limit=60),
        promulgation_date=promulgation_date,
        document_type=clean_choice(document_type, DocumentType, _("document type")),
        document_type_name=TYPE_INFO.get(int(document_type), ("", ""))[0],
        urgency=clean_choice(urgency, Urgency, _("urgency")),
        due_date=due_date,
        content=clean_text(content, what=_("The content"), limit=100_000),
        received_at=now,
        registered_at=now,
        registered_by=actor,
        created_by=actor,
        book_year=year,
    )
    document.book_number = next_number(agency=agency, year=year, book=Book.INCOMING)
    document.save(update_fields=["book_number"])
    for name, content_type, data in files:
        store_incoming_attachment(document, name=name, content_type=content_type, data=data)
    _incoming_event(
        document,
        action=EventAction.REGISTER,
        code="",
        actor=actor,
        data={"book_number": document.book_number},
    )
    return document


def store_incoming_attachment(
    document: IncomingDocument, *, name: str, content_type: str, data: bytes, description: str = ""
) -> IncomingAttachment:
    """Store one received file (inside the caller's transaction)."""
    size, digest = store_bytes(data)
    safe = safe_file_name(name)
    attachment = IncomingAttachment(
        document=document,
        name=safe,
        content_type=(content_type or "application/octet-stream")[:100],
        size=size,
        sha256=digest,
        description=description[:255],
    )
    attachment.file.save(safe, ContentFile(data), save=False)
    attachment.save()
    return attachment


def incoming_register(*, document: IncomingDocument, actor: Actor) -> IncomingDocument:
    """The văn thư enters a received document in the incoming book (next book number of the
    year, gapless) — status 03 to the sender."""
    return cast("IncomingDocument", workflow.INCOMING.run("register", obj=document, actor=actor))


def incoming_assign(
    *,
    document: IncomingDocument,
    actor: Actor,
    department: Agency | None = None,
    assignee: Any = None,
    note: str = "",
) -> IncomingDocument:
    """The leader assigns a registered document to a department and/or a person — status 04."""
    return cast(
        "IncomingDocument",
        workflow.INCOMING.run(
            "assign", obj=document, actor=actor, department=department, assignee=assignee, note=note
        ),
    )


def incoming_start(*, document: IncomingDocument, actor: Actor) -> IncomingDocument:
    """The assignee (or a leader) starts processing — status 05."""
    return cast("IncomingDocument", workflow.INCOMING.run("start", obj=document, actor=actor))


def incoming_complete(
    *, document: IncomingDocument, actor: Actor, note: str = ""
) -> IncomingDocument:
    """The assignee (or a leader) finishes — status 06."""
    return cast(
        "IncomingDocument",
        workflow.INCOMING.run("complete", obj=document, actor=actor, comment=note),
    )


def incoming_reject(*, document: IncomingDocument, actor: Actor, reason: str) -> IncomingDocument:
    """The văn thư or a leader refuses a received document (wrong addressee, …) — status 02."""
    return cast(
        "IncomingDocument",
        workflow.INCOMING.run("reject", obj=document, actor=actor, reason=reason),
    )


def incoming_answer_recall(
    *, document: IncomingDocument, actor: Actor, accept: bool, reason: str = ""
) -> IncomingDocument:
    """Answer the sender's recall/update request: 15 accepted (a recalled document leaves the
    books' active work: state ``recalled``), or 16 refused (with the reason)."""
    if document.recall_state != RecallState.REQUESTED:
        require_role(actor, document.agency, Role.CLERICAL, Role.LEADER)
        raise DocumentError(_("There is no pending recall/update request."), code="no_recall")
    if accept:
        return cast(
            "IncomingDocument",
            workflow.INCOMING.run("recall_accept", obj=document, actor=actor, comment=reason),
        )
    return cast(
        "IncomingDocument",
        workflow.INCOMING.run("recall_refuse", obj=document, actor=actor, reason=reason),
    )
