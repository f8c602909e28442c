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
    BUSINESS_NEW,
    BUSINESS_TO_STEERING,
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


def _malformed(detail: str, detail_vi: str | None = None) -> EnvelopeRejected:
    return EnvelopeRejected("malformed", detail, detail_vi=detail_vi)


def _syntax_error(exc: Exception) -> EnvelopeRejected:
    message = str(exc)
    if "huge" in message.lower():
        return EnvelopeRejected(
            "too_large",
            f"a text node exceeds the XML parser's limit ({message})",
            detail_vi=f"một phần tử vượt giới hạn của bộ phân tích XML ({message})",
        )
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
        raise _malformed(
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
            raise _malformed(text) from exc
        if text.startswith("Expected to find XML element Signature"):
            raise _NoSignature from exc
        raise EnvelopeRejected("bad_signature", text) from exc
    except (SignXMLException, ValueError, TypeError, KeyError, binascii.Error) as exc:
        raise EnvelopeRejected("bad_signature", str(exc) or type(exc).__name__) from exc
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
            raise _malformed(
                "the edXML root has no edXMLEnvelope", "phần tử gốc edXML không có edXMLEnvelope"
            )
        qname = etree.QName(envelope)
    if qname.namespace not in NAMESPACES or qname.localname != "edXMLEnvelope":
        raise _malformed(
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
    raise _malformed(
        f"bad date in {element}: {value!r}", f"ngày không hợp lệ ở {element}: {value!r}"
    )


_DATETIME_FORMATS = (
    "%Y/%m/%d %H:%M:%S",
    "%d/%m/%Y %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%d/%m/%Y %H:%M",
    "%Y-%m-%d %H:%M:%S",
)


def _datetime(value: str, element: str) -> dt.datetime:
    """ISO 8601, or "yyyy/MM/dd HH:mm:ss" / "dd/MM/yyyy HH:mm:ss" as document-axis software
    writes them (Vietnam time when no offset is given)."""
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        for fmt in _DATETIME_FORMATS:
            try:
                parsed = dt.datetime.strptime(value, fmt)  # noqa: DTZ007  (the zone is set below)
                break
            except ValueError:
                continue
        else:
            raise _malformed(
                f"bad time in {element}: {value!r}",
                f"thời điểm không hợp lệ ở {element}: {value!r}",
            ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=VN_TZ)


def _int(value: str, element: str, default: int = 0) -> int:
    if not value:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise _malformed(
            f"{element} must be a whole number, not {value!r}",
            f"{element} phải là số nguyên, không phải {value!r}",
        ) from exc


def _organ(node: etree._Element) -> Organ:
    return Organ(
        organ_id=_text(node, "OrganId"),
        name=_text(node, "OrganName"),
        address=_text(node, "OrganAdd"),
        email=_text(node, "Email"),
        phone=_text(node, "Telephone"),
        in_charge=_text(node, "OrganizationInCharge") or _text(node, "OrganInCharge"),
        fax=_text(node, "Fax"),
        website=_text(node, "Website"),
    )


def _require(parent: etree._Element, *paths: str, where: str = "") -> None:
    """Each of ``paths`` present exactly once and not empty (what the XSD used to check, order-free)."""
    for path in paths:
        head, _, last = path.rpartition("/")
        holder = _find(parent, head) if head else parent
        found = [] if holder is None else list(holder.iterchildren(_Q % last))
        label = f"{where}/{path}" if where else path
        if not found:
            raise _malformed(f"missing element {label}", f"thiếu phần tử {label}")
        if len(found) > 1:
            raise _malformed(
                f"element {label} appears more than once", f"phần tử {label} xuất hiện nhiều lần"
            )
        if not len(found[0]) and not _nfc(found[0].text):
            raise _malformed(f"element {label} is empty", f"phần tử {label} để trống")


def _check_document(mh: etree._Element) -> None:
    _require(
        mh,
        "From/OrganId",
        "DocumentId",
        "Subject",
        "PromulgationInfo/PromulgationDate",
        where="MessageHeader",
    )
    if mh.find(_Q % "To") is None:
        raise _malformed("missing element MessageHeader/To", "thiếu phần tử MessageHeader/To")


def _check_status(status: etree._Element) -> None:
    _require(
        status, "ResponseFor/DocumentId", "From/OrganId", "StatusCode", "Timestamp", where="Status"
    )


def _split_code(code: str) -> tuple[str, str]:
    number, sep, notation = code.partition("/")
    return (number, notation) if sep else ("", code)


def _decode(value: str, name: str, limit: int) -> bytes:
    raw = value.encode("ascii", "replace")
    estimate = len(raw) * 3 // 4
    if estimate > limit + 3 and len(raw.translate(None, _WHITESPACE)) * 3 // 4 > limit + 3:
        raise EnvelopeRejected(
            "too_large",
            f"attachment {name!r} is about {estimate} bytes, the limit is {limit}",
            detail_vi=f"tệp đính kèm {name!r} khoảng {estimate} byte, giới hạn {limit} byte",
        )
    try:
        data = binascii.a2b_base64(raw, strict_mode=True)
    except binascii.Error:
        try:
            data = binascii.a2b_base64(raw.translate(None, _WHITESPACE), strict_mode=True)
        except binascii.Error as exc:
            raise _malformed(
                f"attachment {name!r} is not valid base64 ({exc})",
                f"tệp đính kèm {name!r} không đúng mã base64 ({exc})",
            ) from exc
    if len(data) > limit:
        raise EnvelopeRejected(
            "too_large",
            f"attachment {name!r} has {len(data)} bytes, the limit is {limit}",
            detail_vi=f"tệp đính kèm {name!r} có {len(data)} byte, giới hạn {limit} byte",
        )
    return data


def _traces(header: etree._Element) -> list[Trace]:
    trace_list = _find(header, "TraceHeaderList")
    if trace_list is None:
        return []
    return [
        Trace(
            organ_id=_text(node, "OrganId"),
            timestamp=_datetime(_text(node, "Timestamp"), "TraceHeader/Timestamp"),
        )
        for node in trace_list.iterchildren(_Q % "TraceHeader")
    ]


def _business(header: etree._Element) -> int | None:
    """TraceHeaderList/Bussiness/BussinessDocType (0 new, 1 recall, 2 update, 3 replace), if any."""
    node = _find(header, "TraceHeaderList/Bussiness")
    if node is None:
        return None
    value = _int(
        _text(node, "BussinessDocType"), "Bussiness/BussinessDocType", default=BUSINESS_NEW
    )
    if value not in BUSINESS_TO_STEERING:
        raise _malformed(
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
    to_organs = [_organ(node) for node in mh.iterchildren(_Q % "To")]
    seen: set[str] = set()
    for organ in to_organs:
        if organ.organ_id in seen:
            raise _malformed(
                f"duplicate recipient To/OrganId {organ.organ_id}",
                f"nơi nhận To/OrganId {organ.organ_id} bị lặp",
            )
        seen.add(organ.organ_id)
    _check_document(mh)
    raw_steering = _int(_text(mh, "SteeringType"), "SteeringType", default=1)
    if raw_steering not in (0, *STEERING_TYPES):
        raise _malformed(
            f"unknown SteeringType {raw_steering}", f"SteeringType {raw_steering} không hợp lệ"
        )
    business = _business(header)
    # recall / update follow the Bussiness block; without one, the portal's older SteeringType
    if business is not None:
        steering = BUSINESS_TO_STEERING[business]
    else:
        steering = raw_steering or STEERING_TYPES[0]
    other = _find(mh, "OtherInfo")
    other_info = {
        key: _text(other, key)
        for key in OTHER_INFO_KEYS
        if other is not None and _find(other, key) is not None
    }
    appendixes = (
        [
            _nfc("".join(node.itertext()))
            for node in other.iterfind(f"{_Q % 'Appendixes'}/{_Q % 'Appendix'}")
        ]
        if other is not None
        else []
    )
    secrecy = _int(_text(other, "Secrecy"), "OtherInfo/Secrecy") if other is not None else 0
    document_id = _text(mh, "DocumentId")
    if secrecy > 0:
        raise EnvelopeRejected(
            "secret",
            f"document {document_id} has secrecy level {secrecy}",
            detail_vi=f"văn bản {document_id} có độ mật {secrecy}",
        )
    due = _text(mh, "DueDate")
    response_for = [
        ResponseFor(
            organ_id=_text(node, "OrganId"),
            code=_text(node, "Code"),
            promulgation_date=_date(
                _text(node, "PromulgationDate"), "ResponseFor/PromulgationDate"
            ),
            document_id=_text(node, "DocumentId"),
        )
        for node in mh.iterchildren(_Q % "ResponseFor")
    ]
    attachments = _attachments(root, max_attachment_bytes, encoded)
    return DocumentMessage(
        document_id=document_id,
        from_organ=_organ(_find(mh, "From")),  # type: ignore[arg-type]  (required by the XSD)
        to_organs=to_organs,
        code_number=_text(mh, "Code/CodeNumber"),
        code_notation=_text(mh, "Code/CodeNotation"),
        place=_text(mh, "PromulgationInfo/Place"),
        promulgation_date=_date(
            _text(mh, "PromulgationInfo/PromulgationDate"), "PromulgationInfo/PromulgationDate"
        ),
        document_type=_int(_text(mh, "DocumentType/Type"), "DocumentType/Type"),
        document_type_name=_text(mh, "DocumentType/TypeName"),
        subject=_text(mh, "Subject"),
        content=_text(mh, "Content"),
        signer=SignerInfo(
            competence=_text(mh, "SignerInfo/Competence"),
            position=_text(mh, "SignerInfo/Position"),
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
        document_type_detail=_int(_text(mh, "DocumentType/TypeDetail"), "DocumentType/TypeDetail"),
        business_doc_type=business,
        appendixes=appendixes,
    )


def _content_id(value: str) -> str:
    value = value.strip().strip("<>")
    return value[4:] if value.lower().startswith("cid:") else value


def _unzip_single(data: bytes, name: str, content_type: str, limit: int) -> bytes:
    """Document-axis gateways send each file ZIP-compressed (one entry) under the file's own name
    and type: unpack it, within the size limit (a ZIP bomb is refused by its declared size)."""
    if (
        not data.startswith(b"PK\x03\x04")
        or name.lower().endswith(".zip")
        or "zip" in content_type.lower()
    ):
        return data
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = [i for i in archive.infolist() if not i.is_dir()]
            if len(entries) != 1:
                return data
            if entries[0].file_size > limit:
                raise EnvelopeRejected(
                    "too_large",
                    f"attachment {name!r} unpacks to {entries[0].file_size} bytes, the limit is {limit}",
                    detail_vi=f"tệp đính kèm {name!r} giải nén ra {entries[0].file_size} byte, giới hạn {limit} byte",
                )
            with archive.open(entries[0]) as handle:
                unpacked = handle.read(limit + 1)
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError):
        return data
    if len(unpacked) > limit:
        raise EnvelopeRejected(
            "too_large",
            f"attachment {name!r} unpacks beyond {limit} bytes",
            detail_vi=f"tệp đính kèm {name!r} giải nén vượt {limit} byte",
        )
    return unpacked


def _attachments(
    root: etree._Element, limit: int, encoded: etree._Element | None = None
) -> list[Attachment]:
    """The attachments listed in the manifest (``edXMLManifest/Reference{ContentId, ContentType,
    AttachmentName}`` or the older ``Manifest/Reference@href``), found in ``AttachmentEncoded``
    (``ContentTransferEncoded``) or in the body (``Value``); every listed one must be there and
    nothing unlisted."""
    body = _find(root, "edXMLBody")
    listed: dict[str, dict[str, str]] = {}
    order: list[str] = []
    if body is not None:
        references = list(body.iterfind(f"{_Q % 'Manifest'}/{_Q % 'Reference'}")) + list(
            body.iterfind(f"{_Q % 'edXMLManifest'}/{_Q % 'Reference'}")
        )
        for node in references:
            content_id = _content_id(node.get("href", "") or _text(node, "ContentId"))
            if content_id in listed:
                raise _malformed(
                    f"duplicate Manifest/Reference {content_id}",
                    f"Manifest/Reference {content_id} bị lặp",
                )
            listed[content_id] = {
                "name": _text(node, "AttachmentName"),
                "type": _text(node, "ContentType"),
                "description": _text(node, "Description"),
            }
            order.append(content_id)
    nodes = list(body.iterchildren(_Q % "Attachment")) if body is not None else []
    if encoded is not None:
        nodes += list(encoded.iterchildren(_Q % "Attachment"))
    found: dict[str, Attachment] = {}
    for node in nodes:
        content_id = _content_id(_text(node, "ContentId"))
        meta = listed.get(content_id)
        name = _text(node, "AttachmentName") or (meta or {}).get("name", "")
        if meta is None:
            raise _malformed(
                f"attachment {content_id} ({name}) is not listed in the Manifest",
                f"tệp đính kèm {content_id} ({name}) không có trong Manifest",
            )
        if content_id in found:
            raise _malformed(
                f"Duplicate attachment ContentId {content_id}",
                f"ContentId {content_id} của tệp đính kèm bị lặp",
            )
        value = _find(node, "Value")
        if value is None:
            value = _find(node, "ContentTransferEncoded")
        content_type = _text(node, "ContentType") or meta["type"]
        data = _decode(value.text or "" if value is not None else "", name, limit)
        found[content_id] = Attachment(
            name=name,
            content_type=content_type,
            description=_text(node, "Description") or meta["description"],
            data=_unzip_single(data, name, content_type, limit),
        )
    missing = [cid for cid in order if cid not in found]
    if missing:
        raise _malformed(
            f"the Manifest lists attachments that are missing: {', '.join(missing)}",
            f"Manifest liệt kê tệp đính kèm bị thiếu: {', '.join(missing)}",
        )
    return [found[cid] for cid in order]


def _status(header: etree._Element, status: etree._Element) -> StatusMessage:
    _check_status(status)
    code = _text(status, "StatusCode")
    if code not in STATUS_CODES:
        raise _malformed(f"unknown StatusCode {code}", f"StatusCode {code} không hợp lệ")
    answered = _text(status, "ResponseFor/OrganId")
    to_node = _find(status, "To")
    to_organ = _organ(to_node) if to_node is not None else Organ(organ_id=answered)
    if to_organ.organ_id != answered:
        raise _malformed(
            f"Status/To/OrganId {to_organ.organ_id} differs from ResponseFor/OrganId {answered}",
            f"Status/To/OrganId {to_organ.organ_id} khác ResponseFor/OrganId {answered}",
        )
    number, notation = _split_code(_text(status, "ResponseFor/Code"))
    promulgated = _text(status, "ResponseFor/PromulgationDate")
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
        promulgation_date=_date(promulgated, "ResponseFor/PromulgationDate")
        if promulgated
        else None,
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
    encoded = None if envelope is root else root.find(_Q % "AttachmentEncoded")
    header = _find(envelope, "edXMLHeader")
    if header is None:
        raise _malformed("missing element edXMLHeader", "thiếu phần tử edXMLHeader")
    message_header = _find(header, "MessageHeader")
    status_node = _find(header, "Status")
    if message_header is not None:
        message: DocumentMessage | StatusMessage = _document(
            envelope, header, message_header, max_attachment_bytes, encoded
        )
    elif status_node is not None:
        message = _status(header, status_node)
    else:
        raise _malformed(
            "the header has neither MessageHeader nor Status",
            "phần đầu không có MessageHeader hoặc Status",
        )
    return Parsed(
        message=message,
        namespace=namespace,
        signer_certificate=chain[0] if chain else None,
        signer_chain=tuple(chain),
    )
