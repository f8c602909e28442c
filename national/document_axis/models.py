"""What went over the national document axis: every envelope handed to it (sent) and every
message taken from its mailboxes (received), the latter keyed by the axis's DocId so that a
message listed twice, or again after a crash before its acknowledgement, is processed once."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AxisSent(models.Model):
    axis_doc_id = models.CharField(_("axis message id"), max_length=100, blank=True)
    to_organ = models.CharField(_("to organ"), max_length=60)
    message_type = models.CharField(_("message type"), max_length=10)  # edoc | status
    document_id = models.CharField(verbose_name=_("document id"), max_length=100, blank=True)
    sent_at = models.DateTimeField(verbose_name=_("sent at"), auto_now_add=True)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("envelope sent over the axis")
        verbose_name_plural = _("envelopes sent over the axis")

    def __str__(self) -> str:
        return f"{self.message_type} → {self.to_organ} ({self.axis_doc_id})"


class AxisReceivedState(models.TextChoices):
    NEW = "new", _("Listed, not yet processed")
    PROCESSED = "processed", _("Processed, not yet acknowledged")
    ACKNOWLEDGED = "acked", _("Acknowledged to the axis")


class AxisReceived(models.Model):
    axis_doc_id = models.CharField(_("axis message id"), max_length=100, unique=True)
    from_organ = models.CharField(_("from organ"), max_length=60, blank=True)
    message_type = models.CharField(_("message type"), max_length=10)
    state = models.CharField(
        _("state"), max_length=10, choices=AxisReceivedState.choices, default=AxisReceivedState.NEW
    )
    outcome = models.CharField(_("outcome"), max_length=20, blank=True)  # 01, 13, ok, 02, duplicate
    detail = models.TextField(_("detail"), blank=True)
    answer_sent = models.BooleanField(verbose_name=_("answer sent"), default=False)
    attempts = models.PositiveIntegerField(verbose_name=_("attempts"), default=0)
    claimed_until = models.DateTimeField(
        verbose_name=_("claimed until"), null=True, blank=True
    )  # a poller's lease (crash: it expires)
    received_at = models.DateTimeField(verbose_name=_("received at"), auto_now_add=True)
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("message received from the axis")
        verbose_name_plural = _("messages received from the axis")

    def __str__(self) -> str:
        return f"{self.message_type} {self.axis_doc_id} ({self.state})"
