"""The PDF work of signing a dossier's result: the leader's signature (the SIGN_APPROVE row) and
the clerical office's issuing signature with number and date (the ISSUE_RESULT row), Decree
30/2020/NĐ-CP Appendix I (the boxes). Called by the rows' effects (:mod:`dossiers.effects`) under the
dossier's row lock; it runs no transition and imports neither the engine's table nor the services,
so the effects and :mod:`dossiers.result_signing` both import it downward (issue 12: no import
circle).

Both signature fields are created before the leader's signature: a field added after a signature
is a change the earlier signature would flag (docs/tech-facts.md "Signatures").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.utils.translation import gettext as _

from signatures import services as signing
from signatures.models import SignedDocument

from .exceptions import DossierError
from .models import Dossier

if TYPE_CHECKING:
    from portal.accounts.typed import Actor


LEADER_FIELD, ISSUING_FIELD = "LanhDao", "VanThu"
#: Decree 30/2020 Appendix I: the leader's signature over the name at the bottom right, the
#: clerical office's issuing signature (with the seal) at the top left of the last page.
LEADER_BOX = (330, 40, 565, 125)
ISSUING_BOX = (40, 40, 290, 125)


def read_pdf(field_file: Any) -> bytes:
    try:
        with field_file.open("rb") as fh:
            data = fh.read()
    except (FileNotFoundError, ValueError, OSError):
        return b""
    return data if data[:1024].find(b"%PDF-") >= 0 else b""


def stamp_location(actor: Actor) -> str:
    agency = getattr(actor, "agency", None)
    return agency.name if agency else ""


@dataclass
class SignedDraft:
    document: SignedDocument
    upload: UploadedFile


def sign_draft(dossier: Dossier, actor: Actor, session: signing.SigningSession) -> SignedDraft:
    """The SIGN_APPROVE row's signing part, under the dossier's row lock: create both signature
    fields, sign the leader's field with a QR stamp to the verification page, store the signed
    document. The engine then approves (status 9) in the same transaction."""
    unsigned = read_pdf(dossier.result_file) if dossier.result_file else b""
    if not unsigned:
        raise DossierError(
            _(
                "The dossier has no draft result (PDF) to sign: the specialist must attach it before forwarding."
            ),
            code="no_draft",
        )
    try:
        prepared = signing.prepare_signature_fields(
            pdf_bytes=unsigned,
            fields=[
                signing.FieldSpec(LEADER_FIELD, box=LEADER_BOX),
                signing.FieldSpec(ISSUING_FIELD, box=ISSUING_BOX),
            ],
        )
    except Exception as exc:  # noqa: BLE001 - any parser failure: the draft is not a usable PDF
        raise DossierError(_("The draft result is not a readable PDF."), code="not_pdf") from exc
    document = signing.signed_document_create(
        title=f"Kết quả hồ sơ {dossier.code}".strip(), dossier=dossier
    )
    signed = session.sign(
        signing.BatchItem(
            pdf_bytes=prepared,
            reason="Phê duyệt kết quả giải quyết hồ sơ",
            location=stamp_location(actor),
            field_name=LEADER_FIELD,
            stamp=signing.StampSpec(box=LEADER_BOX, verify_url=signing.verification_url(document)),
        )
    )
    signing.signed_document_store(
        document=document, pdf_bytes=signed, filename=f"{document.token}.pdf"
    )
    return SignedDraft(
        document, SimpleUploadedFile("ket-qua.pdf", signed, content_type="application/pdf")
    )


def issue_signed(
    dossier: Dossier,
    actor: Actor,
    session: signing.SigningSession,
    *,
    number: str,
    issued_on: datetime,
) -> tuple[SignedDocument, bytes]:
    """The ISSUE_RESULT row's signing part, under the dossier's row lock: the second signature
    with the number and date, on the leader's signed document."""
    document = (
        SignedDocument.objects.select_for_update()
        .filter(dossier=dossier)
        .exclude(file="")
        .order_by("-created_at")
        .first()
    )
    if document is None:
        raise DossierError(_("The result has not been signed by the leader."), code="not_signed")
    if document.issue_number:
        raise DossierError(_("The result has already been issued."), code="already_issued")
    current = read_pdf(document.file)
    signed = session.sign(
        signing.BatchItem(
            pdf_bytes=current,
            reason="Phát hành văn bản",
            location=stamp_location(actor),
            field_name=ISSUING_FIELD,
            stamp=signing.StampSpec(
                box=ISSUING_BOX, extra_lines=(f"Số: {number}", f"Ngày: {issued_on:%d/%m/%Y}")
            ),
        )
    )
    signing.signed_document_store(
        document=document, pdf_bytes=signed, filename=f"{document.token}.pdf"
    )
    document.issue_number, document.issued_at = number, issued_on
    document.save(update_fields=["issue_number", "issued_at"])
    return document, signed
