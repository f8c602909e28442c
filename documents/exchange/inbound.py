"""The inbound side: a signed edXML envelope received from a peer (a document, a recall or a
status), checked, stored exactly once and answered."""

from __future__ import annotations

import datetime as dt
import hashlib
import io

from cryptography import x509
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from lxml import etree

from portal.agencies.models import Agency

from .. import edxml
from ..constants import (
    TYPE_INFO,
    DocumentType,
    EventAction,
    IncomingSource,
    IncomingState,
    RecallState,
    StatusCode,
)
from ..models import (
    DocumentEvent,
    InboundReceipt,
    IncomingDocument,
    OutgoingDocument,
    OutgoingRecipient,
)
from ..peers import peer_for
from .common import (
    InboundResult,
    cert_organ_code,
    json_result,
    local_agency,
    logger,
    max_sizes,
    rejected,
    sender_trust_roots,
    status_envelope,
    trust_roots,
    unknown_rejection,
)
from .status import apply_status


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


def receive_envelope(data: bytes) -> InboundResult:
    """Receive one envelope (the inbound endpoint and local deliveries both call this)."""
    max_attachment, max_envelope = max_sizes()
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
            unknown_rejection(
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
        raise unknown_rejection(
            f"sender {organ_code} is not a known organ",
            f"cơ quan gửi {organ_code} không có trong danh mục",
        )
    signer_code = cert_organ_code(cert)
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


def _answer(receipt: InboundReceipt, agency: Agency, duplicate: bool) -> InboundResult:
    r = receipt.response
    body = status_envelope(
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
        raise unknown_rejection(
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
    from ..services import store_incoming_attachment

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
        raise unknown_rejection(
            f"{message.from_organ.organ_id} is not a recipient of document {message.document_id}",
            f"{message.from_organ.organ_id} không phải nơi nhận của văn bản {message.document_id}",
        )
    created = apply_status(recipient, message)
    return json_result(200, {"status": "ok", "duplicate": not created})
