"""Parse, verify and check incoming edXML envelopes.

Order of checks (each failure raises :class:`EnvelopeRejected`, nothing is returned half-read):
envelope size → XML syntax (no DTD, no entities, no network, no huge text nodes) → signature
(signxml; the chain must lead to ``trust_roots``) → from here on ONLY the XML that the signature
covers is read (signxml's ``signed_xml``: a signature-wrapping attack cannot slip unsigned
elements in) → root element and namespace → namespace normalised to NS_2016 → required elements
→ values (dates, integers, duplicates, references) → secrecy → attachment sizes and base64.

Liberal in what it reads (QCVN 102:2016 as document-axis software writes it, e.g. the VPCP
gateway's hand-written envelopes): the ``<edXML>`` root wrapping ``edXMLEnvelope`` and
``AttachmentEncoded``; ``edXMLManifest/Reference{ContentId, ContentType, AttachmentName}`` as well
as the older ``Manifest/Reference@href``; attachments in ``AttachmentEncoded/Attachment/
ContentTransferEncoded`` (a one-file ZIP is unpacked) or ``edXMLBody/Attachment/Value``;
``OrganizationInCharge``, ``Fax``, ``Website``; ``TypeDetail``; a ``SignerInfo`` with only
``FullName``; ``OtherInfo/Direction`` and ``Appendixes``; the ``Bussiness`` block (0 new,
1 recall, 2 update, 3 replace), which decides recall and update (``SteeringType`` 0 is accepted);
timestamps ISO, "yyyy/MM/dd HH:mm:ss" or "dd/MM/yyyy HH:mm:ss"; a status with
``ResponseFor/PromulgationDate`` and without ``To``; elements in any order and elements we do not
know (ignored). The XSD (``schema()``) stays the checked form of the portal's older shape.
"""

from __future__ import annotations

import binascii
import threading
from collections.abc import Sequence
from pathlib import Path

from cryptography import x509
from lxml import etree
from signxml import DigestAlgorithm, SignatureConfiguration, SignatureMethod, XMLVerifier
from signxml.exceptions import InvalidCertificate, InvalidInput, SignXMLException

from .model import (
    BUSINESS_NEW,
    BUSINESS_TO_STEERING,
    NAMESPACES,
    NS_2016,
    NS_DSIG,
    NS_OLD,
    OTHER_INFO_KEYS,
    STEERING_TYPES,
    DocumentMessage,
    EnvelopeRejected,
    Parsed,
    ResponseFor,
    SignerInfo,
    StatusMessage,
    Trace,
)
from .parse_attachments import read_attachments
from .parse_status import read_status
from .reading import (
    QNAME,
    find_path,
    malformed_error,
    nfc,
    read_date,
    read_datetime,
    read_int,
    read_organ,
    read_text,
    require_path,
)
from .reading import VN_TZ as VN_TZ  # re-exported: read here before the split
from .trust import ChainCheck

SCHEMA_PATH = Path(__file__).parent / "schema" / "edxml.xsd"
_DSIG_SIGNATURE = "{%s}Signature" % NS_DSIG  # noqa: UP031

_EXPECT = SignatureConfiguration(
    require_x509=True,
    expect_references=1,
    signature_methods=frozenset(
        {
            SignatureMethod.RSA_SHA256,
            SignatureMethod.RSA_SHA384,
            SignatureMethod.RSA_SHA512,
            SignatureMethod.ECDSA_SHA256,
            SignatureMethod.ECDSA_SHA384,
            SignatureMethod.ECDSA_SHA512,
        }
    ),
    digest_algorithms=frozenset(
        {DigestAlgorithm.SHA256, DigestAlgorithm.SHA384, DigestAlgorithm.SHA512}
    ),
)


_local = threading.local()


def schema() -> etree.XMLSchema:
    """The edXML XSD (NS_2016), loaded once per thread (a validator keeps its error log on the
    instance, so threads do not share one)."""
    xsd = getattr(_local, "schema", None)
    if xsd is None:
        xsd = _local.schema = etree.XMLSchema(etree.parse(str(SCHEMA_PATH)))
    return xsd


def _parser() -> etree.XMLParser:
    # A new parser per call: lxml parsers must not be shared between threads.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        remove_pis=True,
        collect_ids=False,
    )


class _NoSignature(Exception):
    """The document has no ds:Signature element (though it may mention the namespace)."""


