"""Every write to an outgoing or incoming document. One service per action, keyword-only, one
transaction: lock the row, check the state and the actor's role in the agency, change, append the
:class:`~documents.models.DocumentEvent` history row, and put every message that leaves the portal
(an edXML envelope to a recipient, a status back to a sender) in the transactional outbox — all
committed together or not at all.

Rules implemented: Decree 30/2020/NĐ-CP (numbering per agency and year without gaps, the văn thư
issues and registers, the leader signs and assigns), QCVN 102:2016 (edXML exchange and its status
codes 01–06, 13, 15, 16), and the rule that secret documents (độ mật) never travel over the exchange.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.constants import Role
from portal.accounts.selectors import user_can_act_for
from portal.agencies.models import Agency
from portal.core.outbox import outbox_enqueue

from . import workflow
from .constants import (
    TYPE_INFO,
    Book,
    DocumentType,
    EventAction,
    IncomingSource,
    IncomingState,
    OutgoingState,
    RecallState,
    Secrecy,
    Urgency,
)
from .effects import (  # the rows' effects and what the tables use, under their old names too
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
from .exceptions import DocumentError, PermissionDenied
from .models import (
    DocumentEvent,
    IncomingAttachment,
    IncomingDocument,
    OutgoingAttachment,
    OutgoingDocument,
    OutgoingRecipient,
)
from .numbering import next_number

EDITABLE_FIELDS = (
    "document_type",
    "subject",
    "content",
    "place",
    "signer_competence",
    "signer_position",
    "signer_name",
    "urgency",
    "secrecy",
    "due_date",
    "to_places",
    "in_reply_to",
)


@dataclass(frozen=True)
class RecipientSpec:
    """An addressee: the organ code of an agency of this portal or of an external organ."""

    organ_code: str
    organ_name: str = ""


# --- helpers ----------------------------------------------------------------------------------


def _require(actor: Any, agency: Agency, *roles: str) -> None:
    if not user_can_act_for(actor, agency, *roles, agency_wide=True):
        raise PermissionDenied()


def _check_state(current: str, allowed: Iterable[str], label_vi: str, label_en: str) -> None:
    """For the edits that are not workflow rows (changing a draft, its files and recipients)."""
    if current not in allowed:
        raise DocumentError(
            _("This cannot be done to the document in its current state (%(state)s).")
            % {"state": current},
            code="transition_not_allowed",
        )


def _choice(value: Any, choices: type, what: str) -> int:
    try:
        value = int(value)
    except (TypeError, ValueError):
        value = None
    if value not in choices.values:
        raise DocumentError(_("Invalid %(what)s.") % {"what": what})
    return value


def _clean_fields(changes: dict[str, Any], agency: Agency) -> dict[str, Any]:
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise DocumentError(
            _("Fields that cannot be edited: %(fields)s.") % {"fields": ", ".join(sorted(unknown))}
        )
    out: dict[str, Any] = {}
    for name, value in changes.items():
        if name == "subject":
            out[name] = _text(value, what=_("The subject"), required=True, limit=1000)
        elif name == "content":
            out[name] = _text(value, what=_("The content"), limit=100_000)
        elif name in ("place", "signer_competence", "signer_position"):
            out[name] = _text(value, what=_("The signing/promulgation field"), limit=120)
        elif name == "signer_name":
            out[name] = _text(value, what=_("The signer's name"), limit=150)
        elif name == "document_type":
            out[name] = _choice(value, DocumentType, _("document type"))
        elif name == "urgency":
            out[name] = _choice(value, Urgency, _("urgency"))
        elif name == "secrecy":
            out[name] = _choice(value, Secrecy, _("secrecy level"))
        elif name == "due_date":
            if value is not None and not isinstance(value, date):
                raise DocumentError(_("Invalid reply due date."))
            out[name] = value
        elif name == "to_places":
            places = [_text(p, what=_("A recipient line"), limit=255) for p in (value or [])]
            out[name] = [p for p in places if p]
        elif name == "in_reply_to":
            if value is not None and (
                not isinstance(value, IncomingDocument) or value.agency_id != agency.pk
            ):
                raise DocumentError(
                    _("The document answered must be one of the agency's incoming documents.")
                )
            out[name] = value
    return out


def _resolve_recipient(spec: RecipientSpec | str) -> tuple[Agency | None, str, str]:
    from .peers import peer_for

    if isinstance(spec, str):
        spec = RecipientSpec(organ_code=spec)
    code = (spec.organ_code or "").strip()
    if not code or len(code) > 40:
        raise DocumentError(_("Invalid recipient organ code."))
    agency = Agency.objects.filter(code=code, is_active=True).first()
    if agency is not None:
        return agency, code, spec.organ_name or agency.name
    if peer_for(code) is None:
        raise DocumentError(
            _("No exchange route to organ %(code)s (not among the exchange peers).")
            % {"code": code},
            code="no_route",
        )
    return None, code, spec.organ_name


def safe_file_name(name: str, default: str = "tep-dinh-kem") -> str:
    """A name safe to store and to show: no folders, no leading dots, at most 120 characters
    (the extension kept). The original name of a received file comes from another system."""
    base = (
        (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip().lstrip(".").replace("\x00", "")
    )
    if not base:
        return default
    if len(base) > 120:
        stem, dot, ext = base.rpartition(".")
        base = (stem[: 119 - len(ext)] + dot + ext) if dot and len(ext) <= 10 else base[:120]
    return base


# --- outgoing documents (văn bản đi) ----------------------------------------------------------


@transaction.atomic
def outgoing_create_draft(
    *,
    agency: Agency,
    actor: Any,
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
    _require(actor, agency, *DRAFTERS)
    fields = _clean_fields(
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
    _set_recipients(document, recipients)
    _event(outgoing=document, action=EventAction.CREATE, actor=actor)
    return document


@transaction.atomic
def outgoing_update_draft(
    *, document: OutgoingDocument, actor: Any, **changes: Any
) -> OutgoingDocument:
    """Edit a draft's fields (names in :data:`EDITABLE_FIELDS`); only while it is a draft."""
    document = _lock_outgoing(document)
    _require(actor, document.agency, *DRAFTERS)
    _check_state(document.state, [OutgoingState.DRAFT, OutgoingState.SUBMITTED], "sửa", "edit")
    fields = _clean_fields(changes, document.agency)
    for name, value in fields.items():
        setattr(document, name, value)
    document.save()
    _event(outgoing=document, action=EventAction.EDIT, actor=actor, data={"fields": sorted(fields)})
    return document


