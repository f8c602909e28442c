"""The province's own PKI: its root, issuing CA and time-stamp authority, their CRL, OCSP and
RFC 3161 answers (``manage.py init_pki`` creates it; the demo seeds it)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import keywrap, pki, responders
from .constants import AuditKind, AuthorityKind, CertificateStatus
from .models import AuditEvent, CertificateAuthority, SigningCertificate

if TYPE_CHECKING:
    from portal.accounts.models import User


def _ca_row(
    *,
    slug: str,
    kind: str,
    cert: x509.Certificate,
    key: pki.PrivateKey,
    parent: CertificateAuthority | None,
) -> CertificateAuthority:
    return CertificateAuthority.objects.create(
        slug=slug,
        kind=kind,
        parent=parent,
        name=str(cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value),
        cert_pem=pki.cert_to_pem(cert),
        encrypted_key=keywrap.wrap(pki.key_to_pem(key), context=f"ca:{slug}"),
        serial=pki.serial_hex(cert.serial_number),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
    )


@transaction.atomic
def pki_store(
    *, material: pki.PKIMaterial, actor: User | None = None
) -> dict[str, CertificateAuthority]:
    """Store a generated PKI (keys encrypted at rest) and audit it."""
    root = _ca_row(
        slug="root",
        kind=AuthorityKind.ROOT,
        cert=material.root_cert,
        key=material.root_key,
        parent=None,
    )
    issuing = _ca_row(
        slug="issuing",
        kind=AuthorityKind.ISSUING,
        cert=material.issuing_cert,
        key=material.issuing_key,
        parent=root,
    )
    tsa = _ca_row(
        slug="tsa",
        kind=AuthorityKind.TSA,
        cert=material.tsa_cert,
        key=material.tsa_key,
        parent=issuing,
    )
    AuditEvent.objects.create(
        kind=AuditKind.PKI_CREATED,
        actor=actor,
        detail={"base_url": material.base_url, "root_serial": root.serial},
    )
    return {"root": root, "issuing": issuing, "tsa": tsa}


def pki_create(
    *, base_url: str | None = None, replace: bool = False, actor: User | None = None
) -> dict[str, CertificateAuthority]:
    """Create the province's root CA, issuing CA and TSA (``manage.py init_pki``)."""
    if CertificateAuthority.objects.exists():
        if not replace:
            raise ValidationError(_("The PKI already exists."))
        if SigningCertificate.objects.filter(issuer__isnull=False).exists():
            raise ValidationError(_("Certificates were issued by this PKI; it cannot be replaced."))
        CertificateAuthority.objects.filter(kind=AuthorityKind.TSA).delete()
        CertificateAuthority.objects.filter(kind=AuthorityKind.ISSUING).delete()
        CertificateAuthority.objects.all().delete()
    return pki_store(material=pki.generate(base_url=base_url or settings.SITE_URL), actor=actor)


def load_authority(slug: str) -> tuple[CertificateAuthority, x509.Certificate, pki.PrivateKey]:
    """One of the portal's CAs: its row, its certificate and its unwrapped private key."""
    ca = CertificateAuthority.objects.get(slug=slug)
    return (
        ca,
        ca.certificate,
        pki.key_from_pem(keywrap.unwrap(ca.encrypted_key, context=f"ca:{slug}")),
    )


def issuing_base_url(ca_cert: x509.Certificate) -> str:
    """The portal address baked into the PKI (the issuing CA's CRL pointer), so that every
    certificate of one PKI points at the same endpoints even if ``SITE_URL`` changes later."""
    try:
        dps = ca_cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
        url = dps[0].full_name[0].value
        return str(url).split("/chu-ky-so/")[0]
    except (x509.ExtensionNotFound, IndexError):
        return str(settings.SITE_URL)


def crl_bytes(*, ca_slug: str) -> bytes:
    """The current DER CRL of one of our CAs (signed on demand; CRL number = Unix time)."""
    ca, cert, key = load_authority(ca_slug)
    revoked: list[pki.Revoked] = []
    if ca.kind == AuthorityKind.ISSUING:
        for rows in (ca.issued, ca.issued_to_agencies):
            for serial, revoked_at, reason in rows.filter(
                status=CertificateStatus.REVOKED
            ).values_list("serial", "revoked_at", "revocation_reason"):
                if revoked_at is not None:  # mark_revoked sets both together
                    revoked.append(
                        pki.Revoked(int(serial, 16), revoked_at, reason or "unspecified")
                    )
    return pki.build_crl(
        ca_cert=cert, ca_key=key, revoked=revoked, number=int(timezone.now().timestamp())
    )


def local_status(issuer_cert: x509.Certificate, serial: int) -> responders.CertStatus:
    """What the portal's own CA ``issuer_cert`` knows of ``serial`` (good, revoked, unknown): the
    OCSP responder's answer, and the revocation check of a certificate this portal issued."""
    serial_hex = pki.serial_hex(serial)
    issuer = CertificateAuthority.objects.filter(cert_pem=pki.cert_to_pem(issuer_cert)).first()
    if issuer is None:
        return responders.CertStatus("unknown")
    cert = (
        issuer.issued.filter(serial=serial_hex).first()
        or issuer.issued_to_agencies.filter(serial=serial_hex).first()
    )
    if cert is not None:
        if cert.status == CertificateStatus.REVOKED:
            return responders.CertStatus(
                "revoked", cert.revoked_at, cert.revocation_reason or "unspecified"
            )
        return responders.CertStatus("good")
    if issuer.children.filter(serial=serial_hex).exists():
        return responders.CertStatus("good")
    return responders.CertStatus("unknown")


def ocsp_response(*, request_der: bytes) -> bytes:
    """RFC 6960 answer from whichever of our CAs the request is about."""
    authorities = []
    for ca in CertificateAuthority.objects.exclude(kind=AuthorityKind.TSA):
        _ca, cert, key = load_authority(ca.slug)
        authorities.append((cert, key))
    return responders.build_ocsp_response(request_der, authorities=authorities, lookup=local_status)


_TSA_CACHE: dict[tuple[int, str], responders.PortalTimeStampAuthority] = {}


def timestamp_response(*, query_der: bytes) -> bytes:
    """RFC 3161 time-stamp reply from the portal's TSA (key unwrapped once per process)."""
    row = CertificateAuthority.objects.only("pk", "serial").get(slug="tsa")
    responder = _TSA_CACHE.get((row.pk, row.serial))
    if responder is None:
        tsa, cert, key = load_authority("tsa")
        chain = [tsa.parent.certificate] if tsa.parent is not None else []
        if not isinstance(key, rsa.RSAPrivateKey):  # pki.generate makes the TSA's key RSA
            raise ValidationError(_("The time-stamp authority's key is not an RSA key."))
        responder = responders.make_tsa(tsa_cert=cert, tsa_key=key, chain=chain)
        _TSA_CACHE.clear()
        _TSA_CACHE[(row.pk, row.serial)] = responder
    return responder.respond(query_der)
