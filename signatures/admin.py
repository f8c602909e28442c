"""Administrators see each official's certificate, its validity and revocation, and can revoke it."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .constants import CertificateStatus, RevocationReason
from .models import (
    AgencyCertificate,
    AuditEvent,
    CertificateAuthority,
    SignedDocument,
    SigningCertificate,
)


@admin.register(CertificateAuthority)
class CertificateAuthorityAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "serial", "not_before", "not_after"]
    readonly_fields = [
        "slug",
        "kind",
        "name",
        "parent",
        "cert_pem",
        "serial",
        "not_before",
        "not_after",
        "created_at",
    ]
    exclude = ["encrypted_key"]

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(SigningCertificate)
class SigningCertificateAdmin(admin.ModelAdmin):
    list_display = [
        "subject_name",
        "user",
        "organisation",
        "serial",
        "not_before",
        "not_after",
        "validity",
        "status",
        "revoked_at",
        "revocation_reason",
        "key_storage",
    ]
    list_filter = ["status", "key_storage"]
    search_fields = ["subject_name", "serial", "user__username", "user__full_name"]
    readonly_fields = [
        "user",
        "issuer",
        "subject_name",
        "title",
        "organisation",
        "cert_pem",
        "chain_pem",
        "serial",
        "fingerprint_sha256",
        "not_before",
        "not_after",
        "status",
        "revoked_at",
        "revocation_reason",
        "key_storage",
        "token_label",
        "key_id",
        "created_at",
    ]
    exclude = ["encrypted_pkcs12"]
    actions = ["revoke_selected"]

    @admin.display(description=_("validity"))
    def validity(self, obj: SigningCertificate) -> str:
        now = timezone.now()
        if obj.status == CertificateStatus.REVOKED:
            return str(_("Revoked"))
        if obj.not_after < now:
            return str(_("Expired"))
        if obj.not_before > now:
            return str(_("Not yet valid"))
        return str(_("Valid"))

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    @admin.action(description=_("Revoke the selected certificates"))
    def revoke_selected(self, request, queryset) -> None:  # type: ignore[no-untyped-def]
        count = 0
        for cert in queryset.filter(status=CertificateStatus.ACTIVE):
            services.certificate_revoke(
                certificate=cert, actor=request.user, reason=RevocationReason.UNSPECIFIED
            )
            count += 1
        self.message_user(
            request,
            ngettext("%(n)d certificate revoked.", "%(n)d certificates revoked.", count)
            % {"n": count},
            messages.SUCCESS,
        )


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "kind", "actor", "certificate", "document_sha256"]
    list_filter = ["kind"]
    readonly_fields = ["kind", "at", "actor", "certificate", "document_sha256", "detail"]

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(SignedDocument)
class SignedDocumentAdmin(admin.ModelAdmin):
    list_display = ["title", "token", "sha256", "created_at"]
    readonly_fields = ["token", "title", "file", "sha256", "created_at"]


@admin.register(AgencyCertificate)
class AgencyCertificateAdmin(admin.ModelAdmin):
    """Agencies' organisation certificates for edXML (issued by signatures.agency_keys on first use)."""

    list_display = ["agency", "serial", "not_before", "not_after", "status", "revoked_at"]
    list_filter = ["status"]
    search_fields = ["agency__code", "agency__name", "serial"]
    readonly_fields = [
        "agency",
        "issuer",
        "cert_pem",
        "chain_pem",
        "serial",
        "fingerprint_sha256",
        "not_before",
        "not_after",
        "status",
        "revoked_at",
        "revocation_reason",
        "created_at",
    ]
    exclude = ["encrypted_key"]
    actions = ["revoke_selected"]

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    @admin.action(description=_("Revoke the selected certificates"))
    def revoke_selected(self, request, queryset) -> None:  # type: ignore[no-untyped-def]
        from .agency_keys import agency_certificate_revoke

        count = 0
        for cert in queryset.filter(status=CertificateStatus.ACTIVE):
            agency_certificate_revoke(
                certificate=cert, actor=request.user, reason=RevocationReason.KEY_COMPROMISE
            )
            count += 1
        self.message_user(
            request,
            ngettext("%(n)d certificate revoked.", "%(n)d certificates revoked.", count)
            % {"n": count},
            messages.SUCCESS,
        )
