"""The leader's signature, then the clerical office's issuing signature with number, date and the
agency's seal (Decree 30/2020), on fields created before the first signature."""

from __future__ import annotations

import io

from PIL import Image

from portal.accounts.constants import Role
from signatures import services
from signatures.verify import verify_pdf
from tests.factories.signatures import PIN, OfficialFactory


def _png(color: tuple[int, int, int, int]) -> bytes:
    buf = io.BytesIO()
    Image.new("RGBA", (120, 120), color).save(buf, format="PNG")
    return buf.getvalue()


def test_leader_then_clerical_office_sign_in_order(official, agency, one_page_pdf, pdfsig):
    clerk = OfficialFactory(
        agency=agency,
        full_name="Quàng Thị Hoa",
        position="Văn thư",
        roles=[Role.CLERICAL],
        with_certificate=True,
    )
    prepared = services.prepare_signature_fields(
        pdf_bytes=one_page_pdf,
        fields=[
            services.FieldSpec("LanhDao", box=(330, 120, 565, 200)),
            services.FieldSpec("VanThu", box=(330, 30, 565, 110)),
        ],
    )
    document = services.signed_document_create(title="Quyết định 123/QĐ-STP")
    url = services.verification_url(document)

    by_leader = services.sign_pdf(
        pdf_bytes=prepared,
        signer_user=official,
        pin=PIN,
        reason="Phê duyệt",
        location="Điện Biên",
        field_name="LanhDao",
        stamp=services.StampSpec(signature_image=_png((0, 0, 160, 255))),
    )
    issued = services.sign_pdf(
        pdf_bytes=by_leader,
        signer_user=clerk,
        pin=PIN,
        reason="Phát hành",
        location="Điện Biên",
        field_name="VanThu",
        stamp=services.StampSpec(
            seal_image=_png((200, 0, 0, 200)),
            extra_lines=("Số: 123/QĐ-STP", "Ngày: 09/06/2026"),
            verify_url=url,
        ),
    )
    services.signed_document_store(document=document, pdf_bytes=issued)

    report = verify_pdf(issued)
    assert [(s.field_name, s.signer, s.verdict) for s in report.signatures] == [
        ("LanhDao", "Lò Văn Thắng", "valid"),
        ("VanThu", "Quàng Thị Hoa", "valid"),
    ]
    text = pdfsig(issued)
    assert text.count("Signature is Valid.") == 2, text
    assert text.index("Lò Văn Thắng") < text.index("Quàng Thị Hoa")
    assert "Total document signed" in text, text


def test_signing_a_signed_field_again_is_refused(official, one_page_pdf):
    signed = services.sign_pdf(
        pdf_bytes=one_page_pdf,
        signer_user=official,
        pin=PIN,
        reason="x",
        location="y",
        field_name="LanhDao",
    )
    try:
        services.sign_pdf(
            pdf_bytes=signed,
            signer_user=official,
            pin=PIN,
            reason="x",
            location="y",
            field_name="LanhDao",
        )
    except services.SigningError as exc:
        assert "LanhDao" in str(exc)
    else:
        raise AssertionError("a signed field was signed twice")


def test_batch_reports_progress_and_isolates_a_bad_document(official, one_page_pdf):
    seen = []
    results = services.sign_batch(
        items=[
            services.BatchItem(pdf_bytes=one_page_pdf, reason="a", location="b", key="hs-1"),
            services.BatchItem(pdf_bytes=b"not a pdf", reason="a", location="b", key="hs-2"),
            services.BatchItem(pdf_bytes=one_page_pdf, reason="a", location="b", key="hs-3"),
        ],
        signer_user=official,
        pin=PIN,
        progress=lambda done, total, result: seen.append(
            (done, total, result.key, bool(result.signed))
        ),
    )
    assert seen == [(1, 3, "hs-1", True), (2, 3, "hs-2", False), (3, 3, "hs-3", True)]
    assert results[1].error
    assert verify_pdf(results[2].signed).verdict == "valid"


def test_pdfsig_trusts_both_b_lt_signers(official, agency, one_page_pdf, pdfsig):
    """Two B-LT signatures in order: both certificates chain to the province's root for pdfsig.

    poppler 22.12 (Debian 12) reports the certificate of every signature after the first as
    "Unknown issue with Certificate or corrupted data" when it checks OCSP online: its
    ``SignatureHandler::validateCertificate`` ignores the SECStatus of ``CERT_PKIXVerifyCert``
    and reads ``PORT_GetError()``, a thread-wide last error NSS does not clear on success, so an
    error left over from the earlier signature's OCSP work is read as this one's (it happens with
    the same certificate signing twice, at B-T as well, with no second OCSP request made; later
    poppler checks the SECStatus first). With ``-no-ocsp`` NSS's answer is read correctly; the
    revocation status is checked by the portal's own verifier and, for one signature, by pdfsig.
    """
    clerk = OfficialFactory(
        agency=agency,
        full_name="Quàng Thị Hoa",
        position="Văn thư",
        roles=[Role.CLERICAL],
        with_certificate=True,
    )
    prepared = services.prepare_signature_fields(
        pdf_bytes=one_page_pdf,
        fields=[
            services.FieldSpec("LanhDao", box=(330, 120, 565, 200)),
            services.FieldSpec("VanThu", box=(330, 30, 565, 110)),
        ],
    )
    first = services.sign_pdf(
        pdf_bytes=prepared,
        signer_user=official,
        pin=PIN,
        reason="a",
        location="b",
        field_name="LanhDao",
        level="B-LT",
    )
    both = services.sign_pdf(
        pdf_bytes=first,
        signer_user=clerk,
        pin=PIN,
        reason="a",
        location="b",
        field_name="VanThu",
        level="B-LT",
    )

    def certificate_lines(text: str) -> list[str]:
        return [
            line.split(": ", 1)[1] for line in text.splitlines() if "Certificate Validation" in line
        ]

    assert certificate_lines(pdfsig(first)) == ["Certificate is Trusted."]
    offline = pdfsig(both, "-no-ocsp")
    assert offline.count("Signature is Valid.") == 2, offline
    assert certificate_lines(offline) == ["Certificate is Trusted.", "Certificate is Trusted."], (
        offline
    )
    online = pdfsig(both)
    assert certificate_lines(online)[0] == "Certificate is Trusted.", online
    assert [(s.field_name, s.verdict, s.revoked) for s in verify_pdf(both).signatures] == [
        ("LanhDao", "valid", False),
        ("VanThu", "valid", False),
    ]
