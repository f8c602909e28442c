"""PAdES signing with an official's key (PKCS#11 token or PKCS#12 file): one document, a batch
after one PIN entry, or a session inside the caller's transaction; each signature audited."""

from __future__ import annotations

import hashlib
import io
import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from . import keywrap, pki, token
from .authority import issuing_base_url
from .constants import AuditKind, AuthorityKind, KeyStorage, PadesLevel
from .errors import SigningError
from .models import AuditEvent, CertificateAuthority, SigningCertificate
from .selectors import intermediate_certs, trust_roots
from .stamping import StampSpec, pdf_writer, reader_page, stamp_style

if TYPE_CHECKING:
    from pyhanko.sign.signers import Signer
    from pyhanko_certvalidator import ValidationContext

    from portal.accounts.models import User

    from .tsa_client import HttpTimeStamper

logger = logging.getLogger(__name__)


_TIMESTAMPERS: dict[tuple[str, str], HttpTimeStamper] = {}


def timestamper() -> HttpTimeStamper:
    """One time-stamp client per TSA (address and certificate) and process: pyHanko caches its
    size-estimation response, with the TSA's certificates, on the instance, so reusing it saves one
    TSA round trip per signature. Keyed on the portal TSA's serial too: a PKI created again at the
    same address must not have the old TSA's certificates embedded (its chain would not validate)."""
    from .tsa_client import HttpTimeStamper

    url, serial = str(settings.SIGNATURE_TSA_URL or ""), ""
    if not url:
        tsa = (
            CertificateAuthority.objects.filter(kind=AuthorityKind.TSA)
            .select_related("parent")
            .first()
        )
        base = (
            issuing_base_url(tsa.parent.certificate)
            if tsa is not None and tsa.parent is not None
            else str(settings.SITE_URL)
        )
        url, serial = pki.Endpoints(base).tsa, (tsa.serial if tsa else "")
    key = (url, serial)
    if key not in _TIMESTAMPERS:
        if len(_TIMESTAMPERS) > 16:
            _TIMESTAMPERS.clear()
        _TIMESTAMPERS[key] = HttpTimeStamper(url, timeout=10)
    return _TIMESTAMPERS[key]


def _validation_context() -> ValidationContext:
    from pyhanko_certvalidator import ValidationContext

    return ValidationContext(
        trust_roots=trust_roots(), other_certs=intermediate_certs(), allow_fetching=True
    )


def _chain(cert: SigningCertificate) -> list[asn1_x509.Certificate]:
    data = cert.chain_pem.encode()
    if not data.strip():
        return []
    return [asn1_x509.Certificate.load(der) for _t, _h, der in pem.unarmor(data, multiple=True)]


def _asn1(cert_pem: str) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(pem.unarmor(cert_pem.encode())[2])


@dataclass
class _Signing:
    """What one signing call needs besides the signer object."""

    reason: str
    location: str
    field_name: str | None
    stamp: StampSpec
    level: str


def _sign_one(
    *, pdf_bytes: bytes, signer: Signer, cert: SigningCertificate, job: _Signing
) -> bytes:
    from pyhanko.sign import fields, signers
    from pyhanko.sign.fields import SigFieldSpec, enumerate_sig_fields

    if job.level not in PadesLevel.values:
        raise SigningError(_("Unknown PAdES level."))
    writer = pdf_writer(pdf_bytes)
    existing = {name: filled for name, filled, _ref in enumerate_sig_fields(writer.prev)}
    field_name = job.field_name or f"ChuKy{len(existing) + 1}"
    if existing.get(field_name) is not None:
        raise SigningError(
            _("The signature field %(name)s is already signed.") % {"name": field_name}
        )
    new_field = None
    if field_name not in existing:
        new_field = SigFieldSpec(
            sig_field_name=field_name,
            on_page=reader_page(writer.prev, job.stamp.page),
            box=job.stamp.box if job.stamp.visible else None,
        )
    long_term = job.level in (PadesLevel.B_LT, PadesLevel.B_LTA)
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        reason=job.reason,
        location=job.location,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        embed_validation_info=long_term,
        use_pades_lta=job.level == PadesLevel.B_LTA,
        validation_context=_validation_context() if long_term else None,
    )
    signed_at = timezone.localtime()
    params = {
        "signer_name": cert.subject_name,
        "position": cert.title,
        "agency": cert.organisation,
        "signed_at": signed_at.strftime("%d/%m/%Y %H:%M:%S") + " (GMT+7)",
    }
    if job.stamp.verify_url:
        params["url"] = job.stamp.verify_url
    pdf_signer = signers.PdfSigner(
        meta,
        signer=signer,
        timestamper=timestamper(),
        stamp_style=stamp_style(job.stamp, cert=cert) if job.stamp.visible else None,
        new_field_spec=new_field,
    )
    out = io.BytesIO()
    pdf_signer.sign_pdf(
        writer, output=out, appearance_text_params=params if job.stamp.visible else None
    )
    return out.getvalue()