class _Verifier(XMLVerifier):
    """signxml's verifier with our own certificate path validation (see :mod:`.trust`)."""

    def __init__(self, chain_check: ChainCheck) -> None:
        super().__init__()
        self._chain_check = chain_check

    def get_cert_chain_verifier(self, ca_pem_file, ee_policy, ca_policy):  # type: ignore[no-untyped-def]  # noqa: ANN001
        return self._chain_check


def _syntax_error(exc: Exception) -> EnvelopeRejected:
    message = str(exc)
    if "huge" in message.lower():
        return EnvelopeRejected(
            "too_large",
            f"a text node exceeds the XML parser's limit ({message})",
            detail_vi=f"một phần tử vượt giới hạn của bộ phân tích XML ({message})",
        )
    return malformed_error(f"XML syntax error: {message}", f"lỗi cú pháp XML: {message}")


def _parse_plain(data: bytes) -> etree._Element:
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise _syntax_error(exc) from exc
    docinfo = root.getroottree().docinfo
    if docinfo.internalDTD is not None or docinfo.externalDTD is not None or docinfo.doctype:
        raise malformed_error("DTD declarations are not allowed", "không chấp nhận khai báo DTD")
    for _entity in root.iter(etree.Entity):
        raise malformed_error(
            "entity references are not allowed", "không chấp nhận tham chiếu thực thể (entity)"
        )
    return root


def _verify(
    data: bytes | etree._Element, trust_roots: Sequence[x509.Certificate]
) -> tuple[etree._Element, list[x509.Certificate]]:
    chain_check = ChainCheck(trust_roots)
    try:
        result = _Verifier(chain_check).verify(data, parser=_parser(), expect_config=_EXPECT)
    except etree.XMLSyntaxError as exc:
        raise _syntax_error(exc) from exc
    except InvalidCertificate as exc:
        raise EnvelopeRejected("untrusted_signer", str(exc)) from exc
    except InvalidInput as exc:
        text = str(exc)
        if "DTD" in text or "Entities" in text:
            raise malformed_error(text) from exc
        if text.startswith("Expected to find XML element Signature"):
            raise _NoSignature from exc
        raise EnvelopeRejected("bad_signature", text) from exc
    except (SignXMLException, ValueError, TypeError, KeyError, binascii.Error) as exc:
        raise EnvelopeRejected("bad_signature", str(exc) or type(exc).__name__) from exc
    if isinstance(result, list):  # signxml returns a list only when more references are expected
        raise EnvelopeRejected("bad_signature", "more than one signed reference")
    references = result.signature_xml.findall(f"{{{NS_DSIG}}}SignedInfo/{{{NS_DSIG}}}Reference")
    if len(references) != 1 or references[0].get("URI") != "":
        raise EnvelopeRejected(
            "bad_signature",
            'the signature must cover the whole envelope (Reference URI="")',
            detail_vi='chữ ký phải bao trùm toàn bộ phong bì (Reference URI="")',
        )
    if result.signed_xml is None or chain_check.leaf is None:
        raise EnvelopeRejected("bad_signature", "the signed content is not XML")
    return result.signed_xml, chain_check.chain or [chain_check.leaf]


def _normalise_namespace(root: etree._Element) -> tuple[etree._Element, str]:
    """The edXMLEnvelope (itself, or the one an ``<edXML>`` root wraps) and its namespace; every
    element of the edXML namespaces, and the unqualified children of AttachmentEncoded, moved to
    NS_2016 (the signature was verified over the original bytes before)."""
    qname = etree.QName(root)
    envelope = root
    if qname.localname == "edXML" and qname.namespace in (*NAMESPACES, None):
        envelope = next(
            (
                c
                for c in root
                if isinstance(c.tag, str) and etree.QName(c).localname == "edXMLEnvelope"
            ),
            None,
        )
        if envelope is None:
            raise malformed_error(
                "the edXML root has no edXMLEnvelope", "phần tử gốc edXML không có edXMLEnvelope"
            )
        qname = etree.QName(envelope)
    if qname.namespace not in NAMESPACES or qname.localname != "edXMLEnvelope":
        raise malformed_error(
            f"the root element must be edXMLEnvelope (or edXML) in {NS_2016} or {NS_OLD}, not {root.tag}",
            f"phần tử gốc phải là edXMLEnvelope (hoặc edXML) thuộc {NS_2016} hoặc {NS_OLD}, không phải {root.tag}",
        )
    new = "{%s}" % NS_2016  # noqa: UP031
    for element in root.iter(tag=etree.Element):
        name = etree.QName(element)
        if name.namespace == NS_OLD or (name.namespace is None and element is not root):
            element.tag = new + name.localname
        elif element is root and name.namespace is None:
            element.tag = new + name.localname
    return envelope, qname.namespace


