"""Administrators see every notification, why one failed, and can queue failed ones again."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.notifications import services
from portal.notifications.models import Notification, Reminder, SmsMessage


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "event",
        "channel",
        "address",
        "dossier_id",
        "state",
        "attempts",
        "created_at",
        "sent_at",
    )
    list_filter = ("state", "channel", "event", "language")
    search_fields = ("address", "subject", "event_key")
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Notification._meta.fields]
    actions = ["retry_failed"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Queue failed notifications again"))
    def retry_failed(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        count = services.retry(ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            ngettext(
                "%(count)d notification queued again.",
                "%(count)d notifications queued again.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(SmsMessage)
class SmsMessageAdmin(admin.ModelAdmin):
    list_display = ("id", "phone", "brandname", "created_at", "message")
    search_fields = ("phone", "message")
    readonly_fields = ("phone", "message", "brandname", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    """Deadline reminders claimed by the scan: what was due, for whom, and what became of it."""

    list_display = (
        "id",
        "kind",
        "dossier_id",
        "step_id",
        "recipient",
        "day",
        "due_at",
        "state",
        "created_at",
        "processed_at",
        "note",
    )
    list_filter = ("kind", "state")
    search_fields = ("dossier_id", "recipient__username", "note")
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Reminder._meta.fields]
    list_select_related = ("recipient",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Reminder | None = None) -> bool:
        return False
