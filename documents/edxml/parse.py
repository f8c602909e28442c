"""Parse, verify and check incoming edXML envelopes.

Order of checks (each failure raises :class:`EnvelopeRejected`, nothing is returned half-read):
envelope size → XML syntax (no DTD, no entities, no network, no huge text nodes) → signature
(signxml; the chain must lead to ``trust_roots``) → from here on ONLY the XML that the signature
covers is read (signxml's ``signed_xml``: a signature-wrapping attack cannot slip unsigned
elements in) → root element and namespace → namespace normalised to NS_2016 → XSD → values
(dates, integers, duplicates, references) → secrecy → attachment sizes and base64.
"""

from __future__ import annotations

import binascii
import datetime as dt
import re
import threading
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from zoneinfo import ZoneInfo

from cryptography import x509
from lxml import etree
from signxml import DigestAlgorithm, SignatureConfiguration, SignatureMethod, XMLVerifier
from signxml.exceptions import InvalidCertificate, InvalidInput, SignXMLException

from .model import (
    NAMESPACES,
    NS_2016,
    NS_DSIG,
    NS_OLD,
    OTHER_INFO_KEYS,
    STATUS_CODES,
    STEERING_TYPES,
    Attachment,
    DocumentMessage,
    EnvelopeRejected,
    Organ,
    Parsed,
    ResponseFor,
    SignerInfo,
    StatusMessage,
    Trace,
)
from .trust import ChainCheck

SCHEMA_PATH = Path(__file__).parent / "schema" / "edxml.xsd"
VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
_Q = "{%s}%%s" % NS_2016  # noqa: UP031
_DSIG_SIGNATURE = "{%s}Signature" % NS_DSIG  # noqa: UP031
_WHITESPACE = b" \t\r\n"

_EXPECT = SignatureConfiguration(
    require_x509=True,
    expect_references=1,
    signature_methods=frozenset({
        SignatureMethod.RSA_SHA256, SignatureMethod.RSA_SHA384, SignatureMethod.RSA_SHA512,
        SignatureMethod.ECDSA_SHA256, SignatureMethod.ECDSA_SHA384, SignatureMethod.ECDSA_SHA512,
    }),
    digest_algorithms=frozenset({DigestAlgorithm.SHA256, DigestAlgorithm.SHA384, DigestAlgorithm.SHA512}),
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
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False, remove_pis=True, collect_ids=False)


class _NoSignature(Exception):
    """The document has no ds:Signature element (though it may mention the namespace)."""


class _Verifier(XMLVerifier):
    """signxml's verifier with our own certificate path validation (see :mod:`.trust`)."""

    def __init__(self, chain_check: ChainCheck) -> None:
        super().__init__()
        self._chain_check = chain_check

    def get_cert_chain_verifier(self, ca_pem_file, ee_policy, ca_policy):  # type: ignore[no-untyped-def]  # noqa: ANN001
        return self._chain_check


def _malformed(detail: str, detail_vi: str | None = None) -> EnvelopeRejected:
    return EnvelopeRejected("malformed", detail, detail_vi=detail_vi)


def _syntax_error(exc: Exception) -> EnvelopeRejected:
    message = str(exc)
    if "huge" in message.lower():
        return EnvelopeRejected("too_large", f"a text node exceeds the XML parser's limit ({message})", detail_vi=f"một phần tử vượt giới hạn của bộ phân tích XML ({message})")
    return _malformed(f"XML syntax error: {message}", f"lỗi cú pháp XML: {message}")


def _parse_plain(data: bytes) -> etree._Element:
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise _syntax_error(exc) from exc
    docinfo = root.getroottree().docinfo
    if docinfo.internalDTD is not None or docinfo.externalDTD is not None or docinfo.doctype:
        raise _malformed("DTD declarations are not allowed", "không chấp nhận khai báo DTD")
    for _entity in root.iter(etree.Entity):
        raise _malformed("entity references are not allowed", "không chấp nhận tham chiếu thực thể (entity)")
    return root


