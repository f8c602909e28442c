"""The documents the portal makes or keeps for a dossier: the printed forms (mẫu 01–07 of
Circular 03/2025/TT-VPCP) and the applicant's stored documents (part of :mod:`dossiers.models`,
split by job in issue 16).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .dossier import Dossier, DossierFile


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

    #: The number as printed ("Số 12/TNHS-STP"): not stored, set by the page that lists the forms
    #: (dossiers.printing_views.forms_context) and read by its template.
    reference: str = ""

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
