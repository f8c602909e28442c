"""Read-only admin views of dossiers: every change goes through the services (history, outbox)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from .models import Dossier, DossierEvent, DossierFile, DossierStep


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def get_readonly_fields(self, request: Any, obj: Any = None) -> Any:
        # every shown field read-only: a non-editable one (auto_now_add) in a form is a FieldError
        # (issue 13: the dossier change page answered 500 for every dossier with a file)
        return self.fields

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False


class StepInline(ReadOnlyInline):
    model = DossierStep
    fields = (
        "order",
        "name",
        "role",
        "department",
        "assignee",
        "due_at",
        "started_at",
        "finished_at",
        "timeliness",
    )


class FileInline(ReadOnlyInline):
    model = DossierFile
    fields = (
        "document_name",
        "original_name",
        "content_type",
        "size",
        "is_digitised",
        "uploaded_at",
    )


class EventInline(ReadOnlyInline):
    model = DossierEvent
    fields = (
        "seq",
        "action",
        "from_status",
        "to_status",
        "actor",
        "from_user",
        "to_user",
        "comment",
        "created_at",
        "hash",
    )


@admin.register(Dossier)
class DossierAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "procedure",
        "receiving_agency",
        "applicant_name",
        "channel",
        "status",
        "due_at",
    )
    list_filter = ("status", "channel", "receiving_agency")
    search_fields = ("code", "applicant_name", "applicant_citizen_id")
    list_select_related = ("procedure", "receiving_agency")
    inlines = [StepInline, FileInline, EventInline]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
