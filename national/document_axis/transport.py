"""The axis as a transport of :func:`documents.exchange.transmit`: an organ whose code matches
``DOCUMENT_AXIS_ROUTES`` is reached through the axis (send = ``sendEdoc`` into its mailbox),
every other one as before (an agency of this portal in-process, a peer portal over HTTP)."""

from __future__ import annotations

import fnmatch
import io
import json
from collections.abc import Callable

from django.conf import settings
from lxml import etree

from documents.exchange import InboundResult, TransportError

from . import client
from .models import AxisSent


def routes() -> list[str]:
    return [p.strip() for p in str(settings.DOCUMENT_AXIS_ROUTES or "").split(",") if p.strip()]


def routed(organ_code: str) -> bool:
    return client.enabled() and any(
        organ_code == p or fnmatch.fnmatchcase(organ_code, p) for p in routes()
    )


def route(organ_code: str) -> Callable[[str, bytes], InboundResult] | None:
    return send if routed(organ_code) else None


def envelope_facts(data: bytes) -> tuple[str, str, str]:
    """(kind, From organ, DocumentId) read from an envelope's header, as a stream (the body and its
    attachments are not read): the axis needs the sender and the message type beside the bytes."""
    kind, sender, document_id = "edoc", "", ""
    try:
        for _, node in etree.iterparse(
            io.BytesIO(data),
            events=("end",),
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
        ):
            name = etree.QName(node).localname
            parent = node.getparent()
            if name == "StatusCode":
                kind = "status"
            elif (
                name == "OrganId"
                and not sender
                and parent is not None
                and etree.QName(parent).localname == "From"
            ):
                sender = (node.text or "").strip()
            elif name == "DocumentId" and not document_id:
                document_id = (node.text or "").strip()
            elif name == "edXMLHeader":
                break  # the header is read; the body and its attachments are not needed
    except etree.LxmlError:
        pass
    return kind, sender, document_id


def send(organ_code: str, data: bytes) -> InboundResult:
    """Hand the envelope to the axis. A document is answered 202 (its 01 comes back later over
    the axis as a status envelope); a status envelope 200 (the sender dedupes it on arrival)."""
    kind, sender, document_id = envelope_facts(data)
    try:
        doc_id = client.send_edoc(
            from_organ=sender, to_organ=organ_code, message_type=kind, data=data
        )
    except client.AxisUnavailable as exc:
        raise TransportError(f"national document axis: {exc}") from exc
    except client.AxisRefused as exc:
        body = json.dumps(
            {
                "status": "02",
                "reason": "axis_refused",
                "detail": f"national document axis: {exc}"[:300],
            }
        ).encode()
        return InboundResult(422, body, "application/json", "02", "axis_refused")
    AxisSent.objects.create(
        axis_doc_id=doc_id[:100],
        to_organ=organ_code,
        message_type=kind,
        document_id=document_id[:100],
    )
    if kind == "status":
        return InboundResult(200, b'{"status": "ok"}', "application/json", "")
    return InboundResult(202, b'{"status": "queued"}', "application/json", "")
