"""edXML envelopes: round trips, the XSD, the older namespace, every rejection reason, tampering.

Pure library tests: a real PKI (built in memory with the portal's own pki module), real RSA keys,
real XML-DSig signatures; no database.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import unicodedata
from pathlib import Path

import pytest
from lxml import etree
from signxml import DigestAlgorithm, SignatureMethod, XMLSigner, methods

from documents import edxml
from documents.edxml.trust import organ_id_of
from tests.documents.edxml_support import (
    MB,
    VN,
    document,
    foreign,
    identity,
    megabyte,
    nfd,
    parse,
    province,
)

FIXTURES = Path(__file__).parent / "fixtures"
Q = "{%s}%%s" % edxml.NS_2016  # noqa: UP031


def assert_valid_xsd(data: bytes) -> None:
    """The built document is the wrapped shape of document-axis software (``<edXML>`` root with
    ``edXMLEnvelope`` and ``AttachmentEncoded``); the XSD checks the portal's older single-envelope
    shape, which ``document_tree`` still gives."""
    root = etree.fromstring(data)
    if (
        etree.QName(root).localname == "edXML"
        and root.find(f"{Q % 'edXMLEnvelope'}/{Q % 'edXMLHeader'}/{Q % 'Status'}") is not None
    ):  # a status reply: the wrapped envelope alone, valid against the XSD
        assert [etree.QName(c).localname for c in root] == ["edXMLEnvelope"]
        edxml.schema().assertValid(etree.fromstring(etree.tostring(root[0])))
        return
    if etree.QName(root).localname == "edXML":
        assert [etree.QName(c).localname for c in root] == ["edXMLEnvelope", "AttachmentEncoded"]
        assert (
            root.find(f"{Q % 'edXMLEnvelope'}/{Q % 'edXMLBody'}/{Q % 'edXMLManifest'}") is not None
        )
        return
    edxml.schema().assertValid(root)


def rejected(data: bytes, **kwargs) -> edxml.EnvelopeRejected:  # type: ignore[no-untyped-def]
    with pytest.raises(edxml.EnvelopeRejected) as info:
        parse(data, **kwargs)
    return info.value


def signed(tree: etree._Element, ident: edxml.SigningIdentity | None = None) -> bytes:
    return edxml.sign_tree(tree, ident or identity())


def nfc_message(message):  # type: ignore[no-untyped-def]
    """The message with every string NFC-normalised (what parse gives back)."""

    def fix(value):  # type: ignore[no-untyped-def]
        if isinstance(value, str):
            return unicodedata.normalize("NFC", value)
        if isinstance(value, list):
            return [fix(v) for v in value]
        if isinstance(value, dict):
            return {k: fix(v) for k, v in value.items()}
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return dataclasses.replace(
                value, **{f.name: fix(getattr(value, f.name)) for f in dataclasses.fields(value)}
            )
        return value

    return fix(message)


# --- round trips ----------------------------------------------------------------------------


def test_round_trip_with_a_megabyte_attachment_and_decomposed_vietnamese() -> None:
    message = document(
        subject=nfd("Về việc tổ chức Ngày Văn hóa Việt Nam 24/11"),
        content=nfd("Nội dung: đề nghị các đơn vị hưởng ứng."),
        signer=edxml.SignerInfo(nfd("TM. ỦY BAN NHÂN DÂN"), nfd("Chủ tịch"), nfd("Lò Văn Mừng")),
        attachments=[
            edxml.Attachment(
                "quyet-dinh.pdf", "application/pdf", megabyte(), nfd("Quyết định đã ký số")
            ),
            edxml.Attachment(
                "phu-luc.xlsx",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                b"PK\x03\x04" + bytes(range(256)),
            ),
        ],
    )
    data = edxml.build_document(message, identity())
    assert b"<?xml version='1.0' encoding='UTF-8'?>" in data[:60]
    assert "Lò Văn Mừng".encode() in data and nfd("Lò Văn Mừng").encode() not in data  # written NFC
    parsed = parse(data)
    assert parsed.namespace == edxml.NS_2016
    # written with the Bussiness block (0: a new document), read back as received
    assert parsed.message == dataclasses.replace(nfc_message(message), business_doc_type=0)
    assert parsed.message.subject == "Về việc tổ chức Ngày Văn hóa Việt Nam 24/11"
    assert unicodedata.is_normalized("NFC", parsed.message.signer.competence)
    assert parsed.message.attachments[0].data == megabyte()
    assert parsed.signer_certificate == identity().chain[0]
    assert organ_id_of(parsed.signer_certificate) == "000.00.12.H18"
    assert_valid_xsd(data)


def test_minimal_document_round_trips_with_defaults() -> None:
    message = document(
        due_date=None,
        to_places=[],
        response_for=[],
        attachments=[],
        traces=[],
        other_info={},
        priority=0,
    )
    data = edxml.build_document(message, identity())
    assert_valid_xsd(data)
    assert parse(data).message == dataclasses.replace(message, business_doc_type=0)


@pytest.mark.parametrize("steering", edxml.STEERING_TYPES)
def test_steering_types_round_trip(steering: int) -> None:
    message = document(steering_type=steering)
    assert parse(edxml.build_document(message, identity())).message.steering_type == steering


@pytest.mark.parametrize("code", edxml.STATUS_CODES)
def test_status_envelopes_for_every_code(code: str) -> None:
    status = edxml.StatusMessage(
        document_id="000.00.12.H18-2026-0000123",
        from_organ=edxml.Organ("000.00.13.H18", "UBND xã Mường Phăng"),
        to_organ=edxml.Organ("000.00.12.H18", "Sở Tư pháp tỉnh Điện Biên"),
        code=code,
        description=nfd("Lý do: thiếu phụ lục") if code == edxml.STATUS_REJECTED else "Đã xử lý",
        timestamp=dt.datetime(2026, 11, 23, 14, 5, 7, 123000, tzinfo=VN),
        staff_name="Quàng Thị Hoa",
        department="Văn thư",
        code_number="123",
        code_notation="STP-VP",
    )
    data = edxml.build_status(status, identity("000.00.13.H18", "UBND xã Mường Phăng"))
    assert_valid_xsd(data)
    parsed = parse(data)
    assert parsed.message == nfc_message(status)
    assert isinstance(parsed.message, edxml.StatusMessage)
    assert organ_id_of(parsed.signer_certificate) == "000.00.13.H18"


def test_unknown_status_code_is_refused_when_building() -> None:
    status = edxml.StatusMessage(
        "x", edxml.Organ("A"), edxml.Organ("B"), "99", "", dt.datetime.now(dt.UTC)
    )
    with pytest.raises(ValueError, match="status code"):
        edxml.build_status(status, identity())


def test_naive_timestamps_are_refused_when_building() -> None:
    message = document(traces=[edxml.Trace("000.00.12.H18", dt.datetime(2026, 11, 23, 9, 30))])  # noqa: DTZ001
    with pytest.raises(ValueError, match="timezone"):
        edxml.build_document(message, identity())


# --- the older namespace ----------------------------------------------------------------------


def test_hand_written_old_namespace_envelope_is_accepted_unsigned_for_its_structure() -> None:
    data = (FIXTURES / "old_namespace.xml").read_bytes()
    assert (
        rejected(data).reason == "bad_signature"
    )  # unsigned: refused where a signature is required
    parsed = parse(data, require_signature=False)
    message = parsed.message
    assert parsed.namespace == edxml.NS_OLD
    assert parsed.signer_certificate is None
    assert isinstance(message, edxml.DocumentMessage)
    assert message.document_id == "000.00.01.H17-2026-88"
    assert message.from_organ == edxml.Organ(
        "000.00.01.H17",
        "UBND tỉnh Lai Châu",
        "Phường Tân Phong, Lai Châu",
        "vpubnd@laichau.gov.vn",
        "0213 3876 555",
        in_charge="Văn phòng UBND tỉnh",
        fax="0213 3876 556",
        website="https://laichau.gov.vn",
    )  # OrganInCharge, Fax and Website are read too (issue 15: be liberal in what you read)
    assert message.promulgation_date == dt.date(2026, 11, 20)
    assert message.due_date == dt.date(2026, 12, 5)
    assert message.other_info == {
        "SphereOfPromulgation": "Liên thông",
        "TyperNotation": "NTH",
        "PromulgationAmount": "3",
        "PageAmount": "1",
    }
    assert message.traces == [
        edxml.Trace("000.00.01.H17", dt.datetime(2026, 11, 20, 8, 15, tzinfo=VN))
    ]
    assert message.attachments == [
        edxml.Attachment(
            "88-UBND-KGVX.txt", "text/plain", "Công văn số 88/UBND-KGVX".encode(), "Công văn số 88"
        )
    ]


def test_hand_written_old_namespace_envelope_signed_by_a_trusted_agency_is_accepted() -> None:
    tree = etree.fromstring((FIXTURES / "old_namespace.xml").read_bytes())
    data = signed(tree, identity("000.00.01.H17", "UBND tỉnh Lai Châu"))
    assert b"http://www.go.vn/eDoc" in data and edxml.NS_2016.encode() not in data
    parsed = parse(data)
    assert parsed.namespace == edxml.NS_OLD
    assert parsed.message.subject == "Về việc phối hợp giải quyết hồ sơ liên thông khai sinh"
    assert organ_id_of(parsed.signer_certificate) == "000.00.01.H17"
    tampered = data.replace("phối hợp giải quyết".encode(), "phối hợp giải quyểt".encode())
    assert rejected(tampered).reason == "bad_signature"


def test_status_envelope_in_the_old_namespace_is_accepted() -> None:
    status = edxml.StatusMessage(
        "000.00.12.H18-2026-0000123",
        edxml.Organ("000.00.01.H17", "UBND tỉnh Lai Châu"),
        edxml.Organ("000.00.12.H18"),
        edxml.STATUS_ACCEPTED,
        "Đã vào sổ văn bản đến",
        dt.datetime(2026, 11, 23, 15, 0, tzinfo=VN),
        "Giàng A Dế",
        "Văn thư",
    )
    unsigned = etree.tostring(edxml.status_tree(status), encoding="UTF-8").replace(
        edxml.NS_2016.encode(), edxml.NS_OLD.encode()
    )
    parsed = parse(signed(etree.fromstring(unsigned)))
    assert parsed.namespace == edxml.NS_OLD
    assert parsed.message == status


# --- rejections -------------------------------------------------------------------------------


def test_envelope_over_the_size_limit_is_too_large() -> None:
    data = edxml.build_document(document(), identity())
    error = rejected(data, max_envelope_bytes=len(data) - 1)
    assert error.reason == "too_large"
    assert str(len(data)) in error.message_en and "byte" in error.message_vi


def test_attachment_over_the_size_limit_is_too_large() -> None:
    data = edxml.build_document(
        document(attachments=[edxml.Attachment("big.pdf", "application/pdf", megabyte())]),
        identity(),
    )
    error = rejected(data, max_attachment_bytes=MB - 1)
    assert error.reason == "too_large"
    assert "big.pdf" in error.message_en
    assert parse(data, max_attachment_bytes=MB).message.attachments[0].data == megabyte()


def test_secret_document_is_refused() -> None:
    data = edxml.build_document(document(secrecy=2), identity())
    assert_valid_xsd(data)
    error = rejected(data)
    assert error.reason == "secret"
    assert "Văn bản mật" in error.message_vi and "Secret" in error.message_en


def _mutated(mutate) -> bytes:  # type: ignore[no-untyped-def]
    tree = edxml.document_tree(document())
    mutate(tree)
    return signed(tree)


def _remove(path: str):  # type: ignore[no-untyped-def]
    def run(tree: etree._Element) -> None:
        node = tree.find("/".join(Q % p for p in path.split("/")))
        node.getparent().remove(node)

    return run


def _set(path: str, text: str):  # type: ignore[no-untyped-def]
    def run(tree: etree._Element) -> None:
        tree.find("/".join(Q % p for p in path.split("/"))).text = text

    return run


def _duplicate(path: str):  # type: ignore[no-untyped-def]
    def run(tree: etree._Element) -> None:
        node = tree.find("/".join(Q % p for p in path.split("/")))
        node.addnext(etree.fromstring(etree.tostring(node)))

    return run


def _rename_root(tree: etree._Element) -> None:
    tree.tag = Q % "Envelope"


@pytest.mark.parametrize(
    ("mutate", "says"),
    [
        (_remove("edXMLHeader/MessageHeader/DocumentId"), "DocumentId"),
        (_remove("edXMLHeader/MessageHeader/From"), "From"),
        (_remove("edXMLHeader/MessageHeader/Subject"), "Subject"),
        (
            _set("edXMLHeader/MessageHeader/PromulgationInfo/PromulgationDate", "2026-02-30"),
            "bad date",
        ),
        (
            _set("edXMLHeader/MessageHeader/PromulgationInfo/PromulgationDate", "23.11.2026"),
            "PromulgationDate",
        ),
        (_set("edXMLHeader/MessageHeader/DueDate", "2026-13-01"), "bad date"),
        (_set("edXMLHeader/MessageHeader/DocumentType/Type", "một"), "Type"),
        (_set("edXMLHeader/MessageHeader/SteeringType", "9"), "SteeringType"),
        (_set("edXMLBody/Attachment/Value", "not*base64!"), "base64"),
        (_set("edXMLBody/Attachment/Value", "QUJD"[:3]), "base64"),
        (_duplicate("edXMLHeader/MessageHeader/DocumentId"), "DocumentId"),
        (_duplicate("edXMLHeader/MessageHeader/To"), "duplicate recipient"),
        (_duplicate("edXMLBody/Attachment"), "Duplicate"),
        (_duplicate("edXMLBody/Manifest/Reference"), "duplicate Manifest"),
        (_remove("edXMLBody/Manifest/Reference"), "not listed in the Manifest"),
        (_remove("edXMLBody/Attachment"), "missing"),
        (_rename_root, "root element"),
    ],
    ids=[
        "no-document-id",
        "no-from",
        "no-subject",
        "impossible-date",
        "date-format",
        "bad-due-date",
        "type-not-int",
        "unknown-steering",
        "bad-base64",
        "truncated-base64",
        "two-document-ids",
        "duplicate-to",
        "duplicate-content-id",
        "duplicate-reference",
        "attachment-not-in-manifest",
        "manifest-without-attachment",
        "wrong-root",
    ],
)
def test_structural_errors_are_malformed_with_a_message_saying_what(mutate, says: str) -> None:  # type: ignore[no-untyped-def]
    error = rejected(_mutated(mutate))
    assert error.reason == "malformed", error
    assert says in error.message_en
    assert "không đúng cấu trúc" in error.message_vi
    assert str(error) == error.message_en  # the log's text; the peer reads message_vi


def _status_tree() -> etree._Element:
    return edxml.status_tree(
        edxml.StatusMessage(
            "d-1",
            edxml.Organ("000.00.13.H18"),
            edxml.Organ("000.00.12.H18"),
            "03",
            "",
            dt.datetime.now(dt.UTC),
        )
    )


@pytest.mark.parametrize(
    ("path", "value", "says"),
    [
        ("Status/StatusCode", "07", "StatusCode"),
        ("Status/StatusCode", "3", "StatusCode"),
        ("Status/To/OrganId", "000.00.99.H18", "differs"),
        ("Status/Timestamp", "hôm qua", "Timestamp"),
        ("Status/ResponseFor/DocumentId", " ", "DocumentId"),
    ],
)
def test_malformed_status_envelopes(path: str, value: str, says: str) -> None:
    tree = _status_tree()
    tree.find("/".join(Q % p for p in ["edXMLHeader", *path.split("/")])).text = value
    error = rejected(signed(tree))
    assert error.reason == "malformed" and says in error.message_en


def test_xml_syntax_error_is_malformed() -> None:
    data = edxml.build_document(document(), identity())
    error = rejected(data[: len(data) // 2])
    assert error.reason == "malformed" and "XML syntax" in error.message_en


def test_unsigned_xml_syntax_error_is_malformed() -> None:
    error = rejected(b"<edXMLEnvelope><unclosed></edXMLEnvelope>", require_signature=False)
    assert error.reason == "malformed"


def test_external_entities_and_dtds_are_refused_and_never_resolved(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    body = (FIXTURES / "old_namespace.xml").read_text().split("\n", 2)[2]
    body = body.replace("Về việc phối hợp giải quyết hồ sơ liên thông khai sinh", "&xxe;")
    xxe = f'<?xml version="1.0"?>\n<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file://{secret}">]>\n{body}'.encode()
    for require in (False, True):
        error = rejected(xxe, require_signature=require)
        assert error.reason in ("malformed", "bad_signature")
        assert "TOP-SECRET" not in str(error)
    assert rejected(xxe, require_signature=False).reason == "malformed"
    # The same, signed: still refused (the DTD is outside what the signature covers).
    tree = etree.fromstring((FIXTURES / "old_namespace.xml").read_bytes())
    data = signed(tree)
    with_dtd = data.replace(b"?>", b'?>\n<!DOCTYPE x [<!ENTITY a "b">]>', 1)
    assert rejected(with_dtd).reason == "malformed"


def test_billion_laughs_is_refused_quickly() -> None:
    lol = b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><edXMLEnvelope xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">&c;</edXMLEnvelope>'
    assert rejected(lol, require_signature=False).reason == "malformed"


def test_rejected_reason_must_be_known() -> None:
    with pytest.raises(ValueError):
        edxml.EnvelopeRejected("nonsense")
    error = edxml.EnvelopeRejected("unknown_organ", "000.00.99.H99")
    assert error.message_vi.startswith("Cơ quan") and "000.00.99.H99" in str(error)
    custom = edxml.EnvelopeRejected(
        "unknown_organ", message_vi="Không biết cơ quan X", message_en="Unknown organ X"
    )
    assert (custom.message_vi, str(custom)) == ("Không biết cơ quan X", "Unknown organ X")


# --- tampering --------------------------------------------------------------------------------


def test_one_character_of_the_subject_changed_is_a_bad_signature() -> None:
    data = edxml.build_document(document(), identity())
    tampered = data.replace("rà soát thủ tục".encode(), "rà soát thủ tụC".encode())
    assert tampered != data
    error = rejected(tampered)
    assert error.reason == "bad_signature"
    assert "Chữ ký số" in error.message_vi


def test_one_attachment_byte_swapped_is_a_bad_signature() -> None:
    original = megabyte()
    data = edxml.build_document(
        document(attachments=[edxml.Attachment("a.pdf", "application/pdf", original)]), identity()
    )
    changed = bytearray(original)
    changed[MB // 2] ^= 0x01
    old_b64 = base64.b64encode(original)
    new_b64 = base64.b64encode(bytes(changed))
    tampered = data.replace(old_b64, new_b64)
    assert tampered != data and len(tampered) == len(data)
    assert rejected(tampered).reason == "bad_signature"


def test_re_signed_by_a_foreign_ca_is_an_untrusted_signer() -> None:
    data = edxml.build_document(document(), identity())
    tree = etree.fromstring(data)
    signature = tree.find(f".//{{{edxml.NS_DSIG}}}Signature")
    signature.getparent().remove(signature)
    forged = signed(tree, identity(material="foreign"))
    error = rejected(forged)
    assert error.reason == "untrusted_signer"
    assert "không được tin cậy" in error.message_vi
    # …and trusted when the receiver does trust that root.
    assert (
        parse(forged, trust_roots=[province().root_cert, foreign().root_cert]).message.subject
        == document().subject
    )


def test_self_signed_certificate_is_an_untrusted_signer() -> None:
    from signatures import pki

    key = pki.new_rsa_key()
    cert = pki.build_root(key=key, name="Tự ký")
    data = edxml.build_document(document(), edxml.SigningIdentity(key=key, chain=[cert]))
    assert rejected(data).reason == "untrusted_signer"


def test_chain_without_the_issuing_ca_is_untrusted() -> None:
    ident = identity()
    data = edxml.build_document(
        document(), edxml.SigningIdentity(key=ident.key, chain=[ident.chain[0]])
    )
    assert rejected(data).reason == "untrusted_signer"


def test_no_trust_roots_trusts_nobody() -> None:
    data = edxml.build_document(document(), identity())
    assert rejected(data, trust_roots=[]).reason == "untrusted_signer"


def test_signature_wrapping_reads_only_what_was_signed() -> None:
    """Move the (valid) ds:Signature to the front of the header and hide a forged MessageHeader in
    a ds:Object inside it: the enveloped transform drops the whole Signature, so the digest still
    matches; a reader that searched the original tree would find the forged header first."""
    data = edxml.build_document(document(), identity())
    tree = etree.fromstring(data)
    header = tree.find(".//" + Q % "edXMLHeader")
    signature = header.find(f"{{{edxml.NS_DSIG}}}Signature")
    header.remove(signature)
    header.insert(0, signature)
    forged = etree.fromstring(
        etree.tostring(
            edxml.document_tree(document(subject="Chuyển ngay 5 tỷ đồng", document_id="evil"))
        )
    )
    holder = etree.SubElement(signature, f"{{{edxml.NS_DSIG}}}Object")
    holder.append(forged.find(Q % "edXMLHeader").find(Q % "MessageHeader"))
    wrapped = etree.tostring(tree, encoding="UTF-8")
    assert wrapped.index("Chuyển ngay".encode()) < wrapped.index("rà soát".encode())
    parsed = parse(wrapped)
    assert parsed.message.subject == document().subject
    assert parsed.message.document_id == document().document_id


def test_signature_over_a_part_only_is_refused() -> None:
    """A signature whose Reference points at one element (URI="#…") does not vouch for the rest."""
    tree = edxml.document_tree(document())
    tree.find(Q % "edXMLHeader").set("Id", "hdr")
    ident = identity()
    signer = XMLSigner(
        method=methods.enveloped,
        signature_algorithm=SignatureMethod.RSA_SHA256,
        digest_algorithm=DigestAlgorithm.SHA256,
    )
    data = etree.tostring(signer.sign(tree, key=ident.key, cert=ident.chain, reference_uri="#hdr"))
    assert rejected(data).reason == "bad_signature"


def test_two_signatures_are_not_a_way_around() -> None:
    data = edxml.build_document(document(), identity())
    tree = etree.fromstring(data)
    header = tree.find(".//" + Q % "edXMLHeader")
    signature = header.find(f"{{{edxml.NS_DSIG}}}Signature")
    header.append(etree.fromstring(etree.tostring(signature)))
    header.find(f"{Q % 'MessageHeader'}/{Q % 'Subject'}").text = "Sửa trích yếu"
    assert rejected(etree.tostring(tree)).reason == "bad_signature"


def test_signature_removed_is_refused_when_required() -> None:
    data = edxml.build_document(document(), identity())
    tree = etree.fromstring(data)
    signature = tree.find(f".//{{{edxml.NS_DSIG}}}Signature")
    signature.getparent().remove(signature)
    unsigned = etree.tostring(tree)
    error = rejected(unsigned)
    assert error.reason == "bad_signature" and "not signed" in error.message_en
    assert parse(unsigned, require_signature=False).signer_certificate is None


def test_mentioning_the_signature_namespace_does_not_make_an_envelope_signed() -> None:
    tree = edxml.document_tree(
        document(content="Xem http://www.w3.org/2000/09/xmldsig# về chữ ký XML.")
    )
    unsigned = etree.tostring(tree, xml_declaration=True, encoding="UTF-8")
    assert rejected(unsigned).reason == "bad_signature"
    assert parse(unsigned, require_signature=False).message.content.startswith(
        "Xem http://www.w3.org/2000/09/xmldsig#"
    )
    assert parse(signed(tree)).message.content.startswith("Xem http://")


def test_a_text_node_beyond_the_parser_limit_is_too_large_not_malformed() -> None:
    """huge_tree stays off: libxml2 refuses a text node over 10 MB (an ~7.5 MB attachment)."""
    with pytest.raises(ValueError, match="at most"):
        edxml.build_document(
            document(
                attachments=[
                    edxml.Attachment(
                        "lon.pdf", "application/pdf", b"\0" * (edxml.MAX_ATTACHMENT_BYTES + 1)
                    )
                ]
            ),
            identity(),
        )
    small = edxml.build_document(
        document(attachments=[edxml.Attachment("lon.pdf", "application/pdf", b"\0" * 3)]),
        identity(),
    )
    big = small.replace(base64.b64encode(b"\0" * 3), base64.b64encode(b"\0" * 8 * MB))
    error = rejected(big, max_attachment_bytes=20 * MB, max_envelope_bytes=20 * MB)
    assert error.reason == "too_large", error
    assert "limit" in error.message_en


def test_parsing_in_several_threads_at_once() -> None:
    from concurrent.futures import ThreadPoolExecutor

    data = [edxml.build_document(document(document_id=f"doc-{i}"), identity()) for i in range(8)]
    with ThreadPoolExecutor(4) as pool:
        ids = list(pool.map(lambda d: parse(d).message.document_id, data * 4))
    assert ids == [f"doc-{i}" for i in range(8)] * 4
    bad = [_mutated(_remove("edXMLHeader/MessageHeader/Subject"))] * 8
    with ThreadPoolExecutor(4) as pool:
        messages = list(pool.map(lambda d: rejected(d).message_en, bad))
    assert all("Subject" in m for m in messages)


def test_expired_certificate_is_untrusted() -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    from signatures import pki

    m = province()
    key = pki.new_rsa_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(pki._name("Cơ quan hết hạn"))
        .issuer_name(m.issuing_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
        .not_valid_after(dt.datetime(2021, 1, 1, tzinfo=dt.UTC))
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(m.issuing_key.public_key()),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(m.issuing_key, hashes.SHA256())
    )
    data = edxml.build_document(
        document(), edxml.SigningIdentity(key=key, chain=[cert, m.issuing_cert])
    )
    assert rejected(data).reason == "untrusted_signer"