def _validate(root: etree._Element) -> None:
    xsd = schema()
    if not xsd.validate(root):
        error = (
            xsd.error_log.filter_from_errors()[0]
            if xsd.error_log.filter_from_errors()
            else xsd.error_log.last_error
        )
        message = error.message.replace("{%s}" % NS_2016, "")  # noqa: UP031
        raise malformed_error(f"line {error.line}: {message}", f"dòng {error.line}: {message}")


def _check_document(mh: etree._Element) -> None:
    require_path(
        mh,
        "From/OrganId",
        "DocumentId",
        "Subject",
        "PromulgationInfo/PromulgationDate",
        where="MessageHeader",
    )
    if mh.find(QNAME % "To") is None:
        raise malformed_error("missing element MessageHeader/To", "thiếu phần tử MessageHeader/To")


def _traces(header: etree._Element) -> list[Trace]:
    trace_list = find_path(header, "TraceHeaderList")
    if trace_list is None:
        return []
    return [
        Trace(
            organ_id=read_text(node, "OrganId"),
            timestamp=read_datetime(read_text(node, "Timestamp"), "TraceHeader/Timestamp"),
        )
        for node in trace_list.iterchildren(QNAME % "TraceHeader")
    ]


def _business(header: etree._Element) -> int | None:
    """TraceHeaderList/Bussiness/BussinessDocType (0 new, 1 recall, 2 update, 3 replace), if any."""
    node = find_path(header, "TraceHeaderList/Bussiness")
    if node is None:
        return None
    value = read_int(
        read_text(node, "BussinessDocType"), "Bussiness/BussinessDocType", default=BUSINESS_NEW
    )
    if value not in BUSINESS_TO_STEERING:
        raise malformed_error(
            f"unknown Bussiness/BussinessDocType {value}",
            f"Bussiness/BussinessDocType {value} không hợp lệ",
        )
    return value


def _document(
    root: etree._Element,
    header: etree._Element,
    mh: etree._Element,
    max_attachment_bytes: int,
    encoded: etree._Element | None = None,
) -> DocumentMessage:
    to_organs = [read_organ(node) for node in mh.iterchildren(QNAME % "To")]
    seen: set[str] = set()
    for organ in to_organs:
        if organ.organ_id in seen:
            raise malformed_error(
                f"duplicate recipient To/OrganId {organ.organ_id}",
                f"nơi nhận To/OrganId {organ.organ_id} bị lặp",
            )
        seen.add(organ.organ_id)
    _check_document(mh)
    raw_steering = read_int(read_text(mh, "SteeringType"), "SteeringType", default=1)
    if raw_steering not in (0, *STEERING_TYPES):
        raise malformed_error(
            f"unknown SteeringType {raw_steering}", f"SteeringType {raw_steering} không hợp lệ"
        )
    business = _business(header)
    # recall / update follow the Bussiness block; without one, the portal's older SteeringType
    if business is not None:
        steering = BUSINESS_TO_STEERING[business]
    else:
        steering = raw_steering or STEERING_TYPES[0]
    other = find_path(mh, "OtherInfo")
    other_info = {
        key: read_text(other, key)
        for key in OTHER_INFO_KEYS
        if other is not None and find_path(other, key) is not None
    }
    appendixes = (
        [
            nfc("".join(node.itertext()))
            for node in other.iterfind(f"{QNAME % 'Appendixes'}/{QNAME % 'Appendix'}")
        ]
        if other is not None
        else []
    )
    secrecy = read_int(read_text(other, "Secrecy"), "OtherInfo/Secrecy") if other is not None else 0
    document_id = read_text(mh, "DocumentId")
    if secrecy > 0:
        raise EnvelopeRejected(
            "secret",
            f"document {document_id} has secrecy level {secrecy}",
            detail_vi=f"văn bản {document_id} có độ mật {secrecy}",
        )
    due = read_text(mh, "DueDate")
    response_for = [
        ResponseFor(
            organ_id=read_text(node, "OrganId"),
            code=read_text(node, "Code"),
            promulgation_date=read_date(
                read_text(node, "PromulgationDate"), "ResponseFor/PromulgationDate"
            ),
            document_id=read_text(node, "DocumentId"),
        )
        for node in mh.iterchildren(QNAME % "ResponseFor")
    ]
    from_node = find_path(mh, "From")
    if from_node is None:  # _check_document required From/OrganId
        raise malformed_error(
            "missing element MessageHeader/From", "thiếu phần tử MessageHeader/From"
        )
    attachments = read_attachments(root, max_attachment_bytes, encoded)
    return DocumentMessage(
        document_id=document_id,
        from_organ=read_organ(from_node),
        to_organs=to_organs,
        code_number=read_text(mh, "Code/CodeNumber"),
        code_notation=read_text(mh, "Code/CodeNotation"),
        place=read_text(mh, "PromulgationInfo/Place"),
        promulgation_date=read_date(
            read_text(mh, "PromulgationInfo/PromulgationDate"), "PromulgationInfo/PromulgationDate"
        ),
        document_type=read_int(read_text(mh, "DocumentType/Type"), "DocumentType/Type"),
        document_type_name=read_text(mh, "DocumentType/TypeName"),
        subject=read_text(mh, "Subject"),
        content=read_text(mh, "Content"),
        signer=SignerInfo(
            competence=read_text(mh, "SignerInfo/Competence"),
            position=read_text(mh, "SignerInfo/Position"),
            full_name=read_text(mh, "SignerInfo/FullName"),
        ),
        due_date=read_date(due, "DueDate") if due else None,
        to_places=[
            nfc(node.text) for node in mh.iterfind(f"{QNAME % 'ToPlaces'}/{QNAME % 'Place'}")
        ],
        priority=read_int(read_text(other, "Priority"), "OtherInfo/Priority")
        if other is not None
        else 0,
        steering_type=steering,
        response_for=response_for,
        attachments=attachments,
        traces=_traces(header),
        other_info=other_info,
        secrecy=secrecy,
        document_type_detail=read_int(
            read_text(mh, "DocumentType/TypeDetail"), "DocumentType/TypeDetail"
        ),
        business_doc_type=business,
        appendixes=appendixes,
    )