def _verify(data: bytes | etree._Element, trust_roots: Sequence[x509.Certificate]) -> tuple[etree._Element, list[x509.Certificate]]:
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
            raise _malformed(text) from exc
        if text.startswith("Expected to find XML element Signature"):
            raise _NoSignature from exc
        raise EnvelopeRejected("bad_signature", text) from exc
    except (SignXMLException, ValueError, TypeError, KeyError, binascii.Error) as exc:
        raise EnvelopeRejected("bad_signature", str(exc) or type(exc).__name__) from exc
    references = result.signature_xml.findall(f"{{{NS_DSIG}}}SignedInfo/{{{NS_DSIG}}}Reference")
    if len(references) != 1 or references[0].get("URI") != "":
        raise EnvelopeRejected("bad_signature", 'the signature must cover the whole envelope (Reference URI="")', detail_vi='chữ ký phải bao trùm toàn bộ phong bì (Reference URI="")')
    if result.signed_xml is None or chain_check.leaf is None:
        raise EnvelopeRejected("bad_signature", "the signed content is not XML")
    return result.signed_xml, chain_check.chain or [chain_check.leaf]


def _normalise_namespace(root: etree._Element) -> str:
    qname = etree.QName(root)
    if qname.namespace not in NAMESPACES or qname.localname != "edXMLEnvelope":
        raise _malformed(
            f"the root element must be edXMLEnvelope in {NS_2016} or {NS_OLD}, not {root.tag}",
            f"phần tử gốc phải là edXMLEnvelope thuộc {NS_2016} hoặc {NS_OLD}, không phải {root.tag}",
        )
    if qname.namespace == NS_OLD:
        old = "{%s}" % NS_OLD  # noqa: UP031
        new = "{%s}" % NS_2016  # noqa: UP031
        for element in root.iter(tag=etree.Element):
            if element.tag.startswith(old):
                element.tag = new + element.tag[len(old):]
    return qname.namespace


def _validate(root: etree._Element) -> None:
    xsd = schema()
    if not xsd.validate(root):
        error = xsd.error_log.filter_from_errors()[0] if xsd.error_log.filter_from_errors() else xsd.error_log.last_error
        message = error.message.replace("{%s}" % NS_2016, "")  # noqa: UP031
        raise _malformed(f"line {error.line}: {message}", f"dòng {error.line}: {message}")


# --- value readers ------------------------------------------------------------------------------


def _nfc(text: str | None) -> str:
    return unicodedata.normalize("NFC", text or "").strip()


def _find(parent: etree._Element, path: str) -> etree._Element | None:
    return parent.find("/".join(_Q % part for part in path.split("/")))


def _text(parent: etree._Element, path: str) -> str:
    node = _find(parent, path)
    return "" if node is None else _nfc(node.text)


_DATE_FORMATS = (
    (re.compile(r"^\d{4}-\d{2}-\d{2}$"), "%Y-%m-%d"),
    (re.compile(r"^\d{4}/\d{2}/\d{2}$"), "%Y/%m/%d"),
    (re.compile(r"^\d{2}/\d{2}/\d{4}$"), "%d/%m/%Y"),
)


def _date(value: str, element: str) -> dt.date:
    for pattern, fmt in _DATE_FORMATS:
        if pattern.match(value):
            try:
                return dt.datetime.strptime(value, fmt).date()  # noqa: DTZ007  (a date, no time zone)
            except ValueError:
                break
    raise _malformed(f"bad date in {element}: {value!r}", f"ngày không hợp lệ ở {element}: {value!r}")


def _datetime(value: str, element: str) -> dt.datetime:
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise _malformed(f"bad time in {element}: {value!r}", f"thời điểm không hợp lệ ở {element}: {value!r}") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=VN_TZ)


def _int(value: str, element: str, default: int = 0) -> int:
    if not value:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise _malformed(f"{element} must be a whole number, not {value!r}", f"{element} phải là số nguyên, không phải {value!r}") from exc


def _organ(node: etree._Element) -> Organ:
    return Organ(
        organ_id=_text(node, "OrganId"), name=_text(node, "OrganName"), address=_text(node, "OrganAdd"),
        email=_text(node, "Email"), phone=_text(node, "Telephone"),
    )


def _split_code(code: str) -> tuple[str, str]:
    number, sep, notation = code.partition("/")
    return (number, notation) if sep else ("", code)


