"""Incoming book (văn bản đến): the received documents and their attachments."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..constants import (
    DocumentType,
    IncomingSource,
    IncomingState,
    RecallState,
    Secrecy,
    Urgency,
)
from .outgoing import OutgoingDocument


class IncomingDocument(models.Model):
    """Văn bản đến: received from the exchange (idempotent on ``document_id`` per receiving
    agency) or registered by hand, entered in the incoming book, assigned, processed, done."""

    agency = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.PROTECT,
        related_name="incoming_documents",
        verbose_name=_("receiving agency"),
    )
    book_number = models.PositiveIntegerField(_("incoming book number"), null=True, blank=True)
    book_year = models.PositiveSmallIntegerField(_("book year"), null=True, blank=True)
    from_organ_code = models.CharField(_("sending organ code"), max_length=40, blank=True)
    from_organ_name = models.CharField(_("sending organ"), max_length=255)
    code_number = models.CharField(_("their number"), max_length=20, blank=True)
    code_notation = models.CharField(_("their notation"), max_length=60, blank=True)
    place = models.CharField(_("place of promulgation"), max_length=120, blank=True)
    promulgation_date = models.DateField(_("promulgation date"), null=True, blank=True)
    document_type = models.PositiveSmallIntegerField(
        _("document type"), choices=DocumentType.choices, default=DocumentType.OFFICIAL_LETTER
    )
    document_type_name = models.CharField(_("document type name"), max_length=100, blank=True)
    subject = models.CharField(_("subject (trích yếu)"), max_length=1000)
    content = models.TextField(_("content"), blank=True)
    signer_competence = models.CharField(_("signing competence"), max_length=120, blank=True)
    signer_position = models.CharField(_("signer's position"), max_length=120, blank=True)
    signer_name = models.CharField(_("signer's name"), max_length=150, blank=True)
    urgency = models.PositiveSmallIntegerField(
        _("urgency"), choices=Urgency.choices, default=Urgency.NORMAL
    )
    secrecy = models.PositiveSmallIntegerField(
        _("secrecy"), choices=Secrecy.choices, default=Secrecy.NONE
    )
    due_date = models.DateField(_("reply due"), null=True, blank=True)
    document_id = models.CharField(
        _("exchange document id"), max_length=100, blank=True, db_index=True
    )
    steering_type = models.PositiveSmallIntegerField(_("steering type"), default=1)
    source = models.CharField(
        _("source"), max_length=10, choices=IncomingSource.choices, default=IncomingSource.EXCHANGE
    )
    state = models.CharField(
        _("state"),
        max_length=12,
        choices=IncomingState.choices,
        default=IncomingState.RECEIVED,
        db_index=True,
    )
    answers = models.ForeignKey(
        OutgoingDocument,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="answered_by",
        verbose_name=_("answers our document"),
        help_text=_("The outgoing document of ours this one replies to (ResponseFor)."),
    )
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    registered_at = models.DateTimeField(_("registered at"), null=True, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered by"),
    )
    assigned_department = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned department"),
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_incoming_documents",
        verbose_name=_("assigned to"),
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned by"),
    )
    assignment_note = models.TextField(_("assignment note"), blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    rejection_reason = models.TextField(_("rejection reason"), blank=True)
    recall_state = models.CharField(
        _("recall state"),
        max_length=10,
        choices=RecallState.choices,
        default=RecallState.NONE,
        blank=True,
    )
    recall_steering = models.PositiveSmallIntegerField(
        _("recall/update steering type"), null=True, blank=True
    )
    recall_reason = models.TextField(_("recall/update reason"), blank=True)
    state_before_recall = models.CharField(
        verbose_name=_("state before recall"), max_length=12, blank=True, editable=False
    )
    signer_certificate_subject = models.CharField(
        _("envelope signed by"), max_length=500, blank=True
    )
    envelope = models.FileField(
        _("received envelope"), upload_to="documents/envelopes/%Y/%m/", blank=True
    )
    envelope_sha256 = models.CharField(
        _("envelope SHA-256"), max_length=64, blank=True, default="", db_default=""
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("incoming document")
        verbose_name_plural = _("incoming documents")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "document_id"],
                condition=~Q(document_id=""),
                name="incoming_document_id_unique",
            ),
            models.UniqueConstraint(
                fields=["agency", "book_year", "book_number"],
                condition=Q(book_number__isnull=False),
                name="incoming_book_number_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "state", "received_at"], name="incoming_inbox_idx")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.subject[:60]}".strip()

    @property
    def code(self) -> str:
        if self.code_number and self.code_notation:
            return f"{self.code_number}/{self.code_notation}"
        return self.code_number or self.code_notation


class IncomingAttachment(models.Model):
    document = models.ForeignKey(
        IncomingDocument,
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name=_("document"),
    )
    file = models.FileField(_("file"), upload_to="documents/incoming/%Y/%m/")
    name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    description = models.CharField(_("description"), max_length=255, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("incoming attachment")
        verbose_name_plural = _("incoming attachments")

    def __str__(self) -> str:
        return self.name
