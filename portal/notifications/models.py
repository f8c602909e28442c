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
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    address = models.CharField(_("e-mail address or phone"), max_length=254)
    channel = models.CharField(_("channel"), max_length=8, choices=NotificationChannel.choices)
    event = models.CharField(_("event"), max_length=40)
    dossier_id = models.BigIntegerField(_("dossier"), null=True, blank=True, db_index=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    body = models.TextField(_("message"))
    language = models.CharField(_("language"), max_length=5, default="vi")
    state = models.CharField(
        _("state"),
        max_length=8,
        choices=NotificationState.choices,
        default=NotificationState.QUEUED,
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    next_attempt_at = models.DateTimeField(
        _("next attempt"),
        null=True,
        blank=True,
        help_text=_("After a failed send: not retried before this time (exponential back-off)."),
    )
    event_key = models.CharField(
        _("event key"),
        max_length=255,
        unique=True,
        help_text=_("The same event is never sent twice."),
    )

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


class ReminderKind(models.TextChoices):
    DUE_SOON = "due_soon", _("due soon")
    OVERDUE = "overdue", _("overdue")
    DIGEST = "digest", _("daily digest")
    APOLOGY_DRAFT = "apology_draft", _("apology drafted")


class ReminderState(models.TextChoices):
    PENDING = "pending", _("pending")
    DONE = "done", _("notifications queued")
    SKIPPED = "skipped", _("skipped")


class Reminder(models.Model):
    """A deadline reminder (nhắc hạn) claimed once: the unique constraints make "sent once per
    dossier, step, kind and recipient" a database fact, whatever the number of beats and workers.

    The beat scan inserts rows with ``INSERT … SELECT … ON CONFLICT DO NOTHING`` (see
    :mod:`dossiers.reminders`); workers claim ``pending`` rows with ``FOR UPDATE SKIP
    LOCKED`` and turn each into notifications (keyed on the reminder, so never twice) in the same
    transaction. Like :class:`Notification`, dossier and step are plain ids: no migration
    dependency on the dossiers app.
    """

    kind = models.CharField(_("kind"), max_length=16, choices=ReminderKind.choices)
    dossier_id = models.BigIntegerField(_("dossier"), null=True, blank=True)
    step_id = models.BigIntegerField(_("step"), null=True, blank=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminders",
        verbose_name=_("recipient"),
    )
    day = models.DateField(
        _("day"), null=True, blank=True, help_text=_("The day of a daily digest.")
    )
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=8, choices=ReminderState.choices, default=ReminderState.PENDING
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("deadline reminder")
        verbose_name_plural = _("deadline reminders")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier_id", "step_id", "kind", "recipient"],
                condition=models.Q(kind__in=["due_soon", "overdue"]),
                name="reminder_once_per_step_kind_recipient",
            ),
            models.UniqueConstraint(
                fields=["recipient", "kind", "day"],
                condition=models.Q(kind="digest"),
                name="reminder_digest_once_a_day",
            ),
            models.UniqueConstraint(
                fields=["dossier_id", "kind"],
                condition=models.Q(kind="apology_draft"),
                name="reminder_apology_once",
            ),
        ]
        indexes = [
            models.Index(
                fields=["id"], condition=models.Q(state="pending"), name="reminder_pending"
            ),
            models.Index(fields=["dossier_id"], name="reminder_dossier"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.dossier_id or self.day} → {self.recipient_id} ({self.state})"