class _SignerSource:
    """Opens the official's key once for one signing action (one PIN entry)."""

    def __init__(self, cert: SigningCertificate, pin: str) -> None:
        self.cert, self.pin = cert, pin
        self._session_cm: AbstractContextManager[Any] | None = None

    def __enter__(self) -> Signer:
        from pyhanko.sign import signers

        chain = _chain(self.cert)
        if self.cert.key_storage == KeyStorage.PKCS11:
            from pyhanko.sign.pkcs11 import PKCS11Signer

            session_cm = token.session(self.cert.token_label, self.pin)
            sess = session_cm.__enter__()
            self._session_cm = session_cm
            signer: Signer = PKCS11Signer(
                sess,
                key_id=bytes.fromhex(self.cert.key_id),
                signing_cert=_asn1(self.cert.cert_pem),
                ca_chain=chain,
                other_certs_to_pull=(),
                use_raw_mechanism=True,
            )
            return signer
        data = keywrap.unwrap(
            bytes(self.cert.encrypted_pkcs12 or b""), context=f"p12:{self.cert.serial}"
        )
        signer = signers.SimpleSigner.load_pkcs12_data(
            data, other_certs=chain, passphrase=self.pin.encode()
        )
        if signer is None:
            raise token.TokenError(_("The password of the certificate file is not correct."))
        return signer

    def __exit__(self, *exc: Any) -> None:
        if self._session_cm is not None:
            self._session_cm.__exit__(*exc)


def _usable_certificate(signer_user: User) -> SigningCertificate:
    from .selectors import active_certificate_for

    cert = active_certificate_for(signer_user)
    if cert is None:
        raise SigningError(
            _(
                "You have no valid signing certificate (missing, expired or revoked). Ask the administrator "
                "to issue one to you (manage.py issue_signing_certificate)."
            )
        )
    return cert


def _audit_sign(*, cert: SigningCertificate, user: User, signed: bytes, job: _Signing) -> None:
    AuditEvent.objects.create(
        kind=AuditKind.SIGN,
        actor=user,
        certificate=cert,
        document_sha256=hashlib.sha256(signed).hexdigest(),
        detail={"level": job.level, "field": job.field_name or "", "reason": job.reason},
    )


def _audit_failure(*, cert: SigningCertificate | None, user: User, error: Exception) -> None:
    AuditEvent.objects.create(
        kind=AuditKind.SIGN_FAILED, actor=user, certificate=cert, detail={"error": str(error)[:500]}
    )


def sign_pdf(
    *,
    pdf_bytes: bytes,
    signer_user: User,
    pin: str,
    reason: str,
    location: str,
    field_name: str | None = None,
    stamp: StampSpec | None = None,
    level: str = PadesLevel.B_T,
) -> bytes:
    """Sign a PDF with the official's key: PAdES with a trusted time-stamp (B-T), embedded
    validation data (B-LT) and a document time-stamp (B-LTA). Returns the signed PDF.

    Raises :class:`SigningError` (or :class:`signatures.token.TokenError`) with a message for the user.
    """
    (result,) = sign_batch(
        items=[
            BatchItem(
                pdf_bytes=pdf_bytes,
                reason=reason,
                location=location,
                field_name=field_name,
                stamp=stamp or StampSpec(),
            )
        ],
        signer_user=signer_user,
        pin=pin,
        level=level,
        stop_on_error=True,
    )
    assert result.signed is not None  # stop_on_error: a failure raised instead
    return result.signed


@dataclass
class BatchItem:
    pdf_bytes: bytes
    reason: str
    location: str
    field_name: str | None = None
    stamp: StampSpec = field(default_factory=StampSpec)
    key: str = ""


@dataclass
class BatchResult:
    key: str
    signed: bytes | None = None
    error: str = ""


def sign_batch(
    *,
    items: Sequence[BatchItem],
    signer_user: User,
    pin: str,
    level: str = PadesLevel.B_T,
    progress: Callable[[int, int, BatchResult], None] | None = None,
    stop_on_error: bool = False,
) -> list[BatchResult]:
    """Sign several PDFs after one PIN entry (the leader's approval queue), reporting progress
    after each document. One failed document does not stop the others unless ``stop_on_error``."""
    from .eventloop import outside_event_loop

    return outside_event_loop(
        _sign_batch,
        items=items,
        signer_user=signer_user,
        pin=pin,
        level=level,
        progress=progress,
        stop_on_error=stop_on_error,
    )


