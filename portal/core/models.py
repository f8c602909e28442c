"""The transactional outbox: tasks written in the business transaction, relayed to Celery afterwards.

A task sent with ``transaction.on_commit(task.delay)`` is lost when the broker is down right after the
commit (docs/tech-facts.md "Celery and Redis"). An :class:`OutboxMessage` row is committed together with the
business change, so nothing is lost: the relay publishes it when the broker answers again.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    DISPATCHED = "dispatched", _("dispatched")
    FAILED = "failed", _("failed")


class OutboxMessage(models.Model):
    task_name = models.CharField(_("task"), max_length=200)
    kwargs = models.JSONField(_("arguments"), default=dict, blank=True)
    dedupe_key = models.CharField(
        _("deduplication key"), max_length=200, unique=True, null=True, blank=True
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    available_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        ordering = ["id"]
        indexes = [models.Index(fields=["status", "available_at"], name="outbox_status_available")]

    def __str__(self) -> str:
        return f"{self.task_name} #{self.pk} ({self.status})"
