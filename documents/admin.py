"""Admin of the documents: read-mostly (services write documents); exchange peers are edited here;
failed deliveries are visible on the recipients and can be queued again."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from . import services
from .exceptions import DocumentError
from .models import (
    DocumentEvent,
    DocumentNumberCounter,
    ExchangePeer,
    InboundReceipt,
    IncomingAttachment,
    IncomingDocument,
    OutgoingAttachment,
    OutgoingDocument,
    OutgoingRecipient,
    RecipientStatus,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


class OutgoingRecipientInline(ReadOnlyInline):
    model = OutgoingRecipient
    fields = (
        "organ_code",
        "organ_name",
        "status_code",
        "status_at",
        "delivered_at",
        "attempts",
        "last_error",
    )
    readonly_fields = fields


class OutgoingAttachmentInline(ReadOnlyInline):
    model = OutgoingAttachment
    fields = ("name", "content_type", "size", "is_main", "is_signed", "sha256")
    readonly_fields = fields


class OutgoingEventInline(ReadOnlyInline):
    model = DocumentEvent
    fk_name = "outgoing"
    fields = ("created_at", "action", "status_code", "actor", "comment")
    readonly_fields = fields
    show_change_link = False


class IncomingEventInline(OutgoingEventInline):
    fk_name = "incoming"


class IncomingAttachmentInline(ReadOnlyInline):
    model = IncomingAttachment
    fields = ("name", "content_type", "size", "sha256")
    readonly_fields = fields


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(OutgoingDocument)
class OutgoingDocumentAdmin(ReadOnlyAdmin):
    list_display = [
        "__str__",
        "agency",
        "document_type",
        "state",
        "recall_state",
        "promulgation_date",
        "sent_at",
    ]
    list_filter = ["state", "recall_state", "document_type", "urgency", "agency"]
    search_fields = ["subject", "notation", "document_id", "recipients__organ_code"]
    date_hierarchy = "created_at"
    list_select_related = ["agency"]
    inlines = [OutgoingRecipientInline, OutgoingAttachmentInline, OutgoingEventInline]


@admin.action(description=_("Queue the delivery again"))
def redeliver(modeladmin, request, queryset) -> None:  # type: ignore[no-untyped-def]
    done = 0
    for recipient in queryset:
        try:
            services.outgoing_redeliver(recipient=recipient, actor=request.user)
            done += 1
        except (DocumentError, services.PermissionDenied) as exc:
            modeladmin.message_user(request, f"{recipient}: {exc}", messages.ERROR)
    if done:
        modeladmin.message_user(
            request, _("%(n)d deliveries queued.") % {"n": done}, messages.SUCCESS
        )


class RecipientStatusInline(ReadOnlyInline):
    model = RecipientStatus
    fields = ("code", "at", "description", "staff_name", "department")
    readonly_fields = fields
    show_change_link = False


@admin.register(OutgoingRecipient)
class OutgoingRecipientAdmin(ReadOnlyAdmin):
    list_display = [
        "document",
        "organ_code",
        "organ_name",
        "status_code",
        "status_at",
        "attempts",
        "last_error",
    ]
    list_filter = ["status_code"]
    search_fields = ["organ_code", "organ_name", "document__subject", "document__document_id"]
    list_select_related = ["document"]
    actions = [redeliver]
    inlines = [RecipientStatusInline]


@admin.register(IncomingDocument)
class IncomingDocumentAdmin(ReadOnlyAdmin):
    list_display = [
        "__str__",
        "agency",
        "book_year",
        "book_number",
        "from_organ_name",
        "state",
        "recall_state",
        "received_at",
    ]
    list_filter = ["state", "source", "recall_state", "document_type", "agency"]
    search_fields = [
        "subject",
        "code_notation",
        "document_id",
        "from_organ_code",
        "from_organ_name",
    ]
    date_hierarchy = "received_at"
    list_select_related = ["agency"]
    inlines = [IncomingAttachmentInline, IncomingEventInline]


@admin.register(ExchangePeer)
class ExchangePeerAdmin(admin.ModelAdmin):
    list_display = ["name", "organ_code", "endpoint_url", "enabled"]
    list_filter = ["enabled"]
    search_fields = ["name", "organ_code", "endpoint_url"]


@admin.register(DocumentNumberCounter)
class DocumentNumberCounterAdmin(ReadOnlyAdmin):
    list_display = ["agency", "year", "book", "last_value"]
    list_filter = ["book", "year"]


@admin.register(InboundReceipt)
class InboundReceiptAdmin(ReadOnlyAdmin):
    list_display = ["key", "kind", "document_id", "from_organ_code", "received_at"]
    list_filter = ["kind"]
    search_fields = ["key", "document_id", "from_organ_code"]


@admin.register(DocumentEvent)
class DocumentEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "action", "status_code", "outgoing", "incoming", "actor"]
    list_filter = ["action", "status_code"]
    list_select_related = ["outgoing", "incoming", "actor"]
