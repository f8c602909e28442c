"""Build and sign edXML envelopes (always in :data:`NS_2016`).

:func:`build_document` writes the shape QCVN 102:2016 and the document-axis software use, so that
their receivers find our attachments: an ``<edXML>`` root wrapping ``edXMLEnvelope`` (header with
``TraceHeaderList/Bussiness``, body with ``edXMLManifest/Reference{ContentId, ContentType,
AttachmentName}``) and ``AttachmentEncoded/Attachment{ContentId, AttachmentName, ContentType,
ContentTransferEncoded}``; ``SteeringType`` 0 with the recall / update / replace carried by
``Bussiness/BussinessDocType`` (1 / 2 / 3). The XML signature sits at the end of edXMLHeader and
covers the whole document (Reference URI="", enveloped), attachments included.
:func:`build_status` writes the status replies (01 received, 02 refused, 03 registered, ...) in
the same wrapped shape (:func:`edxml_status_tree`).
:func:`document_tree` and :func:`status_tree` keep the portal's older single-envelope shape
(tools, tests, the XSD).
"""

from __future__ import annotations

import base64
import datetime as dt
import unicodedata
from collections.abc import Iterable

from cryptography.hazmat.primitives.asymmetric import ec
from lxml import etree
from signxml import DigestAlgorithm, SignatureMethod, XMLSigner, methods
from signxml.algorithms import CanonicalizationMethod

from .model import (
    MAX_ATTACHMENT_BYTES,
    NS_2016,
    NS_DSIG,
    OTHER_INFO_KEYS,
    STATUS_CODES,
    STEERING_TO_BUSINESS,
    STEERING_TYPES,
    DocumentMessage,
    Organ,
    SigningIdentity,
    StatusMessage,
)

_NSMAP = {"edXML": NS_2016}
_Q = "{%s}%%s" % NS_2016  # noqa: UP031  (a template for qualified names)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text or "")