def _decode(value: str, name: str, limit: int) -> bytes:
    raw = value.encode("ascii", "replace")
    estimate = len(raw) * 3 // 4
    if estimate > limit + 3 and len(raw.translate(None, _WHITESPACE)) * 3 // 4 > limit + 3:
        raise EnvelopeRejected("too_large", f"attachment {name!r} is about {estimate} bytes, the limit is {limit}", detail_vi=f"tệp đính kèm {name!r} khoảng {estimate} byte, giới hạn {limit} byte")
    try:
        data = binascii.a2b_base64(raw, strict_mode=True)
    except binascii.Error:
        try:
            data = binascii.a2b_base64(raw.translate(None, _WHITESPACE), strict_mode=True)
        except binascii.Error as exc:
            raise _malformed(f"attachment {name!r} is not valid base64 ({exc})", f"tệp đính kèm {name!r} không đúng mã base64 ({exc})") from exc
    if len(data) > limit:
        raise EnvelopeRejected("too_large", f"attachment {name!r} has {len(data)} bytes, the limit is {limit}", detail_vi=f"tệp đính kèm {name!r} có {len(data)} byte, giới hạn {limit} byte")
    return data


def _traces(header: etree._Element) -> list[Trace]:
    trace_list = _find(header, "TraceHeaderList")
    if trace_list is None:
        return []
    return [
        Trace(organ_id=_text(node, "OrganId"), timestamp=_datetime(_text(node, "Timestamp"), "TraceHeader/Timestamp"))
        for node in trace_list.iterchildren(_Q % "TraceHeader")
    ]


def _document(root: etree._Element, header: etree._Element, mh: etree._Element, max_attachment_bytes: int) -> DocumentMessage:
    to_organs = [_organ(node) for node in mh.iterchildren(_Q % "To")]
    seen: set[str] = set()
    for organ in to_organs:
        if organ.organ_id in seen:
            raise _malformed(f"duplicate recipient To/OrganId {organ.organ_id}", f"nơi nhận To/OrganId {organ.organ_id} bị lặp")
        seen.add(organ.organ_id)
    steering = _int(_text(mh, "SteeringType"), "SteeringType", default=1)
    if steering not in STEERING_TYPES:
        raise _malformed(f"unknown SteeringType {steering}", f"SteeringType {steering} không hợp lệ")
    other = _find(mh, "OtherInfo")
    other_info = {key: _text(other, key) for key in OTHER_INFO_KEYS if other is not None and _find(other, key) is not None}
    secrecy = _int(_text(other, "Secrecy"), "OtherInfo/Secrecy") if other is not None else 0
    document_id = _text(mh, "DocumentId")
    if secrecy > 0:
        raise EnvelopeRejected("secret", f"document {document_id} has secrecy level {secrecy}", detail_vi=f"văn bản {document_id} có độ mật {secrecy}")
    due = _text(mh, "DueDate")
    response_for = [
        ResponseFor(
            organ_id=_text(node, "OrganId"), code=_text(node, "Code"),
            promulgation_date=_date(_text(node, "PromulgationDate"), "ResponseFor/PromulgationDate"),
            document_id=_text(node, "DocumentId"),
        )
        for node in mh.iterchildren(_Q % "ResponseFor")
    ]
    attachments = _attachments(root, max_attachment_bytes)
    return DocumentMessage(
        document_id=document_id,
        from_organ=_organ(_find(mh, "From")),  # type: ignore[arg-type]  (required by the XSD)
        to_organs=to_organs,
        code_number=_text(mh, "Code/CodeNumber"),
        code_notation=_text(mh, "Code/CodeNotation"),
        place=_text(mh, "PromulgationInfo/Place"),
        promulgation_date=_date(_text(mh, "PromulgationInfo/PromulgationDate"), "PromulgationInfo/PromulgationDate"),
        document_type=_int(_text(mh, "DocumentType/Type"), "DocumentType/Type"),
        document_type_name=_text(mh, "DocumentType/TypeName"),
        subject=_text(mh, "Subject"),
        content=_text(mh, "Content"),
        signer=SignerInfo(
            competence=_text(mh, "SignerInfo/Competence"), position=_text(mh, "SignerInfo/Position"),
            full_name=_text(mh, "SignerInfo/FullName"),
        ),
        due_date=_date(due, "DueDate") if due else None,
        to_places=[_nfc(node.text) for node in mh.iterfind(f"{_Q % 'ToPlaces'}/{_Q % 'Place'}")],
        priority=_int(_text(other, "Priority"), "OtherInfo/Priority") if other is not None else 0,
        steering_type=steering,
        response_for=response_for,
        attachments=attachments,
        traces=_traces(header),
        other_info=other_info,
        secrecy=secrecy,
    )


