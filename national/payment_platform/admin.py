from django.contrib import admin

from .models import ConfirmationRecord, PlatformTransaction


@admin.register(PlatformTransaction)
class PlatformTransactionAdmin(admin.ModelAdmin):
    list_display = (
        "reference",
        "payment",
        "amount",
        "status",
        "platform_transaction_id",
        "bank_code",
        "last_error",
        "created_at",
    )
    list_filter = ("status",)
    search_fields = ("reference", "platform_transaction_id", "payment__dossier__code")
    readonly_fields = [f.name for f in PlatformTransaction._meta.fields]


@admin.register(ConfirmationRecord)
class ConfirmationRecordAdmin(admin.ModelAdmin):
    list_display = ("received_at", "source", "code", "transaction")
    list_filter = ("source", "code")
    readonly_fields = ("digest", "transaction", "source", "code", "message", "received_at")
