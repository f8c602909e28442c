"""Every write to an outgoing document (văn bản đi): draft, recipients, attachments, submit,
sign, issue, send, recall and redeliver."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import partial
from typing import TYPE_CHECKING, Any, cast

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.constants import Role
from portal.agencies.models import Agency
from portal.core.outbox import outbox_enqueue

from .. import workflow
from ..constants import (
    DocumentType,
    EventAction,
    OutgoingState,
    RecallState,
    Secrecy,
    Urgency,
)
from ..effects import (  # the rows' effects and what the tables use, under their old names too
    DELIVER_DOCUMENT_TASK,
    DRAFTERS,
    STEERING_NEW,
    clean_text,
    lock_outgoing,
    max_attachment_bytes,
    record_event,
    send_key,
    store_bytes,
)
from ..exceptions import DocumentError
from ..models import (
    IncomingDocument,
    OutgoingAttachment,
    OutgoingDocument,
    OutgoingRecipient,
)
from .common import (
    RecipientSpec,
    check_state,
    clean_fields,
    require_role,
    resolve_recipient,
    safe_file_name,
)

if TYPE_CHECKING:
    from portal.accounts.typed import Actor


# --- outgoing documents (văn bản đi) ----------------------------------------------------------


@transaction.atomic
def outgoing_create_draft(
    *,
    agency: Agency,
    actor: Actor,
    subject: str,
    document_type: int = DocumentType.OFFICIAL_LETTER,
    content: str = "",
    place: str = "",
    signer_competence: str = "",
    signer_position: str = "",
    signer_name: str = "",
    urgency: int = Urgency.NORMAL,
    secrecy: int = Secrecy.NONE,
    due_date: date | None = None,
    in_reply_to: IncomingDocument | None = None,
    recipients: Iterable[RecipientSpec | str] = (),
    to_places: Iterable[str] = (),
) -> OutgoingDocument:
    """Start a draft in ``agency`` (specialist, văn thư or leader of the agency). Recipients are
    agencies of this portal or organs reachable through an exchange peer."""
    require_role(actor, agency, *DRAFTERS)
    fields = clean_fields(
        {
            "subject": subject,
            "document_type": document_type,
            "content": content,
            "place": place,
            "signer_competence": signer_competence,
            "signer_position": signer_position,
            "signer_name": signer_name,
            "urgency": urgency,
            "secrecy": secrecy,
            "due_date": due_date,
            "in_reply_to": in_reply_to,
            "to_places": list(to_places),
        },
        agency,
    )
    document = OutgoingDocument.objects.create(agency=agency, created_by=actor, **fields)
    set_recipients(document, recipients)
    record_event(outgoing=document, action=EventAction.CREATE, actor=actor)
    return document


@transaction.atomic
def outgoing_update_draft(
    *, document: OutgoingDocument, actor: Actor, **changes: Any
) -> OutgoingDocument:
    """Edit a draft's fields (names in :data:`EDITABLE_FIELDS`); only while it is a draft."""
    document = lock_outgoing(document)
    require_role(actor, document.agency, *DRAFTERS)
    check_state(document.state, [OutgoingState.DRAFT, OutgoingState.SUBMITTED], "sửa", "edit")
    fields = clean_fields(changes, document.agency)
    for name, value in fields.items():
        setattr(document, name, value)
    document.save()
    record_event(
        outgoing=document, action=EventAction.EDIT, actor=actor, data={"fields": sorted(fields)}
    )
    return document


def set_recipients(
    document: OutgoingDocument, recipients: Iterable[RecipientSpec | str]
) -> list[OutgoingRecipient]:
    rows: dict[str, OutgoingRecipient] = {}
    for spec in recipients:
        agency, code, name = resolve_recipient(spec)
        if agency is not None and agency.pk == document.agency_id:
            raise DocumentError(_("A document is not sent to its own issuing agency."))
        rows[code] = OutgoingRecipient(
            document=document, agency=agency, organ_code=code, organ_name=name[:255]
        )
    document.recipients.all().delete()
    return OutgoingRecipient.objects.bulk_create(list(rows.values()))