def _set_recipients(
    document: OutgoingDocument, recipients: Iterable[RecipientSpec | str]
) -> list[OutgoingRecipient]:
    rows: dict[str, OutgoingRecipient] = {}
    for spec in recipients:
        agency, code, name = _resolve_recipient(spec)
        if agency is not None and agency.pk == document.agency_id:
            raise DocumentError(_("A document is not sent to its own issuing agency."))
        rows[code] = OutgoingRecipient(
            document=document, agency=agency, organ_code=code, organ_name=name[:255]
        )
    document.recipients.all().delete()
    return OutgoingRecipient.objects.bulk_create(list(rows.values()))


@transaction.atomic
def outgoing_set_recipients(
    *, document: OutgoingDocument, actor: Any, recipients: Iterable[RecipientSpec | str]
) -> list[OutgoingRecipient]:
    """Replace the recipients of a document not yet sent."""
    document = _lock_outgoing(document)
    _require(actor, document.agency, *DRAFTERS)
    _check_state(
        document.state,
        [OutgoingState.DRAFT, OutgoingState.SUBMITTED, OutgoingState.SIGNED, OutgoingState.ISSUED],
        "đổi nơi nhận của",
        "change the recipients of",
    )
    rows = _set_recipients(document, recipients)
    _event(
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
    actor: Any,
    data: bytes,
    name: str,
    content_type: str = "application/pdf",
    is_main: bool = False,
    description: str = "",
) -> OutgoingAttachment:
    """Attach a file: the main document (a PDF, to be signed; only on a draft, replaces the
    previous main file) or an appendix (until the document is sent). Size is limited by
    ``EDXML_MAX_ATTACHMENT_BYTES`` so that every recipient can accept it."""
    document = _lock_outgoing(document)
    _require(actor, document.agency, *DRAFTERS)
    if is_main:
        _check_state(
            document.state,
            [OutgoingState.DRAFT, OutgoingState.SUBMITTED],
            "thay tệp chính của",
            "replace the main file of",
        )
        if not data.startswith(b"%PDF-"):
            raise DocumentError(_("The main document must be a PDF."))
    else:
        _check_state(
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
    name = safe_file_name(_text(name, what=_("The file name"), required=True, limit=255))
    content_type = _text(
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
            transaction.on_commit(
                lambda name=old_name: OutgoingAttachment.file.field.storage.delete(name)
            )
    size, digest = _store_bytes(data)
    attachment = OutgoingAttachment(
        document=document,
        name=name,
        content_type=content_type,
        size=size,
        sha256=digest,
        is_main=is_main,
        description=_text(description, what=_("The description"), limit=255),
    )
    attachment.file.save(name, ContentFile(data), save=False)
    attachment.save()
    _event(
        outgoing=document,
        action=EventAction.ATTACH,
        actor=actor,
        data={"name": name, "sha256": digest, "main": is_main},
    )
    return attachment


@transaction.atomic
def outgoing_remove_attachment(*, attachment: OutgoingAttachment, actor: Any) -> None:
    """Remove an appendix before sending, or the main file of a draft."""
    document = _lock_outgoing(attachment.document_id)
    _require(actor, document.agency, *DRAFTERS)
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
    _check_state(document.state, allowed, "gỡ tệp của", "remove a file of")
    name = attachment.name
    attachment.delete()
    transaction.on_commit(lambda: attachment.file.storage.delete(attachment.file.name))
    _event(outgoing=document, action=EventAction.DETACH, actor=actor, data={"name": name})


def outgoing_sign(
    *, document: OutgoingDocument, actor: Any, pin: str, reason: str = ""
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
    return workflow.OUTGOING.run(
        "sign", obj=document, actor=actor, signed=signed, main_sha256=main.sha256
    )


def outgoing_issue(
    *,
    document: OutgoingDocument,
    actor: Any,
    promulgation_date: date | None = None,
    notation: str = "",
) -> OutgoingDocument:
    """The văn thư issues a signed document: allocates the next number of the agency's outgoing
    book for the year (gapless), the notation and the promulgation date."""
    return workflow.OUTGOING.run(
        "issue", obj=document, actor=actor, promulgation_date=promulgation_date, notation=notation
    )


def outgoing_send(*, document: OutgoingDocument, actor: Any) -> list[OutgoingRecipient]:
    """The văn thư sends an issued document: for each recipient one outbox message (deterministic
    dedupe key), delivered by :func:`documents.tasks.deliver_document` as a signed edXML envelope."""
    return workflow.OUTGOING.run("send", obj=document, actor=actor)


def outgoing_request_recall(
    *, document: OutgoingDocument, actor: Any, reason: str, update: bool = False
) -> OutgoingDocument:
    """Ask every recipient that holds the document (reached, not rejected) to recall it
    (SteeringType 2) or to accept an update (3). Each answers 13 (request received), then 15 or 16."""
    if (
        document.state == OutgoingState.SENT
        and workflow.OUTGOING.row_for(document, actor, "recall") is None
    ):
        _require(actor, document.agency, Role.CLERICAL, Role.LEADER)
        if document.recall_state == RecallState.REQUESTED:
            raise DocumentError(
                _("A recall/update request is already pending."), code="recall_pending"
            )
        raise DocumentError(_("No recipient holds the document yet."), code="no_holder")
    return workflow.OUTGOING.run("recall", obj=document, actor=actor, reason=reason, update=update)


@transaction.atomic
def outgoing_redeliver(*, recipient: OutgoingRecipient, actor: Any = None) -> None:
    """Queue the document again for one recipient whose delivery failed (admin action)."""
    document = _lock_outgoing(recipient.document_id)
    if actor is not None and not getattr(actor, "is_superuser", False):
        _require(actor, document.agency, Role.CLERICAL, Role.ADMIN)
    _check_state(document.state, [OutgoingState.SENT], "gửi lại", "resend")
    attempt = (
        document.events.filter(action=EventAction.SEND).count()
        + document.events.filter(action=EventAction.DELIVERY_FAILED).count()
    )
    outbox_enqueue(
        DELIVER_DOCUMENT_TASK,
        kwargs={"recipient_id": recipient.pk, "steering": STEERING_NEW},
        dedupe_key=f"{_send_key(document, recipient, STEERING_NEW)}:redeliver:{attempt}:{timezone.now().timestamp()}",
    )
    _event(
        outgoing=document,
        action=EventAction.SEND,
        actor=actor,
        data={"recipients": [recipient.organ_code], "redeliver": True},
    )


# --- incoming documents (văn bản đến) ---------------------------------------------------------


def _incoming_event(
    document: IncomingDocument,
    *,
    action: str,
    code: str,
    actor: Any,
    comment: str = "",
    data: dict | None = None,
    notify: bool = True,
) -> DocumentEvent:
    event = _event(
        incoming=document, action=action, status_code=code, actor=actor, comment=comment, data=data
    )
    if notify:
        _status_out(document, event)
    return event


@transaction.atomic
def incoming_register_manual(
    *,
    agency: Agency,
    actor: Any,
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
    _require(actor, agency, Role.CLERICAL)
    files = list(files)
    limit = max_attachment_bytes()
    for name, _content_type, data in files:
        if len(data) > limit:
            raise DocumentError(
                _("File %(name)s is too large (at most %(limit)d bytes).")
                % {"name": name, "limit": limit}
            )
    now = timezone.now()
    document = IncomingDocument.objects.create(
        agency=agency,
        source=IncomingSource.MANUAL,
        state=IncomingState.REGISTERED,
        from_organ_name=_text(
            from_organ_name, what=_("The sending organ"), required=True, limit=255
        ),
        from_organ_code=_text(from_organ_code, what=_("The sending organ code"), limit=40),
        subject=_text(subject, what=_("The subject"), required=True, limit=1000),
        code_number=_text(code_number, what=_("The number"), limit=20),
        code_notation=_text(code_notation, what=_("The notation"), limit=60),
        promulgation_date=promulgation_date,
        document_type=_choice(document_type, DocumentType, _("document type")),
        document_type_name=TYPE_INFO.get(int(document_type), ("", ""))[0],
        urgency=_choice(urgency, Urgency, _("urgency")),
        due_date=due_date,
        content=_text(content, what=_("The content"), limit=100_000),
        received_at=now,
        registered_at=now,
        registered_by=actor,
        created_by=actor,
        book_year=timezone.localdate().year,
    )
    document.book_number = next_number(agency=agency, year=document.book_year, book=Book.INCOMING)
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
    size, digest = _store_bytes(data)
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


def incoming_register(*, document: IncomingDocument, actor: Any) -> IncomingDocument:
    """The văn thư enters a received document in the incoming book (next book number of the
    year, gapless) — status 03 to the sender."""
    return workflow.INCOMING.run("register", obj=document, actor=actor)


def incoming_assign(
    *,
    document: IncomingDocument,
    actor: Any,
    department: Agency | None = None,
    assignee: Any = None,
    note: str = "",
) -> IncomingDocument:
    """The leader assigns a registered document to a department and/or a person — status 04."""
    return workflow.INCOMING.run(
        "assign", obj=document, actor=actor, department=department, assignee=assignee, note=note
    )


_may_process = may_process


def incoming_start(*, document: IncomingDocument, actor: Any) -> IncomingDocument:
    """The assignee (or a leader) starts processing — status 05."""
    return workflow.INCOMING.run("start", obj=document, actor=actor)


def incoming_complete(
    *, document: IncomingDocument, actor: Any, note: str = ""
) -> IncomingDocument:
    """The assignee (or a leader) finishes — status 06."""
    return workflow.INCOMING.run("complete", obj=document, actor=actor, comment=note)


def incoming_reject(*, document: IncomingDocument, actor: Any, reason: str) -> IncomingDocument:
    """The văn thư or a leader refuses a received document (wrong addressee, …) — status 02."""
    return workflow.INCOMING.run("reject", obj=document, actor=actor, reason=reason)


def incoming_answer_recall(
    *, document: IncomingDocument, actor: Any, accept: bool, reason: str = ""
) -> IncomingDocument:
    """Answer the sender's recall/update request: 15 accepted (a recalled document leaves the
    books' active work: state ``recalled``), or 16 refused (with the reason)."""
    if document.recall_state != RecallState.REQUESTED:
        _require(actor, document.agency, Role.CLERICAL, Role.LEADER)
        raise DocumentError(_("There is no pending recall/update request."), code="no_recall")
    if accept:
        return workflow.INCOMING.run("recall_accept", obj=document, actor=actor, comment=reason)
    return workflow.INCOMING.run("recall_refuse", obj=document, actor=actor, reason=reason)


# --- submitting for signature (trình ký) ----------------------------------------------------------


def outgoing_submit_for_signature(
    *, document: OutgoingDocument, actor: Any, comment: str = ""
) -> OutgoingDocument:
    """The drafter puts a complete draft (main PDF and at least one recipient) before the leader:
    the state "submitted" (the leader's list)."""
    return workflow.OUTGOING.run("submit", obj=document, actor=actor, comment=comment)


def outgoing_return_draft(
    *, document: OutgoingDocument, actor: Any, reason: str
) -> OutgoingDocument:
    """The leader sends a submitted draft back to its drafter with the changes he wants."""
    return workflow.OUTGOING.run("send_back", obj=document, actor=actor, reason=reason)


# The old private names (before documents/effects.py, issue 12), for callers and tests.
_text = clean_text
_event = record_event
_lock_outgoing = lock_outgoing
_lock_incoming = lock_incoming
_store_bytes = store_bytes
_send_key = send_key
_check_sendable = check_sendable
_status_out = status_out

__all__ = [
    "DELIVER_DOCUMENT_TASK",
    "DELIVER_STATUS_TASK",
    "DRAFTERS",
    "MAX_TEXT",
    "STEERING_NEW",
    "STEERING_RECALL",
    "STEERING_UPDATE",
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
    "lock_incoming",
    "lock_outgoing",
    "max_attachment_bytes",
    "may_process",
    "record_event",
    "status_out",
]
