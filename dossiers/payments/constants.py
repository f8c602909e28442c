"""Codes of the payment domain, shaped like the Vietnamese gateways (VNPay / the National Public
Service Portal's Payment Platform): a response code "00" means success; the IPN answers with
``{"RspCode": ..., "Message": ...}``."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for payment")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Failed or cancelled")


class PaymentMethod(models.TextChoices):
    ONLINE = "online", _("Online (payment gateway)")
    COUNTER = "counter", _("At the counter")


#: The gateway's response code for a successful payment.
GATEWAY_SUCCESS = "00"
#: The gateway's response code for a payment the payer cancelled.
GATEWAY_CANCELLED = "24"


class IpnCode(models.TextChoices):
    """Answers to the gateway's server-to-server notification (IPN)."""

    CONFIRMED = "00", "Confirm Success"
    NOT_FOUND = "01", "Order not found"
    ALREADY_CONFIRMED = "02", "Order already confirmed"
    INVALID_AMOUNT = "04", "Invalid amount"
    INVALID_SIGNATURE = "97", "Invalid signature"
    UNKNOWN = "99", "Unknown error"


class CaseKind(models.TextChoices):
    """What a clerk must do about money that does not match the obligation (đối soát)."""

    REFUND = "refund", _("Refund to the payer")
    TOP_UP = "top_up", _("Top-up still due from the payer")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved")
