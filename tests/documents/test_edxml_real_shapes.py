"""edXML as document-axis software writes it (QCVN 102:2016), each envelope read and registered.

The envelopes are written by hand (tests/documents/fixtures/axis_gateway_*.xml) after the published
code of a document-axis gateway (its ManualEdxmlBuilder writes the document: an ``<edXML>`` root
wrapping ``edXMLEnvelope`` and ``AttachmentEncoded``, OrganizationInCharge, TypeDetail, SignerInfo
with FullName only, OtherInfo/Direction, SteeringType 0, the Bussiness block, "yyyy/MM/dd HH:mm:ss",
edXMLManifest/Reference{ContentId, ContentType, AttachmentName}, ZIP-compressed files; its status
reader takes ResponseFor/PromulgationDate and a From with OrganAdd, Fax, Website and no To) — never
with our own builder. The sender signs them as it would (an enveloped XML signature over the whole
document), with the foreign province's real certificate."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from lxml import etree

from documents import edxml
from documents.models import ExchangePeer, IncomingDocument
from tests.documents import edxml_support
from tests.documents.exchange_support import *  # noqa: F403

FIXTURES = Path(__file__).parent / "fixtures"
URL = "/api/v1/edxml/inbound/"
H17 = "000.00.01.H17"
VN = dt.timezone(dt.timedelta(hours=7))


def _signed(name: str, **replace: str) -> bytes:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    for old, new in replace.items():
        text = text.replace(old, new)
    tree = etree.fromstring(text.encode())
    return edxml.sign_tree(
        tree, edxml_support.identity(H17, "UBND tỉnh Lai Châu", material="foreign")
    )


def _parse(data: bytes) -> edxml.Parsed:
    return edxml.parse(
        data,
        trust_roots=[edxml_support.foreign().root_cert],
        max_attachment_bytes=7 * 1024 * 1024,
        max_envelope_bytes=25 * 1024 * 1024,
    )


def test_the_gateways_document_is_read_whole():
    parsed = _parse(_signed("axis_gateway_document.xml"))
    m = parsed.message
    assert isinstance(m, edxml.DocumentMessage)
    assert (m.document_id, m.code_number, m.code_notation, m.promulgation_date) == (
        "H17-VX-2026-105",
        "105",
        "UBND-VX",
        dt.date(2026, 11, 25),
    )
    assert m.from_organ == edxml.Organ(
        H17,
        "UBND tỉnh Lai Châu",
        "Phường Tân Phong, tỉnh Lai Châu",
        "vpubnd@laichau.gov.vn",
        "0213 3876 555",
        in_charge="Ủy ban nhân dân tỉnh Lai Châu",
        fax="0213 3876 556",
        website="https://laichau.gov.vn",
    )
    assert [o.organ_id for o in m.to_organs] == ["000.00.12.H18"] and m.to_organs[
        0
    ].in_charge == "Ủy ban nhân dân tỉnh Điện Biên"
    assert m.signer == edxml.SignerInfo("", "", "Giàng A Tính")  # SignerInfo with FullName only
    assert (m.document_type, m.document_type_detail, m.document_type_name) == (1, 0, "Công văn")
    assert m.other_info["Direction"] == "false" and m.appendixes == ["Phụ lục danh sách"]
    assert (m.business_doc_type, m.steering_type) == (
        edxml.BUSINESS_NEW,
        edxml.STEERING_NEW,
    )  # SteeringType 0
    assert m.traces == [
        edxml.Trace(H17, dt.datetime(2026, 11, 25, 14, 5, 9, tzinfo=VN))
    ]  # "yyyy/MM/dd HH:mm:ss"
    assert [(a.name, a.content_type) for a in m.attachments] == [
        ("105-UBND-VX.pdf", "application/pdf"),
        ("phu-luc.txt", "text/plain"),
    ]
    assert m.attachments[0].data.startswith(b"%PDF-1.4")  # the gateway's ZIP unpacked
    assert m.attachments[1].data == "Phụ lục kèm theo".encode()


def test_the_bussiness_block_decides_recall_and_update_not_steering_type():
    for business, steering in (
        (1, edxml.STEERING_RECALL),
        (2, edxml.STEERING_UPDATE),
        (3, edxml.STEERING_REPLACE),
    ):
        data = _signed(
            "axis_gateway_document.xml",
            **{"<edXML:BussinessDocType>0<": f"<edXML:BussinessDocType>{business}<"},
        )
        m = _parse(data).message
        assert (m.business_doc_type, m.steering_type) == (business, steering)


def test_a_changed_attachment_breaks_the_gateways_signature():
    data = _signed("axis_gateway_document.xml")
    tree = etree.fromstring(data)
    value = tree.find(".//{%s}ContentTransferEncoded" % edxml.NS_2016)  # noqa: UP031
    assert value.text.startswith("UEsD")  # "PK\x03\x04", the gateway's ZIP
    value.text = "UEsE" + value.text[4:]
    with pytest.raises(edxml.EnvelopeRejected) as info:
        _parse(etree.tostring(tree))
    assert (
        info.value.reason == "bad_signature"
    )  # AttachmentEncoded is inside what the signature covers


def test_the_gateways_status_without_to_is_read():
    m = _parse(_signed("axis_gateway_status.xml", DOCUMENT_ID="stp-2026-0001")).message
    assert isinstance(m, edxml.StatusMessage)
    assert (m.document_id, m.code, m.to_organ.organ_id, m.from_organ.in_charge) == (
        "stp-2026-0001",
        "03",
        "000.00.12.H18",
        "Ủy ban nhân dân tỉnh Lai Châu",
    )
    assert m.timestamp == dt.datetime(2026, 11, 26, 8, 30, tzinfo=VN)  # "dd/MM/yyyy HH:mm:ss"
    assert (m.staff_name, m.department) == ("Lò Thị Vân", "Văn thư")
    assert (m.code_number, m.code_notation, m.promulgation_date) == (
        "12",
        "STP-VP",
        dt.date(2026, 11, 23),
    )


# --- registered through the inbound endpoint ---------------------------------------------------


@pytest.fixture
def peer_h17(db):  # type: ignore[no-untyped-def]
    root = edxml_support.foreign().root_cert.public_bytes(serialization.Encoding.PEM).decode()
    return ExchangePeer.objects.create(
        name="UBND tỉnh Lai Châu",
        organ_code="*.H17",
        endpoint_url="http://127.0.0.1:9/api/v1/edxml/inbound/",
        trust_roots_pem=root,
    )


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = str(tmp_path / "media")


def _post(client, data: bytes):  # type: ignore[no-untyped-def]
    return client.post(
        URL, data=data, content_type="application/xml", HTTP_ACCEPT="application/xml"
    )


@pytest.mark.django_db
def test_the_gateways_document_is_registered_then_recalled_by_its_bussiness_block(
    client, world, peer_h17
) -> None:  # type: ignore[no-untyped-def]
    response = _post(client, _signed("axis_gateway_document.xml"))
    assert response.status_code == 200, response.content
    incoming = IncomingDocument.objects.get()
    assert (incoming.agency.code, incoming.from_organ_code, incoming.code) == (
        "000.00.12.H18",
        H17,
        "105/UBND-VX",
    )
    files = {a.name: a.file.read() for a in incoming.attachments.all()}
    assert files["phu-luc.txt"] == "Phụ lục kèm theo".encode() and files[
        "105-UBND-VX.pdf"
    ].startswith(b"%PDF-1.4")
    recall = _signed(
        "axis_gateway_document.xml",
        **{
            "<edXML:BussinessDocType>0<": "<edXML:BussinessDocType>1<",
            "2026/11/25 14:05:09": "2026/11/27 09:00:00",
            "Đề nghị Sở Tư pháp phối hợp xác minh.": "Thu hồi do ban hành nhầm.",
        },
    )
    assert _post(client, recall).status_code == 200
    incoming.refresh_from_db()
    assert IncomingDocument.objects.count() == 1
    assert (incoming.recall_state, incoming.recall_steering) == ("requested", edxml.STEERING_RECALL)


@pytest.mark.django_db
def test_the_gateways_status_is_registered_on_our_outgoing_document(
    client, world, peer_h17
) -> None:  # type: ignore[no-untyped-def]
    document = world.issued(to=[H17])
    response = _post(client, _signed("axis_gateway_status.xml", DOCUMENT_ID=document.document_id))
    assert response.status_code == 200, response.content
    status = document.recipients.get().statuses.get()
    assert status.code == "03"


# --- what we write: status replies wrapped, files zipped as the gateways write them -----------


def _status(code: str, document_id: str = "stp-2026-0001") -> edxml.StatusMessage:
    return edxml.StatusMessage(
        document_id,
        edxml.Organ("000.00.12.H18", "Sở Tư pháp tỉnh Điện Biên"),
        edxml.Organ(H17, "UBND tỉnh Lai Châu"),
        code,
        "Lý do: thiếu phụ lục" if code == edxml.STATUS_REJECTED else "Đã xử lý",
        dt.datetime(2026, 11, 26, 8, 30, tzinfo=VN),
        "Lò Thị Vân",
        "Văn thư",
        code_number="105",
        code_notation="UBND-VX",
    )


@pytest.mark.parametrize("code", ["01", "02", "03"])
def test_status_replies_are_written_in_the_wrapped_shape_and_stay_signed(code: str) -> None:
    """QCVN 102:2016 as document-axis software writes it: the status replies (01 received, 02
    refused, 03 registered) in the ``<edXML>`` root wrapping the envelope, as the documents are;
    the signature covers the whole document, so a changed status code breaks it."""
    data = edxml.build_status(
        _status(code), edxml_support.identity("000.00.12.H18", "Sở Tư pháp tỉnh Điện Biên")
    )
    root = etree.fromstring(data)
    assert etree.QName(root).localname == "edXML" and [etree.QName(c).localname for c in root] == [
        "edXMLEnvelope"
    ]
    parsed = edxml_support.parse(data)
    assert isinstance(parsed.message, edxml.StatusMessage) and parsed.message.code == code
    tampered = data.replace(
        f"<StatusCode>{code}</StatusCode>".encode(), b"<StatusCode>06</StatusCode>"
    )
    assert tampered != data
    with pytest.raises(edxml.EnvelopeRejected) as refused:
        edxml_support.parse(tampered)
    assert refused.value.reason == "bad_signature"


@pytest.mark.django_db
def test_a_wrapped_status_as_the_gateway_writes_it_is_registered(client, world, peer_h17) -> None:  # type: ignore[no-untyped-def]
    """The gateway's status (hand-written fixture) inside an ``<edXML>`` root, the shape its
    documents have: read and registered on our outgoing document."""
    document = world.issued(to=[H17])
    text = (FIXTURES / "axis_gateway_status.xml").read_text(encoding="utf-8")
    text = text.replace("DOCUMENT_ID", document.document_id)
    start = text.index("<edXML:edXMLEnvelope")
    wrapped = (
        text[:start]
        + '<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">'
        + text[start:]
        + "</edXML>"
    )
    data = edxml.sign_tree(
        etree.fromstring(wrapped.encode()),
        edxml_support.identity(H17, "UBND tỉnh Lai Châu", material="foreign"),
    )
    response = _post(client, data)
    assert response.status_code == 200, response.content
    assert document.recipients.get().statuses.get().code == "03"


def _zip(entries: dict[str, bytes]) -> bytes:
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


@pytest.mark.django_db
def test_zipped_files_are_written_as_the_gateway_writes_them_read_and_registered(
    client, world, peer_h17
) -> None:  # type: ignore[no-untyped-def]
    """The gateway's ManualEdxmlBuilder ZIP-compresses each file (one ``ZipEntry`` under the file's
    name) before base64 in ``ContentTransferEncoded``; written so (``zip_files``), the envelope
    keeps a valid signature, and the receiver registers the files themselves. A file that *is* a
    ZIP (its name and type say so) is kept as sent."""
    import io
    import zipfile

    pdf = b"%PDF-1.7 " + b"noi dung van ban " * 200
    bundle = _zip({"a.txt": b"1", "b.txt": b"2"})
    message = edxml_support.document(
        from_organ=edxml.Organ(H17, "UBND tỉnh Lai Châu"),
        to_organs=[edxml.Organ("000.00.12.H18", "Sở Tư pháp tỉnh Điện Biên")],
        response_for=[],
        traces=[edxml.Trace(H17, dt.datetime(2026, 11, 25, 14, 5, tzinfo=VN))],
        attachments=[
            edxml.Attachment("105-UBND-VX.pdf", "application/pdf", pdf, "Văn bản"),
            edxml.Attachment("ho-so-kem-theo.zip", "application/zip", bundle, "Hồ sơ"),
        ],
    )
    data = edxml.build_document(
        message,
        edxml_support.identity(H17, "UBND tỉnh Lai Châu", material="foreign"),
        zip_files=True,
    )
    root = etree.fromstring(data)
    values = [
        el.text
        for el in root.iter("{%s}ContentTransferEncoded" % edxml.NS_2016)  # noqa: UP031
    ]
    import base64

    first = zipfile.ZipFile(io.BytesIO(base64.b64decode(values[0])))
    assert values[0].startswith("UEsD") and first.namelist() == ["105-UBND-VX.pdf"]
    assert first.read("105-UBND-VX.pdf") == pdf
    parsed = _parse(data)
    assert [a.data for a in parsed.message.attachments] == [pdf, bundle]
    assert base64.b64decode(values[1]) == bundle  # a ZIP file is not zipped again
    response = _post(client, data)
    assert response.status_code == 200, response.content
    files = {a.name: a.file.read() for a in IncomingDocument.objects.get().attachments.all()}
    assert files["105-UBND-VX.pdf"] == pdf
    assert files["ho-so-kem-theo.zip"] == bundle  # kept as the ZIP it is, not unpacked
    tampered = data.replace(values[0][40:60].encode(), values[0][40:60][::-1].encode(), 1)
    with pytest.raises(edxml.EnvelopeRejected):
        _parse(tampered)
