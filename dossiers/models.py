"""Dossiers (hồ sơ thủ tục hành chính) and their append-only, hash-chained history.

Every write goes through :mod:`dossiers.services`; reads that depend on who asks through
:mod:`dossiers.selectors`. The fields named "for the national portal" are kept as the national
portal expects them (status code, channel, submission/reception/due/finish/return times,
supplement cycles) for later syncing.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import UTC
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .constants import (
    Action,
    Channel,
    DossierStatus,
    Rating,
    ResultDelivery,
    Stage,
    Timeliness,
    Visibility,
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


class AppendOnlyError(Exception):
    """History rows are never changed or deleted."""


class DossierEventQuerySet(models.QuerySet["DossierEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError(gettext("Dossier history cannot be changed."))

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(gettext("Dossier history cannot be deleted."))

    def _raw_delete(self, using: Any) -> int:  # used by cascades
        raise AppendOnlyError(gettext("Dossier history cannot be deleted."))


GENESIS_HASH = "0" * 64


class DossierEvent(models.Model):
    """One row of a dossier's history: the process-control slip (form 06) and the tracking book
    (form 07) are read from here. Append-only and hash-chained per dossier: ``hash`` is SHA-256
    over the canonical JSON of the row's fields and ``prev_hash``, so a changed or deleted row
    breaks the chain (``manage.py verify_dossier_history``)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField()
    action = models.CharField(_("action"), max_length=30, choices=Action.choices)
    from_status = models.PositiveSmallIntegerField(
        _("from status"), null=True, blank=True, choices=DossierStatus.choices
    )
    to_status = models.PositiveSmallIntegerField(
        _("to status"), null=True, blank=True, choices=DossierStatus.choices
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handed over by"),
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("received by"),
    )
    from_agency = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("from agency"),
    )
    to_agency = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("to agency"),
    )
    comment = models.TextField(_("comment"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    step_timeliness = models.CharField(max_length=10, choices=Timeliness.choices, blank=True)
    #: Internal rows (a leader's send-back note, the draft result) are shown to staff only.
    visibility = models.CharField(
        max_length=10,
        choices=Visibility.choices,
        default=Visibility.PUBLIC,
        db_default=Visibility.PUBLIC,
    )
    created_at = models.DateTimeField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = DossierEventQuerySet.as_manager()

    class Meta:
        ordering = ["dossier", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "seq"], name="dossierevent_seq_unique")
        ]

    def __str__(self) -> str:
        return f"{self.dossier} · {self.seq} · {self.get_action_display()}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError(gettext("Dossier history cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(gettext("Dossier history cannot be deleted."))

    def canonical_payload(self) -> dict[str, Any]:
        return {
            "dossier": self.dossier_id,
            "seq": self.seq,
            "action": self.action,
            "from_status": self.from_status,
            "to_status": self.to_status,
            "actor": self.actor_id,
            "from_user": self.from_user_id,
            "to_user": self.to_user_id,
            "from_agency": self.from_agency_id,
            "to_agency": self.to_agency_id,
            "comment": self.comment,
            "data": self.data,
            "step_timeliness": self.step_timeliness,
            "created_at": self.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "prev_hash": self.prev_hash,
            # Only internal rows carry the field, so the rows written before it keep their hash.
            **({"visibility": self.visibility} if self.visibility != Visibility.PUBLIC else {}),
        }

    def compute_hash(self) -> str:
        blob = json.dumps(
            self.canonical_payload(),
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
            default=str,
        )
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()


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


def printed_form_path(instance: PrintedForm, filename: str) -> str:
    # A fresh name per rendering: the row is switched to the new file in one UPDATE (readers see
    # the old file or the new one, never half of one), then the old file is deleted.
    owner = (
        f"dossiers/{instance.dossier_id}"
        if instance.dossier_id
        else f"agencies/{instance.agency_id}"
    )
    return f"{owner}/forms/{instance.kind}-{secrets.token_hex(8)}.pdf"


