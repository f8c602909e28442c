"""The province's signing PKI, built with ``cryptography`` (no database here: pure functions).

Profiles follow RFC 5280 and what NSS (and so poppler's ``pdfsig``) accepts:

* CAs: basicConstraints critical CA:TRUE with a path length, keyUsage keyCertSign + cRLSign
  critical, SKI/AKI; the issuing CA carries the CRL distribution point and OCSP address of its
  issuer (the portal's own endpoints under ``SITE_URL``).
* Officials (chứng thư số của cá nhân, chuyên dùng công vụ): keyUsage digitalSignature +
  nonRepudiation critical, extendedKeyUsage emailProtection + documentSigning; subject
  CN = full name, title = position, O = agency, ST = Điện Biên, C = VN (UTF-8 strings).
* TSA (RFC 3161 §2.3): extendedKeyUsage timeStamping, critical, and nothing else.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from portal.core.text import nfc

PROVINCE = "Điện Biên"
COUNTRY = "VN"
DOCUMENT_SIGNING_EKU = x509.ObjectIdentifier("1.3.6.1.5.5.7.3.36")
#: Time-stamp policy of the portal's TSA (a private arc; production uses the real TSA's policy).
TSA_POLICY_OID = "1.3.6.1.4.1.59999.1.1"

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
PublicKey = rsa.RSAPublicKey | ec.EllipticCurvePublicKey


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def new_ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def new_rsa_key(bits: int = 2048) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def key_to_pem(key: PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def key_from_pem(data: bytes) -> PrivateKey:
    return serialization.load_pem_private_key(data, password=None)  # type: ignore[return-value]


def cert_to_pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def serial_hex(serial: int) -> str:
    return format(serial, "x")


@dataclass(frozen=True)
class Endpoints:
    """Where relying parties fetch the CRL, OCSP and CA certificates (the portal's own views)."""

    base_url: str

    def crl(self, ca_slug: str) -> str:
        return f"{self.base_url.rstrip('/')}/chu-ky-so/crl/{ca_slug}.crl"

    def ca_cert(self, ca_slug: str) -> str:
        return f"{self.base_url.rstrip('/')}/chu-ky-so/ca/{ca_slug}.crt"

    @property
    def ocsp(self) -> str:
        return f"{self.base_url.rstrip('/')}/chu-ky-so/ocsp/"

    @property
    def tsa(self) -> str:
        return f"{self.base_url.rstrip('/')}/chu-ky-so/tsa/"


def _name(
    common_name: str, *, organisation: str = "", title: str = "", unit: str = ""
) -> x509.Name:
    attrs = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, COUNTRY),
        x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, PROVINCE),
    ]
    if organisation:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, nfc(organisation)))
    if unit:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, nfc(unit)))
    if title:
        attrs.append(x509.NameAttribute(NameOID.TITLE, nfc(title)))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, nfc(common_name)))
    return x509.Name(attrs)


def add_revocation_pointers(
    builder: x509.CertificateBuilder, endpoints: Endpoints, issuer_slug: str
) -> x509.CertificateBuilder:
    """Add where a relying party checks revocation: the issuer's CRL and OCSP addresses."""
    builder = builder.add_extension(
        x509.CRLDistributionPoints(
            [
                x509.DistributionPoint(
                    [x509.UniformResourceIdentifier(endpoints.crl(issuer_slug))], None, None, None
                )
            ]
        ),
        critical=False,
    )
    return builder.add_extension(
        x509.AuthorityInformationAccess(
            [
                x509.AccessDescription(
                    x509.AuthorityInformationAccessOID.OCSP,
                    x509.UniformResourceIdentifier(endpoints.ocsp),
                ),
                x509.AccessDescription(
                    x509.AuthorityInformationAccessOID.CA_ISSUERS,
                    x509.UniformResourceIdentifier(endpoints.ca_cert(issuer_slug)),
                ),
            ]
        ),
        critical=False,
    )


def certificate_builder(
    subject: x509.Name,
    issuer: x509.Name,
    public_key: PublicKey,
    days: int,
    issuer_public_key: PublicKey,
) -> x509.CertificateBuilder:
    """A certificate builder with the fields every certificate of the PKI shares (serial, validity
    from five minutes ago, key identifiers); the caller adds its usages."""
    start = now() - dt.timedelta(minutes=5)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=days))
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_public_key), critical=False
        )
    )


def _ca_usages(builder: x509.CertificateBuilder, path_length: int) -> x509.CertificateBuilder:
    return builder.add_extension(
        x509.BasicConstraints(ca=True, path_length=path_length), critical=True
    ).add_extension(
        x509.KeyUsage(
            digital_signature=False,
            content_commitment=False,
            key_encipherment=False,
            data_encipherment=False,
            key_agreement=False,
            key_cert_sign=True,
            crl_sign=True,
            encipher_only=False,
            decipher_only=False,
        ),
        critical=True,
    )


def build_root(*, key: PrivateKey, name: str, days: int = 3650) -> x509.Certificate:
    subject = _name(name, organisation=f"UBND tỉnh {PROVINCE}")
    builder = _ca_usages(
        certificate_builder(subject, subject, key.public_key(), days, key.public_key()),
        path_length=1,
    )
    return builder.sign(key, hashes.SHA256())


