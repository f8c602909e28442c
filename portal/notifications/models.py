"""Notifications to applicants and staff (e-mail, SMS), each sent at most once per event.

``dossier_id`` is a plain indexed integer rather than a foreign key so this app does not depend on the
dossiers migrations (and a notification outlives nothing it points to).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NotificationChannel(models.TextChoices):
    EMAIL = "email", _("e-mail")
    SMS = "sms", _("SMS")


class NotificationState(models.TextChoices):
    QUEUED = "queued", _("queued")
    SENDING = "sending", _("sending")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="notifications", verbose_name=_("recipient")
    )
    address = models.CharField(_("e-mail address or phone"), max_length=254)
    channel = models.CharField(_("channel"), max_length=8, choices=NotificationChannel.choices)
    event = models.CharField(_("event"), max_length=40)
    dossier_id = models.BigIntegerField(_("dossier"), null=True, blank=True, db_index=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    body = models.TextField(_("message"))
    language = models.CharField(_("language"), max_length=5, default="vi")
    state = models.CharField(_("state"), max_length=8, choices=NotificationState.choices, default=NotificationState.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    event_key = models.CharField(_("event key"), max_length=255, unique=True, help_text=_("The same event is never sent twice."))

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "claimed_at"], name="notification_state_claimed")]

    def __str__(self) -> str:
        return f"{self.event} → {self.address} ({self.state})"


class SmsMessage(models.Model):
    """What the default SMS backend "sends": recorded here so the demo and tests can read it."""

    phone = models.CharField(_("phone"), max_length=20)
    message = models.TextField(_("message"))
    brandname = models.CharField(_("brandname"), max_length=20)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("recorded SMS")
        verbose_name_plural = _("recorded SMS")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.phone}: {self.message[:40]}"
