"""The effects of the documents' workflow rows (:mod:`documents.workflow`), and what the tables lock,
record and send through: the part of each transition that is specific to it (numbering at issue
and registration, the outbox messages of a send or a recall, the signed file), as
:mod:`dossiers.effects` is for the dossiers. The engine (:mod:`portal.workflow`) runs them under
the row lock, then sets the state from the row and appends the history row.

It imports neither the tables nor the services (issue 12: the tables import it downward, the
services run the tables); :mod:`documents.services` keeps the old names as aliases.

Decree 30/2020/NĐ-CP (numbering, signing, issuing, sending); QCVN 102:2016 (the status codes sent
back to the sender, the recall and update SteeringTypes).
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.constants import Role
from portal.accounts.selectors import user_can_act_for
from portal.agencies.models import Agency
from portal.core.outbox import outbox_enqueue
from portal.workflow import Step

from .constants import (
    TYPE_INFO,
    Book,
    EventAction,
    IncomingSource,
    IncomingState,
    RecallState,
    Secrecy,
    StatusCode,
)
from .exceptions import DocumentError
from .models import DocumentEvent, IncomingDocument, OutgoingDocument, OutgoingRecipient
from .numbering import next_number

if TYPE_CHECKING:
    from portal.accounts.typed import Actor


#: Celery task that builds one recipient's envelope and POSTs it (documents.tasks).
DELIVER_DOCUMENT_TASK = "documents.tasks.deliver_document"


#: Celery task that sends one status envelope back to a sender.
DELIVER_STATUS_TASK = "documents.tasks.deliver_status"


MAX_TEXT = 4000


STEERING_NEW, STEERING_RECALL, STEERING_UPDATE = 1, 2, 3


DRAFTERS = (Role.SPECIALIST, Role.CLERICAL, Role.LEADER)


def max_attachment_bytes() -> int:
    return int(getattr(settings, "EDXML_MAX_ATTACHMENT_BYTES", 7 * 1024 * 1024))


def clean_text(value: Any, *, what: str, required: bool = False, limit: int = MAX_TEXT) -> str:
    value = (str(value) if value is not None else "").strip()
    if required and not value:
        raise DocumentError(_("%(what)s is required.") % {"what": what}, code="required")
    if len(value) > limit:
        raise DocumentError(
            _("%(what)s is too long (at most %(limit)d characters).")
            % {"what": what, "limit": limit},
            code="too_long",
        )
    return value


def record_event(
    *,
    outgoing: OutgoingDocument | None = None,
    incoming: IncomingDocument | None = None,
    action: str,
    actor: Actor | None = None,
    status_code: str = "",
    comment: str = "",
    data: dict | None = None,
) -> DocumentEvent:
    return DocumentEvent.objects.create(
        outgoing=outgoing,
        incoming=incoming,
        action=action,
        status_code=status_code,
        actor=actor if getattr(actor, "pk", None) else None,
        comment=comment or "",
        data=data or {},
    )


def lock_outgoing(document: OutgoingDocument | int) -> OutgoingDocument:
    pk = document.pk if isinstance(document, OutgoingDocument) else document
    return (
        OutgoingDocument.objects.select_for_update(of=("self",)).select_related("agency").get(pk=pk)
    )


def lock_incoming(document: IncomingDocument | int) -> IncomingDocument:
    pk = document.pk if isinstance(document, IncomingDocument) else document
    return (
        IncomingDocument.objects.select_for_update(of=("self",)).select_related("agency").get(pk=pk)
    )


def store_bytes(data: bytes) -> tuple[int, str]:
    return len(data), hashlib.sha256(data).hexdigest()


def fx_sign(step: Step, signed: bytes, main_sha256: str) -> None:
    locked, actor = step.obj, step.actor
    current = locked.attachments.select_for_update().filter(is_main=True).first()
    if current is None or current.sha256 != main_sha256:
        raise DocumentError(_("The main file changed meanwhile; sign again."), code="changed")
    old_name = current.file.name
    size, digest = store_bytes(signed)
    current.file.save(current.name, ContentFile(signed), save=False)
    current.size, current.sha256, current.is_signed = size, digest, True
    current.save()
    transaction.on_commit(lambda: current.file.storage.delete(old_name))
    locked.signer = actor
    locked.signed_at = step.now
    locked.signer_name = locked.signer_name or actor.get_full_name()
    locked.signer_position = locked.signer_position or getattr(actor, "position", "")
    step.event.update(data={"sha256": digest})


def default_notation(document: OutgoingDocument) -> str:
    """Ký hiệu after Decree 30/2020/NĐ-CP Phụ lục I, Phần I, mục 3.b: a document with a type name
    ``QĐ-STP`` (type abbreviation – issuing agency's abbreviation); a công văn ``STP-VP`` (the
    issuing agency's abbreviation – the drafting unit's, the unit inside the agency of the
    official who drafted it; the agency's alone when drafted outside a unit). Abbreviations come
    from the agencies (``portal.pdf.layout.agency_abbreviation``: the one-word short name, else
    the initials of the name) — never the agency's code ("000.00.03.H18"), which is no notation."""
    from portal.pdf import layout

    abbr = TYPE_INFO.get(document.document_type, ("", ""))[1]
    if abbr:
        return layout.notation(abbr, document.agency)
    mark = layout.agency_abbreviation(document.agency)
    unit = getattr(document.created_by, "department", None)
    if unit is not None and unit.pk != document.agency_id and unit.is_within(document.agency):
        mark = f"{mark}-{layout.unit_abbreviation(unit)}"
    return mark


def fx_issue(step: Step, promulgation_date: date | None = None, notation: str = "") -> None:
    document = step.obj
    day = promulgation_date or timezone.localdate()
    if not isinstance(day, date):
        raise DocumentError(_("Invalid promulgation date."))
    document.promulgation_date = day
    document.year = day.year
    document.notation = clean_text(notation, what=_("The notation"), limit=60) or default_notation(
        document
    )
    document.number = next_number(agency=document.agency, year=day.year, book=Book.OUTGOING)
    document.issued_by = step.actor
    document.issued_at = step.now
    document.place = document.place or document.agency.name
    step.event.update(data={"number": document.number, "notation": document.notation})


def send_key(
    document: OutgoingDocument, recipient: OutgoingRecipient, steering: int, round_: int = 0
) -> str:
    return f"edxml:doc:{document.document_id}:{recipient.organ_code}:{steering}:{round_}"


def check_sendable(document: OutgoingDocument) -> None:
    if document.secrecy and document.secrecy != Secrecy.NONE:
        raise DocumentError(_("Secret documents are not exchanged electronically."))
    limit = max_attachment_bytes()
    for attachment in document.attachments.all():
        if attachment.size > limit:
            raise DocumentError(
                _("File %(name)s is too large (%(size)d bytes, at most %(limit)d).")
                % {"name": attachment.name, "size": attachment.size, "limit": limit}
            )


def fx_send(step: Step, comment: str = "") -> None:
    document = step.obj
    check_sendable(document)
    recipients = list(document.recipients.all())
    if not recipients:
        raise DocumentError(_("The document has no recipients."), code="no_recipients")
    if not document.attachments.filter(is_main=True).exists():
        raise DocumentError(_("The document has no main file."), code="no_main_file")
    for recipient in recipients:
        outbox_enqueue(
            DELIVER_DOCUMENT_TASK,
            kwargs={"recipient_id": recipient.pk, "steering": STEERING_NEW},
            dedupe_key=send_key(document, recipient, STEERING_NEW),
        )
    document.sent_at = step.now
    step.result = recipients
    step.event.update(data={"recipients": [r.organ_code for r in recipients]})


def fx_recall(step: Step, reason: str, update: bool = False) -> None:
    document = step.obj
    reason = clean_text(reason, what=_("The reason"), required=True)
    steering = STEERING_UPDATE if update else STEERING_RECALL
    round_ = document.events.filter(action=EventAction.RECALL).count() + 1
    recipients = [
        r for r in document.recipients.all() if r.status_code not in ("", StatusCode.REJECTED)
    ]
    asked_at = step.now.isoformat()
    for recipient in recipients:
        outbox_enqueue(
            DELIVER_DOCUMENT_TASK,
            kwargs={
                "recipient_id": recipient.pk,
                "steering": steering,
                "reason": reason,
                "asked_at": asked_at,
            },
            dedupe_key=send_key(document, recipient, steering, round_),
        )
    document.recall_state = RecallState.REQUESTED
    document.recall_reason = reason
    step.event.update(comment=reason, data={"steering": steering, "round": round_})


def status_out(document: IncomingDocument, event: DocumentEvent) -> None:
    """Queue the status of ``event`` back to the sender (exchange documents only)."""
    if (
        document.source != IncomingSource.EXCHANGE
        or not document.from_organ_code
        or not event.status_code
    ):
        return
    outbox_enqueue(
        DELIVER_STATUS_TASK, kwargs={"event_id": event.pk}, dedupe_key=f"edxml:status:{event.pk}"
    )


def fx_register(step: Step) -> None:
    document = step.obj
    document.book_year = timezone.localdate().year
    document.book_number = next_number(
        agency=document.agency, year=document.book_year, book=Book.INCOMING
    )
    document.registered_at = step.now
    document.registered_by = step.actor
    step.event.update(
        comment=f"Số đến {document.book_number}", data={"book_number": document.book_number}
    )


def fx_assign(
    step: Step, department: Agency | None = None, assignee: Any = None, note: str = ""
) -> None:
    document = step.obj
    if department is None and assignee is None:
        raise DocumentError(_("Choose a department or a person."), code="required")
    if department is not None and not department.is_within(document.agency):
        raise DocumentError(_("The department is not part of the agency."))
    if assignee is not None and (
        not getattr(assignee, "is_staff_member", False)
        or assignee.agency_id is None
        or not Agency.objects.get(pk=assignee.agency_id).is_within(document.agency)
    ):
        raise DocumentError(_("The assignee does not belong to the agency."))
    document.assigned_department = department
    document.assigned_to = assignee
    document.assigned_by = step.actor
    document.assignment_note = clean_text(note, what=_("The assignment note"))
    who = ", ".join(
        x
        for x in [
            department.name if department else "",
            assignee.get_full_name() if assignee else "",
        ]
        if x
    )
    step.event.update(
        comment=f"Giao {who}",
        data={
            "department": getattr(department, "pk", None),
            "assignee": getattr(assignee, "pk", None),
        },
    )


def may_process(actor: Actor, document: IncomingDocument) -> bool:
    """The assignee, a leader of the agency, or a specialist of the assigned department."""
    if document.assigned_to_id is not None and document.assigned_to_id == getattr(
        actor, "pk", None
    ):
        return True
    return user_can_act_for(actor, document.agency, Role.LEADER, agency_wide=True) or (
        document.assigned_department is not None
        and user_can_act_for(actor, document.assigned_department, Role.SPECIALIST)
    )


def fx_complete(step: Step, comment: str = "") -> None:
    step.obj.done_at = step.now
    step.event.update(comment=clean_text(comment, what=_("The note")))


def fx_reject(step: Step, reason: str) -> None:
    reason = clean_text(reason, what=_("The reason"), required=True)
    step.obj.rejection_reason = reason
    step.event.update(comment=reason)


def fx_recall_accept(step: Step, comment: str = "") -> None:
    document = step.obj
    document.recall_state = RecallState.ACCEPTED
    if document.recall_steering == STEERING_RECALL:
        document.state_before_recall = document.state
        document.state = IncomingState.RECALLED
    step.event.update(comment=clean_text(comment, what=_("The reason")))


def fx_recall_refuse(step: Step, reason: str) -> None:
    step.obj.recall_state = RecallState.REFUSED
    step.event.update(comment=clean_text(reason, what=_("The reason"), required=True))


def fx_submit(step: Step, comment: str = "") -> None:
    document = step.obj
    if not document.attachments.filter(is_main=True).exists():
        raise DocumentError(_("The draft has no main PDF."), code="no_main_file")
    if not document.recipients.exists():
        raise DocumentError(_("The draft has no recipients."), code="no_recipients")
    step.event.update(comment=(comment or "Trình ký")[:1000])


def fx_send_back(step: Step, reason: str) -> None:
    reason = (reason or "").strip()
    if not reason:
        raise DocumentError(_("Say why the draft is sent back."), code="required")
    step.event.update(comment=reason[:1000])
