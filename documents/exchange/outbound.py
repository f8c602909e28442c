"""The outbound side: building a document's envelope, sending it (and the status replies) to
the recipient's inbound endpoint or in-process, and reading the answer."""

from __future__ import annotations

import datetime as dt
import json
import urllib.error
import urllib.request

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .. import edxml
from ..constants import (
    TYPE_INFO,
    EventAction,
    StatusCode,
)
from ..models import (
    DocumentEvent,
    OutgoingRecipient,
)
from ..peers import peer_for
from .common import (
    InboundResult,
    TransportError,
    cert_organ_code,
    identity,
    local_agency,
    logger,
    max_sizes,
    organ,
    rejected,
    sender_trust_roots,
    status_description,
    status_envelope,
    unknown_rejection,
)
from .inbound import receive_envelope
from .status import apply_status

# --- outbound ---------------------------------------------------------------------------------


#: Transports registered by the apps above (the national document axis, ``national.document_axis``):
#: each is called with the organ code and answers a ``send(organ_code, data) -> InboundResult``
#: when that organ is routed through it, else None. A store-and-forward transport answers 202:
#: the recipient's statuses come back later as status envelopes.
TRANSPORT_ROUTERS: list = []


def transmit(organ_code: str, data: bytes) -> InboundResult:
    """Deliver ``data`` to the organ: through a registered transport when its route says so,
    in-process when it is an agency of this portal (the same :func:`receive_envelope` as the
    endpoint), else HTTP POST to its peer. Raises :class:`TransportError` for what is worth
    retrying."""
    for router in TRANSPORT_ROUTERS:
        send = router(organ_code)
        if send is not None:
            return send(organ_code, data)
    if local_agency(organ_code) is not None:
        return receive_envelope(data)
    peer = peer_for(organ_code)
    if peer is None:
        return rejected(
            unknown_rejection(
                f"no exchange peer serves {organ_code}",
                f"không có kết nối liên thông tới {organ_code}",
            )
        )
    request = urllib.request.Request(
        peer.endpoint_url,
        data=data,
        method="POST",
        headers={"Content-Type": "application/xml; charset=utf-8"},
    )
    try:
        with urllib.request.urlopen(request, timeout=int(settings.EDXML_HTTP_TIMEOUT)) as response:  # noqa: S310 - admin-configured URL
            return InboundResult(
                response.status, response.read(), response.headers.get_content_type(), ""
            )
    except urllib.error.HTTPError as exc:
        body = exc.read()
        if exc.code >= 500 or exc.code in (404, 408, 429):
            raise TransportError(f"HTTP {exc.code} from {peer.endpoint_url}") from exc
        try:
            payload = json.loads(body)
        except ValueError:
            payload = {
                "status": "02",
                "reason": "malformed",
                "detail": body[:500].decode("utf-8", "replace"),
            }
        return InboundResult(
            exc.code,
            body,
            "application/json",
            payload.get("status", "02"),
            payload.get("reason", ""),
        )
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
        raise TransportError(f"{type(exc).__name__}: {exc}") from exc


def handle_answer(recipient: OutgoingRecipient, result: InboundResult) -> str:
    """Record what the receiver answered a document envelope: a signed status (01/13) is applied
    like any status envelope; a rejection becomes status 02 with its reason. Returns the code
    ("" when a store-and-forward transport took the envelope: its statuses come later)."""
    if result.http_status == 202:
        return ""
    if result.http_status == 200 and result.content_type.endswith("xml"):
        max_attachment, max_envelope = max_sizes()
        try:
            parsed = edxml.parse(
                result.body,
                trust_roots=sender_trust_roots(recipient.organ_code) or [],
                max_attachment_bytes=max_attachment,
                max_envelope_bytes=max_envelope,
            )
        except edxml.EnvelopeRejected as exc:
            raise TransportError(f"the receiver's answer was refused: {exc}") from exc
        message = parsed.message
        if (
            not isinstance(message, edxml.StatusMessage)
            or message.document_id != recipient.document.document_id
        ):
            raise TransportError("the receiver answered with an unexpected envelope")
        if (
            cert_organ_code(parsed.signer_certificate) != recipient.organ_code
            or message.from_organ.organ_id != recipient.organ_code
        ):
            raise TransportError("the receiver's answer is not signed by the recipient organ")
        apply_status(recipient, message)
        return message.code
    try:
        payload = json.loads(result.body or b"{}")
    except ValueError:
        payload = {}
    if payload.get("status") == "02" or result.http_status in (400, 413, 422):
        detail = payload.get("detail") or payload.get("reason") or f"HTTP {result.http_status}"
        status = edxml.StatusMessage(
            document_id=recipient.document.document_id,
            from_organ=edxml.Organ(recipient.organ_code),
            to_organ=edxml.Organ(recipient.document.agency.code),
            code=StatusCode.REJECTED,
            description=str(detail)[:4000],
            timestamp=timezone.now(),
        )
        apply_status(recipient, status)
        return StatusCode.REJECTED
    raise TransportError(f"unexpected answer HTTP {result.http_status}")


