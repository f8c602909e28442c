"""Is an organisation certificate revoked? Checked when an edXML envelope arrives (issue 6).

* A certificate issued by one of this portal's CAs is looked up in the database (the same
  answer the portal's OCSP responder and CRL give), never fetched over HTTP from ourselves: a
  web worker asking its own server could wait for itself.
* A peer's certificate is checked against the CRL named in its CRL distribution point. The CRL is
  fetched over HTTP(S), its signature checked with the issuer's key (the issuer from the
  verified path), and kept in memory until its ``nextUpdate`` (at most
  ``EDXML_CRL_MAX_AGE`` seconds), so a busy exchange fetches it once in a while, not per envelope.

When the status cannot be learnt (no distribution point, the CRL server down, a CRL not signed
by the issuer), ``EDXML_REVOCATION_CHECK`` decides: ``require`` refuses the envelope (the sender
retries later: its outbox backs off), ``prefer`` (the default) accepts it and logs a warning,
``off`` skips the check.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.conf import settings

from . import pki

logger = logging.getLogger(__name__)

MAX_CRL_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class Status:
    state: str  # "good", "revoked" or "unknown"
    detail: str = ""
    revoked_at: dt.datetime | None = None


@dataclass
class _CachedCrl:
    crl: x509.CertificateRevocationList
    until: dt.datetime


_crls: dict[tuple[str, bytes], _CachedCrl] = {}
_lock = threading.Lock()


def clear_cache() -> None:
    with _lock:
        _crls.clear()


def _issuer_fingerprint(issuer: x509.Certificate) -> bytes:
    return issuer.public_bytes(serialization.Encoding.DER)


def _own_status(leaf: x509.Certificate, issuer: x509.Certificate) -> Status | None:
    """The database's answer if ``issuer`` is one of this portal's CAs, else None."""
    from .services import local_status

    status = local_status(issuer, leaf.serial_number)
    if status.state == "unknown":
        from .models import CertificateAuthority

        if not CertificateAuthority.objects.filter(cert_pem=pki.cert_to_pem(issuer)).exists():
            return None  # not ours: ask the issuer's CRL
        return Status("unknown", "the certificate is not in this portal's records")
    return Status(
        status.state, status.reason if status.state == "revoked" else "", status.revoked_at
    )


def _crl_urls(leaf: x509.Certificate) -> list[str]:
    try:
        points = leaf.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    except x509.ExtensionNotFound:
        return []
    urls = []
    for point in points:
        for name in point.full_name or []:
            if isinstance(name, x509.UniformResourceIdentifier) and name.value.lower().startswith(
                ("http://", "https://")
            ):
                urls.append(name.value)
    return urls


def _fetch_crl(
    url: str, issuer: x509.Certificate, now: dt.datetime
) -> x509.CertificateRevocationList:
    key = (url, _issuer_fingerprint(issuer))
    with _lock:
        cached = _crls.get(key)
    if cached is not None and cached.until > now:
        return cached.crl
    timeout = float(getattr(settings, "EDXML_CRL_TIMEOUT", 5))
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - http(s) only, checked above
        data = response.read(MAX_CRL_BYTES + 1)
    if len(data) > MAX_CRL_BYTES:
        raise ValueError("the CRL is too large")
    try:
        crl = x509.load_der_x509_crl(data)
    except ValueError:
        crl = x509.load_pem_x509_crl(data)
    if crl.issuer != issuer.subject or not crl.is_signature_valid(issuer.public_key()):  # type: ignore[arg-type]
        raise ValueError("the CRL is not signed by the certificate's issuer")
    next_update = crl.next_update_utc
    if next_update is not None and next_update < now:
        raise ValueError("the CRL has expired")
    max_age = dt.timedelta(seconds=int(getattr(settings, "EDXML_CRL_MAX_AGE", 3600)))
    until = min(next_update, now + max_age) if next_update else now + max_age
    with _lock:
        if len(_crls) > 256:
            _crls.clear()
        _crls[key] = _CachedCrl(crl, until)
    return crl


def certificate_status(
    chain: Sequence[x509.Certificate], *, now: dt.datetime | None = None
) -> Status:
    """The revocation status of ``chain[0]``; ``chain`` is the verified path, leaf first."""
    if len(chain) < 2:
        return Status("unknown", "no issuer in the certificate path")
    leaf, issuer = chain[0], chain[1]
    now = now or dt.datetime.now(dt.UTC)
    own = _own_status(leaf, issuer)
    if own is not None:
        return own
    urls = _crl_urls(leaf)
    if not urls:
        return Status("unknown", "the certificate names no CRL")
    errors = []
    for url in urls:
        try:
            crl = _fetch_crl(url, issuer, now)
        except (OSError, ValueError) as exc:
            errors.append(f"{url}: {exc}")
            continue
        entry = crl.get_revoked_certificate_by_serial_number(leaf.serial_number)
        if entry is not None:
            return Status(
                "revoked",
                f"listed in the CRL of {issuer.subject.rfc4514_string()}",
                entry.revocation_date_utc,
            )
        return Status("good")
    return Status("unknown", "; ".join(errors))


def check_mode() -> str:
    mode = str(getattr(settings, "EDXML_REVOCATION_CHECK", "prefer")).lower()
    return mode if mode in ("require", "prefer", "off") else "prefer"
