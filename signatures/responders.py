"""The portal's own revocation and time-stamp responders: OCSP answers (RFC 6960) and RFC 3161
time-stamp tokens, signed with the keys of :mod:`signatures.pki`'s CAs and TSA."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from asn1crypto import cms, core, tsp
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.x509 import ocsp
from pyhanko.sign import general as pyhanko_general
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

from .pki import REVOCATION_REASONS, TSA_POLICY_OID, PrivateKey, now


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
                revocation_reason=REVOCATION_REASONS.get(status.reason)
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

    def __init__(self, *, tsa_key_object: rsa.RSAPrivateKey, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._key_object = tsa_key_object

    def _sign_tst_info(
        self, tst_info_data: bytes, md_algorithm: str, dt: dt.datetime
    ) -> tuple[bytes, cms.CMSAttributes]:
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

    def _build_tst_info(
        self, message_imprint: tsp.MessageImprint, dt_value: dt.datetime, req: tsp.TimeStampReq
    ) -> tsp.TSTInfo:
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
            rejection = _Rejection(
                {
                    "status": {
                        "status": "rejection",
                        "fail_info": tsp.PKIFailureInfo({"bad_request"}),
                    }
                }
            )
            return bytes(rejection.dump())
        return bytes(self.request_tsa_response(req).dump())


def make_tsa(
    *, tsa_cert: x509.Certificate, tsa_key: rsa.RSAPrivateKey, chain: Iterable[x509.Certificate]
) -> PortalTimeStampAuthority:
    def to_asn1(c: x509.Certificate) -> asn1_x509.Certificate:
        return asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER))

    key_der = tsa_key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return PortalTimeStampAuthority(
        tsa_cert=to_asn1(tsa_cert),
        tsa_key=asn1_keys.PrivateKeyInfo.load(key_der),
        certs_to_embed=[to_asn1(c) for c in chain],
        tsa_key_object=tsa_key,
    )