class PrintedForm(models.Model):
    """A printed form (mẫu 01–07 of the one-stop mechanism) rendered to PDF by a worker.

    One row per (dossier, kind, source): re-rendering keeps the row and replaces its file. The
    tracking book (07) belongs to an agency and a period instead of a dossier. ``generation``
    counts requests, ``rendered_generation`` the request the current file answers: a task whose
    generation is already rendered does nothing (redelivered or duplicated messages).
    """

    class Kind(models.TextChoices):
        RECEIPT = "01", _("01 Receipt and appointment slip")
        SUPPLEMENT = "02", _("02 Request for supplements")
        REFUSAL = "03", _("03 Refusal to receive")
        APOLOGY = "04", _("04 Apology with a new appointment date")
        STOP = "05", _("05 Notice of stopping")
        CONTROL = "06", _("06 Process-control slip")
        BOOK = "07", _("07 Tracking book")

    class State(models.TextChoices):
        PENDING = "pending", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    dossier = models.ForeignKey(
        Dossier, on_delete=models.CASCADE, null=True, blank=True, related_name="printed_forms"
    )
    agency = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("For the tracking book (07)."),
    )
    kind = models.CharField(_("form"), max_length=2, choices=Kind.choices)
    source = models.CharField(
        _("source"),
        max_length=80,
        blank=True,
        help_text=_("What the form is about: supplement:<id>, apology:<id>, a period for 07."),
    )
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    #: "Số: 12/TNHS" on the form: taken once, when the form is first asked for, from the issuing
    #: agency's yearly sequence of one-stop forms (gapless, documents.numbering); kept on re-render.
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    number_year = models.PositiveSmallIntegerField(_("year of the number"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    file = models.FileField(_("file"), upload_to=printed_form_path, blank=True, max_length=200)
    sha256 = models.CharField(max_length=64, blank=True)
    pages = models.PositiveIntegerField(default=0)
    generation = models.PositiveIntegerField(default=1)
    rendered_generation = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    rendered_at = models.DateTimeField(_("rendered at"), null=True, blank=True)

    class Meta:
        ordering = ["kind", "requested_at", "pk"]
        verbose_name = _("printed form")
        verbose_name_plural = _("printed forms")
        constraints = [
            models.UniqueConstraint(
                fields=["dossier", "kind", "source"],
                condition=models.Q(dossier__isnull=False),
                name="printedform_dossier_unique",
            ),
            models.UniqueConstraint(
                fields=["agency", "kind", "source"],
                condition=models.Q(dossier__isnull=True),
                name="printedform_agency_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(dossier__isnull=False) | models.Q(agency__isnull=False),
                name="printedform_has_owner",
            ),
        ]

    def __str__(self) -> str:
        # The form, what it is of (the dossier code or the agency) and its number, never an id.
        number = f" · {self.number:02d}/{self.number_year}" if self.number else ""
        return f"{self.get_kind_display()} · {self.dossier or self.agency}{number}"

    @property
    def is_ready(self) -> bool:
        return self.state == self.State.READY and bool(self.file)


class StoredDocumentKind(models.TextChoices):
    ID_CARD = "id_card", _("Citizen ID card / passport")
    RESIDENCE = "residence", _("Residence confirmation")
    BIRTH_CERTIFICATE = "birth_certificate", _("Birth certificate")
    MARRIAGE = "marriage", _("Marriage certificate")
    DIPLOMA = "diploma", _("Diploma or certificate")
    JUDICIAL_RECORD = "judicial_record", _("Judicial record certificate")
    PERMIT = "permit", _("Permit or licence")
    BUSINESS = "business", _("Business registration")
    RESULT = "result", _("Result of a procedure")
    OTHER = "other", _("Other document")


class StoredDocumentSource(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted with an earlier dossier")
    RESULT = "result", _("Result issued by the portal (signed)")


class StoredDocument(models.Model):
    """One document in a citizen's document store (kho dữ liệu điện tử của tổ chức, cá nhân,
    Nghị định 45/2020/NĐ-CP Điều 16; Decision 1565/QĐ-TTg "enter once, reuse"): a file he
    submitted before or a result the portal issued to him, with its kind, validity and source.
    A new dossier reuses it in one click (:func:`dossiers.document_store.store_reuse`)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="stored_documents",
        verbose_name=_("owner"),
    )
    kind = models.CharField(
        _("kind"),
        max_length=20,
        choices=StoredDocumentKind.choices,
        default=StoredDocumentKind.OTHER,
    )
    title = models.CharField(_("title"), max_length=500)
    source = models.CharField(_("source"), max_length=12, choices=StoredDocumentSource.choices)
    source_dossier = models.ForeignKey(
        Dossier,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("from dossier"),
    )
    source_file = models.ForeignKey(
        DossierFile, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    file = models.FileField(_("file"), max_length=255)
    original_name = models.CharField(_("original name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    is_signed = models.BooleanField(_("digitally signed"), default=False)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        ordering = ["-added_at", "-id"]
        verbose_name = _("stored document")
        verbose_name_plural = _("stored documents")
        constraints = [
            models.UniqueConstraint(fields=["owner", "sha256"], name="storeddocument_owner_sha256")
        ]

    def __str__(self) -> str:
        return self.title


# Signed checkpoints of the history heads (kept in their own module).
from .checkpoint_models import HistoryCheckpoint, HistoryCheckpointHead  # noqa: E402,F401
