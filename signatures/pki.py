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
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from asn1crypto import cms, core, tsp
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.sign import general as pyhanko_general
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

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

_REASONS = {
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
                x509.CRLReason(_REASONS.get(item.reason, x509.ReasonFlags.unspecified)),
                critical=False,
            )
        builder = builder.add_revoked_certificate(entry.build())
    return builder.sign(ca_key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


@dataclass(frozen=True)
class CertStatus:
    """What the CA knows about one serial: ``good``, ``revoked`` or ``unknown``."""

    state: str
    revoked_at: dt.datetime | None = None
    reason: str = "unspecified"


def _key_hash(cert: x509.Certificate, algorithm: hashes.HashAlgorithm) -> bytes:
    spki = cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    raw = asn1_keys.PublicKeyInfo.load(spki)["public_key"].contents[
        1:
    ]  # BIT STRING without unused-bits byte
    digest = hashes.Hash(algorithm)
    digest.update(raw)
    return digest.finalize()


def build_ocsp_response(
    request_der: bytes,
    *,
    authorities: Iterable[tuple[x509.Certificate, PrivateKey]],
    lookup: Callable[[x509.Certificate, int], CertStatus],
) -> bytes:
    """Answer an RFC 6960 request; the CA signs its own responses (§4.2.2.2, no delegated responder).

    ``lookup(issuer_cert, serial)`` tells the status. A malformed request gets ``malformedRequest``,
    a request about a CA we do not run gets ``unauthorized``.
    """
    try:
        request = ocsp.load_der_ocsp_request(request_der)
    except ValueError:
        return ocsp.OCSPResponseBuilder.build_unsuccessful(
            ocsp.OCSPResponseStatus.MALFORMED_REQUEST
        ).public_bytes(serialization.Encoding.DER)
    for ca_cert, ca_key in authorities:
        if _key_hash(ca_cert, request.hash_algorithm) != request.issuer_key_hash:
            continue
        status = lookup(ca_cert, request.serial_number)
        this_update = now() - dt.timedelta(minutes=1)
        cert_status = {
            "good": ocsp.OCSPCertStatus.GOOD,
            "revoked": ocsp.OCSPCertStatus.REVOKED,
        }.get(status.state, ocsp.OCSPCertStatus.UNKNOWN)
        builder = (
            ocsp.OCSPResponseBuilder()
            .add_response_by_hash(
                issuer_name_hash=request.issuer_name_hash,
                issuer_key_hash=request.issuer_key_hash,
                serial_number=request.serial_number,
                algorithm=request.hash_algorithm,
                cert_status=cert_status,
                this_update=this_update,
                next_update=this_update + dt.timedelta(hours=4),
                revocation_time=status.revoked_at
                if cert_status == ocsp.OCSPCertStatus.REVOKED
                else None,
                revocation_reason=_REASONS.get(status.reason)
                if cert_status == ocsp.OCSPCertStatus.REVOKED and status.reason != "unspecified"
                else None,
            )
            .responder_id(ocsp.OCSPResponderEncoding.HASH, ca_cert)
            .certificates([ca_cert])
        )
        for ext in request.extensions:
            if isinstance(ext.value, x509.OCSPNonce):
                builder = builder.add_extension(ext.value, critical=False)
        return builder.sign(ca_key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)
    return ocsp.OCSPResponseBuilder.build_unsuccessful(
        ocsp.OCSPResponseStatus.UNAUTHORIZED
    ).public_bytes(serialization.Encoding.DER)


# --- time-stamping ------------------------------------------------------------------------------


class _Rejection(core.Sequence):
    """TimeStampResp without a token (asn1crypto does not mark the token OPTIONAL, RFC 3161 does)."""

    _fields = [("status", tsp.PKIStatusInfo)]


class PortalTimeStampAuthority(DummyTimeStamper):
    """RFC 3161 responder: pyHanko's in-process time-stamper used server-side, with our policy OID,
    a unique serial and a rejection (not a crash) for requests it cannot parse."""

    def __init__(self, *, tsa_key_object: rsa.RSAPrivateKey, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(**kwargs)
        self._key_object = tsa_key_object

    def _sign_tst_info(self, tst_info_data, md_algorithm, dt):  # type: ignore[no-untyped-def]
        """pyHanko's version parses the PKCS#8 key for every token; cryptography then checks the
        RSA key's consistency, about 80 ms per time-stamp. The responder keeps the parsed key."""
        digest = hashes.Hash(get_pyca_cryptography_hash(md_algorithm))
        digest.update(tst_info_data)
        signed_attrs = cms.CMSAttributes(
            [
                pyhanko_general.simple_cms_attribute("content_type", "tst_info"),
                pyhanko_general.simple_cms_attribute(
                    "signing_time", cms.Time({"utc_time": core.UTCTime(dt)})
                ),
                pyhanko_general.simple_cms_attribute(
                    "signing_certificate", pyhanko_general.as_signing_certificate(self.tsa_cert)
                ),
                pyhanko_general.simple_cms_attribute("message_digest", digest.finalize()),
            ]
        )
        signature = self._key_object.sign(
            signed_attrs.dump(), PKCS1v15(), get_pyca_cryptography_hash(md_algorithm.upper())
        )
        return signature, signed_attrs

    def _build_tst_info(self, message_imprint, dt_value, req):  # type: ignore[no-untyped-def]
        info = super()._build_tst_info(message_imprint, dt_value, req)
        info["policy"] = tsp.ObjectIdentifier(TSA_POLICY_OID)
        return info

    def respond(self, query_der: bytes) -> bytes:
        try:
            req = tsp.TimeStampReq.load(query_der)
            req.native  # noqa: B018  (force a full parse: asn1crypto is lazy)
            algorithm = req["message_imprint"]["hash_algorithm"]["algorithm"].native
            if algorithm not in ("sha256", "sha384", "sha512"):
                raise ValueError(algorithm)
        except (ValueError, TypeError, KeyError):
            return _Rejection(
                {
                    "status": {
                        "status": "rejection",
                        "fail_info": tsp.PKIFailureInfo({"bad_request"}),
                    }
                }
            ).dump()
        return self.request_tsa_response(req).dump()


def make_tsa(
    *, tsa_cert: x509.Certificate, tsa_key: rsa.RSAPrivateKey, chain: Iterable[x509.Certificate]
) -> PortalTimeStampAuthority:
    to_asn1 = lambda c: asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER))  # noqa: E731
    key_der = tsa_key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return PortalTimeStampAuthority(
        tsa_cert=to_asn1(tsa_cert),
        tsa_key=asn1_keys.PrivateKeyInfo.load(key_der),
        certs_to_embed=[to_asn1(c) for c in chain],
        tsa_key_object=tsa_key,
    )


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
