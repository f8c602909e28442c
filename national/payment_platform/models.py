"""A payment made through the national payment platform: its INIT, the platform's confirmation
and the platform's receipt (biên lai), beside the portal's own :class:`dossiers.payments.models.Payment`
(which carries the money state and the portal's receipt number)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .constants import TransactionStatus


class PlatformTransaction(models.Model):
    payment = models.OneToOneField(
        "payments.Payment",
        on_delete=models.PROTECT,
        related_name="platform_transaction",
        verbose_name=_("payment"),
    )
    reference = models.CharField(_("platform reference (MaThamChieu)"), max_length=60, unique=True)
    partner_code = models.CharField(_("partner code (MaDoiTac)"), max_length=50)
    amount = models.DecimalField(_("amount (VND)"), max_digits=14, decimal_places=0)
    transaction_time = models.CharField(_("transaction time (ThoiGianGD)"), max_length=14)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=TransactionStatus.choices,
        default=TransactionStatus.CREATED,
    )
    payment_url = models.TextField(_("payment page"), blank=True)
    platform_transaction_id = models.CharField(
        _("platform transaction (MaGiaoDich)"), max_length=64, unique=True, null=True, blank=True
    )
    bank_code = models.CharField(_("bank (MaNganHang)"), max_length=30, blank=True)
    init_message = models.JSONField(verbose_name=_("init message"), default=dict, editable=False)
    confirm_message = models.JSONField(
        verbose_name=_("confirm message"), default=dict, blank=True, editable=False
    )
    last_error = models.CharField(_("last error"), max_length=255, blank=True)
    query_attempts = models.PositiveIntegerField(verbose_name=_("query attempts"), default=0)
    next_query_at = models.DateTimeField(
        verbose_name=_("next query at"), null=True, blank=True, db_index=True
    )
    receipt_file = models.FileField(
        _("platform receipt"), upload_to="payment_platform/receipts/%Y/", blank=True
    )
    receipt_fetched_at = models.DateTimeField(
        verbose_name=_("receipt fetched at"), null=True, blank=True
    )
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("platform transaction")
        verbose_name_plural = _("platform transactions")

    def __str__(self) -> str:
        return self.reference


class ConfirmationRecord(models.Model):
    """Every CONFIRM that passed the signature check, once: a replayed message (same MaXacThuc) is
    refused by the unique key, before anything else is looked at."""

    digest = models.CharField(verbose_name=_("digest"), max_length=64, unique=True)
    transaction = models.ForeignKey(
        PlatformTransaction,
        verbose_name=_("transaction"),
        on_delete=models.PROTECT,
        null=True,
        related_name="confirmations",
    )
    source = models.CharField(verbose_name=_("source"), max_length=10)  # callback | query
    code = models.CharField(verbose_name=_("code"), max_length=2)
    message = models.JSONField(verbose_name=_("message"), default=dict)
    received_at = models.DateTimeField(verbose_name=_("received at"), auto_now_add=True)

    class Meta:
        ordering = ["received_at"]

    def __str__(self) -> str:
        return f"{self.source} {self.code} {self.digest[:12]}"
