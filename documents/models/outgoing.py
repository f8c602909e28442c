"""Outgoing book (văn bản đi): the documents, their attachments, recipients and the statuses
the recipients reported, and the gapless book counters."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..constants import (
    Book,
    DocumentType,
    OutgoingState,
    RecallState,
    Secrecy,
    StatusCode,
    Urgency,
)


def new_document_id() -> str:
    return str(uuid.uuid4())


class DocumentNumberCounter(models.Model):
    """Last number given in one book of one agency for one year. Locked with ``SELECT … FOR
    UPDATE`` by :func:`documents.numbering.next_number` inside the issuing transaction, so numbers
    are gapless under concurrency (a rolled-back issue rolls the increment back).

    Dossier codes keep their own counter (per agency and day, ``dossiers.DossierCodeCounter``); the
    pattern is the same, the key is not, so this is a separate table rather than a shared one."""

    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("agency")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    book = models.CharField(_("book"), max_length=10, choices=Book.choices)
    last_value = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("book counter")
        verbose_name_plural = _("book counters")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "year", "book"], name="documentcounter_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency_id}/{self.year}/{self.book}: {self.last_value}"


class OutgoingDocument(models.Model):
    """Văn bản đi: drafted, signed by a leader, issued (numbered) by the văn thư, sent."""

    agency = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.PROTECT,
        related_name="outgoing_documents",
        verbose_name=_("issuing agency"),
    )
    document_id = models.CharField(
        _("exchange document id"),
        max_length=100,
        unique=True,
        default=new_document_id,
        editable=False,
    )
    document_type = models.PositiveSmallIntegerField(
        _("document type"), choices=DocumentType.choices, default=DocumentType.OFFICIAL_LETTER
    )
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    notation = models.CharField(
        _("notation"), max_length=60, blank=True, help_text=_("e.g. UBND-VP in 123/UBND-VP")
    )
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    place = models.CharField(_("place of promulgation"), max_length=120, blank=True)
    promulgation_date = models.DateField(_("promulgation date"), null=True, blank=True)
    subject = models.CharField(_("subject (trích yếu)"), max_length=1000)
    content = models.TextField(_("content"), blank=True)
    signer_competence = models.CharField(
        _("signing competence"),
        max_length=120,
        blank=True,
        help_text=_("e.g. TM. ỦY BAN NHÂN DÂN, KT. GIÁM ĐỐC"),
    )
    signer_position = models.CharField(_("signer's position"), max_length=120, blank=True)
    signer_name = models.CharField(_("signer's name"), max_length=150, blank=True)
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signed by"),
    )
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    urgency = models.PositiveSmallIntegerField(
        _("urgency"), choices=Urgency.choices, default=Urgency.NORMAL
    )
    secrecy = models.PositiveSmallIntegerField(
        _("secrecy"), choices=Secrecy.choices, default=Secrecy.NONE
    )
    due_date = models.DateField(_("reply due"), null=True, blank=True)
    to_places = models.JSONField(_("recipients' lines (nơi nhận)"), default=list, blank=True)
    in_reply_to = models.ForeignKey(
        "IncomingDocument",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replies",
        verbose_name=_("answers"),
    )
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=OutgoingState.choices,
        default=OutgoingState.DRAFT,
        db_index=True,
    )
    recall_state = models.CharField(
        _("recall state"),
        max_length=10,
        choices=RecallState.choices,
        default=RecallState.NONE,
        blank=True,
    )
    recall_reason = models.TextField(_("recall/update reason"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issued by"),
    )
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("outgoing document")
        verbose_name_plural = _("outgoing documents")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "year", "number"],
                condition=Q(number__isnull=False),
                name="outgoing_number_unique",
            ),
        ]
        indexes = [models.Index(fields=["agency", "year", "number"], name="outgoing_book_idx")]

    def __str__(self) -> str:
        return f"{self.code or _('(draft)')} {self.subject[:60]}"

    @property
    def code(self) -> str:
        """Số và ký hiệu, e.g. ``123/UBND-VP``; empty until issued."""
        return f"{self.number}/{self.notation}" if self.number else ""

    @property
    def main_attachment(self) -> OutgoingAttachment | None:
        return self.attachments.filter(is_main=True).first()


class OutgoingAttachment(models.Model):
    document = models.ForeignKey(
        OutgoingDocument,
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name=_("document"),
    )
    file = models.FileField(_("file"), upload_to="documents/outgoing/%Y/%m/")
    name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    is_main = models.BooleanField(_("main document (signed PDF)"), default=False)
    is_signed = models.BooleanField(_("digitally signed"), default=False)
    description = models.CharField(_("description"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-is_main", "id"]
        verbose_name = _("outgoing attachment")
        verbose_name_plural = _("outgoing attachments")
        constraints = [
            models.UniqueConstraint(
                fields=["document"], condition=Q(is_main=True), name="outgoing_one_main_file"
            )
        ]

    def __str__(self) -> str:
        return self.name


class OutgoingRecipient(models.Model):
    """One addressee of an outgoing document: an agency of this portal or an external organ by
    its code. ``status_code`` is the last status it reported; every status is a
    :class:`RecipientStatus` row."""

    document = models.ForeignKey(
        OutgoingDocument,
        on_delete=models.CASCADE,
        related_name="recipients",
        verbose_name=_("document"),
    )
    agency = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agency of this portal"),
    )
    organ_code = models.CharField(_("organ code"), max_length=40)
    organ_name = models.CharField(_("organ name"), max_length=255, blank=True)
    status_code = models.CharField(
        _("last status"), max_length=2, choices=StatusCode.choices, blank=True
    )
    status_description = models.TextField(_("last status description"), blank=True)
    status_at = models.DateTimeField(_("last status at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("delivery attempts"), default=0)
    last_error = models.TextField(_("last delivery error"), blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("recipient")
        verbose_name_plural = _("recipients")
        constraints = [
            models.UniqueConstraint(
                fields=["document", "organ_code"], name="outgoing_recipient_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organ_code} {self.organ_name}".strip()


class RecipientStatus(models.Model):
    """One status a recipient reported (01 reached … 16 recall refused). Append-only; a repeated
    status envelope (same code and time) is one row."""

    recipient = models.ForeignKey(
        OutgoingRecipient,
        on_delete=models.CASCADE,
        related_name="statuses",
        verbose_name=_("recipient"),
    )
    code = models.CharField(_("status"), max_length=2, choices=StatusCode.choices)
    description = models.TextField(_("description"), blank=True)
    at = models.DateTimeField(_("reported at"))
    staff_name = models.CharField(_("staff"), max_length=150, blank=True)
    department = models.CharField(_("department"), max_length=255, blank=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("recipient status")
        verbose_name_plural = _("recipient statuses")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "code", "at"], name="recipientstatus_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.recipient} {self.code} {self.at:%Y-%m-%d %H:%M}"
