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
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass

from cryptography import x509
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import pgettext_lazy
from lxml import etree

from portal.agencies.models import Agency

from . import edxml
from .constants import (
    TYPE_INFO,
    DocumentType,
    EventAction,
    IncomingSource,
    IncomingState,
    RecallState,
    StatusCode,
)
from .models import (
    DocumentEvent,
    InboundReceipt,
    IncomingDocument,
    OutgoingDocument,
    OutgoingRecipient,
    RecipientStatus,
)
from .peers import peer_for, peers

logger = logging.getLogger(__name__)

#: The status descriptions sent to the sender with each code (QCVN 102:2016 status message). The
#: peers are Vietnamese systems and their staff read the text: it is sent in Vietnamese whatever the
#: language of the request that caused it (:func:`status_description`).
STATUS_DESCRIPTIONS = {
    "01": pgettext_lazy("edXML status", "Reached"),
    "02": pgettext_lazy("edXML status", "Rejected"),
    "03": pgettext_lazy("edXML status", "Accepted and registered"),
    "04": pgettext_lazy("edXML status", "Assigned"),
    "05": pgettext_lazy("edXML status", "In progress"),
    "06": pgettext_lazy("edXML status", "Done"),
    "13": pgettext_lazy("edXML status", "Recall/update request received"),
    "15": pgettext_lazy("edXML status", "Recall/update accepted"),
    "16": pgettext_lazy("edXML status", "Recall/update refused"),
}
#: The language of what peers read (status descriptions, rejection details): Vietnamese.
PEER_LANGUAGE = "vi"


def status_description(code: str) -> str:
    """The Vietnamese description of status ``code`` for a peer (the code itself if unknown)."""
    with translation.override(PEER_LANGUAGE):
        return str(STATUS_DESCRIPTIONS.get(code, code))


REJECT_HTTP = {"malformed": 400, "duplicate_document_id": 409}


class TransportError(Exception):
    """A transient failure talking to a peer (connection refused, timeout, 5xx): retry later."""


# --- peers (documents.peers) and organs ------------------------------------------------------


def local_agency(organ_code: str) -> Agency | None:
    """The active agency of this portal with that organ code (the portal's own organ list)."""
    return Agency.objects.filter(code=organ_code, is_active=True).first()


def trust_roots() -> list[x509.Certificate]:
    """This portal's roots plus every enabled peer's."""
    from signatures.agency_keys import trust_roots as own_roots

    roots = list(own_roots())
    for peer in peers():
        roots.extend(peer.trust_roots)
    return roots


def organ(agency: Agency) -> edxml.Organ:
    return edxml.Organ(
        organ_id=agency.code,
        name=agency.name,
        address=agency.address,
        email=agency.email,
        phone=agency.phone,
    )


def identity(agency: Agency) -> edxml.SigningIdentity:
    from signatures.agency_keys import agency_identity

    return agency_identity(agency)


def _cert_organ_code(cert: x509.Certificate | None) -> str:
    if cert is None:
        return ""
    values = cert.subject.get_attributes_for_oid(NameOID.USER_ID)
    return str(values[0].value) if values else ""


def _max_sizes() -> tuple[int, int]:
    return int(settings.EDXML_MAX_ATTACHMENT_BYTES), int(settings.EDXML_MAX_ENVELOPE_BYTES)


# --- inbound ----------------------------------------------------------------------------------


@dataclass
class InboundResult:
    """What the inbound endpoint answers (also returned in-process to a local sender)."""

    http_status: int
    body: bytes
    content_type: str
    status_code: str  # "01", "13", "02", or "" for an acknowledged status envelope
    reason: str = ""
    duplicate: bool = False


def _json(http_status: int, payload: dict) -> InboundResult:
    return InboundResult(
        http_status,
        json.dumps(payload, ensure_ascii=False).encode(),
        "application/json",
        payload.get("status", ""),
        payload.get("reason", ""),
    )


