"""The dossier (hồ sơ thủ tục hành chính), its files and the daily code counter (part of
:mod:`dossiers.models`, split by job in issue 16; import the models from there).
"""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..constants import (
    Channel,
    DossierStatus,
    Rating,
    ResultDelivery,
    Stage,
    Timeliness,
)


def new_tracking_token() -> str:
    """Random token for the QR link printed on the receipt (not guessable, not the code)."""
    return secrets.token_urlsafe(18)


def dossier_file_path(instance: DossierFile, filename: str) -> str:
    # Stored names never contain what the user typed: the original name is kept in a field.
    return f"dossiers/{instance.dossier_id}/files/{secrets.token_hex(12)}"


def result_file_path(instance: Dossier, filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"dossiers/{instance.pk}/result/{secrets.token_hex(12)}.{ext[:8]}"


class Dossier(models.Model):
    code = models.CharField(
        _("dossier code"),
        max_length=40,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Issued on reception."),
    )
    procedure = models.ForeignKey(
        "procedures.Procedure",
        on_delete=models.PROTECT,
        related_name="dossiers",
        verbose_name=_("procedure"),
    )
    procedure_version = models.ForeignKey(
        "procedures.ProcedureVersion",
        on_delete=models.PROTECT,
        related_name="dossiers",
        verbose_name=_("procedure version"),
        help_text=_("The frozen catalogue entry the dossier was filed under."),
    )
    receiving_agency = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.PROTECT,
        related_name="received_dossiers",
        verbose_name=_("receiving agency"),
    )
    handling_department = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="handled_dossiers",
        verbose_name=_("handling unit"),
        help_text=_(
            "The department (or another agency, for inter-agency procedures) processing it now."
        ),
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dossiers",
        verbose_name=_("applicant account"),
    )
    applicant_name = models.CharField(_("applicant name"), max_length=255)
    applicant_citizen_id = models.CharField(_("citizen ID"), max_length=12, blank=True)
    applicant_tax_code = models.CharField(_("tax code"), max_length=14, blank=True)
    applicant_phone = models.CharField(_("phone"), max_length=20, blank=True)
    applicant_email = models.EmailField(_("e-mail"), blank=True)
    applicant_address = models.CharField(_("address"), max_length=255, blank=True)
    channel = models.PositiveSmallIntegerField(
        _("channel"), choices=Channel.choices, default=Channel.ONLINE
    )
    status = models.PositiveSmallIntegerField(
        _("status"), choices=DossierStatus.choices, default=DossierStatus.DRAFT
    )
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.DRAFT)
    form_data = models.JSONField(_("form data"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # For the national portal.
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    counting_start = models.DateTimeField(_("counting starts"), null=True, blank=True)
    due_at = models.DateTimeField(_("appointment date"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    supplement_cycles = models.PositiveSmallIntegerField(_("supplement requests"), default=0)
    paused_seconds = models.PositiveIntegerField(_("seconds paused"), default=0)
    # Clock pause while waiting for the applicant (supplements, payment).
    paused_at = models.DateTimeField(
        verbose_name=_("paused at"), null=True, blank=True, editable=False
    )
    resume_status = models.PositiveSmallIntegerField(
        verbose_name=_("resume status"),
        null=True,
        blank=True,
        editable=False,
        choices=DossierStatus.choices,
    )
    resume_stage = models.CharField(
        verbose_name=_("resume stage"),
        max_length=20,
        blank=True,
        editable=False,
        choices=Stage.choices,
    )
    rescheduled_due_at = models.DateTimeField(
        _("new appointment date (after an apology)"), null=True, blank=True
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_dossiers",
        verbose_name=_("assigned to"),
    )
    current_step = models.ForeignKey(
        "DossierStep",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("current step"),
    )
    timeliness = models.CharField(
        _("timeliness"), max_length=10, choices=Timeliness.choices, blank=True
    )
    result_file = models.FileField(_("result file"), upload_to=result_file_path, blank=True)
    result_sha256 = models.CharField(
        _("result SHA-256"), max_length=64, blank=True, default="", db_default=""
    )  # db_default: bulk COPY (dashboards.bulkload) omits it
    result_delivery = models.CharField(
        _("result delivery"), max_length=10, choices=ResultDelivery.choices, blank=True
    )
    #: How the applicant registered, at submission or intake, to receive the result (form 01
    #: item 6, Circular 03/2025/TT-VPCP Phụ lục I): at the counter, by public postal service to
    #: ``delivery_address``, or online. The return step uses it (``dossiers.delivery``).
    #: (database defaults too: the dashboards' bulk loader writes rows with its own column list)
    registered_delivery = models.CharField(
        _("registered result delivery"),
        max_length=10,
        choices=ResultDelivery.choices,
        default=ResultDelivery.COUNTER,
        db_default=ResultDelivery.COUNTER,
    )
    delivery_address = models.CharField(
        _("postal address for the result"), max_length=255, blank=True, default="", db_default=""
    )
    fee_total = models.DecimalField(
        _("fees (VND)"), max_digits=14, decimal_places=0, default=Decimal("0")
    )
    #: The fee case and copies the applicant chose and the lines charged for them
    #: (``procedures.fees.FeeQuote.as_json``): ``fee_total`` is their sum, computed on the server.
    #: (database default too: the dashboards' bulk loader writes rows with its own column list)
    fee_choice = models.JSONField(_("fee choice"), default=dict, blank=True, db_default={})
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    rating = models.CharField(_("rating"), max_length=20, choices=Rating.choices, blank=True)
    rating_comment = models.TextField(_("rating comment"), blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    tracking_token = models.CharField(
        verbose_name=_("tracking token"),
        max_length=32,
        unique=True,
        default=new_tracking_token,
        editable=False,
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        indexes = [
            models.Index(fields=["receiving_agency", "status"], name="dossier_agency_status"),
            models.Index(fields=["handling_department", "status"], name="dossier_dept_status"),
            models.Index(fields=["assigned_to", "status"], name="dossier_assignee_status"),
            models.Index(fields=["due_at"], name="dossier_due"),
            models.Index(fields=["applicant_citizen_id"], name="dossier_applicant_cid"),
            models.Index(
                fields=["receiving_agency", "received_at"], name="dossier_agency_received"
            ),
            models.Index(fields=["applicant", "status"], name="dossier_applicant_status"),
            # Decision 766's rule that a dossier asked for supplements more than once counts as
            # late (index766_queries._repeat_supplement_ok): the few such dossiers finished in a
            # period, read without a scan of the period's dossiers (110 ms on 1,000,000).
            models.Index(
                fields=["finished_at"],
                condition=models.Q(supplement_cycles__gt=1),
                name="dossier_repeat_suppl_done",
            ),
        ]

    def __str__(self) -> str:
        # What a person reads: the dossier code, never the database id (issue 14); a draft has none.
        return self.code or str(_("draft without a code"))

    @property
    def national_status_name(self) -> str:
        from .constants import NATIONAL_STATUS_NAMES

        return NATIONAL_STATUS_NAMES.get(self.status, "")

    @property
    def procedure_snapshot(self) -> dict[str, Any]:
        return self.procedure_version.snapshot


class DossierFile(models.Model):
    """A file attached to a dossier, for one of the procedure's required documents."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="files")
    document_id = models.PositiveIntegerField(_("required document id"), null=True, blank=True)
    document_name = models.CharField(_("document"), max_length=500)
    file = models.FileField(_("file"), upload_to=dossier_file_path)
    original_name = models.CharField(_("original name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64, db_index=True)
    is_digitised = models.BooleanField(_("scanned at the counter"), default=False)
    is_supplement = models.BooleanField(_("added as a supplement"), default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    reused_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reuses",
        verbose_name=_("reused from"),
    )
    store_document = models.ForeignKey(
        "StoredDocument",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reuses",
        verbose_name=_("reused from the document store"),
    )

    class Meta:
        ordering = ["dossier", "document_id", "id"]
        verbose_name = _("dossier file")
        verbose_name_plural = _("dossier files")

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_reused(self) -> bool:
        return bool(self.reused_from_id or self.store_document_id)


class DossierCodeCounter(models.Model):
    """Last sequence number issued by a receiving agency on a day (see ``dossiers.codes``)."""

    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    date = models.DateField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "date"], name="dossiercodecounter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.date}: {self.last_value}"
