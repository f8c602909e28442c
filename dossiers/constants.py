"""Codes of the dossier domain.

Status and channel codes are those of the National Public Service Portal (Cổng Dịch vụ công quốc
gia), kept as the stored values so that syncing needs no mapping.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.workcalendar.constants import Timeliness as _Timeliness


class DossierStatus(models.IntegerChoices):
    """Trạng thái hồ sơ, codes 1–10 of the national portal. ``DRAFT`` (0) is the portal's own
    state for an online dossier not yet submitted; it is never synced."""

    DRAFT = 0, _("Draft (not submitted)")
    NEW = 1, _("Newly registered")  # Mới đăng ký
    RECEIVED = 2, _("Received")  # Được tiếp nhận
    NOT_RECEIVED = 3, _("Not received (refused)")  # Không được tiếp nhận
    IN_PROGRESS = 4, _("Being processed")  # Đang xử lý
    SUPPLEMENT_REQUESTED = 5, _("Supplementary documents requested")  # Yêu cầu bổ sung giấy tờ
    FINANCIAL_OBLIGATION = (
        6,
        _("Financial obligation requested"),
    )  # Yêu cầu thực hiện nghĩa vụ tài chính
    WITHDRAWN = 7, _("Withdrawn at the applicant's request")  # Công dân yêu cầu rút hồ sơ
    STOPPED = 8, _("Processing stopped")  # Dừng xử lý
    PROCESSED = 9, _("Processed")  # Đã xử lý xong
    RETURNED = 10, _("Result returned")  # Đã trả kết quả


#: The official Vietnamese names of the national codes, as the national portal spells them.
NATIONAL_STATUS_NAMES: dict[int, str] = {
    1: "Mới đăng ký",
    2: "Được tiếp nhận",
    3: "Không được tiếp nhận",
    4: "Đang xử lý",
    5: "Yêu cầu bổ sung giấy tờ",
    6: "Yêu cầu thực hiện nghĩa vụ tài chính",
    7: "Công dân yêu cầu rút hồ sơ",
    8: "Dừng xử lý",
    9: "Đã xử lý xong",
    10: "Đã trả kết quả",
}

#: Statuses after which nothing more happens (except rating after a return).
CLOSED_STATUSES = frozenset(
    {
        DossierStatus.NOT_RECEIVED,
        DossierStatus.WITHDRAWN,
        DossierStatus.STOPPED,
        DossierStatus.RETURNED,
    }
)
#: Statuses in which the legal clock does not run (waiting for the applicant).
PAUSED_STATUSES = frozenset(
    {DossierStatus.SUPPLEMENT_REQUESTED, DossierStatus.FINANCIAL_OBLIGATION}
)
#: Statuses in which the dossier is being worked on and may become overdue.
OPEN_STATUSES = frozenset(
    {
        DossierStatus.RECEIVED,
        DossierStatus.IN_PROGRESS,
        DossierStatus.SUPPLEMENT_REQUESTED,
        DossierStatus.FINANCIAL_OBLIGATION,
    }
)


class Channel(models.IntegerChoices):
    """Kênh nộp hồ sơ, national portal codes."""

    IN_PERSON = 1, _("In person at the counter")
    ONLINE = 2, _("Online")
    POSTAL = 3, _("Public postal service")


class Stage(models.TextChoices):
    """Where a dossier is inside the workflow (finer than the national status)."""

    DRAFT = "draft", _("Draft")
    INTAKE = "intake", _("Intake check at the one-stop counter")
    ASSIGNMENT = "assignment", _("Waiting for assignment")
    EXAMINATION = "examination", _("Examination by a specialist")
    APPROVAL = "approval", _("Waiting for the leader's approval")
    RESULT = "result", _("Result ready to return")
    CLOSED = "closed", _("Closed")


class Action(models.TextChoices):
    """Names of the workflow actions, also the ``action`` of history rows."""

    SUBMIT = "submit", _("Submit")
    CREATE_AT_COUNTER = "create_at_counter", _("Record at the counter")
    RECEIVE = "receive", _("Receive")
    REQUEST_SUPPLEMENT = "request_supplement", _("Request supplements")
    ANSWER_SUPPLEMENT = "answer_supplement", _("Answer the supplement request")
    REFUSE = "refuse", _("Refuse")
    ASSIGN = "assign", _("Assign")
    FORWARD = "forward", _("Forward for approval")
    SEND_BACK = "send_back", _("Send back for re-examination")
    ATTACH_DRAFT = "attach_draft", _("Attach the draft result")
    APPROVE = "approve", _("Approve")
    SIGN_APPROVE = "sign_approve", _("Sign and approve")
    REQUEST_PAYMENT = "request_payment", _("Request financial obligation")
    CONFIRM_PAYMENT = "confirm_payment", _("Confirm payment")
    RETURN_RESULT = "return_result", _("Return the result")
    ISSUE_RESULT = "issue_result", _("Issue the signed result")
    WITHDRAW = "withdraw", _("Withdraw")
    STOP = "stop", _("Stop processing")
    TRANSFER = "transfer", _("Transfer to another agency")
    RATE = "rate", _("Rate the service")
    APOLOGISE = "apologise", _("Apologise and set a new date")


class Visibility(models.TextChoices):
    """Who reads a history row: the applicant too (public), or staff only (internal)."""

    PUBLIC = "public", _("Public")
    INTERNAL = "internal", _("Internal (staff only)")


# Early / on time / late: one enum for the whole portal, owned by the working-day calendar.
Timeliness = _Timeliness


class ResultDelivery(models.TextChoices):
    COUNTER = "counter", _("At the counter")
    POST = "post", _("By post")
    ONLINE = "online", _("Online (electronic result)")


class Rating(models.TextChoices):
    """Mức độ hài lòng."""

    SATISFIED = "satisfied", _("Satisfied")
    ACCEPTABLE = "acceptable", _("Acceptable")
    NOT_SATISFIED = "not_satisfied", _("Not satisfied")


#: Processing steps used when a procedure's catalogue entry lists none (share of the time, %).
DEFAULT_STEPS: list[dict] = [
    {"order": 1, "name": "Tiếp nhận hồ sơ", "role": "clerk", "share_percent": "10"},
    {"order": 2, "name": "Thẩm định, xử lý hồ sơ", "role": "specialist", "share_percent": "60"},
    {"order": 3, "name": "Phê duyệt kết quả", "role": "leader", "share_percent": "20"},
    {"order": 4, "name": "Trả kết quả", "role": "clerk", "share_percent": "10"},
]
