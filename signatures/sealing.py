"""Seal a statement: the province's signature plus an RFC 3161 time-stamp from the portal's TSA.

Used for the checkpoints of the dossier history (:mod:`dossiers.checkpoints`): a database
superuser can rewrite rows and re-hash an unkeyed chain, but cannot produce the province's
signature (its key is wrapped with ``SIGNATURE_KEK``, which is not in the database) nor a TSA token
dated in the past. The signature is RSA PKCS#1 v1.5 with SHA-256 by the province's organisation
certificate (the one that signs its edXML envelopes); the time-stamp's message imprint is the
SHA-256 of that signature (RFC 3161 §2.4.1, as a CAdES-T signature time-stamp does).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
from dataclasses import dataclass

from asn1crypto import cms
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from django.conf import settings

from portal.agencies.models import Agency

from . import agency_keys
from .selectors import intermediate_certs, trust_roots


class SealError(Exception):
    """No seal can be made (no PKI, no province agency, the TSA unreachable)."""


@dataclass(frozen=True)
class Seal:
    signature: bytes
    certificate_pem: str
    timestamp_token: bytes
    timestamped_at: dt.datetime


def province_agency() -> Agency:
    """The province's own agency: the one with ``PROVINCE_CODE``, else the first root."""
    agency = (
        Agency.objects.filter(code=settings.PROVINCE_CODE).first()
        or Agency.objects.filter(parent__isnull=True).order_by("pk").first()
    )
    if agency is None:
        raise SealError("no province agency to sign with")
    return agency


def _timestamp(digest: bytes) -> bytes:
    from .services import timestamper

    try:
        token = asyncio.run(timestamper().async_timestamp(digest, "sha256"))
    except Exception as exc:  # the TSA's client raises several kinds; all mean "no time-stamp"
        raise SealError(f"time-stamp authority: {exc}") from exc
    return token.dump()


def _gen_time(token_der: bytes) -> tuple[dt.datetime, bytes]:
    info = cms.ContentInfo.load(token_der)["content"]["encap_content_info"]["content"].parsed
    return info["gen_time"].native, info["message_imprint"]["hashed_message"].native


def seal(data: bytes) -> Seal:
    """Sign ``data`` with the province's key and time-stamp the signature."""
    try:
        identity = agency_keys.agency_identity(province_agency())
    except agency_keys.AgencyIdentityError as exc:
        raise SealError(str(exc)) from exc
    if not isinstance(identity.key, rsa.RSAPrivateKey):
        raise SealError("the province's seal needs an RSA key (PKCS#1 v1.5 signature)")
    signature = identity.key.sign(data, padding.PKCS1v15(), hashes.SHA256())
    token = _timestamp(hashlib.sha256(signature).digest())
    pem = "".join(c.public_bytes(serialization.Encoding.PEM).decode() for c in identity.chain)
    return Seal(
        signature=signature,
        certificate_pem=pem,
        timestamp_token=token,
        timestamped_at=_gen_time(token)[0],
    )


def _issued_by_our_pki(leaf: x509.Certificate) -> bool:
    roots = agency_keys.trust_roots()
    for issuing in agency_keys.issuing_authorities():
        try:
            leaf.verify_directly_issued_by(issuing)
        except (ValueError, TypeError, InvalidSignature):
            continue
        for root in roots:
            try:
                issuing.verify_directly_issued_by(root)
                return True
            except (ValueError, TypeError, InvalidSignature):
                continue
    return False


def check_seal(
    data: bytes, *, signature: bytes, certificate_pem: str, timestamp_token: bytes
) -> str | None:
    """Why the seal over ``data`` does not hold, or None when it does."""
    try:
        leaf = x509.load_pem_x509_certificates(certificate_pem.encode())[0]
        leaf.public_key().verify(signature, data, padding.PKCS1v15(), hashes.SHA256())  # type: ignore[union-attr, call-arg, arg-type]
    except (ValueError, IndexError, InvalidSignature, TypeError):
        return "signature does not match the statement"
    if not _issued_by_our_pki(leaf):
        return "signer certificate is not from the province's PKI"
    try:
        _when, imprint = _gen_time(bytes(timestamp_token))
    except (ValueError, KeyError, TypeError):
        return "time-stamp token unreadable"
    if imprint != hashlib.sha256(signature).digest():
        return "time-stamp is not over this signature"
    from pyhanko.sign.validation.generic_cms import validate_tst_signed_data
    from pyhanko_certvalidator import ValidationContext

    context = ValidationContext(trust_roots=trust_roots(), other_certs=intermediate_certs())
    signed_data = cms.ContentInfo.load(bytes(timestamp_token))["content"]
    try:
        status = asyncio.run(
            validate_tst_signed_data(
                signed_data, context, lambda _alg: hashlib.sha256(signature).digest()
            )
        )
    except Exception as exc:  # pyHanko raises its own error types for a bad token
        return f"time-stamp does not validate: {exc}"
    if not (status.get("intact") and status.get("valid")):
        return "time-stamp does not validate"
    if status.get("trust_problem_indic") is not None:
        return f"time-stamp authority not trusted ({status['trust_problem_indic']})"
    return None