def _sign_batch(
    *,
    items: Sequence[BatchItem],
    signer_user: User,
    pin: str,
    level: str,
    progress: Callable[[int, int, BatchResult], None] | None,
    stop_on_error: bool,
) -> list[BatchResult]:
    cert = _usable_certificate(signer_user)
    results: list[BatchResult] = []
    try:
        with _SignerSource(cert, pin) as signer:
            for index, item in enumerate(items, start=1):
                job = _Signing(item.reason, item.location, item.field_name, item.stamp, level)
                try:
                    signed = _sign_one(pdf_bytes=item.pdf_bytes, signer=signer, cert=cert, job=job)
                except Exception as exc:  # noqa: BLE001 - one bad document must not hide the others
                    if stop_on_error:
                        raise
                    logger.warning(
                        "signatures.sign_failed",
                        extra={"serial": cert.serial, "error": str(exc)[:200]},
                    )
                    _audit_failure(cert=cert, user=signer_user, error=exc)
                    result = BatchResult(
                        item.key,
                        None,
                        str(exc)
                        if isinstance(exc, SigningError)
                        else _("The document could not be signed."),
                    )
                else:
                    _audit_sign(cert=cert, user=signer_user, signed=signed, job=job)
                    result = BatchResult(item.key, signed)
                results.append(result)
                if progress is not None:
                    progress(index, len(items), result)
    except (token.TokenError, SigningError) as exc:
        _audit_failure(cert=cert, user=signer_user, error=exc)
        raise SigningError(str(exc)) from exc
    except Exception as exc:
        _audit_failure(cert=cert, user=signer_user, error=exc)
        logger.exception("signatures.sign_error", extra={"serial": cert.serial})
        raise SigningError(_("The document could not be signed.")) from exc
    return results


class SigningSession:
    """One PIN entry, several signatures, each audited in the caller's transaction.

    Use :func:`signing_session`: the caller (e.g. the dossier approval) signs inside its own
    ``transaction.atomic`` so that the signature's audit event commits, or rolls back, together
    with the state change the signature stands for.
    """

    def __init__(self, *, signer: Signer, cert: SigningCertificate, user: User, level: str) -> None:
        self._signer, self.cert, self._user, self.level = signer, cert, user, level

    def sign(self, item: BatchItem) -> bytes:
        """Sign one document; raises :class:`SigningError` with a message for the user."""
        job = _Signing(item.reason, item.location, item.field_name, item.stamp, self.level)
        try:
            signed = _sign_one(
                pdf_bytes=item.pdf_bytes, signer=self._signer, cert=self.cert, job=job
            )
        except SigningError:
            raise
        except Exception as exc:
            logger.warning(
                "signatures.sign_failed",
                extra={"serial": self.cert.serial, "error": str(exc)[:200]},
            )
            raise SigningError(_("The document could not be signed.")) from exc
        _audit_sign(cert=self.cert, user=self._user, signed=signed, job=job)
        return signed


def signing_session(
    *, signer_user: User, pin: str, level: str = PadesLevel.B_T
) -> AbstractContextManager[SigningSession]:
    """Context manager: open the official's key with the PIN just typed (a wrong PIN raises
    :class:`SigningError` here, before anything is signed) and yield a :class:`SigningSession`.

    Call it where ``asyncio.run`` works (not inside a running event loop); the sync pages, the
    API and Celery tasks do. A failure to open the key is audited (outside any transaction the
    caller may roll back: the caller should call :func:`audit_signing_failure` after a rollback).
    """

    @contextmanager
    def _cm() -> Iterator[SigningSession]:
        cert = _usable_certificate(signer_user)
        if level not in PadesLevel.values:
            raise SigningError(_("Unknown PAdES level."))
        try:
            source = _SignerSource(cert, pin)
            signer = source.__enter__()
        except (token.TokenError, SigningError) as exc:
            audit_signing_failure(certificate=cert, actor=signer_user, error=exc)
            raise SigningError(str(exc)) from exc
        try:
            yield SigningSession(signer=signer, cert=cert, user=signer_user, level=level)
        finally:
            source.__exit__(None, None, None)

    return _cm()


def audit_signing_failure(
    *, certificate: SigningCertificate | None, actor: User, error: Exception
) -> None:
    """Record a failed signing (wrong PIN, unreadable document) as an audit event."""
    _audit_failure(cert=certificate, user=actor, error=error)
