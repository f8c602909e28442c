"""Administrators see the printable reports asked for and why one failed (the details are in the log)."""

from __future__ import annotations

from django.contrib import admin

from .models import DashboardReport


@admin.register(DashboardReport)
class DashboardReportAdmin(admin.ModelAdmin):
    list_display = ("title", "requested_by", "state", "pages", "requested_at", "rendered_at")
    list_filter = ("state",)
    search_fields = ("title", "requested_by__username", "requested_by__full_name")
    readonly_fields = (
        "requested_by",
        "query",
        "title",
        "state",
        "file",
        "pages",
        "error",
        "requested_at",
        "rendered_at",
    )

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False
