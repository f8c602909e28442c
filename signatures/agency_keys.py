"""The agencies' signing identities for the inter-agency exchange (issue 6).

Each agency signs its edXML envelopes with an organisation certificate (chứng thư số của cơ quan,
tổ chức) issued by the province's issuing CA: RSA 2048 (XML-DSig RSA-SHA256), subject
``O = CN = agency name``, ``UID = organ code`` (``Agency.code``) so a receiver can bind the
envelope's From/OrganId to the signer (:func:`documents.edxml.trust.organ_id_of`). The private
key is stored encrypted (:mod:`signatures.keywrap`); issuing writes a "certificate issued" audit
event in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from portal.agencies.models import Agency
from portal.core.text import nfc

from . import keywrap, pki
from .constants import AuditKind, AuthorityKind, CertificateStatus, RevocationReason
from .identity import SigningIdentity
from .models import AgencyCertificate, AuditEvent, CertificateAuthority
from .selectors import trust_roots as _asn1_trust_roots

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

logger = logging.getLogger(__name__)

#: A certificate this close to its end is replaced by a new one on next use.
RENEW_BEFORE = dt.timedelta(days=30)
CERT_DAYS = 730


class AgencyIdentityError(Exception):
    """No signing identity can be made (e.g. the PKI was never created)."""

    def __init__(self, message: StrOrPromise) -> None:
        self.message = message
        super().__init__(str(message))

    @property
    def message_vi(self) -> str:
        with translation.override("vi"):
            return str(self.message)

    @property
    def message_en(self) -> str:
        with translation.override("en"):
            return str(self.message)


_lock = threading.Lock()
_cache: dict[int, tuple[int, SigningIdentity]] = {}


def _subject(agency: Agency) -> x509.Name:
    name = nfc(agency.name)
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, pki.COUNTRY),
            x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, pki.PROVINCE),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, name[:64]),
            x509.NameAttribute(NameOID.USER_ID, agency.code),
            x509.NameAttribute(NameOID.COMMON_NAME, name[:64]),
        ]
    )


def build_organisation_cert(
    *,
    agency: Agency,
    public_key: pki.PublicKey,
    ca_cert: x509.Certificate,
    ca_key: pki.PrivateKey,
    ca_slug: str,
    endpoints: pki.Endpoints,
    days: int = CERT_DAYS,
) -> x509.Certificate:
    """The organisation certificate (same profile as an official's: signing + non-repudiation)."""
    builder = pki.certificate_builder(
        _subject(agency), ca_cert.subject, public_key, days, ca_key.public_key()
    )
    builder = (
        builder.add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION, pki.DOCUMENT_SIGNING_EKU]),
            critical=False,
        )
    )
    if agency.email:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.RFC822Name(agency.email)]), critical=False
        )
    builder = pki.add_revocation_pointers(builder, endpoints, ca_slug)
    return builder.sign(ca_key, hashes.SHA256())


def _usable(agency_id: int) -> AgencyCertificate | None:
    now = timezone.now()
    return (
        AgencyCertificate.objects.filter(
            agency_id=agency_id,
            status=CertificateStatus.ACTIVE,
            not_before__lte=now,
            not_after__gt=now + RENEW_BEFORE,
        )
        .order_by("-not_after")
        .first()
    )


def agency_certificate_issue(
    *, agency: Agency, actor=None, force: bool = False
) -> AgencyCertificate:  # type: ignore[no-untyped-def]
    """Issue the agency's organisation certificate unless a usable one exists (``force``: always).

    The agency row is locked, so two workers asking at once issue one certificate, not two.
    """
    from .services import issuing_base_url, load_authority

    with transaction.atomic():
        Agency.objects.select_for_update().only("pk").get(pk=agency.pk)
        if not force:
            existing = _usable(agency.pk)
            if existing is not None:
                return existing
        try:
            ca, ca_cert, ca_key = load_authority("issuing")
        except CertificateAuthority.DoesNotExist as exc:
            raise AgencyIdentityError(
                gettext_lazy(
                    "The province's signing PKI has not been created (manage.py init_pki)."
                )
            ) from exc
        key = pki.new_rsa_key()
        cert = build_organisation_cert(
            agency=agency,
            public_key=key.public_key(),
            ca_cert=ca_cert,
            ca_key=ca_key,
            ca_slug=ca.slug,
            endpoints=pki.Endpoints(issuing_base_url(ca_cert)),
        )
        serial = pki.serial_hex(cert.serial_number)
        chain = [ca]
        while (parent := chain[-1].parent) is not None:
            chain.append(parent)
        row = AgencyCertificate.objects.create(
            agency=agency,
            issuer=ca,
            cert_pem=pki.cert_to_pem(cert),
            chain_pem="".join(c.cert_pem for c in chain),
            encrypted_key=keywrap.wrap(pki.key_to_pem(key), context=f"agency:{serial}"),
            serial=serial,
            fingerprint_sha256=cert.fingerprint(hashes.SHA256()).hex(),
            not_before=cert.not_valid_before_utc,
            not_after=cert.not_valid_after_utc,
        )
        AuditEvent.objects.create(
            kind=AuditKind.CERT_ISSUED,
            actor=actor,
            detail={
                "serial": serial,
                "agency": agency.code,
                "purpose": "edxml",
                "subject": cert.subject.rfc4514_string(),
            },
        )
    logger.info("signatures.agency_cert_issued", extra={"serial": serial, "agency": agency.code})
    return row