def rejected(exc: edxml.EnvelopeRejected, document_id: str = "") -> InboundResult:
    """Status 02 for a refused envelope: ``reason`` is the stable code, ``detail`` the Vietnamese text
    the sender's staff read (:data:`PEER_LANGUAGE`); the English one goes to the log."""
    logger.info(
        "edxml.rejected",
        extra={"reason": exc.reason, "document_id": document_id, "detail": exc.message_en},
    )
    return _json(
        REJECT_HTTP.get(exc.reason, 422),
        {
            "status": "02",
            "reason": exc.reason,
            "detail": exc.message_vi,
            "document_id": document_id,
        },
    )


def _unknown(detail: str, detail_vi: str) -> edxml.EnvelopeRejected:
    return edxml.EnvelopeRejected("unknown_organ", detail, detail_vi=detail_vi)


def _peek_sender(data: bytes) -> str:
    """The From/OrganId of an envelope, read as a stream that stops there (before the body and
    its attachments): it chooses the trust roots the signature must lead to. Unverified — the
    full parse checks that the signed envelope says the same."""
    try:
        for _, node in etree.iterparse(
            io.BytesIO(data),
            events=("end",),
            tag="{*}OrganId",
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=False,
        ):
            parent = node.getparent()
            if parent is not None and etree.QName(parent).localname == "From":
                return (node.text or "").strip()
    except etree.LxmlError:
        return ""
    return ""


def sender_trust_roots(organ_code: str) -> list[x509.Certificate] | None:
    """Roots an envelope from ``organ_code`` must be signed under: ours for our own agencies, the
    serving peer's for theirs (so one peer cannot speak for another's organs); None if unknown."""
    from signatures.agency_keys import trust_roots as own_roots

    if local_agency(organ_code) is not None:
        return list(own_roots())
    peer = peer_for(organ_code)
    return None if peer is None else list(peer.trust_roots)


def receive_envelope(data: bytes) -> InboundResult:
    """Receive one envelope (the inbound endpoint and local deliveries both call this)."""
    max_attachment, max_envelope = _max_sizes()
    if len(data) > max_envelope:
        return rejected(
            edxml.EnvelopeRejected(
                "too_large",
                f"the envelope has {len(data)} bytes, the limit is {max_envelope}",
                detail_vi=f"phong bì có {len(data)} byte, giới hạn {max_envelope} byte",
            )
        )
    sender = _peek_sender(data)
    roots = sender_trust_roots(sender) if sender else trust_roots()
    if roots is None:
        return rejected(
            _unknown(
                f"sender {sender} is not a known organ",
                f"cơ quan gửi {sender} không có trong danh mục",
            )
        )
    try:
        parsed = edxml.parse(
            data,
            trust_roots=roots,
            max_attachment_bytes=max_attachment,
            max_envelope_bytes=max_envelope,
        )
    except edxml.EnvelopeRejected as exc:
        return rejected(exc)
    message = parsed.message
    try:
        if message.from_organ.organ_id != sender:
            raise edxml.EnvelopeRejected(
                "malformed", "the sender could not be read", detail_vi="không đọc được cơ quan gửi"
            )
        _check_sender(message.from_organ.organ_id, parsed.signer_certificate)
        _check_revocation(parsed.signer_chain)
        if isinstance(message, edxml.StatusMessage):
            return _receive_status(message)
        return _receive_document(message, parsed, data)
    except edxml.EnvelopeRejected as exc:
        return rejected(exc, message.document_id)


def _check_sender(organ_code: str, cert: x509.Certificate | None) -> None:
    """The From organ must be ours or a peer's, and the signing certificate must be that organ's
    (its UID carries the organ code), so one peer cannot speak for another's organs."""
    if local_agency(organ_code) is None and peer_for(organ_code) is None:
        raise _unknown(
            f"sender {organ_code} is not a known organ",
            f"cơ quan gửi {organ_code} không có trong danh mục",
        )
    signer_code = _cert_organ_code(cert)
    if signer_code != organ_code:
        raise edxml.EnvelopeRejected(
            "untrusted_signer",
            f"the envelope is signed by {signer_code or 'an unknown organ'}, not by the sender {organ_code}",
            detail_vi=f"phong bì do {signer_code or 'cơ quan không xác định'} ký, không phải cơ quan gửi {organ_code}",
        )


