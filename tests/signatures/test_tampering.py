"""A changed byte, bytes appended after signing, a signer from another CA and a revoked
certificate are each reported as such by poppler's pdfsig and by the portal's verifier."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12

from portal.accounts.constants import Role
from signatures import pki, services
from signatures.constants import AuditKind, RevocationReason
from signatures.models import AuditEvent
from signatures.verify import verify_pdf
from tests.factories.signatures import OfficialFactory


@pytest.fixture
def signed(official, pin, one_page_pdf) -> bytes:
    return services.sign_pdf(
        pdf_bytes=one_page_pdf,
        signer_user=official,
        pin=pin,
        reason="Phê duyệt",
        location="Điện Biên",
    )


def test_one_byte_changed_is_a_digest_mismatch(signed, pdfsig):
    # A byte inside the first signed range (the page's content stream), as a forger would change it.
    offset = signed.index(b"stream\n") + 20
    tampered = signed[:offset] + bytes([signed[offset] ^ 0x01]) + signed[offset + 1 :]

    assert "Digest Mismatch." in pdfsig(tampered)
    report = verify_pdf(tampered)
    assert report.verdict == "changed"
    assert report.signatures[0].intact is False
    assert (
        AuditEvent.objects.filter(
            kind=AuditKind.VERIFY_FAILED, document_sha256=report.sha256
        ).exists()
        is False
    )  # verify_pdf alone does not audit


def test_bytes_appended_after_signing(signed, pdfsig):
    appended = signed + b"\n% them noi dung sau khi ky\n1 0 obj\n(gia mao)\nendobj\n"

    assert "Total document signed" in pdfsig(signed)
    text = pdfsig(appended)
    assert "Signature is Valid." in text  # the signed bytes themselves are intact ...
    assert "Not total document signed" in text  # ... but pdfsig sees the document goes beyond them
    report = verify_pdf(appended)
    assert report.verdict == "changed"
    assert report.signatures[0].bytes_appended is True
    assert verify_pdf(signed).signatures[0].bytes_appended is False


def test_signer_from_another_ca_is_untrusted(pki_rows, agency, one_page_pdf, pdfsig, live_server):
    other = pki.generate(base_url=live_server.url, province="Lai Châu")
    key = pki.new_ec_key()
    cert = pki.build_signing_cert(
        public_key=key.public_key(),
        full_name="Kẻ Mạo Danh",
        title="Giám đốc",
        organisation="Cơ quan khác",
        ca_cert=other.issuing_cert,
        ca_key=other.issuing_key,
        ca_slug="issuing",
        endpoints=pki.Endpoints(live_server.url),
    )
    p12 = pkcs12.serialize_key_and_certificates(
        b"x",
        key,
        cert,
        [other.issuing_cert, other.root_cert],
        BestAvailableEncryption(b"MatKhauP12"),
    )
    impostor = OfficialFactory(agency=agency, roles=[Role.LEADER])
    services.certificate_import_pkcs12(user=impostor, pkcs12_bytes=p12, password="MatKhauP12")

    signed = services.sign_pdf(
        pdf_bytes=one_page_pdf,
        signer_user=impostor,
        pin="MatKhauP12",
        reason="Giả mạo",
        location="?",
    )

    text = pdfsig(signed)
    assert "Signature is Valid." in text  # mathematically fine ...
    assert "Certificate is Trusted." not in text  # ... but not from a root the province trusts
    report = verify_pdf(signed)
    assert report.verdict == "untrusted"
    assert report.signatures[0].signer == "Kẻ Mạo Danh"


def test_revoked_certificate(official, signed, pdfsig):
    services.certificate_revoke(
        certificate=official.signing_certificates.get(), reason=RevocationReason.KEY_COMPROMISE
    )

    assert "Certificate has been Revoked." in pdfsig(signed)  # NSS asks the portal's OCSP responder
    report = verify_pdf(signed)
    assert report.verdict == "revoked"
    assert report.signatures[0].revoked_at is not None
    assert AuditEvent.objects.filter(kind=AuditKind.CERT_REVOKED).count() == 1


def test_a_revoked_official_can_no_longer_sign(official, pin, one_page_pdf):
    services.certificate_revoke(certificate=official.signing_certificates.get())
    with pytest.raises(services.SigningError):
        services.sign_pdf(
            pdf_bytes=one_page_pdf, signer_user=official, pin=pin, reason="x", location="y"
        )


def test_wrong_pin_is_refused_and_audited(official, one_page_pdf):
    with pytest.raises(services.SigningError, match="PIN"):
        services.sign_pdf(
            pdf_bytes=one_page_pdf, signer_user=official, pin="000000", reason="x", location="y"
        )
    assert AuditEvent.objects.filter(kind=AuditKind.SIGN_FAILED, actor=official).count() == 1