def _identity(row: AgencyCertificate) -> SigningIdentity:
    key = pki.key_from_pem(keywrap.unwrap(row.encrypted_key, context=f"agency:{row.serial}"))
    authorities = x509.load_pem_x509_certificates(row.chain_pem.encode()) if row.chain_pem else []
    # The envelope carries the path up to the root, not the root itself (the receiver has it).
    return SigningIdentity(
        key=key, chain=[row.certificate, *(c for c in authorities if c.subject != c.issuer)]
    )


def agency_identity(agency: Agency) -> SigningIdentity:
    """The agency's signing key and chain (leaf first), issuing the certificate the first time.

    Cached per process by certificate: one indexed query per call, no key unwrapping; a renewed
    certificate is picked up at once.
    """
    row_id = (
        AgencyCertificate.objects.filter(
            agency_id=agency.pk,
            status=CertificateStatus.ACTIVE,
            not_before__lte=timezone.now(),
            not_after__gt=timezone.now() + RENEW_BEFORE,
        )
        .order_by("-not_after")
        .values_list("pk", flat=True)
        .first()
    )
    cached = _cache.get(agency.pk)
    if row_id is not None and cached is not None and cached[0] == row_id:
        return cached[1]
    row = (
        AgencyCertificate.objects.get(pk=row_id)
        if row_id is not None
        else agency_certificate_issue(agency=agency)
    )
    identity = _identity(row)
    with _lock:
        _cache[agency.pk] = (row.pk, identity)
    return identity


def agency_certificate_revoke(
    *, certificate: AgencyCertificate, actor=None, reason: str = RevocationReason.UNSPECIFIED
) -> AgencyCertificate:  # type: ignore[no-untyped-def]
    """Revoke an agency's organisation certificate (e.g. its key leaked): from now on the CRL lists
    it, OCSP answers "revoked", receivers refuse envelopes it signed, and the agency's next
    envelope is signed with a new certificate. Audited in the same transaction."""
    if reason not in RevocationReason.values:
        raise ValueError(f"unknown revocation reason {reason!r}")
    from .services import mark_revoked

    cert = mark_revoked(
        AgencyCertificate,
        certificate.pk,
        reason=reason,
        audit=lambda c: {
            "actor": actor,
            "detail": {
                "agency": c.agency_id,
                "organisation_certificate": c.serial,
                "reason": reason,
            },
        },
    )
    with _lock:
        _cache.pop(cert.agency_id, None)
    logger.info(
        "agency_certificate.revoked", extra={"agency_id": cert.agency_id, "serial": cert.serial}
    )
    return cert


def trust_roots() -> list[x509.Certificate]:
    """This portal's trust roots as ``cryptography`` certificates: the province's root CA(s) and
    those of ``SIGNATURE_TRUST_ROOTS`` (e.g. the Government Cipher Committee's)."""
    roots = [x509.load_der_x509_certificate(cert.dump()) for cert in _asn1_trust_roots()]
    seen: set[bytes] = set()
    unique = []
    for root in roots:
        fingerprint = root.fingerprint(hashes.SHA256())
        if fingerprint not in seen:
            seen.add(fingerprint)
            unique.append(root)
    return unique


def issuing_authorities() -> list[x509.Certificate]:
    """The province's issuing CA certificates (handy for peers that want the whole chain)."""
    return [
        ca.certificate for ca in CertificateAuthority.objects.filter(kind=AuthorityKind.ISSUING)
    ]
