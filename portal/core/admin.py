"""Administrators see what the outbox could not publish, and can push it again."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.core.models import OutboxMessage
from portal.core.outbox import retry_messages


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "task_name",
        "status",
        "attempts",
        "created_at",
        "available_at",
        "dispatched_at",
        "short_error",
    )
    list_filter = ("status", "task_name")
    search_fields = ("task_name", "dedupe_key", "last_error")
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
    actions = ["retry_now"]

    @admin.display(description=_("last error"))
    def short_error(self, obj: OutboxMessage) -> str:
        return obj.last_error[:80]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: OutboxMessage | None = None) -> bool:
        return False

    @admin.action(description=_("Retry now"))
    def retry_now(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        count = retry_messages(ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            ngettext(
                "%(count)d message will be published again.",
                "%(count)d messages will be published again.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
