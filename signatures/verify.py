"""Verification of signed PDFs, for the public page, the API and the portal's own checks.

pyHanko validates each signature (integrity, chain to the province's trusted roots, time-stamp);
a ``bottom_line`` alone is not enough: bytes appended after ``%%EOF`` still give ``True``, so the
coverage and the modification level of every later revision are checked too (docs/tech-facts.md "Signatures").
Revocation is checked against the CRLs of the portal's own CAs (the portal is the authority for
them) and against the certificate register.
"""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import asdict, dataclass, field
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from .constants import AuthorityKind, CertificateStatus, Verdict
from .eventloop import outside_event_loop
from .models import CertificateAuthority, SigningCertificate
from .selectors import intermediate_certs, trust_roots

logger = logging.getLogger(__name__)

#: Verdict explanations in both languages (API messages are "Vietnamese / English").
_VERDICT_TEXT = {
    Verdict.VALID: "The signature is valid and the document has not been changed since it was signed.",
    Verdict.CHANGED: "The document was changed after it was signed.",
    Verdict.UNTRUSTED: "The signer's certificate does not come from a trusted certificate authority.",
    Verdict.REVOKED: "The signer's certificate has been revoked.",
    Verdict.EXPIRED: "The signer's certificate was not valid at the time of signing.",
}


_ERRORS = {
    "not_pdf": "This is not a PDF file.",
    "damaged": "The PDF file is damaged and cannot be read.",
    "unsigned": "The document carries no digital signature.",
}


def _bilingual(msgid: str) -> str:
    with override("vi"):
        vi = _(msgid)
    with override("en"):
        en = _(msgid)
    return f"{vi} / {en}"


def verdict_text(verdict: str) -> str:
    return _(_VERDICT_TEXT[Verdict(verdict)])


# Marked for makemessages (the dictionaries above hold the msgids).
if False:  # pragma: no cover
    _("This is not a PDF file.")
    _("The PDF file is damaged and cannot be read.")
    _("The document carries no digital signature.")
    _("The signature is valid and the document has not been changed since it was signed.")
    _("The document was changed after it was signed.")
    _("The signer's certificate does not come from a trusted certificate authority.")
    _("The signer's certificate has been revoked.")
    _("The signer's certificate was not valid at the time of signing.")


def verdict_bilingual(verdict: str) -> str:
    return _bilingual(_VERDICT_TEXT[Verdict(verdict)])


@dataclass
class SignatureReport:
    field_name: str
    signer: str
    position: str
    organisation: str
    serial: str
    issuer: str
    chain: list[str]
    signing_time: datetime | None
    timestamp_time: datetime | None
    timestamp_valid: bool
    intact: bool
    trusted: bool
    coverage: str
    modification_level: str
    bytes_appended: bool
    revoked: bool
    revoked_at: datetime | None
    expired: bool
    verdict: str
    message: str = ""

    def as_dict(self) -> dict:
        data = asdict(self)
        for key in ("signing_time", "timestamp_time", "revoked_at"):
            data[key] = data[key].isoformat() if data[key] else None
        data["message"] = verdict_bilingual(self.verdict)
        return data


@dataclass
class VerificationReport:
    sha256: str
    is_pdf: bool
    signatures: list[SignatureReport] = field(default_factory=list)
    error_code: str = ""

    @property
    def error(self) -> str:
        return _(_ERRORS[self.error_code]) if self.error_code else ""

    @property
    def verdict(self) -> str | None:
        """The worst of the signatures' verdicts (``None`` when there is no signature)."""
        order = [
            Verdict.CHANGED,
            Verdict.UNTRUSTED,
            Verdict.REVOKED,
            Verdict.EXPIRED,
            Verdict.VALID,
        ]
        found = {s.verdict for s in self.signatures}
        return next((v.value for v in order if v in found), None)

    @property
    def all_valid(self) -> bool:
        return bool(self.signatures) and all(s.verdict == Verdict.VALID for s in self.signatures)

    def as_dict(self) -> dict:
        return {
            "sha256": self.sha256,
            "is_pdf": self.is_pdf,
            "error_code": self.error_code,
            "error": _bilingual(_ERRORS[self.error_code]) if self.error_code else "",
            "verdict": self.verdict,
            "all_valid": self.all_valid,
            "signatures": [s.as_dict() for s in self.signatures],
        }


def _name_attr(name, key: str) -> str:  # type: ignore[no-untyped-def]
    try:
        return str(name.native.get(key, ""))
    except (AttributeError, ValueError):
        return ""


def _own_crls() -> list[bytes]:
    from .services import crl_bytes

    return [
        crl_bytes(ca_slug=slug)
        for slug in CertificateAuthority.objects.filter(
            kind__in=[AuthorityKind.ROOT, AuthorityKind.ISSUING]
        ).values_list("slug", flat=True)
    ]


def _context():  # type: ignore[no-untyped-def]
    from pyhanko_certvalidator import ValidationContext

    return ValidationContext(
        trust_roots=trust_roots(),
        other_certs=intermediate_certs(),
        crls=_own_crls(),
        allow_fetching=False,
        revocation_mode="soft-fail",
    )


def verify_pdf(pdf_bytes: bytes) -> VerificationReport:
    """Verify every signature of ``pdf_bytes``. Never raises on bad input: a damaged file or a
    non-PDF gives a report with ``error`` set."""
    return outside_event_loop(_verify_pdf, pdf_bytes)