def parse(
    data: bytes,
    *,
    trust_roots: list[x509.Certificate],
    max_attachment_bytes: int,
    max_envelope_bytes: int,
    require_signature: bool = True,
) -> Parsed:
    """Read an incoming envelope (either namespace) into a :class:`DocumentMessage` or
    :class:`StatusMessage`; raise :class:`EnvelopeRejected` with the reason otherwise.

    ``require_signature=False`` accepts an unsigned envelope (hand registration, tests of the
    structure); a signature that is present is verified all the same.
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError("parse() takes the envelope's bytes")
    data = bytes(data)
    if len(data) > max_envelope_bytes:
        raise EnvelopeRejected(
            "too_large",
            f"the envelope has {len(data)} bytes, the limit is {max_envelope_bytes}",
            detail_vi=f"phong bì có {len(data)} byte, giới hạn {max_envelope_bytes} byte",
        )
    chain: list[x509.Certificate] = []
    root = None
    if NS_DSIG.encode() in data:  # the usual case: signxml parses the bytes once, and only once
        try:
            root, chain = _verify(data, trust_roots)
        except _NoSignature:
            pass  # the namespace was only mentioned (e.g. in Content): read it as unsigned
    if root is None:
        root = _parse_plain(data)
        if (
            root.find(f".//{_DSIG_SIGNATURE}") is not None
        ):  # e.g. a UTF-16 document: verify it all the same
            root, chain = _verify(root, trust_roots)
        elif require_signature:
            raise EnvelopeRejected(
                "bad_signature",
                "the envelope is not signed",
                detail_vi="phong bì không có chữ ký số",
            )
    envelope, namespace = _normalise_namespace(root)
    encoded = None if envelope is root else root.find(QNAME % "AttachmentEncoded")
    header = find_path(envelope, "edXMLHeader")
    if header is None:
        raise malformed_error("missing element edXMLHeader", "thiếu phần tử edXMLHeader")
    message_header = find_path(header, "MessageHeader")
    status_node = find_path(header, "Status")
    if message_header is not None:
        message: DocumentMessage | StatusMessage = _document(
            envelope, header, message_header, max_attachment_bytes, encoded
        )
    elif status_node is not None:
        message = read_status(header, status_node)
    else:
        raise malformed_error(
            "the header has neither MessageHeader nor Status",
            "phần đầu không có MessageHeader hoặc Status",
        )
    return Parsed(
        message=message,
        namespace=namespace,
        signer_certificate=chain[0] if chain else None,
        signer_chain=tuple(chain),
    )
