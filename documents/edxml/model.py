"""The data of an edXML exchange: what the portal builds and what :func:`parse` gives back.

Pure dataclasses (no Django), so the library can be used by tasks, commands and benches alike.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from cryptography import x509

from signatures.identity import SigningIdentity  # noqa: F401 - re-exported by documents.edxml

NS_2016 = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
NS_OLD = "http://www.go.vn/eDoc"
NAMESPACES = (NS_2016, NS_OLD)
NS_DSIG = "http://www.w3.org/2000/09/xmldsig#"

#: SteeringType (chỉ đạo gửi): what the envelope asks the receiver to do with DocumentId.
STEERING_NEW = 1  # gửi mới
STEERING_RECALL = 2  # thu hồi
STEERING_UPDATE = 3  # cập nhật
STEERING_REPLACE = 4  # thay thế
STEERING_TYPES = (STEERING_NEW, STEERING_RECALL, STEERING_UPDATE, STEERING_REPLACE)

#: Status codes sent back to the sender (QCVN 102:2016 status envelope, DESIGN.md §2).
STATUS_REACHED = "01"  # đã đến
STATUS_REJECTED = "02"  # từ chối tiếp nhận
STATUS_ACCEPTED = "03"  # đã tiếp nhận / vào sổ
STATUS_ASSIGNED = "04"  # đã phân công
STATUS_IN_PROGRESS = "05"  # đang xử lý
STATUS_DONE = "06"  # hoàn thành
STATUS_RECALL_REQUESTED = "13"  # yêu cầu thu hồi / cập nhật
STATUS_RECALL_ACCEPTED = "15"  # đồng ý thu hồi / cập nhật
STATUS_RECALL_REFUSED = "16"  # từ chối thu hồi / cập nhật
STATUS_CODES = (
    STATUS_REACHED,
    STATUS_REJECTED,
    STATUS_ACCEPTED,
    STATUS_ASSIGNED,
    STATUS_IN_PROGRESS,
    STATUS_DONE,
    STATUS_RECALL_REQUESTED,
    STATUS_RECALL_ACCEPTED,
    STATUS_RECALL_REFUSED,
)

#: Keys of :attr:`DocumentMessage.other_info`, written in this order inside OtherInfo after Priority.
#: ``Direction`` (văn bản chỉ đạo: "true"/"false") is what document-axis software writes too.
OTHER_INFO_KEYS = (
    "SphereOfPromulgation",
    "TyperNotation",
    "PromulgationAmount",
    "PageAmount",
    "Direction",
)

#: BussinessDocType of the ``Bussiness`` block in TraceHeaderList (the spelling is the standard's and
#: the document-axis software's): what the receiver does with DocumentId. Recall and update follow
#: it, not SteeringType (which real senders write as 0).
BUSINESS_NEW = 0  # văn bản mới
BUSINESS_RECALL = 1  # thu hồi
BUSINESS_UPDATE = 2  # cập nhật
BUSINESS_REPLACE = 3  # thay thế
BUSINESS_TO_STEERING = {
    BUSINESS_NEW: 1,
    BUSINESS_RECALL: 2,
    BUSINESS_UPDATE: 3,
    BUSINESS_REPLACE: 4,
}
STEERING_TO_BUSINESS = {v: k for k, v in BUSINESS_TO_STEERING.items()}

#: The largest attachment an envelope can carry: the parser keeps libxml2's 10 MB limit on one
#: text node (``huge_tree`` off, a defence against memory exhaustion), and base64 grows 4/3.
MAX_ATTACHMENT_BYTES = 7 * 1024 * 1024

#: Rejection reasons (:class:`EnvelopeRejected.reason`); ``unknown_organ`` is raised by the exchange.
REASONS = (
    "malformed",
    "bad_signature",
    "untrusted_signer",
    "revoked",
    "revocation_unknown",
    "too_large",
    "secret",
    "unknown_organ",
    "duplicate_document_id",
)


@dataclass
class Organ:
    """A sending or receiving organ (cơ quan), identified by its code (``Agency.code``)."""

    organ_id: str
    name: str = ""
    address: str = ""
    email: str = ""
    phone: str = ""
    #: OrganizationInCharge (cơ quan chủ quản), Fax, Website: written by document-axis software
    in_charge: str = ""
    fax: str = ""
    website: str = ""


@dataclass
class SignerInfo:
    """Who signed the paper: competence (thẩm quyền, e.g. "TM. UBND"), position, full name."""

    competence: str
    position: str
    full_name: str


@dataclass
class ResponseFor:
    """The document this one answers (or recalls / updates)."""

    organ_id: str
    code: str
    promulgation_date: dt.date
    document_id: str


@dataclass
class Attachment:
    name: str
    content_type: str
    data: bytes
    description: str = ""


@dataclass
class Trace:
    """One hop of the envelope (TraceHeader): which organ handled it, when."""

    organ_id: str
    timestamp: dt.datetime


@dataclass
class DocumentMessage:
    """An official document (văn bản) travelling between organs."""

    document_id: str
    from_organ: Organ
    to_organs: list[Organ]
    code_number: str
    code_notation: str
    place: str
    promulgation_date: dt.date
    document_type: int
    document_type_name: str
    subject: str
    content: str
    signer: SignerInfo
    due_date: dt.date | None = None
    to_places: list[str] = field(default_factory=list)
    priority: int = 0
    steering_type: int = STEERING_NEW
    response_for: list[ResponseFor] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    traces: list[Trace] = field(default_factory=list)
    other_info: dict[str, str] = field(default_factory=dict)
    secrecy: int = 0
    #: DocumentType/TypeDetail (0 when absent)
    document_type_detail: int = 0
    #: TraceHeaderList/Bussiness/BussinessDocType as received (None: no Bussiness block)
    business_doc_type: int | None = None
    #: OtherInfo/Appendixes/Appendix texts (phụ lục), if any
    appendixes: list[str] = field(default_factory=list)


@dataclass
class StatusMessage:
    """A status sent back to the sender of ``document_id`` (codes in :data:`STATUS_CODES`)."""

    document_id: str
    from_organ: Organ
    to_organ: Organ
    code: str
    description: str
    timestamp: dt.datetime
    staff_name: str = ""
    department: str = ""
    code_number: str = ""
    code_notation: str = ""
    #: ResponseFor/PromulgationDate: the answered document's date, as document-axis software
    #: writes and reads it (optional)
    promulgation_date: dt.date | None = None


@dataclass
class Parsed:
    message: DocumentMessage | StatusMessage
    namespace: str
    signer_certificate: x509.Certificate | None
    #: The verified certificate path, leaf first (empty for an unsigned envelope).
    signer_chain: tuple[x509.Certificate, ...] = ()


_MESSAGES = {
    "malformed": ("Phong bì edXML không đúng cấu trúc", "The edXML envelope is malformed"),
    "bad_signature": (
        "Chữ ký số của phong bì không hợp lệ (nội dung đã bị thay đổi hoặc chữ ký sai)",
        "The envelope's digital signature is not valid (content changed or wrong signature)",
    ),
    "untrusted_signer": (
        "Chứng thư số của bên ký không được tin cậy",
        "The signer's certificate is not trusted",
    ),
    "revoked": (
        "Chứng thư số của bên ký đã bị thu hồi",
        "The signer's certificate has been revoked",
    ),
    "revocation_unknown": (
        "Không kiểm tra được tình trạng thu hồi của chứng thư số bên ký",
        "The revocation status of the signer's certificate could not be checked",
    ),
    "too_large": (
        "Phong bì hoặc tệp đính kèm vượt quá dung lượng cho phép",
        "The envelope or an attachment exceeds the size limit",
    ),
    "secret": (
        "Văn bản mật không được gửi qua trục liên thông",
        "Secret documents are not exchanged electronically",
    ),
    "unknown_organ": (
        "Cơ quan gửi hoặc nhận không có trong danh mục",
        "Unknown sending or receiving organ",
    ),
    "duplicate_document_id": (
        "Mã định danh văn bản (DocumentId) đã được dùng cho một văn bản khác",
        "The DocumentId was already used for another document",
    ),
}


class EnvelopeRejected(Exception):
    """An envelope the portal refuses; the exchange answers it with status 02 and :attr:`message_vi`
    (peers are Vietnamese systems); ``str()`` is :attr:`message_en`, for the log.

    ``detail`` says what exactly (an element name, a size); it is appended to both messages.
    """

    def __init__(
        self,
        reason: str,
        detail: str = "",
        *,
        detail_vi: str | None = None,
        message_vi: str | None = None,
        message_en: str | None = None,
    ) -> None:
        if reason not in REASONS:
            raise ValueError(f"unknown rejection reason {reason!r}")
        self.reason = reason
        self.detail = detail
        vi, en = _MESSAGES[reason]
        detail_vi = detail if detail_vi is None else detail_vi
        self.message_vi = message_vi or (f"{vi}: {detail_vi}" if detail_vi else vi)
        self.message_en = message_en or (f"{en}: {detail}" if detail else en)
        # the peer reads message_vi (the status 02 sent back); the exception's text is the log's
        super().__init__(self.message_en)
