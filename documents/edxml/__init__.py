"""edXML envelopes for the inter-agency exchange of official documents (văn bản liên thông),
after QCVN 102:2016/BTTTT.

:func:`build_document` writes the shape of QCVN 102:2016 as document-axis software writes it
(:func:`edxml_tree`): an ``<edXML>`` root wrapping the ``edXMLEnvelope`` below — with
``DocumentType/TypeDetail``, ``SteeringType`` 0, ``TraceHeaderList/Bussiness/BussinessDocType``
(0 new, 1 recall, 2 update, 3 replace) and ``edXMLBody/edXMLManifest/Reference{ContentId,
ContentType, AttachmentName}`` — and ``AttachmentEncoded/Attachment{ContentId, AttachmentName,
ContentType, ContentTransferEncoded}``. :func:`parse` reads that shape, the older one below, and
the variants real systems send (see :mod:`.parse`); docs/regulations.md lists the sources.

The portal's older single-envelope structure (:func:`document_tree`; namespace :data:`NS_2016`,
prefix ``edXML``; the XSD in ``schema/edxml.xsd`` is the checked form of this list)::

    edXMLEnvelope
      edXMLHeader
        MessageHeader
          From            OrganId, OrganName?, OrganInCharge?, OrganAdd?, Email?, Telephone?, Fax?, Website?
          To+             (same children as From; one per recipient organ)
          Code            CodeNumber, CodeNotation           e.g. 123 / UBND-VP
          PromulgationInfo Place, PromulgationDate           ISO date (yyyy/mm/dd, dd/mm/yyyy read too)
          DocumentType    Type (integer), TypeName           e.g. 1 "Công văn"
          Subject         trích yếu
          Content
          SignerInfo      Competence, Position, FullName
          DueDate?        date a reply is due
          ToPlaces        Place*                             "nơi nhận" lines
          OtherInfo       Priority (độ khẩn), SphereOfPromulgation?, TyperNotation?,
                          PromulgationAmount?, PageAmount?, Secrecy? (độ mật; portal extension,
                          absent = 0 = not secret)
          ResponseFor*    OrganId, Code, PromulgationDate, DocumentId   (the document answered)
          SteeringType    1 new, 2 recall, 3 update, 4 replace (STEERING_*)
          DocumentId      unique id of the document, the exchange's idempotency key
        TraceHeaderList   TraceHeader* { OrganId, Timestamp }
        ds:Signature      XML-DSig, enveloped, Reference URI="" (the whole envelope), exclusive
                          C14N, RSA-SHA256 (ECDSA-SHA256 for an EC key), KeyInfo/X509Data with
                          the signer's chain, leaf first
      edXMLBody
        Manifest          Reference* @href="cid:<ContentId>" { AttachmentName }
        Attachment*       ContentId, ContentType, Description, AttachmentName, Value (base64)

The status envelope (sent back to the sender) has, in place of MessageHeader::

        Status
          ResponseFor     OrganId (the sender being answered), Code ("123/UBND-VP"), DocumentId
          From            the organ reporting
          To?             the organ answered (its OrganId equals ResponseFor/OrganId)
          StatusCode      01 reached, 02 rejected, 03 accepted, 04 assigned, 05 in progress,
                          06 done, 13 recall requested, 15 recall/update accepted, 16 refused
          Description
          Timestamp
          StaffInfo       Department, Staff

Deviations to know about: QCVN 102 transports the body as SOAP/MIME parts; here the
attachments travel base64 inside the envelope, as the portal's exchange is plain HTTP POST of one
XML document. Incoming envelopes in the older namespace (:data:`NS_OLD`) are accepted: their
elements are moved to NS_2016 after the signature is verified over the original bytes.

Text is NFC-normalised both ways. Limits: with the parser's ``huge_tree`` off, libxml2 refuses a
text node over 10 MB, so one attachment can be at most :data:`MAX_ATTACHMENT_BYTES` (7 MiB)
decoded: build refuses a larger one, parse answers ``too_large``.
"""

from .build import (
    build_document,
    build_status,
    document_tree,
    edxml_status_tree,
    edxml_tree,
    sign_tree,
    status_tree,
)
from .model import (
    BUSINESS_NEW,
    BUSINESS_RECALL,
    BUSINESS_REPLACE,
    BUSINESS_UPDATE,
    MAX_ATTACHMENT_BYTES,
    NS_2016,
    NS_DSIG,
    NS_OLD,
    OTHER_INFO_KEYS,
    REASONS,
    STATUS_ACCEPTED,
    STATUS_ASSIGNED,
    STATUS_CODES,
    STATUS_DONE,
    STATUS_IN_PROGRESS,
    STATUS_REACHED,
    STATUS_RECALL_ACCEPTED,
    STATUS_RECALL_REFUSED,
    STATUS_RECALL_REQUESTED,
    STATUS_REJECTED,
    STEERING_NEW,
    STEERING_RECALL,
    STEERING_REPLACE,
    STEERING_TYPES,
    STEERING_UPDATE,
    Attachment,
    DocumentMessage,
    EnvelopeRejected,
    Organ,
    Parsed,
    ResponseFor,
    SignerInfo,
    SigningIdentity,
    StatusMessage,
    Trace,
)
from .parse import SCHEMA_PATH, parse, schema
from .trust import organ_id_of, verify_chain

__all__ = [
    "BUSINESS_NEW",
    "BUSINESS_RECALL",
    "BUSINESS_REPLACE",
    "BUSINESS_UPDATE",
    "MAX_ATTACHMENT_BYTES",
    "NS_2016",
    "NS_DSIG",
    "NS_OLD",
    "OTHER_INFO_KEYS",
    "REASONS",
    "SCHEMA_PATH",
    "STATUS_ACCEPTED",
    "STATUS_ASSIGNED",
    "STATUS_CODES",
    "STATUS_DONE",
    "STATUS_IN_PROGRESS",
    "STATUS_REACHED",
    "STATUS_RECALL_ACCEPTED",
    "STATUS_RECALL_REFUSED",
    "STATUS_RECALL_REQUESTED",
    "STATUS_REJECTED",
    "STEERING_NEW",
    "STEERING_RECALL",
    "STEERING_REPLACE",
    "STEERING_TYPES",
    "STEERING_UPDATE",
    "Attachment",
    "DocumentMessage",
    "EnvelopeRejected",
    "Organ",
    "Parsed",
    "ResponseFor",
    "SignerInfo",
    "SigningIdentity",
    "StatusMessage",
    "Trace",
    "build_document",
    "build_status",
    "edxml_status_tree",
    "document_tree",
    "edxml_tree",
    "organ_id_of",
    "parse",
    "schema",
    "sign_tree",
    "status_tree",
    "verify_chain",
]
