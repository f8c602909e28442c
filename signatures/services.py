"""The signatures app's public face: the PKI, certificates, signing and signed documents.

Dossier results (issue 3) and inter-agency documents (issue 6) call :func:`sign_pdf` /
:func:`sign_batch` and :func:`signed_document_create`; nothing else needs to know about PKCS#11.
The work is split by job (issue 16: no production module over 500 lines):
:mod:`signatures.authority` (the province's CAs and TSA), :mod:`signatures.certificates`
(officials' certificates), :mod:`signatures.stamping` (the visible signature) and
:mod:`signatures.signing` (PAdES signing); this module re-exports their public names and keeps
the signed documents that the verification QR code points at.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.urls import reverse

from .authority import (
    crl_bytes,
    issuing_base_url,
    load_authority,
    local_status,
    ocsp_response,
    pki_create,
    pki_store,
    timestamp_response,
)
from .certificates import (
    certificate_import_pkcs12,
    certificate_issue_on_token,
    certificate_revoke,
    mark_revoked,
)
from .constants import AuditKind, PadesLevel
from .errors import SigningError
from .models import AuditEvent, SignedDocument
from .signing import (
    BatchItem,
    BatchResult,
    SigningSession,
    audit_signing_failure,
    sign_batch,
    sign_pdf,
    signing_session,
    timestamper,
)
from .stamping import FieldSpec, StampSpec, prepare_signature_fields

if TYPE_CHECKING:
    from django.db.models import Model

    from portal.accounts.models import User


# --- signed documents (verification by QR code) -------------------------------------------------


def signed_document_create(*, title: str, dossier: Model | None = None) -> SignedDocument:
    """Reserve the verification address before rendering, so the QR code can go on the page.
    ``dossier``: the dossier whose result this is (its applicant downloads it)."""
    return SignedDocument.objects.create(
        title=title[:255], dossier_id=dossier.pk if dossier is not None else None
    )


def signed_document_store(
    *, document: SignedDocument, pdf_bytes: bytes, filename: str = ""
) -> SignedDocument:
    digest = hashlib.sha256(pdf_bytes).hexdigest()
    document.file.save(filename or f"{document.token}.pdf", ContentFile(pdf_bytes), save=False)
    document.sha256 = digest
    document.save(update_fields=["file", "sha256"])
    return document


def verification_url(document: SignedDocument) -> str:
    """The public address the result's QR code points at."""
    return str(settings.SITE_URL).rstrip("/") + reverse(
        "signatures:verify-token", kwargs={"token": document.token}
    )


def audit_verification_failure(
    *, sha256: str, detail: dict[str, Any], actor: User | None = None
) -> None:
    AuditEvent.objects.create(
        kind=AuditKind.VERIFY_FAILED, actor=actor, document_sha256=sha256, detail=detail
    )


@dataclass
class PublishedResult:
    name: str
    document: SignedDocument | None
    error: str = ""


def sign_and_publish(
    *,
    files: Sequence[tuple[str, bytes]],
    signer_user: User,
    pin: str,
    reason: str,
    location: str,
    level: str = PadesLevel.B_T,
    progress: Callable[[int, int, BatchResult], None] | None = None,
) -> list[PublishedResult]:
    """Sign several PDFs after one PIN entry and publish each with its own verification address
    (the QR code in the stamp points at it). A document that fails is reported, not published."""
    documents = [signed_document_create(title=name) for name, _data in files]
    items = [
        BatchItem(
            pdf_bytes=data,
            reason=reason,
            location=location,
            key=doc.token,
            stamp=StampSpec(verify_url=verification_url(doc)),
        )
        for doc, (_name, data) in zip(documents, files, strict=True)
    ]
    try:
        results = sign_batch(
            items=items, signer_user=signer_user, pin=pin, level=level, progress=progress
        )
    except SigningError:
        SignedDocument.objects.filter(pk__in=[d.pk for d in documents]).delete()
        raise
    published: list[PublishedResult] = []
    for doc, (name, _data), result in zip(documents, files, results, strict=True):
        if result.signed is None:
            doc.delete()
            published.append(PublishedResult(name, None, result.error))
        else:
            published.append(
                PublishedResult(
                    name,
                    signed_document_store(
                        document=doc, pdf_bytes=result.signed, filename=f"{doc.token}.pdf"
                    ),
                )
            )
    return published


__all__ = [
    "BatchItem",
    "BatchResult",
    "FieldSpec",
    "PublishedResult",
    "SigningError",
    "SigningSession",
    "StampSpec",
    "audit_signing_failure",
    "audit_verification_failure",
    "certificate_import_pkcs12",
    "certificate_issue_on_token",
    "certificate_revoke",
    "crl_bytes",
    "issuing_base_url",
    "load_authority",
    "local_status",
    "mark_revoked",
    "ocsp_response",
    "pki_create",
    "pki_store",
    "prepare_signature_fields",
    "sign_and_publish",
    "sign_batch",
    "sign_pdf",
    "signed_document_create",
    "signed_document_store",
    "signing_session",
    "timestamp_response",
    "timestamper",
    "verification_url",
]
