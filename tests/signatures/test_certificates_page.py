"""The administrator's page of officials' certificates: validity, revocation, PKCS#12 import,
each change an audit event; other roles are refused."""

from __future__ import annotations

from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portal.accounts.constants import Role
from signatures import pki
from signatures.constants import AuditKind, CertificateStatus
from signatures.models import AuditEvent, SigningCertificate
from signatures.verify import verify_pdf
from tests.factories.accounts import StaffFactory


def _p12(pki_material, name: str, password: bytes) -> bytes:
    key = pki.new_ec_key()
    cert = pki.build_signing_cert(
        public_key=key.public_key(),
        full_name=name,
        title="Phó Giám đốc",
        organisation="Sở Tư pháp tỉnh Điện Biên",
        ca_cert=pki_material.issuing_cert,
        ca_key=pki_material.issuing_key,
        ca_slug="issuing",
        endpoints=pki.Endpoints("http://x"),
    )
    return pkcs12.serialize_key_and_certificates(
        b"m", key, cert, None, BestAvailableEncryption(password)
    )


def test_admin_sees_validity_revokes_and_imports(
    client, official, agency, pki_material, one_page_pdf
):
    from signatures import services

    admin = StaffFactory(agency=agency, roles=[Role.ADMIN])
    holder = StaffFactory(agency=agency, roles=[Role.LEADER], full_name="Nguyễn Thị Mai")
    client.force_login(admin)
    page = client.get(reverse("signatures:certificates")).content.decode()
    page = " ".join(page.split())  # a tag's attributes may wrap
    serial = official.signing_certificates.get().serial
    assert f'data-serial="{serial}" data-state="valid"' in page

    wrong = client.post(
        reverse("signatures:certificates"),
        {
            "holder": holder.pk,
            "password": "sai",
            "file": SimpleUploadedFile(
                "mai.p12", _p12(pki_material, "Nguyễn Thị Mai", b"MatKhau-1")
            ),
        },
    )
    assert wrong.status_code == 200 and not SigningCertificate.objects.filter(user=holder).exists()
    imported = client.post(
        reverse("signatures:certificates"),
        {
            "holder": holder.pk,
            "password": "MatKhau-1",
            "file": SimpleUploadedFile(
                "mai.p12", _p12(pki_material, "Nguyễn Thị Mai", b"MatKhau-1")
            ),
        },
    )
    assert imported.status_code == 302
    row = SigningCertificate.objects.get(user=holder)
    assert AuditEvent.objects.filter(
        kind=AuditKind.CERT_IMPORTED, actor=admin, certificate=row
    ).exists()
    # the imported key signs (password asked again), and the certificate verifies
    signed = services.sign_pdf(
        pdf_bytes=one_page_pdf, signer_user=holder, pin="MatKhau-1", reason="x", location="y"
    )
    assert verify_pdf(signed).verdict == "valid"

    response = client.post(
        reverse("signatures:certificate-revoke", args=[official.signing_certificates.get().pk]),
        {"reason": "key_compromise"},
    )
    assert response.status_code == 302
    cert = official.signing_certificates.get()
    assert cert.status == CertificateStatus.REVOKED and cert.revocation_reason == "key_compromise"
    assert AuditEvent.objects.filter(
        kind=AuditKind.CERT_REVOKED, actor=admin, certificate=cert
    ).exists()
    page = " ".join(client.get(reverse("signatures:certificates")).content.decode().split())
    assert f'data-serial="{serial}" data-state="revoked"' in page


def test_only_administrators_see_the_certificates(client, official, agency):
    client.force_login(official)
    assert client.get(reverse("signatures:certificates")).status_code == 403
    response = client.post(
        reverse("signatures:certificate-revoke", args=[official.signing_certificates.get().pk]),
        {"reason": "unspecified"},
    )
    assert response.status_code == 403
    assert official.signing_certificates.get().status == CertificateStatus.ACTIVE
    client.logout()
    assert client.get(reverse("signatures:certificates")).status_code == 302