def _el(parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
    child = etree.SubElement(parent, _Q % name)
    if text is not None:
        child.text = _nfc(text)
    return child


def _date(value: dt.date) -> str:
    return value.isoformat()


def _datetime(value: dt.datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("edXML timestamps must be timezone-aware")
    return value.isoformat()


def _organ(parent: etree._Element, name: str, organ: Organ) -> None:
    if not organ.organ_id:
        raise ValueError(f"{name}: OrganId is required")
    node = _el(parent, name)
    _el(node, "OrganId", organ.organ_id)
    for tag, value in (
        ("OrganizationInCharge", organ.in_charge),
        ("OrganName", organ.name),
        ("OrganAdd", organ.address),
        ("Email", organ.email),
        ("Telephone", organ.phone),
        ("Fax", organ.fax),
        ("Website", organ.website),
    ):
        if value:
            _el(node, tag, value)


def _code(number: str, notation: str) -> str:
    return f"{number}/{notation}" if number else notation


def _traces(header: etree._Element, traces: Iterable) -> None:  # type: ignore[type-arg]
    trace_list = _el(header, "TraceHeaderList")
    for trace in traces:
        node = _el(trace_list, "TraceHeader")
        _el(node, "OrganId", trace.organ_id)
        _el(node, "Timestamp", _datetime(trace.timestamp))


def _envelope() -> tuple[etree._Element, etree._Element]:
    root = etree.Element(_Q % "edXMLEnvelope", nsmap=_NSMAP)
    return root, _el(root, "edXMLHeader")


def document_tree(message: DocumentMessage) -> etree._Element:
    """The unsigned envelope of an official document (exposed for tests and tools)."""
    if not message.document_id:
        raise ValueError("DocumentId is required")
    if not message.to_organs:
        raise ValueError("at least one recipient (To) is required")
    if message.steering_type not in STEERING_TYPES:
        raise ValueError(f"unknown SteeringType {message.steering_type}")
    for attachment in message.attachments:
        if len(attachment.data) > MAX_ATTACHMENT_BYTES:
            raise ValueError(
                f"attachment {attachment.name!r} has {len(attachment.data)} bytes; an edXML envelope carries at most {MAX_ATTACHMENT_BYTES}"
            )
    unknown = set(message.other_info) - set(OTHER_INFO_KEYS)
    if unknown:
        raise ValueError(f"unknown OtherInfo keys: {sorted(unknown)}")
    root, header = _envelope()
    mh = _el(header, "MessageHeader")
    _organ(mh, "From", message.from_organ)
    for organ in message.to_organs:
        _organ(mh, "To", organ)
    code = _el(mh, "Code")
    _el(code, "CodeNumber", message.code_number)
    _el(code, "CodeNotation", message.code_notation)
    info = _el(mh, "PromulgationInfo")
    _el(info, "Place", message.place)
    _el(info, "PromulgationDate", _date(message.promulgation_date))
    doc_type = _el(mh, "DocumentType")
    _el(doc_type, "Type", str(int(message.document_type)))
    _el(doc_type, "TypeName", message.document_type_name)
    _el(mh, "Subject", message.subject)
    _el(mh, "Content", message.content)
    signer = _el(mh, "SignerInfo")
    _el(signer, "Competence", message.signer.competence)
    _el(signer, "Position", message.signer.position)
    _el(signer, "FullName", message.signer.full_name)
    if message.due_date is not None:
        _el(mh, "DueDate", _date(message.due_date))
    places = _el(mh, "ToPlaces")
    for place in message.to_places:
        _el(places, "Place", place)
    other = _el(mh, "OtherInfo")
    _el(other, "Priority", str(int(message.priority)))
    for key in OTHER_INFO_KEYS:
        if key in message.other_info:
            _el(other, key, str(message.other_info[key]))
    if message.secrecy:
        _el(other, "Secrecy", str(int(message.secrecy)))
    for answer in message.response_for:
        node = _el(mh, "ResponseFor")
        _el(node, "OrganId", answer.organ_id)
        _el(node, "Code", answer.code)
        _el(node, "PromulgationDate", _date(answer.promulgation_date))
        _el(node, "DocumentId", answer.document_id)
    _el(mh, "SteeringType", str(int(message.steering_type)))
    _el(mh, "DocumentId", message.document_id)
    _traces(header, message.traces)
    body = _el(root, "edXMLBody")
    manifest = _el(body, "Manifest")
    for index, attachment in enumerate(message.attachments, start=1):
        content_id = f"att{index}"
        reference = _el(manifest, "Reference")
        reference.set("href", f"cid:{content_id}")
        _el(reference, "AttachmentName", attachment.name)
    for index, attachment in enumerate(message.attachments, start=1):
        node = _el(body, "Attachment")
        _el(node, "ContentId", f"att{index}")
        _el(node, "ContentType", attachment.content_type)
        _el(node, "Description", attachment.description)
        _el(node, "AttachmentName", attachment.name)
        # base64 is ASCII: set it directly (no NFC pass over a megabyte of text).
        etree.SubElement(node, _Q % "Value").text = base64.b64encode(attachment.data).decode(
            "ascii"
        )
    return root


def _zip_one(name: str, data: bytes) -> bytes:
    """One file as a one-entry ZIP under its own name: how a document-axis gateway's builder
    encodes each attachment (``ZipOutputStream`` + ``ZipEntry(name)`` before base64); the
    portal's reader unpacks it (``parse_attachments.unzip_single``). Fixed entry time: the same message
    gives the same bytes (and signature input)."""
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        info = zipfile.ZipInfo(name or "attachment", date_time=(1980, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(info, data)
    return out.getvalue()


def _is_zip(name: str, content_type: str) -> bool:
    """A file that is a ZIP itself is sent as it is (the reader keeps such a file zipped too)."""
    return name.lower().endswith(".zip") or "zip" in content_type.lower()


def edxml_tree(message: DocumentMessage, *, zip_files: bool = False) -> etree._Element:
    """The unsigned document in the shape document-axis software writes (see the module doc).

    ``zip_files``: each ``ContentTransferEncoded`` carries the file ZIP-compressed under its own
    name, as a document-axis gateway writes it, for a receiver that expects that; by default the
    file itself, base64 (QCVN 102:2016's transfer encoding as far as the gateways show it; the
    standard's text could not be found, docs/regulations.md)."""
    envelope = document_tree(message)
    header = envelope.find(_Q % "edXMLHeader")
    mh = header.find(_Q % "MessageHeader")
    doc_type = mh.find(_Q % "DocumentType")
    doc_type.find(_Q % "Type").addnext(etree.Element(_Q % "TypeDetail"))
    doc_type.find(_Q % "TypeDetail").text = str(int(message.document_type_detail))
    mh.find(_Q % "SteeringType").text = "0"
    traces = header.find(_Q % "TraceHeaderList")
    business = etree.Element(_Q % "Bussiness")
    _el(business, "BussinessDocType", str(STEERING_TO_BUSINESS[message.steering_type]))
    traces.insert(0, business)
    old_body = envelope.find(_Q % "edXMLBody")
    envelope.remove(old_body)
    body = _el(envelope, "edXMLBody")
    manifest = _el(body, "edXMLManifest")
    manifest.set("version", "1.0")
    root = etree.Element(_Q % "edXML", nsmap={None: NS_2016})
    root.append(envelope)
    encoded = _el(root, "AttachmentEncoded")
    for index, attachment in enumerate(message.attachments, start=1):
        content_id = f"cid:att{index}"
        reference = _el(manifest, "Reference")
        _el(reference, "ContentId", content_id)
        _el(reference, "ContentType", attachment.content_type)
        _el(reference, "AttachmentName", attachment.name)
        if attachment.description:
            _el(reference, "Description", attachment.description)
        node = _el(encoded, "Attachment")
        _el(node, "ContentId", content_id)
        _el(node, "AttachmentName", attachment.name)
        _el(node, "ContentType", attachment.content_type)
        data = attachment.data
        if zip_files and not _is_zip(attachment.name, attachment.content_type):
            data = _zip_one(attachment.name, data)
        etree.SubElement(node, _Q % "ContentTransferEncoded").text = base64.b64encode(data).decode(
            "ascii"
        )
    return root


def status_tree(message: StatusMessage) -> etree._Element:
    """The unsigned status envelope (edXML Status) answering ``message.document_id``."""
    if not message.document_id:
        raise ValueError("DocumentId is required")
    if message.code not in STATUS_CODES:
        raise ValueError(f"unknown status code {message.code!r}")
    root, header = _envelope()
    status = _el(header, "Status")
    answer = _el(status, "ResponseFor")
    _el(answer, "OrganId", message.to_organ.organ_id)
    _el(answer, "Code", _code(message.code_number, message.code_notation))
    if message.promulgation_date is not None:
        _el(answer, "PromulgationDate", _date(message.promulgation_date))
    _el(answer, "DocumentId", message.document_id)
    _organ(status, "From", message.from_organ)
    _organ(status, "To", message.to_organ)
    _el(status, "StatusCode", message.code)
    _el(status, "Description", message.description)
    _el(status, "Timestamp", _datetime(message.timestamp))
    staff = _el(status, "StaffInfo")
    _el(staff, "Department", message.department)
    _el(staff, "Staff", message.staff_name)
    _traces(header, [])
    _el(root, "edXMLBody")
    return root


def edxml_status_tree(message: StatusMessage) -> etree._Element:
    """The unsigned status envelope in the shape document-axis software writes, as the documents
    are (QCVN 102:2016 as the gateways write it): an ``<edXML>`` root wrapping the
    ``edXMLEnvelope`` of :func:`status_tree` (a status has no attachments, so no
    ``AttachmentEncoded``)."""
    root = etree.Element(_Q % "edXML", nsmap={None: NS_2016})
    root.append(status_tree(message))
    return root


def sign_tree(root: etree._Element, identity: SigningIdentity) -> bytes:
    """Sign the whole envelope (Reference URI="", enveloped transform, exclusive C14N) and put the
    ds:Signature at the end of edXMLHeader, with the certificate chain in KeyInfo/X509Data."""
    holder = root
    if etree.QName(root).localname == "edXML":  # the wrapped shape: the header is the envelope's
        holder = next(
            (
                c
                for c in root
                if isinstance(c.tag, str) and etree.QName(c).localname == "edXMLEnvelope"
            ),
            root,
        )
    header = next(
        (
            child
            for child in holder
            if isinstance(child.tag, str) and etree.QName(child).localname == "edXMLHeader"
        ),
        None,
    )
    if header is None:
        raise ValueError("the envelope has no edXMLHeader")
    etree.SubElement(header, "{%s}Signature" % NS_DSIG, Id="placeholder", nsmap={"ds": NS_DSIG})  # noqa: UP031
    algorithm = (
        SignatureMethod.ECDSA_SHA256
        if isinstance(identity.key, ec.EllipticCurvePrivateKey)
        else SignatureMethod.RSA_SHA256
    )
    signer = XMLSigner(
        method=methods.enveloped,
        signature_algorithm=algorithm,
        digest_algorithm=DigestAlgorithm.SHA256,
        c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0,
    )
    signed = signer.sign(root, key=identity.key, cert=list(identity.chain))
    return etree.tostring(signed, xml_declaration=True, encoding="UTF-8")


def build_document(
    message: DocumentMessage, identity: SigningIdentity, *, zip_files: bool = False
) -> bytes:
    """The signed edXML document (``<edXML>`` root, QCVN 102:2016 as document-axis software
    writes it), as bytes (UTF-8, NS_2016); ``zip_files`` as :func:`edxml_tree`."""
    return sign_tree(edxml_tree(message, zip_files=zip_files), identity)


def build_status(message: StatusMessage, identity: SigningIdentity) -> bytes:
    """The signed edXML status envelope, wrapped in the ``<edXML>`` root as the documents are
    (:func:`edxml_status_tree`); the signature covers the whole document."""
    return sign_tree(edxml_status_tree(message), identity)