def build_issuing(
    *,
    key: PrivateKey,
    name: str,
    root_cert: x509.Certificate,
    root_key: PrivateKey,
    root_slug: str,
    endpoints: Endpoints,
    days: int = 1825,
) -> x509.Certificate:
    subject = _name(name, organisation=f"UBND tỉnh {PROVINCE}")
    builder = _ca_usages(
        certificate_builder(
            subject, root_cert.subject, key.public_key(), days, root_key.public_key()
        ),
        path_length=0,
    )
    builder = add_revocation_pointers(builder, endpoints, root_slug)
    return builder.sign(root_key, hashes.SHA256())


def build_tsa(
    *,
    key: PrivateKey,
    name: str,
    ca_cert: x509.Certificate,
    ca_key: PrivateKey,
    ca_slug: str,
    endpoints: Endpoints,
    days: int = 1825,
) -> x509.Certificate:
    subject = _name(name, organisation=f"UBND tỉnh {PROVINCE}")
    builder = certificate_builder(
        subject, ca_cert.subject, key.public_key(), days, ca_key.public_key()
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
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
    )
    builder = add_revocation_pointers(builder, endpoints, ca_slug)
    return builder.sign(ca_key, hashes.SHA256())


def build_signing_cert(
    *,
    public_key: PublicKey,
    full_name: str,
    title: str,
    organisation: str,
    email: str = "",
    ca_cert: x509.Certificate,
    ca_key: PrivateKey,
    ca_slug: str,
    endpoints: Endpoints,
    days: int = 730,
) -> x509.Certificate:
    """An official's signing certificate (non-repudiation: Decree 130/2018 art. 9 signature validity)."""
    subject = _name(full_name, organisation=organisation, title=title)
    builder = certificate_builder(subject, ca_cert.subject, public_key, days, ca_key.public_key())
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
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION, DOCUMENT_SIGNING_EKU]),
            critical=False,
        )
    )
    if email:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.RFC822Name(email)]), critical=False
        )
    builder = add_revocation_pointers(builder, endpoints, ca_slug)
    return builder.sign(ca_key, hashes.SHA256())


# --- revocation ---------------------------------------------------------------------------------

REVOCATION_REASONS = {
    "unspecified": x509.ReasonFlags.unspecified,
    "key_compromise": x509.ReasonFlags.key_compromise,
    "affiliation_changed": x509.ReasonFlags.affiliation_changed,
    "superseded": x509.ReasonFlags.superseded,
    "cessation_of_operation": x509.ReasonFlags.cessation_of_operation,
}


@dataclass(frozen=True)
class Revoked:
    serial: int
    revoked_at: dt.datetime
    reason: str = "unspecified"


def build_crl(
    *,
    ca_cert: x509.Certificate,
    ca_key: PrivateKey,
    revoked: Iterable[Revoked],
    number: int,
    hours: int = 24,
) -> bytes:
    """A DER CRL (RFC 5280 §5) valid for ``hours``."""
    issued = now() - dt.timedelta(minutes=1)
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca_cert.subject)
        .last_update(issued)
        .next_update(issued + dt.timedelta(hours=hours))
        .add_extension(x509.CRLNumber(number), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
    )
    for item in revoked:
        entry = (
            x509.RevokedCertificateBuilder()
            .serial_number(item.serial)
            .revocation_date(item.revoked_at)
        )
        if item.reason != "unspecified":
            entry = entry.add_extension(
                x509.CRLReason(REVOCATION_REASONS.get(item.reason, x509.ReasonFlags.unspecified)),
                critical=False,
            )
        builder = builder.add_revoked_certificate(entry.build())
    return builder.sign(ca_key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


@dataclass(frozen=True)
class PKIMaterial:
    """Keys and certificates of a freshly built provincial PKI (before they are stored)."""

    root_key: PrivateKey
    root_cert: x509.Certificate
    issuing_key: PrivateKey
    issuing_cert: x509.Certificate
    tsa_key: rsa.RSAPrivateKey
    tsa_cert: x509.Certificate
    base_url: str


def generate(*, base_url: str, province: str = PROVINCE) -> PKIMaterial:
    """Root CA → issuing CA → TSA, ECDSA P-256 for the CAs, RSA 2048 for the TSA (RFC 3161 responder)."""
    endpoints = Endpoints(base_url)
    root_key = new_ec_key()
    root_cert = build_root(key=root_key, name=f"CA gốc chữ ký số tỉnh {province}")
    issuing_key = new_ec_key()
    issuing_cert = build_issuing(
        key=issuing_key,
        name=f"CA cấp chứng thư số tỉnh {province}",
        root_cert=root_cert,
        root_key=root_key,
        root_slug="root",
        endpoints=endpoints,
    )
    tsa_key = new_rsa_key()
    tsa_cert = build_tsa(
        key=tsa_key,
        name=f"Dịch vụ cấp dấu thời gian tỉnh {province}",
        ca_cert=issuing_cert,
        ca_key=issuing_key,
        ca_slug="issuing",
        endpoints=endpoints,
    )
    return PKIMaterial(root_key, root_cert, issuing_key, issuing_cert, tsa_key, tsa_cert, base_url)
