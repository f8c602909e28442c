"""Payments of a dossier's fees and charges (phí, lệ phí): online through a gateway or at the
counter, each paid one with an electronic receipt (biên lai điện tử)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .constants import CaseKind, CaseStatus, PaymentMethod, PaymentStatus


class Payment(models.Model):
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        on_delete=models.PROTECT,
        related_name="payments",
        verbose_name=_("dossier"),
    )
    reference = models.CharField(
        _("payment reference"),
        max_length=40,
        unique=True,
        help_text=_("Sent to the gateway as the order reference."),
    )
    amount = models.DecimalField(_("amount (VND)"), max_digits=14, decimal_places=0)
    method = models.CharField(_("method"), max_length=10, choices=PaymentMethod.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=PaymentStatus.choices, default=PaymentStatus.PENDING
    )
    gateway_transaction_id = models.CharField(
        _("gateway transaction"), max_length=64, unique=True, null=True, blank=True
    )
    bank_code = models.CharField(_("bank"), max_length=20, blank=True)
    response_code = models.CharField(verbose_name=_("response code"), max_length=4, blank=True)
    receipt_number = models.CharField(
        _("receipt number"), max_length=30, unique=True, null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    callback_data = models.JSONField(
        verbose_name=_("callback data"), default=dict, blank=True, editable=False
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            # One paid payment per dossier obligation at a time is enforced in the service; here:
            # a paid payment always has its receipt.
            models.CheckConstraint(
                condition=~models.Q(status=PaymentStatus.PAID)
                | models.Q(receipt_number__isnull=False, paid_at__isnull=False),
                name="payment_paid_has_receipt",
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class ReceiptCounter(models.Model):
    """Last receipt number issued in a year (locked while a number is issued: no gaps)."""

    year = models.PositiveSmallIntegerField(unique=True)
    last_value = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last_value}"


class PaymentCase(models.Model):
    """Money that arrived but does not settle the dossier's obligation as it stands (a payment
    completed after the obligation changed or was settled another way): a refund or a top-up for
    the one-stop clerks' queue. The payment itself is recorded as paid, with its receipt."""

    payment = models.OneToOneField(
        Payment, on_delete=models.PROTECT, related_name="case", verbose_name=_("payment")
    )
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        on_delete=models.PROTECT,
        related_name="payment_cases",
        verbose_name=_("dossier"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=CaseKind.choices)
    amount = models.DecimalField(_("amount to settle (VND)"), max_digits=14, decimal_places=0)
    amount_due = models.DecimalField(
        _("amount due when paid (VND)"), max_digits=14, decimal_places=0
    )
    reason = models.CharField(_("reason"), max_length=255)
    status = models.CharField(
        _("status"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by"),
    )
    resolution = models.CharField(_("resolution"), max_length=255, blank=True)

    class Meta:
        ordering = ["status", "created_at"]
        verbose_name = _("payment case")
        verbose_name_plural = _("payment cases")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} ({self.payment.reference})"
