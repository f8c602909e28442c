"""What happens to a dossier while it is handled: its steps (each with its share of the time,
Decree 118/2025), the supplement requests and the apologies with a new appointment date (part of
:mod:`dossiers.models`, split by job in issue 16).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..constants import (
    Timeliness,
)
from .dossier import Dossier


class DossierStep(models.Model):
    """One processing step of a dossier with its own due time (its share of the whole)."""

    dossier = models.ForeignKey(
        Dossier, on_delete=models.CASCADE, related_name="steps", verbose_name=_("dossier")
    )
    order = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("step"), max_length=255)
    role = models.CharField(_("performed by"), max_length=20)
    department = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assignee"),
    )
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    timeliness = models.CharField(
        _("timeliness"), max_length=10, choices=Timeliness.choices, blank=True
    )

    class Meta:
        ordering = ["dossier", "order"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "order"], name="dossierstep_order_unique")
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"


class SupplementRequest(models.Model):
    """Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (form 02)."""

    dossier = models.ForeignKey(
        Dossier, on_delete=models.CASCADE, related_name="supplement_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    items = models.JSONField(
        _("missing items"), default=list, help_text='[{"document": "...", "reason": "..."}]'
    )
    reason = models.TextField(_("reason"))
    during_processing = models.BooleanField(default=False)
    requested_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answer_comment = models.TextField(_("answer"), blank=True)
    #: The applicant is guided once and fully (Decree 118/2025/NĐ-CP, "hướng dẫn một lần, đầy đủ"):
    #: a second request for the same dossier must say why, and is flagged for supervision.
    repeat_reason = models.TextField(
        _("why a further request is needed"), blank=True, default="", db_default=""
    )
    flagged = models.BooleanField(
        _("flagged: not the first request"), default=False, db_default=False
    )

    class Meta:
        ordering = ["dossier", "requested_at"]
        # the dashboards' "supplement requests in a period" drill-down (an index-only range scan)
        indexes = [models.Index(fields=["requested_at", "dossier"], name="supplement_requested")]

    def __str__(self) -> str:
        return f"{self.dossier} · {self.requested_at:%d/%m/%Y}"


class Apology(models.Model):
    """Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết (form 04 of Circular 03/2025/TT-VPCP):
    sent before the due date when lateness is foreseen; the time limit is extended once
    (``dossiers.deadlines``)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="apologies")
    reason = models.TextField(_("reason for the delay"))
    new_due_at = models.DateTimeField(_("new appointment date"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["dossier", "created_at"]
        verbose_name = _("apology")
        verbose_name_plural = _("apologies")

    def __str__(self) -> str:
        return f"{self.dossier} → {self.new_due_at:%d/%m/%Y}"