def _verify_pdf(pdf_bytes: bytes) -> VerificationReport:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation import SignatureCoverageLevel, validate_pdf_signature

    report = VerificationReport(
        sha256=hashlib.sha256(pdf_bytes).hexdigest(), is_pdf=pdf_bytes[:1024].find(b"%PDF-") >= 0
    )
    if not report.is_pdf:
        report.error_code = "not_pdf"
        return report
    try:
        reader = PdfFileReader(io.BytesIO(pdf_bytes), strict=False)
        embedded = list(reader.embedded_regular_signatures)
    except Exception:  # noqa: BLE001 - any parser failure is "damaged file" for the user
        logger.info("signatures.verify_unreadable", extra={"sha256": report.sha256})
        report.error_code = "damaged"
        return report
    if not embedded:
        report.error_code = "unsigned"
        return report
    context = _context()
    total_revisions = reader.xrefs.total_revisions
    file_length = len(pdf_bytes.rstrip(b"\r\n\0 "))
    for emb in embedded:
        try:
            status = validate_pdf_signature(emb, signer_validation_context=context)
        except Exception as exc:  # noqa: BLE001
            logger.warning(
                "signatures.verify_error", extra={"field": emb.field_name, "error": str(exc)[:200]}
            )
            report.signatures.append(_broken(emb, str(exc)))
            continue
        report.signatures.append(
            _signature_report(
                emb, status, total_revisions, file_length, SignatureCoverageLevel, ModificationLevel
            )
        )
    return report


def _broken(emb, error: str) -> SignatureReport:  # type: ignore[no-untyped-def]
    return SignatureReport(
        field_name=emb.field_name,
        signer="",
        position="",
        organisation="",
        serial="",
        issuer="",
        chain=[],
        signing_time=None,
        timestamp_time=None,
        timestamp_valid=False,
        intact=False,
        trusted=False,
        coverage="",
        modification_level="",
        bytes_appended=False,
        revoked=False,
        revoked_at=None,
        expired=False,
        verdict=Verdict.CHANGED,
        message=error[:300],
    )


def _signature_report(
    emb, status, total_revisions: int, file_length: int, Coverage, ModLevel
) -> SignatureReport:  # type: ignore[no-untyped-def]  # noqa: N803
    cert = status.signing_cert
    serial = format(cert.serial_number, "x")
    ts = status.timestamp_validity
    ts_time = ts.timestamp if ts is not None else None
    ts_ok = bool(ts is not None and ts.intact and ts.valid and ts.trusted)
    signing_time = ts_time if ts_ok else status.signer_reported_dt
    # Bytes after the signed range that form no revision of their own (garbage after %%EOF, or
    # a truncated update): pyHanko's bottom line stays True for those.
    byte_range = [int(x) for x in emb.byte_range] if emb.byte_range else []
    signed_end = byte_range[-2] + byte_range[-1] if len(byte_range) >= 2 else 0
    is_last_revision = emb.signed_revision == total_revisions - 1
    bytes_appended = is_last_revision and signed_end < file_length
    modification = status.modification_level
    changed = (
        not status.intact
        or not status.valid
        or bytes_appended
        or status.coverage is None
        or status.coverage < Coverage.ENTIRE_REVISION
        or modification is None
        or modification > ModLevel.FORM_FILLING
        or status.docmdp_ok is False
    )
    register = SigningCertificate.objects.filter(serial=serial).first()
    revoked = bool(status.revoked) or bool(
        register and register.status == CertificateStatus.REVOKED
    )
    revoked_at = (
        register.revoked_at
        if register and register.revoked_at
        else (status.revocation_details.revocation_date if status.revocation_details else None)
    )
    at = signing_time or timezone.now()
    expired = not (cert.not_valid_before <= at <= cert.not_valid_after)
    trusted = bool(status.trusted) or (revoked and status.validation_path is not None)
    if changed:
        verdict = Verdict.CHANGED
    elif not trusted and not revoked:
        verdict = Verdict.UNTRUSTED
    elif revoked:
        verdict = Verdict.REVOKED
    elif expired:
        verdict = Verdict.EXPIRED
    else:
        verdict = Verdict.VALID
    chain = []
    if status.validation_path is not None:
        chain = [
            c.subject.human_friendly for c in status.validation_path.iter_certs(include_root=True)
        ]
    subject = cert.subject
    return SignatureReport(
        field_name=emb.field_name,
        signer=_name_attr(subject, "common_name"),
        position=_name_attr(subject, "title"),
        organisation=_name_attr(subject, "organization_name"),
        serial=serial,
        issuer=cert.issuer.human_friendly,
        chain=chain,
        signing_time=signing_time,
        timestamp_time=ts_time,
        timestamp_valid=ts_ok,
        intact=bool(status.intact),
        trusted=trusted,
        coverage=status.coverage.name if status.coverage else "",
        modification_level=modification.name if modification else "",
        bytes_appended=bytes_appended,
        revoked=revoked,
        revoked_at=revoked_at,
        expired=expired,
        verdict=verdict,
        message=verdict_text(verdict),
    )


def verify_and_audit(pdf_bytes: bytes, *, actor=None) -> VerificationReport:  # type: ignore[no-untyped-def]
    """:func:`verify_pdf`, recording a failed verification as an audit event."""
    from .services import audit_verification_failure

    report = verify_pdf(pdf_bytes)
    if not report.all_valid:
        audit_verification_failure(
            sha256=report.sha256,
            actor=actor,
            detail={
                "error": report.error_code,
                "verdicts": [(s.field_name, s.verdict, s.serial) for s in report.signatures],
            },
        )
    return report