def _check_revocation(chain: tuple[x509.Certificate, ...]) -> None:
    """A revoked signer is refused; an unknown status per ``EDXML_REVOCATION_CHECK`` (see
    :mod:`signatures.revocation`)."""
    from signatures import revocation

    mode = revocation.check_mode()
    if mode == "off" or not chain:
        return
    status = revocation.certificate_status(chain)
    if status.state == "revoked":
        when = f" ({status.revoked_at:%Y-%m-%d %H:%M} UTC)" if status.revoked_at else ""
        raise edxml.EnvelopeRejected(
            "revoked",
            f"serial {chain[0].serial_number:x}{when}",
            detail_vi=f"số hiệu {chain[0].serial_number:x}{when}",
        )
    if status.state == "unknown":
        if mode == "require":
            raise edxml.EnvelopeRejected("revocation_unknown", status.detail)
        logger.warning(
            "edxml.revocation_unknown",
            extra={"serial": f"{chain[0].serial_number:x}", "detail": status.detail},
        )


def _status_envelope(
    *,
    agency: Agency,
    document_id: str,
    to_code: str,
    code: str,
    at: dt.datetime,
    description: str = "",
    staff: str = "",
    department: str = "",
) -> bytes:
    message = edxml.StatusMessage(
        document_id=document_id,
        from_organ=organ(agency),
        to_organ=edxml.Organ(organ_id=to_code),
        code=code,
        description=description or status_description(code),
        timestamp=at,
        staff_name=staff,
        department=department,
    )
    return edxml.build_status(message, identity(agency))


def _answer(receipt: InboundReceipt, agency: Agency, duplicate: bool) -> InboundResult:
    r = receipt.response
    body = _status_envelope(
        agency=agency,
        document_id=receipt.document_id,
        to_code=receipt.from_organ_code,
        code=r["code"],
        at=dt.datetime.fromisoformat(r["at"]),
        description=r.get("description", ""),
    )
    return InboundResult(200, body, "application/xml", r["code"], duplicate=duplicate)


def _receive_document(
    message: edxml.DocumentMessage, parsed: edxml.Parsed, data: bytes
) -> InboundResult:
    targets = [a for a in (local_agency(o.organ_id) for o in message.to_organs) if a is not None]
    if not targets:
        codes = ", ".join(o.organ_id for o in message.to_organs)
        raise _unknown(
            f"no recipient organ ({codes}) belongs to this portal",
            f"không cơ quan nhận nào ({codes}) thuộc cổng này",
        )
    result: InboundResult | None = None
    for agency in targets:
        if message.steering_type == edxml.STEERING_NEW:
            result = _store_document(agency, message, parsed, data)
        else:
            result = _store_recall(agency, message)
    assert result is not None
    return result


