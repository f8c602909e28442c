"""What both sides of the exchange share: this portal's organs and signing identities, the
trust roots, the status descriptions and the answer of an inbound delivery."""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass

from cryptography import x509
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.utils import translation
from django.utils.translation import pgettext_lazy

from portal.agencies.models import Agency

from .. import edxml
from ..peers import peer_for, peers

#: One logger for the whole exchange, named as before the split.
logger = logging.getLogger("documents.exchange")

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


def cert_organ_code(cert: x509.Certificate | None) -> str:
    if cert is None:
        return ""
    values = cert.subject.get_attributes_for_oid(NameOID.USER_ID)
    return str(values[0].value) if values else ""


def max_sizes() -> tuple[int, int]:
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


def json_result(http_status: int, payload: dict) -> InboundResult:
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
    return json_result(
        REJECT_HTTP.get(exc.reason, 422),
        {
            "status": "02",
            "reason": exc.reason,
            "detail": exc.message_vi,
            "document_id": document_id,
        },
    )


def unknown_rejection(detail: str, detail_vi: str) -> edxml.EnvelopeRejected:
    return edxml.EnvelopeRejected("unknown_organ", detail, detail_vi=detail_vi)


def sender_trust_roots(organ_code: str) -> list[x509.Certificate] | None:
    """Roots an envelope from ``organ_code`` must be signed under: ours for our own agencies, the
    serving peer's for theirs (so one peer cannot speak for another's organs); None if unknown."""
    from signatures.agency_keys import trust_roots as own_roots

    if local_agency(organ_code) is not None:
        return list(own_roots())
    peer = peer_for(organ_code)
    return None if peer is None else list(peer.trust_roots)


def status_envelope(
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
