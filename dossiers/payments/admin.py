from django.contrib import admin

from .models import Payment, PaymentCase


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    """Read-only: payments are written by the payment services only (gateway callback, counter)."""

    list_display = (
        "reference",
        "dossier",
        "amount",
        "method",
        "status",
        "receipt_number",
        "paid_at",
    )
    list_filter = ("method", "status")
    search_fields = ("reference", "receipt_number", "gateway_transaction_id", "dossier__code")
    readonly_fields = [f.name for f in Payment._meta.fields]

    def has_add_permission(self, request):  # noqa: ANN001, ANN201
        return False

    def has_delete_permission(self, request, obj=None):  # noqa: ANN001, ANN201
        return False


@admin.register(PaymentCase)
class PaymentCaseAdmin(admin.ModelAdmin):
    """The refund / top-up queue, read-only here: clerks close cases at /thanh-toan/doi-soat/."""

    list_display = ("payment", "dossier", "kind", "amount", "status", "created_at", "resolved_at")
    list_filter = ("kind", "status")
    search_fields = ("payment__reference", "dossier__code")
    readonly_fields = [f.name for f in PaymentCase._meta.fields]

    def has_add_permission(self, request):  # noqa: ANN001, ANN201
        return False

    def has_delete_permission(self, request, obj=None):  # noqa: ANN001, ANN201
        return False