@transaction.atomic
def outgoing_set_recipients(
    *, document: OutgoingDocument, actor: Actor, recipients: Iterable[RecipientSpec | str]
) -> list[OutgoingRecipient]:
    """Replace the recipients of a document not yet sent."""
    document = lock_outgoing(document)
    require_role(actor, document.agency, *DRAFTERS)
    check_state(
        document.state,
        [OutgoingState.DRAFT, OutgoingState.SUBMITTED, OutgoingState.SIGNED, OutgoingState.ISSUED],
        "đổi nơi nhận của",
        "change the recipients of",
    )
    rows = set_recipients(document, recipients)
    record_event(
        outgoing=document,
        action=EventAction.EDIT,
        actor=actor,
        data={"recipients": [r.organ_code for r in rows]},
    )
    return rows


@transaction.atomic
def outgoing_add_attachment(
    *,
    document: OutgoingDocument,
    actor: Actor,
    data: bytes,
    name: str,
    content_type: str = "application/pdf",
    is_main: bool = False,
    description: str = "",
) -> OutgoingAttachment:
    """Attach a file: the main document (a PDF, to be signed; only on a draft, replaces the
    previous main file) or an appendix (until the document is sent). Size is limited by
    ``EDXML_MAX_ATTACHMENT_BYTES`` so that every recipient can accept it."""
    document = lock_outgoing(document)
    require_role(actor, document.agency, *DRAFTERS)
    if is_main:
        check_state(
            document.state,
            [OutgoingState.DRAFT, OutgoingState.SUBMITTED],
            "thay tệp chính của",
            "replace the main file of",
        )
        if not data.startswith(b"%PDF-"):
            raise DocumentError(_("The main document must be a PDF."))
    else:
        check_state(
            document.state,
            [
                OutgoingState.DRAFT,
                OutgoingState.SUBMITTED,
                OutgoingState.SIGNED,
                OutgoingState.ISSUED,
            ],
            "đính kèm tệp vào",
            "attach a file to",
        )
    name = safe_file_name(clean_text(name, what=_("The file name"), required=True, limit=255))
    content_type = clean_text(
        content_type or "application/octet-stream", what=_("The content type"), limit=100
    )
    limit = max_attachment_bytes()
    if not data:
        raise DocumentError(_("The file is empty."))
    if len(data) > limit:
        raise DocumentError(
            _("File %(name)s is too large (%(size)d bytes, at most %(limit)d) for the exchange.")
            % {"name": name, "size": len(data), "limit": limit}
        )
    if is_main:
        for old in document.attachments.filter(is_main=True):
            old_name = old.file.name
            old.delete()
            transaction.on_commit(partial(OutgoingAttachment.file.field.storage.delete, old_name))
    size, digest = store_bytes(data)
    attachment = OutgoingAttachment(
        document=document,
        name=name,
        content_type=content_type,
        size=size,
        sha256=digest,
        is_main=is_main,
        description=clean_text(description, what=_("The description"), limit=255),
    )
    attachment.file.save(name, ContentFile(data), save=False)
    attachment.save()
    record_event(
        outgoing=document,
        action=EventAction.ATTACH,
        actor=actor,
        data={"name": name, "sha256": digest, "main": is_main},
    )
    return attachment


@transaction.atomic
def outgoing_remove_attachment(*, attachment: OutgoingAttachment, actor: Actor) -> None:
    """Remove an appendix before sending, or the main file of a draft."""
    document = lock_outgoing(attachment.document_id)
    require_role(actor, document.agency, *DRAFTERS)
    allowed = (
        [OutgoingState.DRAFT, OutgoingState.SUBMITTED]
        if attachment.is_main
        else [
            OutgoingState.DRAFT,
            OutgoingState.SUBMITTED,
            OutgoingState.SIGNED,
            OutgoingState.ISSUED,
        ]
    )
    check_state(document.state, allowed, "gỡ tệp của", "remove a file of")
    name = attachment.name
    attachment.delete()
    transaction.on_commit(lambda: attachment.file.storage.delete(attachment.file.name))
    record_event(outgoing=document, action=EventAction.DETACH, actor=actor, data={"name": name})


def outgoing_sign(
    *, document: OutgoingDocument, actor: Actor, pin: str, reason: str = ""
) -> OutgoingDocument:
    """The leader signs the main PDF (PAdES through :func:`signatures.services.sign_pdf`, with the
    PIN of their token). The signing happens before the row lock (it may take a second, and a
    failed attempt keeps its own audit event); the "sign" row then stores the result only if the
    draft and its main file did not change meanwhile."""
    from signatures.services import SigningError, sign_pdf
    from signatures.token import TokenError

    workflow.OUTGOING.check(document, actor, "sign")
    main = document.attachments.filter(is_main=True).first()
    if main is None:
        raise DocumentError(_("There is no main PDF to sign."), code="no_main_file")
    with main.file.open("rb") as fh:
        original = fh.read()
    try:
        signed = sign_pdf(
            pdf_bytes=original,
            signer_user=actor,
            pin=pin,
            reason=reason or f"Ký ban hành: {document.subject[:80]}",
            location=document.place or document.agency.name,
        )
    except (SigningError, TokenError) as exc:
        raise DocumentError(str(exc), code="signing_failed") from exc
    return cast(
        "OutgoingDocument",
        workflow.OUTGOING.run(
            "sign", obj=document, actor=actor, signed=signed, main_sha256=main.sha256
        ),
    )


