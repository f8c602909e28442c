from django.contrib import admin

from .models import DossierSync, InboundDossier, NationalProcedure, OutboundChange


@admin.register(DossierSync)
class DossierSyncAdmin(admin.ModelAdmin):
    list_display = [
        "dossier",
        "acked_seq",
        "created_on_dvcqg",
        "attempts",
        "next_attempt_at",
        "last_sent_at",
        "reconcile_difference",
    ]
    search_fields = ["dossier__code"]
    readonly_fields = [f.name for f in DossierSync._meta.fields]


@admin.register(OutboundChange)
class OutboundChangeAdmin(admin.ModelAdmin):
    list_display = ["dossier", "seq", "state", "attempts", "sent_at", "last_error"]
    list_filter = ["state"]
    search_fields = ["dossier__code"]
    readonly_fields = [f.name for f in OutboundChange._meta.fields]


@admin.register(InboundDossier)
class InboundDossierAdmin(admin.ModelAdmin):
    list_display = ["national_code", "dossier", "via", "vneid_verified", "received_at"]
    search_fields = ["national_code"]
    readonly_fields = [f.name for f in InboundDossier._meta.fields]


@admin.register(NationalProcedure)
class NationalProcedureAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "procedure", "pulled_at", "accepted_at"]
    search_fields = ["code", "name"]
