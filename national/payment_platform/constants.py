from django.db import models
from django.utils.translation import gettext_lazy as _


class TransactionStatus(models.TextChoices):
    CREATED = "created", _("Created, not yet sent")
    REDIRECTED = "redirected", _("Payer sent to the platform")
    INIT_FAILED = "init_failed", _("The platform did not open the payment")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Failed or cancelled")


class ConfirmCode(models.TextChoices):
    """``MaLoi`` of our answer to a CONFIRM (our own codes beside "00"; see the doc)."""

    OK = "00", "Thanh cong"
    NOT_FOUND = "01", "Khong tim thay giao dich"
    ALREADY = "02", "Giao dich da duoc xac nhan"
    REPLAYED = "03", "Ban tin da duoc xu ly"
    BAD_AMOUNT = "04", "So tien khong khop"
    BAD_PARTNER = "05", "Ma doi tac khong khop"
    BAD_SIGNATURE = "97", "Sai ma xac thuc"
    OTHER = "99", "Loi khac"