def outgoing_issue(
    *,
    document: OutgoingDocument,
    actor: Actor,
    promulgation_date: date | None = None,
    notation: str = "",
) -> OutgoingDocument:
    """The văn thư issues a signed document: allocates the next number of the agency's outgoing
    book for the year (gapless), the notation and the promulgation date."""
    return cast(
        "OutgoingDocument",
        workflow.OUTGOING.run(
            "issue",
            obj=document,
            actor=actor,
            promulgation_date=promulgation_date,
            notation=notation,
        ),
    )


def outgoing_send(*, document: OutgoingDocument, actor: Actor) -> list[OutgoingRecipient]:
    """The văn thư sends an issued document: for each recipient one outbox message (deterministic
    dedupe key), delivered by :func:`documents.tasks.deliver_document` as a signed edXML envelope."""
    return cast("list[OutgoingRecipient]", workflow.OUTGOING.run("send", obj=document, actor=actor))


def outgoing_request_recall(
    *, document: OutgoingDocument, actor: Actor, reason: str, update: bool = False
) -> OutgoingDocument:
    """Ask every recipient that holds the document (reached, not rejected) to recall it
    (SteeringType 2) or to accept an update (3). Each answers 13 (request received), then 15 or 16."""
    if (
        document.state == OutgoingState.SENT
        and workflow.OUTGOING.row_for(document, actor, "recall") is None
    ):
        require_role(actor, document.agency, Role.CLERICAL, Role.LEADER)
        if document.recall_state == RecallState.REQUESTED:
            raise DocumentError(
                _("A recall/update request is already pending."), code="recall_pending"
            )
        raise DocumentError(_("No recipient holds the document yet."), code="no_holder")
    return cast(
        "OutgoingDocument",
        workflow.OUTGOING.run("recall", obj=document, actor=actor, reason=reason, update=update),
    )


@transaction.atomic
def outgoing_redeliver(*, recipient: OutgoingRecipient, actor: Actor | None = None) -> None:
    """Queue the document again for one recipient whose delivery failed (admin action)."""
    document = lock_outgoing(recipient.document_id)
    if actor is not None and not getattr(actor, "is_superuser", False):
        require_role(actor, document.agency, Role.CLERICAL, Role.ADMIN)
    check_state(document.state, [OutgoingState.SENT], "gửi lại", "resend")
    attempt = (
        document.events.filter(action=EventAction.SEND).count()
        + document.events.filter(action=EventAction.DELIVERY_FAILED).count()
    )
    outbox_enqueue(
        DELIVER_DOCUMENT_TASK,
        kwargs={"recipient_id": recipient.pk, "steering": STEERING_NEW},
        dedupe_key=f"{send_key(document, recipient, STEERING_NEW)}:redeliver:{attempt}:{timezone.now().timestamp()}",
    )
    record_event(
        outgoing=document,
        action=EventAction.SEND,
        actor=actor,
        data={"recipients": [recipient.organ_code], "redeliver": True},
    )


# --- submitting for signature (trình ký) ----------------------------------------------------------


def outgoing_submit_for_signature(
    *, document: OutgoingDocument, actor: Actor, comment: str = ""
) -> OutgoingDocument:
    """The drafter puts a complete draft (main PDF and at least one recipient) before the leader:
    the state "submitted" (the leader's list)."""
    return cast(
        "OutgoingDocument",
        workflow.OUTGOING.run("submit", obj=document, actor=actor, comment=comment),
    )


def outgoing_return_draft(
    *, document: OutgoingDocument, actor: Actor, reason: str
) -> OutgoingDocument:
    """The leader sends a submitted draft back to its drafter with the changes he wants."""
    return cast(
        "OutgoingDocument",
        workflow.OUTGOING.run("send_back", obj=document, actor=actor, reason=reason),
    )
