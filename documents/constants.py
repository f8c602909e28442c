"""Choices of the inter-agency documents (văn bản đi / đến) and their exchange (edXML, QCVN 102:2016).

Kinds of administrative documents follow Decree 30/2020/NĐ-CP (Appendix III); the integer is the
edXML ``DocumentType/Type`` the portal writes and the abbreviation goes into the notation
(``12/QĐ-UBND``; a công văn carries none: ``123/UBND-VP``).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentType(models.IntegerChoices):
    """edXML DocumentType/Type codes, with the Vietnamese name written in TypeName."""

    OFFICIAL_LETTER = 1, _("Official letter (Công văn)")
    RESOLUTION = 2, _("Resolution (Nghị quyết)")
    DECISION = 3, _("Decision (Quyết định)")
    DIRECTIVE = 4, _("Directive (Chỉ thị)")
    REGULATION = 5, _("Regulation (Quy chế)")
    RULES = 6, _("Rules (Quy định)")
    PRESS_RELEASE = 7, _("Press release (Thông cáo)")
    NOTICE = 8, _("Notice (Thông báo)")
    GUIDANCE = 9, _("Guidance (Hướng dẫn)")
    PROGRAMME = 10, _("Programme (Chương trình)")
    PLAN = 11, _("Plan (Kế hoạch)")
    SCHEME = 12, _("Scheme (Phương án)")
    PROJECT = 13, _("Project (Đề án)")
    REPORT = 14, _("Report (Báo cáo)")
    MINUTES = 15, _("Minutes (Biên bản)")
    SUBMISSION = 16, _("Submission (Tờ trình)")
    CONTRACT = 17, _("Contract (Hợp đồng)")
    DISPATCH = 18, _("Official telegram (Công điện)")
    MEMORANDUM = 19, _("Memorandum (Bản ghi nhớ)")
    AGREEMENT = 20, _("Agreement (Bản thỏa thuận)")
    AUTHORISATION = 21, _("Letter of authorisation (Giấy ủy quyền)")
    INVITATION = 22, _("Invitation (Giấy mời)")
    INTRODUCTION = 23, _("Letter of introduction (Giấy giới thiệu)")
    OTHER = 99, _("Other")


#: Vietnamese name (edXML TypeName) and notation abbreviation of each type.
TYPE_INFO: dict[int, tuple[str, str]] = {
    1: ("Công văn", ""),
    2: ("Nghị quyết", "NQ"),
    3: ("Quyết định", "QĐ"),
    4: ("Chỉ thị", "CT"),
    5: ("Quy chế", "QC"),
    6: ("Quy định", "QyĐ"),
    7: ("Thông cáo", "TC"),
    8: ("Thông báo", "TB"),
    9: ("Hướng dẫn", "HD"),
    10: ("Chương trình", "CTr"),
    11: ("Kế hoạch", "KH"),
    12: ("Phương án", "PA"),
    13: ("Đề án", "ĐA"),
    14: ("Báo cáo", "BC"),
    15: ("Biên bản", "BB"),
    16: ("Tờ trình", "TTr"),
    17: ("Hợp đồng", "HĐ"),
    18: ("Công điện", "CĐ"),
    19: ("Bản ghi nhớ", "BGN"),
    20: ("Bản thỏa thuận", "BTT"),
    21: ("Giấy ủy quyền", "GUQ"),
    22: ("Giấy mời", "GM"),
    23: ("Giấy giới thiệu", "GGT"),
    99: ("Văn bản khác", ""),
}


class Urgency(models.IntegerChoices):
    """Độ khẩn (edXML OtherInfo/Priority)."""

    NORMAL = 0, _("Normal")
    URGENT = 1, _("Urgent (Khẩn)")
    VERY_URGENT = 2, _("Very urgent (Thượng khẩn)")
    FLASH = 3, _("Flash (Hỏa tốc)")


class Secrecy(models.IntegerChoices):
    """Độ mật. Only non-secret documents (0) travel over the exchange."""

    NONE = 0, _("Not secret")
    CONFIDENTIAL = 1, _("Confidential (Mật)")
    SECRET = 2, _("Secret (Tối mật)")
    TOP_SECRET = 3, _("Top secret (Tuyệt mật)")


class OutgoingState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for signature")  # trình ký: before the leader
    SIGNED = "signed", _("Signed")
    ISSUED = "issued", _("Issued")
    SENT = "sent", _("Sent")


class RecallState(models.TextChoices):
    NONE = "", _("None")
    REQUESTED = "requested", _("Recall/update requested")
    ACCEPTED = "accepted", _("Recall/update accepted")
    REFUSED = "refused", _("Recall/update refused")


class IncomingState(models.TextChoices):
    RECEIVED = "received", _("Received")
    REGISTERED = "registered", _("Registered")
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    REJECTED = "rejected", _("Rejected")
    RECALLED = "recalled", _("Recalled")


class IncomingSource(models.TextChoices):
    EXCHANGE = "exchange", _("Electronic exchange")
    MANUAL = "manual", _("Registered by hand")


class Book(models.TextChoices):
    """The registers (sổ) a number is taken from."""

    OUTGOING = "outgoing", _("Outgoing book")
    INCOMING = "incoming", _("Incoming book")
    #: The one-stop forms (01–07) an agency issues, one sequence per year (dossiers.printing).
    ONESTOP_FORMS = "forms", _("One-stop forms")


class StatusCode(models.TextChoices):
    """Status codes an edXML receiver reports back to the sender (QCVN 102:2016)."""

    REACHED = "01", _("01 Reached")
    REJECTED = "02", _("02 Rejected")
    ACCEPTED = "03", _("03 Accepted / registered")
    ASSIGNED = "04", _("04 Assigned")
    IN_PROGRESS = "05", _("05 In progress")
    DONE = "06", _("06 Done")
    RECALL_REQUESTED = "13", _("13 Recall/update requested")
    RECALL_ACCEPTED = "15", _("15 Recall/update accepted")
    RECALL_REFUSED = "16", _("16 Recall/update refused")


class EventAction(models.TextChoices):
    CREATE = "create", _("Draft created")
    EDIT = "edit", _("Draft edited")
    SUBMIT = "submit", _("Submitted for signature")
    SEND_BACK = "send_back", _("Sent back to the drafter")
    ATTACH = "attach", _("File attached")
    DETACH = "detach", _("File removed")
    SIGN = "sign", _("Signed")
    ISSUE = "issue", _("Issued (numbered)")
    SEND = "send", _("Sent")
    DELIVERED = "delivered", _("Delivered to recipient")
    DELIVERY_FAILED = "delivery_failed", _("Delivery failed")
    STATUS = "status", _("Status received")
    RECALL = "recall", _("Recall/update requested")
    RECEIVE = "receive", _("Received")
    REGISTER = "register", _("Registered")
    ASSIGN = "assign", _("Assigned")
    START = "start", _("Processing started")
    DONE = "done", _("Done")
    REJECT = "reject", _("Rejected")
    RECALL_RECEIVED = "recall_received", _("Recall/update request received")
    RECALL_ACCEPT = "recall_accept", _("Recall/update accepted")
    RECALL_REFUSE = "recall_refuse", _("Recall/update refused")