def document_envelope(
    recipient: OutgoingRecipient,
    *,
    steering: int = edxml.STEERING_NEW,
    reason: str = "",
    asked_at: str | None = None,
) -> bytes:
    """The signed envelope of ``recipient``'s copy of the document (one To organ per envelope, the
    full list of addressees in ToPlaces). A recall/update request carries the reason as Content
    and the time it was asked as its origin trace, so every retry is the same request."""
    document = recipient.document
    agency = document.agency
    attachments = []
    if steering == edxml.STEERING_NEW:
        for att in document.attachments.all():
            with att.file.open("rb") as fh:
                attachments.append(
                    edxml.Attachment(
                        name=att.name,
                        content_type=att.content_type,
                        data=fh.read(),
                        description=att.description,
                    )
                )
    origin = (
        dt.datetime.fromisoformat(asked_at)
        if asked_at
        else (document.sent_at or document.issued_at or timezone.now())
    )
    response_for = []
    answered = document.in_reply_to if document.in_reply_to_id else None
    if answered is not None and answered.document_id and answered.promulgation_date:
        response_for.append(
            edxml.ResponseFor(
                organ_id=answered.from_organ_code,
                code=answered.code,
                promulgation_date=answered.promulgation_date,
                document_id=answered.document_id,
            )
        )
    message = edxml.DocumentMessage(
        document_id=document.document_id,
        from_organ=organ(agency),
        to_organs=[edxml.Organ(recipient.organ_code, recipient.organ_name)],
        code_number=str(document.number or ""),
        code_notation=document.notation,
        place=document.place or agency.name,
        promulgation_date=document.promulgation_date or timezone.localdate(),
        document_type=document.document_type,
        document_type_name=TYPE_INFO.get(document.document_type, ("", ""))[0],
        subject=document.subject,
        content=reason if steering != edxml.STEERING_NEW else document.content,
        signer=edxml.SignerInfo(
            document.signer_competence, document.signer_position, document.signer_name
        ),
        due_date=document.due_date,
        to_places=list(document.to_places)
        or [r.organ_name or r.organ_code for r in document.recipients.all()],
        priority=document.urgency,
        steering_type=steering,
        response_for=response_for,
        attachments=attachments,
        traces=[edxml.Trace(organ_id=agency.code, timestamp=origin)],
        secrecy=document.secrecy,
    )
    return edxml.build_document(message, identity(agency))


def deliver_document(
    *,
    recipient_id: int,
    steering: int = edxml.STEERING_NEW,
    reason: str = "",
    asked_at: str | None = None,
    attempt: int = 0,
) -> str:
    """Build and deliver one recipient's envelope; record the answer. Idempotent: a document
    already delivered to that recipient is not sent again. Raises :class:`TransportError` to be
    retried."""
    recipient = OutgoingRecipient.objects.select_related(
        "document__agency", "document__in_reply_to"
    ).get(pk=recipient_id)
    if steering == edxml.STEERING_NEW and recipient.statuses.exists():
        return recipient.status_code  # already delivered (an earlier attempt got its answer)
    data = document_envelope(recipient, steering=steering, reason=reason, asked_at=asked_at)
    OutgoingRecipient.objects.filter(pk=recipient.pk).update(attempts=recipient.attempts + 1)
    result = transmit(recipient.organ_code, data)
    code = handle_answer(recipient, result)
    with transaction.atomic():
        DocumentEvent.objects.create(
            outgoing=recipient.document,
            action=EventAction.DELIVERED
            if code != StatusCode.REJECTED
            else EventAction.DELIVERY_FAILED,
            status_code=code,
            data={
                "recipient": recipient.organ_code,
                "steering": steering,
                "http": result.http_status,
            },
        )
    return code


def record_delivery_failure(*, recipient_id: int, error: str, final: bool) -> None:
    """A failed attempt: keep the error on the recipient (admin list); the final one is a history row."""
    OutgoingRecipient.objects.filter(pk=recipient_id).update(last_error=error[:2000])
    if final:
        recipient = OutgoingRecipient.objects.select_related("document").get(pk=recipient_id)
        DocumentEvent.objects.create(
            outgoing=recipient.document,
            action=EventAction.DELIVERY_FAILED,
            comment=error[:4000],
            data={"recipient": recipient.organ_code},
        )


def status_envelope_for(event: DocumentEvent) -> tuple[str, bytes]:
    """(organ to send to, signed status envelope) for a status event of an incoming document."""
    document = event.incoming
    assert document is not None
    actor = event.actor if event.actor_id else None
    staff = actor.get_full_name() if actor is not None else ""
    unit = document.assigned_department if document.assigned_department_id else None
    department = unit.name if unit is not None else ""
    description = status_description(event.status_code)
    if event.comment:
        description = f"{description}: {event.comment}"
    data = status_envelope(
        agency=document.agency,
        document_id=document.document_id,
        to_code=document.from_organ_code,
        code=event.status_code,
        at=event.created_at,
        description=description[:4000],
        staff=staff,
        department=department,
    )
    return document.from_organ_code, data


def deliver_status(*, event_id: int) -> str:
    """Send one status back to the sender; raises :class:`TransportError` to be retried. The sender
    dedupes on (code, timestamp), so a repeated delivery changes nothing."""
    event = DocumentEvent.objects.select_related(
        "incoming__agency", "incoming__assigned_department", "actor"
    ).get(pk=event_id)
    to_code, data = status_envelope_for(event)
    result = transmit(to_code, data)
    if result.http_status != 200:
        detail = result.body[:500].decode("utf-8", "replace")
        logger.warning(
            "edxml.status_refused",
            extra={
                "event_id": event_id,
                "http": result.http_status,
                "reason": result.reason,
                "body": detail,
            },
        )
        record_status_failure(event_id=event_id, error=f"HTTP {result.http_status}: {detail}")
    return result.status_code or str(result.http_status)


def record_status_failure(*, event_id: int, error: str) -> None:
    """A status the sender will not get (refused, or retries exhausted): a history row on the
    incoming document, so the văn thư and the admin see it."""
    event = DocumentEvent.objects.select_related("incoming").get(pk=event_id)
    DocumentEvent.objects.create(
        incoming=event.incoming,
        action=EventAction.DELIVERY_FAILED,
        status_code=event.status_code,
        comment=error[:4000],
        data={"status_event": event_id},
    )
