"""The inbound endpoint POST /api/v1/edxml/inbound/: what it accepts (our envelopes, a peer's,
a hand-written one in the older namespace) and every rejection reason — malformed, bad signature
(tampered), untrusted signer, a signer speaking for another organ, unknown organ, oversized
attachment, secret, wrong content type, too long — answered with status 02 and the reason, with
nothing stored (no document, file, receipt or history row)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from django.conf import settings as django_settings
from lxml import etree

from documents import edxml, exchange
from documents.models import (
    DocumentEvent,
    ExchangePeer,
    InboundReceipt,
    IncomingAttachment,
    IncomingDocument,
)
from tests.documents import edxml_support
from tests.documents.exchange_support import *  # noqa: F403

pytestmark = pytest.mark.django_db
URL = "/api/v1/edxml/inbound/"
FIXTURES = Path(__file__).parent / "fixtures"
H17 = "000.00.01.H17"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def peer_h17(world):  # type: ignore[no-untyped-def]
    root = edxml_support.foreign().root_cert.public_bytes(serialization.Encoding.PEM).decode()
    return ExchangePeer.objects.create(
        name="UBND tỉnh Lai Châu",
        organ_code="*.H17",
        endpoint_url="http://127.0.0.1:9/api/v1/edxml/inbound/",
        trust_roots_pem=root,
    )


def h17_identity() -> edxml.SigningIdentity:
    return edxml_support.identity(H17, "UBND tỉnh Lai Châu", material="foreign")


def message(world, **overrides) -> edxml.DocumentMessage:  # type: ignore[no-untyped-def]
    values = {
        "document_id": "stp-2026-0001",
        "from_organ": exchange.organ(world.a),
        "to_organs": [edxml.Organ(world.b.code, world.b.name)],
        "code_number": "12",
        "code_notation": "STP-VP",
        "place": "Điện Biên",
        "promulgation_date": dt.date(2026, 11, 23),
        "document_type": 1,
        "document_type_name": "Công văn",
        "subject": "V/v rà soát thủ tục hành chính",
        "content": "Đề nghị rà soát.",
        "signer": edxml.SignerInfo("KT. GIÁM ĐỐC", "Phó Giám đốc", "Lò Văn Thắng"),
        "attachments": [edxml.Attachment("cv.pdf", "application/pdf", b"%PDF-1.7 " + b"x" * 2000)],
        "traces": [edxml.Trace(world.a.code, dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC))],
    }
    values.update(overrides)
    return edxml.DocumentMessage(**values)


def post(client, data: bytes, content_type: str = "application/xml"):  # type: ignore[no-untyped-def]
    return client.post(URL, data=data, content_type=content_type, HTTP_ACCEPT="application/xml")


def nothing_stored() -> None:
    assert IncomingDocument.objects.count() == 0
    assert IncomingAttachment.objects.count() == 0
    assert InboundReceipt.objects.count() == 0
    assert DocumentEvent.objects.filter(incoming__isnull=False).count() == 0
    received = [
        Path(django_settings.MEDIA_ROOT) / "documents" / sub for sub in ("incoming", "envelopes")
    ]
    assert not [p for folder in received for p in folder.rglob("*") if p.is_file()]


def rejection(response, reason: str, http: int = 422) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == http, response.content
    body = response.json()
    assert body["status"] == "02" and body["reason"] == reason
    # one text, in Vietnamese: the peers are Vietnamese systems (docs/regulations.md, edXML)
    assert body["detail"] and " / " not in body["detail"]
    assert not body["detail"].isascii()
    nothing_stored()
    return body


def test_an_envelope_of_ours_is_accepted_and_answered_with_a_signed_01(client, world) -> None:  # type: ignore[no-untyped-def]
    response = post(client, edxml.build_document(message(world), exchange.identity(world.a)))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/xml")
    answer = edxml.parse(
        response.content,
        trust_roots=exchange.trust_roots(),
        max_attachment_bytes=10**6,
        max_envelope_bytes=10**7,
    )
    assert isinstance(answer.message, edxml.StatusMessage)
    assert (
        answer.message.code,
        answer.message.document_id,
        answer.message.from_organ.organ_id,
    ) == ("01", "stp-2026-0001", world.b.code)
    incoming = IncomingDocument.objects.get()
    assert (incoming.agency, incoming.subject, incoming.attachments.get().size) == (
        world.b,
        "V/v rà soát thủ tục hành chính",
        2009,
    )
    # the same again: acknowledged, not stored twice
    again = post(client, edxml.build_document(message(world), exchange.identity(world.a)))
    assert again.status_code == 200 and IncomingDocument.objects.count() == 1


def test_a_hand_written_envelope_in_the_older_namespace_from_a_peer_is_accepted(
    client, world, peer_h17
) -> None:  # type: ignore[no-untyped-def]
    tree = etree.fromstring((FIXTURES / "old_namespace.xml").read_bytes())
    data = edxml.sign_tree(tree, h17_identity())
    assert b"http://www.go.vn/eDoc" in data
    response = post(client, data, "text/xml")
    assert response.status_code == 200, response.content
    incoming = IncomingDocument.objects.get()
    assert (incoming.agency.code, incoming.from_organ_code, incoming.code) == (
        "000.00.12.H18",
        H17,
        "88/UBND-KGVX",
    )
    assert incoming.attachments.get().file.read() == "Công văn số 88/UBND-KGVX".encode()


def test_malformed(client, world) -> None:  # type: ignore[no-untyped-def]
    rejection(post(client, b"<edXMLEnvelope><unclosed>"), "malformed", 400)
    # well-formed and signed by a trusted agency, but not an edXML document (schema check)
    xml = b'<x:edXMLEnvelope xmlns:x="http://www.mic.gov.vn/TBT/QCVN_102_2016"><x:edXMLHeader><x:Bogus/></x:edXMLHeader></x:edXMLEnvelope>'
    rejection(
        post(client, edxml.sign_tree(etree.fromstring(xml), exchange.identity(world.a))),
        "malformed",
        400,
    )


def test_tampered_envelope_has_a_bad_signature(client, world) -> None:  # type: ignore[no-untyped-def]
    data = edxml.build_document(message(world), exchange.identity(world.a))
    tampered = data.replace("rà soát thủ tục".encode(), "bãi bỏ thủ tục".encode())
    assert tampered != data
    rejection(post(client, tampered), "bad_signature")
    unsigned = etree.tostring(
        edxml.document_tree(message(world)), xml_declaration=True, encoding="UTF-8"
    )
    rejection(post(client, unsigned), "bad_signature")


def test_untrusted_signer(client, world, peer_h17) -> None:  # type: ignore[no-untyped-def]
    # signed by a CA we do not trust for our own organ
    foreign_as_a = edxml_support.identity(world.a.code, world.a.name, material="foreign")
    rejection(post(client, edxml.build_document(message(world), foreign_as_a)), "untrusted_signer")
    # the province's CA cannot speak for the peer's organs either (the peer's roots only)
    ours_as_h17 = exchange.identity(world.b)
    fake = edxml.build_document(
        message(world, from_organ=edxml.Organ(H17), to_organs=[edxml.Organ(world.a.code)]),
        ours_as_h17,
    )
    rejection(post(client, fake), "untrusted_signer")
    # a trusted certificate of another organ than the sender
    rejection(
        post(client, edxml.build_document(message(world), exchange.identity(world.b))),
        "untrusted_signer",
    )


def test_unknown_organ(client, world, peer_h17) -> None:  # type: ignore[no-untyped-def]
    stranger = edxml.build_document(
        message(world, from_organ=edxml.Organ("000.00.01.H40")),
        edxml_support.identity("000.00.01.H40", "Tỉnh lạ", material="foreign"),
    )
    body = rejection(post(client, stranger), "unknown_organ")
    assert "000.00.01.H40" in body["detail"]
    not_ours = edxml.build_document(
        message(world, from_organ=edxml.Organ(H17), to_organs=[edxml.Organ("000.00.99.H18")]),
        h17_identity(),
    )
    rejection(post(client, not_ours), "unknown_organ")


def test_oversized_attachment(client, world, settings) -> None:  # type: ignore[no-untyped-def]
    settings.EDXML_MAX_ATTACHMENT_BYTES = 1000
    rejection(
        post(client, edxml.build_document(message(world), exchange.identity(world.a))), "too_large"
    )


def test_secret_document(client, world) -> None:  # type: ignore[no-untyped-def]
    rejection(
        post(client, edxml.build_document(message(world, secrecy=1), exchange.identity(world.a))),
        "secret",
    )


def test_wrong_content_type_and_over_long_body_are_refused_before_reading(
    client, world, settings
) -> None:  # type: ignore[no-untyped-def]
    data = edxml.build_document(message(world), exchange.identity(world.a))
    rejection(post(client, data, "application/json"), "malformed", 415)
    settings.EDXML_MAX_ENVELOPE_BYTES = 1000
    rejection(post(client, data), "too_large", 413)
    assert client.get(URL).status_code == 405


def test_a_status_from_an_organ_that_is_not_a_recipient_is_refused(client, world) -> None:  # type: ignore[no-untyped-def]
    document = world.issued()
    status = edxml.StatusMessage(
        document_id=document.document_id,
        from_organ=exchange.organ(world.a),
        to_organ=exchange.organ(world.a),
        code="06",
        description="x",
        timestamp=dt.datetime.now(dt.UTC),
    )
    body = rejection(
        post(client, edxml.build_status(status, exchange.identity(world.a))), "unknown_organ"
    )
    assert document.document_id in body["detail"]
    assert not document.recipients.get().statuses.exists()


def test_names_from_another_system_cannot_escape_the_storage_folder(client, world) -> None:  # type: ignore[no-untyped-def]
    evil = message(
        world,
        document_id="../../../etc/passwd",
        attachments=[
            edxml.Attachment("../../.bashrc", "text/plain", b"x"),
            edxml.Attachment("..", "text/plain", b"y"),
        ],
    )
    response = post(client, edxml.build_document(evil, exchange.identity(world.a)))
    assert response.status_code == 200, response.content
    incoming = IncomingDocument.objects.get()
    media = Path(django_settings.MEDIA_ROOT).resolve()
    names = [incoming.envelope.name, *(a.file.name for a in incoming.attachments.all())]
    assert all(
        Path(incoming.envelope.storage.path(n)).resolve().is_relative_to(media / "documents")
        for n in names
    )
    assert sorted(a.name for a in incoming.attachments.all()) == ["bashrc", "tep-dinh-kem"]
