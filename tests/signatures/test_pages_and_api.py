"""The public verification page and API, and the PKI endpoints, as a visitor or a program sees them."""

from __future__ import annotations

import pytest
from asn1crypto import core, tsp
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from signatures import services
from signatures.constants import AuditKind
from signatures.models import AuditEvent
from tests.factories.signatures import PIN


@pytest.fixture
def signed(official, one_page_pdf) -> bytes:
    return services.sign_pdf(
        pdf_bytes=one_page_pdf,
        signer_user=official,
        pin=PIN,
        reason="Phê duyệt",
        location="Điện Biên",
    )


def test_upload_page_shows_signer_and_verdict_in_vietnamese(client, signed):
    response = client.post(
        reverse("signatures:verify"),
        {"file": SimpleUploadedFile("kq.pdf", signed, "application/pdf")},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Lò Văn Thắng" in body
    assert 'data-verdict="valid"' in body
    assert "Chữ ký hợp lệ" in body


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"GIF89a not a pdf", "Tệp không phải là PDF"),
        (b"%PDF-1.7\n1 0 obj broken", "Tệp PDF bị hỏng"),
    ],
)
def test_bad_uploads_get_a_clear_message(client, pki_rows, content, message):
    response = client.post(
        reverse("signatures:verify"), {"file": SimpleUploadedFile("x.pdf", content)}
    )
    assert response.status_code == 200
    assert message in response.content.decode()


def test_qr_link_verifies_the_stored_document(client, signed):
    document = services.signed_document_create(title="Giấy chứng nhận")
    services.signed_document_store(document=document, pdf_bytes=signed)
    response = client.get(reverse("signatures:verify-token", kwargs={"token": document.token}))
    assert 'data-verdict="valid"' in response.content.decode()
    assert (
        client.get(
            reverse("signatures:verify-token", kwargs={"token": "khong-ton-tai"})
        ).status_code
        == 404
    )


def test_api_reports_each_signature_and_audits_failures(client, signed):
    url = reverse("signatures-verify")
    good = client.post(url, {"file": SimpleUploadedFile("kq.pdf", signed)})
    assert good.status_code == 200
    assert good.json()["verdict"] == "valid"
    assert good.json()["signatures"][0]["signer"] == "Lò Văn Thắng"

    bad = client.post(url, {"file": SimpleUploadedFile("kq.pdf", signed + b"\nxx\n")})
    assert bad.json()["verdict"] == "changed"
    assert " / " in bad.json()["signatures"][0]["message"]
    not_pdf = client.post(url, {"file": SimpleUploadedFile("a.txt", b"hello")})
    assert not_pdf.status_code == 400
    assert "not a PDF" in not_pdf.json()["error"]
    assert AuditEvent.objects.filter(kind=AuditKind.VERIFY_FAILED).count() == 2


def test_crl_lists_a_revoked_certificate(client, official):
    cert = official.signing_certificates.get()
    services.certificate_revoke(certificate=cert)
    crl = x509.load_der_x509_crl(client.get("/chu-ky-so/crl/issuing.crl").content)
    issuing = x509.load_pem_x509_certificate(official.signing_certificates.get().chain_pem.encode())
    assert crl.is_signature_valid(issuing.public_key())
    assert crl.get_revoked_certificate_by_serial_number(int(cert.serial, 16)) is not None
    assert client.get("/chu-ky-so/crl/khong-co.crl").status_code == 404


def test_ocsp_answers_good_then_revoked(client, official):
    row = official.signing_certificates.get()
    cert = row.certificate
    issuer = x509.load_pem_x509_certificate(row.chain_pem.encode())
    req = (
        ocsp.OCSPRequestBuilder()
        .add_certificate(cert, issuer, hashes.SHA1())
        .build()
        .public_bytes(serialization.Encoding.DER)
    )

    def status():
        resp = ocsp.load_der_ocsp_response(
            client.post("/chu-ky-so/ocsp/", req, content_type="application/ocsp-request").content
        )
        return resp.certificate_status

    assert status() == ocsp.OCSPCertStatus.GOOD
    services.certificate_revoke(certificate=row)
    assert status() == ocsp.OCSPCertStatus.REVOKED
    garbage = client.post("/chu-ky-so/ocsp/", b"rubbish", content_type="application/ocsp-request")
    assert (
        ocsp.load_der_ocsp_response(garbage.content).response_status
        == ocsp.OCSPResponseStatus.MALFORMED_REQUEST
    )


def test_tsa_grants_a_token_for_a_valid_query_and_rejects_garbage(client, pki_rows):
    query = tsp.TimeStampReq(
        {
            "version": 1,
            "message_imprint": {
                "hash_algorithm": {"algorithm": "sha256"},
                "hashed_message": b"\x11" * 32,
            },
            "nonce": 12345,
            "cert_req": True,
        }
    ).dump()
    reply = client.post("/chu-ky-so/tsa/", query, content_type="application/timestamp-query")
    assert reply["Content-Type"] == "application/timestamp-reply"
    parsed = tsp.TimeStampResp.load(reply.content)
    assert parsed["status"]["status"].native == "granted"
    info = parsed["time_stamp_token"]["content"]["encap_content_info"]["content"].parsed
    assert info["nonce"].native == 12345
    assert info["message_imprint"]["hashed_message"].native == b"\x11" * 32

    garbage = core.Sequence.load(
        client.post("/chu-ky-so/tsa/", b"xx", content_type="application/timestamp-query").content
    )
    assert tsp.PKIStatusInfo.load(garbage[0].dump())["status"].native == "rejection"
    assert client.post("/chu-ky-so/tsa/", query, content_type="text/plain").status_code == 415