def _store_document(
    agency: Agency, message: edxml.DocumentMessage, parsed: edxml.Parsed, data: bytes
) -> InboundResult:
    from .services import store_incoming_attachment

    key = _document_key(agency, message)
    digest = _message_digest(message)
    receipt = _replayed(agency, message, key, digest)
    if receipt is not None:
        return _answer(receipt, agency, duplicate=True)
    stored_files: list = []
    try:
        with transaction.atomic():
            answers = (
                OutgoingDocument.objects.filter(
                    document_id__in=[r.document_id for r in message.response_for],
                    agency__code__in=[r.organ_id for r in message.response_for],
                ).first()
                if message.response_for
                else None
            )
            type_value = (
                message.document_type
                if message.document_type in DocumentType.values
                else DocumentType.OTHER
            )
            document = IncomingDocument(
                agency=agency,
                source=IncomingSource.EXCHANGE,
                state=IncomingState.RECEIVED,
                document_id=message.document_id,
                from_organ_code=message.from_organ.organ_id,
                from_organ_name=(message.from_organ.name or message.from_organ.organ_id)[:255],
                code_number=message.code_number[:20],
                code_notation=message.code_notation[:60],
                place=message.place[:120],
                promulgation_date=message.promulgation_date,
                document_type=type_value,
                document_type_name=(
                    message.document_type_name or TYPE_INFO.get(type_value, ("", ""))[0]
                )[:100],
                subject=message.subject[:1000],
                content=message.content,
                signer_competence=message.signer.competence[:120],
                signer_position=message.signer.position[:120],
                signer_name=message.signer.full_name[:150],
                urgency=min(max(int(message.priority or 0), 0), 3),
                due_date=message.due_date,
                steering_type=message.steering_type,
                answers=answers,
                signer_certificate_subject=parsed.signer_certificate.subject.rfc4514_string()[:500]
                if parsed.signer_certificate
                else "",
            )
            # the DocumentId is another system's text: the stored name is a digest of it
            document.envelope_sha256 = hashlib.sha256(data).hexdigest()
            document.envelope.save(
                hashlib.sha256(message.document_id.encode()).hexdigest()[:24] + ".xml",
                ContentFile(data),
                save=False,
            )
            stored_files.append(document.envelope)
            document.save()
            for att in message.attachments:
                stored_files.append(
                    store_incoming_attachment(
                        document,
                        name=att.name,
                        content_type=att.content_type,
                        data=att.data,
                        description=att.description,
                    ).file
                )
            event = DocumentEvent.objects.create(
                incoming=document,
                action=EventAction.RECEIVE,
                status_code=StatusCode.REACHED,
                data={
                    "from": message.from_organ.organ_id,
                    "code": f"{message.code_number}/{message.code_notation}",
                },
            )
            receipt = InboundReceipt.objects.create(
                key=key,
                kind="document",
                document_id=message.document_id,
                from_organ_code=message.from_organ.organ_id,
                response={
                    "code": StatusCode.REACHED,
                    "at": event.created_at.isoformat(),
                    "incoming_id": document.pk,
                    "digest": digest,
                },
            )
    except IntegrityError:
        # a concurrent delivery won the race: the same envelope (a duplicate) or another sender's
        # document with this DocumentId (refused, as above)
        _delete_files(stored_files)
        receipt = _replayed(agency, message, key, digest)
        if receipt is None:
            raise
        return _answer(receipt, agency, duplicate=True)
    except BaseException:
        _delete_files(stored_files)
        raise
    logger.info("edxml.received", extra={"document_id": message.document_id, "agency": agency.code})
    return _answer(receipt, agency, duplicate=False)


def _document_key(agency: Agency, message: edxml.DocumentMessage) -> str:
    return f"doc:{agency.code}:{message.from_organ.organ_id}:{message.document_id}:{message.steering_type}"


def _message_digest(message: edxml.DocumentMessage) -> str:
    """What makes a document the same document: who sent it, its number and date, subject,
    content and attachments (not the signature or the trace times, which a re-sent envelope may
    carry anew)."""
    h = hashlib.sha256()
    for part in (
        message.from_organ.organ_id,
        message.document_id,
        message.code_number,
        message.code_notation,
        str(message.promulgation_date),
        message.subject,
        message.content,
    ):
        h.update(str(part).encode("utf-8") + b"\x1f")
    for att in message.attachments:
        h.update(att.name.encode("utf-8") + b"\x1f" + hashlib.sha256(att.data).digest())
    return h.hexdigest()


