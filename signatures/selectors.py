"""Reads of the signatures app."""

from __future__ import annotations

from pathlib import Path

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from .constants import AuthorityKind, CertificateStatus
from .models import CertificateAuthority, SigningCertificate


def active_certificate_for(user) -> SigningCertificate | None:  # type: ignore[no-untyped-def]
    """The official's newest certificate that is active and within its validity period."""
    now = timezone.now()
    return (
        SigningCertificate.objects.filter(
            user=user, status=CertificateStatus.ACTIVE, not_before__lte=now, not_after__gte=now
        )
        .order_by("-not_after")
        .first()
    )


def certificates_of(user) -> QuerySet[SigningCertificate]:  # type: ignore[no-untyped-def]
    return SigningCertificate.objects.filter(user=user).order_by("-created_at")


def _load_pem_file(path: str) -> list[asn1_x509.Certificate]:
    data = Path(path).read_bytes()
    if not pem.detect(data):
        return [asn1_x509.Certificate.load(data)]
    return [asn1_x509.Certificate.load(der) for _t, _h, der in pem.unarmor(data, multiple=True)]


def trust_roots() -> list[asn1_x509.Certificate]:
    """The province's root(s) plus the roots named by ``SIGNATURE_TRUST_ROOTS``."""
    roots = [
        asn1_x509.Certificate.load(pem.unarmor(ca.cert_pem.encode())[2])
        for ca in CertificateAuthority.objects.filter(kind=AuthorityKind.ROOT)
    ]
    if settings.SIGNATURE_TRUST_ROOTS:
        roots.extend(_load_pem_file(settings.SIGNATURE_TRUST_ROOTS))
    return roots


def intermediate_certs() -> list[asn1_x509.Certificate]:
    return [
        asn1_x509.Certificate.load(pem.unarmor(ca.cert_pem.encode())[2])
        for ca in CertificateAuthority.objects.exclude(kind=AuthorityKind.ROOT)
    ]


def certificate_by_serial(serial_hex: str) -> SigningCertificate | None:
    return SigningCertificate.objects.filter(serial=serial_hex.lower()).first()


def certificates_for_admin(user) -> QuerySet[SigningCertificate]:  # type: ignore[no-untyped-def]
    """Officials' certificates an administrator may see: those of the staff in his agencies."""
    from portal.accounts.selectors import agencies_in_scope

    return (
        SigningCertificate.objects.filter(user__agency__in=agencies_in_scope(user))
        .select_related("user", "user__agency", "issuer")
        .order_by("user__full_name", "-not_after")
    )
