from django.contrib import admin

from .models import AxisReceived, AxisSent


@admin.register(AxisSent)
class AxisSentAdmin(admin.ModelAdmin):
    list_display = ("sent_at", "message_type", "to_organ", "document_id", "axis_doc_id")
    list_filter = ("message_type",)
    search_fields = ("document_id", "axis_doc_id", "to_organ")


@admin.register(AxisReceived)
class AxisReceivedAdmin(admin.ModelAdmin):
    list_display = (
        "received_at",
        "message_type",
        "from_organ",
        "state",
        "outcome",
        "attempts",
        "axis_doc_id",
    )
    list_filter = ("message_type", "state")
    search_fields = ("axis_doc_id", "from_organ")
    readonly_fields = (
        "axis_doc_id",
        "from_organ",
        "message_type",
        "state",
        "outcome",
        "detail",
        "answer_sent",
        "attempts",
        "received_at",
        "updated_at",
    )
