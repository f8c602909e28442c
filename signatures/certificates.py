"""Officials' signing certificates: issued on a PKCS#11 token by the portal's issuing CA,
imported from a PKCS#12 file, revoked (then listed by the CRL and answered "revoked" by OCSP)."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import keywrap, pki, token
from .authority import issuing_base_url, load_authority
from .constants import AuditKind, AuthorityKind, CertificateStatus, KeyStorage, RevocationReason
from .models import AuditEvent, CertificateAuthority, SigningCertificate

if TYPE_CHECKING:
    from portal.accounts.models import User

logger = logging.getLogger(__name__)

RevocableT = TypeVar("RevocableT", bound=models.Model)


def cert_row_fields(cert: x509.Certificate) -> dict[str, Any]:
    """The database columns of a signing certificate row, read from the certificate."""

    def attr(oid: x509.ObjectIdentifier) -> str:
        values = cert.subject.get_attributes_for_oid(oid)
        return str(values[0].value) if values else ""

    return {
        "cert_pem": pki.cert_to_pem(cert),
        "serial": pki.serial_hex(cert.serial_number),
        "fingerprint_sha256": cert.fingerprint(hashes.SHA256()).hex(),
        "not_before": cert.not_valid_before_utc,
        "not_after": cert.not_valid_after_utc,
        "subject_name": attr(x509.NameOID.COMMON_NAME),
        "title": attr(x509.NameOID.TITLE),
        "organisation": attr(x509.NameOID.ORGANIZATION_NAME),
    }


def certificate_issue_on_token(
    *,
    user: User,
    pin: str,
    actor: User | None = None,
    token_label: str | None = None,
    days: int = 730,
) -> SigningCertificate:
    """Create a token for the official, generate an ECDSA P-256 key pair ON it, issue the
    certificate from the issuing CA and store it both on the token and in the database.

    The private key is generated non-extractable: it never leaves the token.
    """
    import pkcs11
    from pkcs11.util.ec import encode_ec_public_key, encode_named_curve_parameters

    if len(pin) < 4:
        raise ValidationError(_("The PIN must have at least 4 characters."))
    if not (user.full_name or "").strip():
        raise ValidationError(_("The official has no full name."))
    if not CertificateAuthority.objects.filter(slug="issuing").exists():
        raise ValidationError(
            _("The signing PKI does not exist yet: create it first (manage.py init_pki).")
        )
    ca, ca_cert, ca_key = load_authority("issuing")
    label = token_label or f"cks-{user.pk}-{secrets.token_hex(4)}"
    token.init_softhsm_token(label=label, pin=pin, so_pin=secrets.token_hex(16))
    key_id = secrets.token_bytes(8)
    with token.session(label, pin, rw=True) as sess:
        params = sess.create_domain_parameters(
            pkcs11.KeyType.EC,
            {pkcs11.Attribute.EC_PARAMS: encode_named_curve_parameters("secp256r1")},
            local=True,
        )
        public, _private = params.generate_keypair(
            store=True,
            label=label,
            id=key_id,
            private_template={
                pkcs11.Attribute.SENSITIVE: True,
                pkcs11.Attribute.EXTRACTABLE: False,
            },
        )
        public_key = serialization.load_der_public_key(encode_ec_public_key(public))
        if not isinstance(public_key, ec.EllipticCurvePublicKey):  # generated as P-256 above
            raise ValidationError(_("The token did not return an EC public key."))
        agency = getattr(user, "agency", None)
        cert = pki.build_signing_cert(
            public_key=public_key,
            full_name=user.full_name,
            title=getattr(user, "position", "") or "",
            organisation=agency.name if agency else "",
            email=user.email or "",
            ca_cert=ca_cert,
            ca_key=ca_key,
            ca_slug=ca.slug,
            endpoints=pki.Endpoints(issuing_base_url(ca_cert)),
            days=days,
        )
        der = cert.public_bytes(serialization.Encoding.DER)
        sess.create_object(
            {
                pkcs11.Attribute.CLASS: pkcs11.ObjectClass.CERTIFICATE,
                pkcs11.Attribute.CERTIFICATE_TYPE: pkcs11.CertificateType.X_509,
                pkcs11.Attribute.TOKEN: True,
                pkcs11.Attribute.LABEL: label,
                pkcs11.Attribute.ID: key_id,
                pkcs11.Attribute.SUBJECT: cert.subject.public_bytes(),
                pkcs11.Attribute.ISSUER: cert.issuer.public_bytes(),
                pkcs11.Attribute.SERIAL_NUMBER: asn1_x509.Certificate.load(der)
                .serial_number.to_bytes(20, "big")
                .lstrip(b"\0")
                or b"\0",
                pkcs11.Attribute.VALUE: der,
            }
        )
    with transaction.atomic():
        row = SigningCertificate.objects.create(
            user=user,
            issuer=ca,
            key_storage=KeyStorage.PKCS11,
            token_label=label,
            key_id=key_id.hex(),
            chain_pem=ca.cert_pem + ca.parent.cert_pem if ca.parent is not None else ca.cert_pem,
            **cert_row_fields(cert),
        )
        AuditEvent.objects.create(
            kind=AuditKind.CERT_ISSUED,
            actor=actor,
            certificate=row,
            detail={"serial": row.serial, "token": label},
        )
    logger.info("signatures.cert_issued", extra={"serial": row.serial, "user": user.pk})
    return row


def certificate_import_pkcs12(
    *, user: User, pkcs12_bytes: bytes, password: str, actor: User | None = None
) -> SigningCertificate:
    """Import an official's PKCS#12 file. It stays protected by the official's password and is
    additionally encrypted at rest with the portal's key-encryption key."""
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(pkcs12_bytes, password.encode())
    except (ValueError, TypeError) as exc:
        raise ValidationError(
            _("The file is not a PKCS#12 file or the password is wrong.")
        ) from exc
    if key is None or cert is None:
        raise ValidationError(_("The PKCS#12 file holds no key and certificate."))
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
        if not usage.content_commitment:
            raise ValidationError(_("The certificate lacks the non-repudiation key usage."))
    except x509.ExtensionNotFound as exc:
        raise ValidationError(_("The certificate lacks the non-repudiation key usage.")) from exc
    fields = cert_row_fields(cert)
    if SigningCertificate.objects.filter(serial=fields["serial"]).exists():
        raise ValidationError(_("This certificate has already been imported."))
    issuer: CertificateAuthority | None = None
    for ca in CertificateAuthority.objects.filter(kind=AuthorityKind.ISSUING):
        if ca.certificate.subject == cert.issuer:
            issuer = ca
    with transaction.atomic():
        row = SigningCertificate.objects.create(
            user=user,
            issuer=issuer,
            key_storage=KeyStorage.PKCS12,
            chain_pem="".join(pki.cert_to_pem(c) for c in (extra or [])),
            encrypted_pkcs12=keywrap.wrap(pkcs12_bytes, context=f"p12:{fields['serial']}"),
            **fields,
        )
        AuditEvent.objects.create(
            kind=AuditKind.CERT_IMPORTED,
            actor=actor,
            certificate=row,
            detail={"serial": row.serial},
        )
    return row