def _attachments(root: etree._Element, limit: int) -> list[Attachment]:
    body = _find(root, "edXMLBody")
    if body is None:
        return []
    references: list[str] = []
    for node in body.iterfind(f"{_Q % 'Manifest'}/{_Q % 'Reference'}"):
        href = node.get("href", "")
        content_id = href[4:] if href.startswith("cid:") else href
        if content_id in references:
            raise _malformed(f"duplicate Manifest/Reference {href}", f"Manifest/Reference {href} bị lặp")
        references.append(content_id)
    attachments = []
    found: list[str] = []
    for node in body.iterchildren(_Q % "Attachment"):
        content_id = _text(node, "ContentId")
        name = _text(node, "AttachmentName")
        if content_id not in references:
            raise _malformed(f"attachment {content_id} ({name}) is not listed in the Manifest", f"tệp đính kèm {content_id} ({name}) không có trong Manifest")
        found.append(content_id)
        value = _find(node, "Value")
        attachments.append(Attachment(
            name=name, content_type=_text(node, "ContentType"), description=_text(node, "Description"),
            data=_decode(value.text or "" if value is not None else "", name, limit),
        ))
    missing = [cid for cid in references if cid not in found]
    if missing:
        raise _malformed(f"the Manifest lists attachments that are missing: {', '.join(missing)}", f"Manifest liệt kê tệp đính kèm bị thiếu: {', '.join(missing)}")
    return attachments


def _status(header: etree._Element, status: etree._Element) -> StatusMessage:
    code = _text(status, "StatusCode")
    if code not in STATUS_CODES:
        raise _malformed(f"unknown StatusCode {code}", f"StatusCode {code} không hợp lệ")
    answered = _text(status, "ResponseFor/OrganId")
    to_node = _find(status, "To")
    to_organ = _organ(to_node) if to_node is not None else Organ(organ_id=answered)
    if to_organ.organ_id != answered:
        raise _malformed(f"Status/To/OrganId {to_organ.organ_id} differs from ResponseFor/OrganId {answered}", f"Status/To/OrganId {to_organ.organ_id} khác ResponseFor/OrganId {answered}")
    number, notation = _split_code(_text(status, "ResponseFor/Code"))
    return StatusMessage(
        document_id=_text(status, "ResponseFor/DocumentId"),
        from_organ=_organ(_find(status, "From")),  # type: ignore[arg-type]
        to_organ=to_organ,
        code=code,
        description=_text(status, "Description"),
        timestamp=_datetime(_text(status, "Timestamp"), "Status/Timestamp"),
        staff_name=_text(status, "StaffInfo/Staff"),
        department=_text(status, "StaffInfo/Department"),
        code_number=number,
        code_notation=notation,
    )


def parse(
    data: bytes, *, trust_roots: list[x509.Certificate], max_attachment_bytes: int, max_envelope_bytes: int,
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
        raise EnvelopeRejected("too_large", f"the envelope has {len(data)} bytes, the limit is {max_envelope_bytes}", detail_vi=f"phong bì có {len(data)} byte, giới hạn {max_envelope_bytes} byte")
    chain: list[x509.Certificate] = []
    root = None
    if NS_DSIG.encode() in data:  # the usual case: signxml parses the bytes once, and only once
        try:
            root, chain = _verify(data, trust_roots)
        except _NoSignature:
            pass  # the namespace was only mentioned (e.g. in Content): read it as unsigned
    if root is None:
        root = _parse_plain(data)
        if root.find(f".//{_DSIG_SIGNATURE}") is not None:  # e.g. a UTF-16 document: verify it all the same
            root, chain = _verify(root, trust_roots)
        elif require_signature:
            raise EnvelopeRejected("bad_signature", "the envelope is not signed", detail_vi="phong bì không có chữ ký số")
    namespace = _normalise_namespace(root)
    _validate(root)
    header = _find(root, "edXMLHeader")
    assert header is not None  # the XSD requires it
    message_header = _find(header, "MessageHeader")
    if message_header is not None:
        message: DocumentMessage | StatusMessage = _document(root, header, message_header, max_attachment_bytes)
    else:
        message = _status(header, _find(header, "Status"))  # type: ignore[arg-type]
    return Parsed(message=message, namespace=namespace, signer_certificate=chain[0] if chain else None, signer_chain=tuple(chain))
