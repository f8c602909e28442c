"""Exchange peers, inbound receipts and the append-only document history."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..constants import (
    EventAction,
    StatusCode,
)
from .incoming import IncomingDocument
from .outgoing import OutgoingDocument


class ExchangePeer(models.Model):
    """Another portal (or the national exchange hub) we send envelopes to and accept them from.

    ``organ_code`` is an exact organ code (``000.00.12.H29``) or a pattern with ``*`` wildcards
    (``*.H29`` = every organ of province H29, ``000.00.*`` = a prefix). The most specific match
    wins: an exact code, then the longest pattern."""

    name = models.CharField(_("name"), max_length=255)
    organ_code = models.CharField(
        _("organ code or pattern"),
        max_length=60,
        unique=True,
        help_text=_("Exact code, or a pattern such as *.H29 or 000.00.*"),
    )
    endpoint_url = models.URLField(_("inbound endpoint URL"), max_length=500)
    trust_roots_pem = models.TextField(
        _("trust roots (PEM)"),
        blank=True,
        help_text=_("The root CA certificates that sign this peer's envelopes."),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("exchange peer")
        verbose_name_plural = _("exchange peers")

    def __str__(self) -> str:
        return f"{self.name} ({self.organ_code})"


class InboundReceipt(models.Model):
    """One envelope this portal accepted, keyed for idempotency: a document envelope by
    (receiving organ, DocumentId, steering type), a status envelope by (DocumentId, reporting organ,
    code, timestamp). A repeated delivery finds its receipt and is acknowledged again without a
    second effect."""

    key = models.CharField(verbose_name=_("key"), max_length=200, unique=True)
    kind = models.CharField(verbose_name=_("kind"), max_length=10)
    document_id = models.CharField(verbose_name=_("document id"), max_length=100, db_index=True)
    from_organ_code = models.CharField(verbose_name=_("from organ code"), max_length=40)
    response = models.JSONField(verbose_name=_("response"), default=dict, blank=True)
    received_at = models.DateTimeField(verbose_name=_("received at"), default=timezone.now)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("inbound receipt")
        verbose_name_plural = _("inbound receipts")

    def __str__(self) -> str:
        return self.key


class AppendOnlyError(Exception):
    pass


class DocumentEventQuerySet(models.QuerySet["DocumentEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError(gettext("Document history cannot be changed."))

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(gettext("Document history cannot be deleted."))


class DocumentEvent(models.Model):
    """History of an outgoing or an incoming document (append-only): who did what, when, and the
    edXML status code it corresponds to, if any."""

    outgoing = models.ForeignKey(
        OutgoingDocument,
        verbose_name=_("outgoing"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
    )
    incoming = models.ForeignKey(
        IncomingDocument,
        verbose_name=_("incoming"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
    )
    action = models.CharField(_("action"), max_length=20, choices=EventAction.choices)
    status_code = models.CharField(
        _("status"), max_length=2, choices=StatusCode.choices, blank=True
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    comment = models.TextField(_("comment"), blank=True)
    data = models.JSONField(verbose_name=_("data"), default=dict, blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    objects = DocumentEventQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("document event")
        verbose_name_plural = _("document events")
        constraints = [
            models.CheckConstraint(
                condition=Q(outgoing__isnull=False) | Q(incoming__isnull=False),
                name="documentevent_has_document",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError(gettext("Document history cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(gettext("Document history cannot be deleted."))