def certificate_revoke(
    *,
    certificate: SigningCertificate,
    actor: User | None = None,
    reason: str = RevocationReason.UNSPECIFIED,
) -> SigningCertificate:
    """Revoke: from now on OCSP answers "revoked" and the CRL lists it."""
    if reason not in RevocationReason.values:
        raise ValidationError(_("Unknown revocation reason."))
    return mark_revoked(
        SigningCertificate,
        certificate.pk,
        reason=reason,
        audit=lambda cert: {
            "actor": actor,
            "certificate": cert,
            "detail": {"serial": cert.serial, "reason": reason},
        },
    )


def mark_revoked(
    model: type[RevocableT],
    pk: int,
    *,
    reason: str,
    audit: Callable[[Any], dict[str, Any]],
) -> RevocableT:
    """Revoke one certificate row (an official's or an agency's) under its row lock, with its
    audit event in the same transaction; a certificate already revoked is left as it was.
    ``audit(cert)`` gives the AuditEvent's fields besides its kind."""
    with transaction.atomic():
        # Any: SigningCertificate and AgencyCertificate share these columns, not a base class.
        cert: Any = model._default_manager.select_for_update().get(pk=pk)
        if cert.status == CertificateStatus.REVOKED:
            return cast(RevocableT, cert)
        cert.status = CertificateStatus.REVOKED
        cert.revoked_at = timezone.now().replace(microsecond=0)
        cert.revocation_reason = reason
        cert.save(update_fields=["status", "revoked_at", "revocation_reason"])
        AuditEvent.objects.create(kind=AuditKind.CERT_REVOKED, **audit(cert))
    return cast(RevocableT, cert)