def _replayed(
    agency: Agency, message: edxml.DocumentMessage, key: str, digest: str
) -> InboundReceipt | None:
    """The receipt of this very document if it was received before (a replay), None if it is new;
    :class:`~documents.edxml.EnvelopeRejected` ``duplicate_document_id`` if its DocumentId is
    already another document's here (another sender, or the same sender with other content)."""
    sender = message.from_organ.organ_id
    legacy = f"doc:{agency.code}:{message.document_id}:{message.steering_type}"  # receipts before sender keys
    for receipt in InboundReceipt.objects.filter(key__in=[key, legacy]):
        known = receipt.response.get("digest")
        if receipt.from_organ_code == sender and (known is None or known == digest):
            return receipt
        _conflict(message, other_sender=receipt.from_organ_code)
    existing = (
        IncomingDocument.objects.filter(agency=agency, document_id=message.document_id)
        .values_list("from_organ_code", flat=True)
        .first()
    )
    if existing is not None:
        _conflict(message, other_sender=existing)
    return None


def _conflict(message: edxml.DocumentMessage, *, other_sender: str) -> None:
    same = other_sender == message.from_organ.organ_id
    logger.warning(
        "edxml.document_id_conflict",
        extra={
            "document_id": message.document_id,
            "sender": message.from_organ.organ_id,
            "first_sender": other_sender,
        },
    )
    raise edxml.EnvelopeRejected(
        "duplicate_document_id",
        f"DocumentId {message.document_id} was already received {'for a different document from this organ' if same else 'from another organ'}; send it under a new DocumentId",
        detail_vi=f"DocumentId {message.document_id} đã được nhận {'cho một văn bản khác của cơ quan này' if same else 'từ một cơ quan khác'}; hãy gửi với DocumentId mới",
    )


def _delete_files(files: list) -> None:
    for f in files:
        try:
            if f.name:
                f.storage.delete(f.name)
        except OSError:
            logger.warning("edxml.cleanup_failed", extra={"file": f.name})


def _store_recall(agency: Agency, message: edxml.DocumentMessage) -> InboundResult:
    """A recall (SteeringType 2) or update (3) request for a document we received: record it
    (status 13 back to the sender); a person answers it with 15 or 16."""
    # the origin trace carries the time the sender asked (the same on every retry of this request)
    asked_at = message.traces[0].timestamp.isoformat() if message.traces else ""
    key = f"doc:{agency.code}:{message.document_id}:{message.steering_type}:{asked_at}"
    receipt = InboundReceipt.objects.filter(key=key).first()
    if receipt is not None:
        return _answer(receipt, agency, duplicate=True)
    with transaction.atomic():
        document = (
            IncomingDocument.objects.select_for_update()
            .filter(agency=agency, document_id=message.document_id)
            .first()
        )
        if document is None:
            raise edxml.EnvelopeRejected(
                "malformed",
                f"document {message.document_id} to recall was never received here",
                detail_vi=f"văn bản {message.document_id} cần thu hồi chưa từng được nhận",
            )
        document.recall_state = RecallState.REQUESTED
        document.recall_steering = message.steering_type
        document.recall_reason = message.content[:4000]
        document.save(update_fields=["recall_state", "recall_steering", "recall_reason"])
        event = DocumentEvent.objects.create(
            incoming=document,
            action=EventAction.RECALL_RECEIVED,
            status_code=StatusCode.RECALL_REQUESTED,
            comment=document.recall_reason,
            data={"steering": message.steering_type},
        )
        receipt = InboundReceipt.objects.create(
            key=key,
            kind="recall",
            document_id=message.document_id,
            from_organ_code=message.from_organ.organ_id,
            response={
                "code": StatusCode.RECALL_REQUESTED,
                "at": event.created_at.isoformat(),
                "incoming_id": document.pk,
            },
        )
    return _answer(receipt, agency, duplicate=False)


def _receive_status(message: edxml.StatusMessage) -> InboundResult:
    recipient = (
        OutgoingRecipient.objects.select_related("document")
        .filter(document__document_id=message.document_id, organ_code=message.from_organ.organ_id)
        .first()
    )
    if recipient is None:
        raise _unknown(
            f"{message.from_organ.organ_id} is not a recipient of document {message.document_id}",
            f"{message.from_organ.organ_id} không phải nơi nhận của văn bản {message.document_id}",
        )
    created = apply_status(recipient, message)
    return _json(200, {"status": "ok", "duplicate": not created})


def apply_status(recipient: OutgoingRecipient, message: edxml.StatusMessage) -> bool:
    """Record a recipient's status on our outgoing document (idempotent on code + timestamp);
    returns False for a status already recorded. 15/16 settle the document's recall state."""
    if message.code not in StatusCode.values:
        raise edxml.EnvelopeRejected(
            "malformed",
            f"unknown status code {message.code}",
            detail_vi=f"mã trạng thái {message.code} không hợp lệ",
        )
    at = (
        message.timestamp
        if timezone.is_aware(message.timestamp)
        else timezone.make_aware(message.timestamp, dt.UTC)
    )
    with transaction.atomic():
        recipient = (
            OutgoingRecipient.objects.select_for_update()
            .select_related("document")
            .get(pk=recipient.pk)
        )
        _, created = RecipientStatus.objects.get_or_create(
            recipient=recipient,
            code=message.code,
            at=at,
            defaults={
                "description": message.description,
                "staff_name": message.staff_name[:150],
                "department": message.department[:255],
            },
        )
        if not created:
            return False
        if recipient.status_at is None or at >= recipient.status_at:
            recipient.status_code, recipient.status_description, recipient.status_at = (
                message.code,
                message.description,
                at,
            )
        if recipient.delivered_at is None and message.code != StatusCode.REJECTED:
            recipient.delivered_at = timezone.now()
        recipient.last_error = ""
        recipient.save()
        document = OutgoingDocument.objects.select_for_update().get(pk=recipient.document_id)
        DocumentEvent.objects.create(
            outgoing=document,
            action=EventAction.STATUS,
            status_code=message.code,
            comment=message.description[:4000],
            data={
                "recipient": recipient.organ_code,
                "at": at.isoformat(),
                "staff": message.staff_name,
            },
        )
        if (
            message.code in (StatusCode.RECALL_ACCEPTED, StatusCode.RECALL_REFUSED)
            and document.recall_state == RecallState.REQUESTED
        ):
            _settle_recall(document)
    return True


def _settle_recall(document: OutgoingDocument) -> None:
    """Accepted when every asked recipient accepted; refused as soon as one refused."""
    asked = [
        r
        for r in document.recipients.all()
        if r.status_code != StatusCode.REJECTED or r.statuses.filter(code__in=["15", "16"]).exists()
    ]
    since = (
        document.events.filter(action=EventAction.RECALL)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    answers = {}
    for r in asked:
        last = (
            r.statuses.filter(code__in=["15", "16"], received_at__gte=since).order_by("-at").first()
            if since
            else None
        )
        answers[r.pk] = last.code if last else None
    if any(code == StatusCode.RECALL_REFUSED for code in answers.values()):
        document.recall_state = RecallState.REFUSED
    elif answers and all(code == StatusCode.RECALL_ACCEPTED for code in answers.values()):
        document.recall_state = RecallState.ACCEPTED
    else:
        return
    document.save(update_fields=["recall_state", "updated_at"])


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
            _unknown(
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
        max_attachment, max_envelope = _max_sizes()
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
            _cert_organ_code(parsed.signer_certificate) != recipient.organ_code
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
    if (
        document.in_reply_to_id
        and document.in_reply_to.document_id
        and document.in_reply_to.promulgation_date
    ):
        answered = document.in_reply_to
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
    staff = event.actor.get_full_name() if event.actor_id else ""
    department = document.assigned_department.name if document.assigned_department_id else ""
    description = status_description(event.status_code)
    if event.comment:
        description = f"{description}: {event.comment}"
    data = _status_envelope(
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
