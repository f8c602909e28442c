"""Certificates and keys: the PKI command, keys never in plain text, PKCS#12 import, admin revoke,
and who may open the signing page."""

from __future__ import annotations

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from portal.accounts.constants import Role
from signatures import pki, services
from signatures.constants import AuditKind, CertificateStatus
from signatures.models import AuditEvent, CertificateAuthority
from tests.factories.accounts import StaffFactory, UserFactory
from tests.factories.signatures import PIN


def test_init_pki_creates_nss_friendly_cas_and_refuses_to_run_twice(transactional_db, capsys):
    call_command("init_pki", base_url="https://dichvucong.dienbien.gov.vn")
    root = CertificateAuthority.objects.get(slug="root").certificate
    issuing = CertificateAuthority.objects.get(slug="issuing").certificate
    tsa = CertificateAuthority.objects.get(slug="tsa").certificate
    bc = issuing.extensions.get_extension_for_class(x509.BasicConstraints)
    assert bc.critical and bc.value.ca and bc.value.path_length == 0
    ku = root.extensions.get_extension_for_class(x509.KeyUsage)
    assert ku.critical and ku.value.key_cert_sign and ku.value.crl_sign
    aia = issuing.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
    assert aia[0].access_location.value == "https://dichvucong.dienbien.gov.vn/chu-ky-so/ocsp/"
    eku = tsa.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    assert eku.critical and list(eku.value) == [x509.oid.ExtendedKeyUsageOID.TIME_STAMPING]
    with pytest.raises(CommandError):
        call_command("init_pki")


def test_ca_keys_are_stored_encrypted(pki_rows, pki_material):
    stored = bytes(CertificateAuthority.objects.get(slug="root").encrypted_key)
    plain = pki.key_to_pem(pki_material.root_key)
    assert b"PRIVATE KEY" not in stored
    assert plain[30:60] not in stored


def test_official_certificate_profile(official):
    cert = official.signing_certificates.get().certificate
    names = {a.oid: a.value for a in cert.subject}
    assert names[x509.NameOID.COMMON_NAME] == "Lò Văn Thắng"
    assert names[x509.NameOID.TITLE] == "Giám đốc"
    assert names[x509.NameOID.STATE_OR_PROVINCE_NAME] == "Điện Biên"
    ku = cert.extensions.get_extension_for_class(x509.KeyUsage)
    assert ku.critical and ku.value.digital_signature and ku.value.content_commitment
    assert AuditEvent.objects.filter(
        kind=AuditKind.CERT_ISSUED, certificate__user=official
    ).exists()


def test_pkcs12_import_rejects_a_wrong_password_and_a_certificate_without_non_repudiation(
    pki_rows, pki_material, agency
):
    user = StaffFactory(agency=agency, roles=[Role.LEADER])
    key = pki.new_ec_key()
    cert = pki.build_signing_cert(
        public_key=key.public_key(),
        full_name="Nguyễn Thị Mai",
        title="Phó Giám đốc",
        organisation="Sở Y tế",
        ca_cert=pki_material.issuing_cert,
        ca_key=pki_material.issuing_key,
        ca_slug="issuing",
        endpoints=pki.Endpoints("http://x"),
    )
    p12 = pkcs12.serialize_key_and_certificates(
        b"m", key, cert, None, BestAvailableEncryption(b"Dung-Mat-Khau1")
    )
    with pytest.raises(ValidationError):
        services.certificate_import_pkcs12(user=user, pkcs12_bytes=p12, password="sai")
    with pytest.raises(ValidationError):
        services.certificate_import_pkcs12(user=user, pkcs12_bytes=b"rubbish", password="x")
    row = services.certificate_import_pkcs12(user=user, pkcs12_bytes=p12, password="Dung-Mat-Khau1")
    assert row.issuer.slug == "issuing"
    assert b"Dung-Mat-Khau1" not in bytes(row.encrypted_pkcs12)
    with pytest.raises(ValidationError):
        services.certificate_import_pkcs12(user=user, pkcs12_bytes=p12, password="Dung-Mat-Khau1")


def test_admin_revoke_action(client, official):
    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    cert = official.signing_certificates.get()
    response = client.post(
        reverse("admin:signatures_signingcertificate_changelist"),
        {"action": "revoke_selected", "_selected_action": [cert.pk]},
        follow=True,
    )
    assert response.status_code == 200
    cert.refresh_from_db()
    assert cert.status == CertificateStatus.REVOKED
    assert AuditEvent.objects.get(kind=AuditKind.CERT_REVOKED).actor == admin
    listing = client.get(reverse("admin:signatures_signingcertificate_changelist")).content.decode()
    assert "Lò Văn Thắng" in listing


def test_signing_page_access(client, official, agency):
    url = reverse("signatures:sign")
    assert client.get(url).status_code == 302  # anonymous → login
    client.force_login(StaffFactory(agency=agency, roles=[Role.CLERK]))
    assert client.get(url).status_code == 403
    client.force_login(UserFactory())
    assert client.get(url).status_code == 403
    client.force_login(official)
    assert client.get(url).status_code == 200


def test_wrong_pin_on_the_signing_page_publishes_nothing(client, official, one_page_pdf):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from signatures.models import SignedDocument

    client.force_login(official)
    response = client.post(
        reverse("signatures:sign"),
        {
            "files": [SimpleUploadedFile("a.pdf", one_page_pdf)],
            "reason": "Phê duyệt",
            "level": "B-T",
            "pin": "999999",
        },
    )
    assert response.status_code == 200
    assert "Mã PIN không đúng" in response.content.decode()
    assert SignedDocument.objects.count() == 0
    ok = client.post(
        reverse("signatures:sign"),
        {
            "files": [SimpleUploadedFile("a.pdf", one_page_pdf)],
            "reason": "Phê duyệt",
            "level": "B-T",
            "pin": PIN,
        },
    )
    assert 'data-ok="1"' in ok.content.decode()
    assert SignedDocument.objects.count() == 1


def test_issue_certificate_command_reads_the_pin_from_the_environment(
    pki_rows, agency, monkeypatch, one_page_pdf
):
    from django.core.management import call_command

    from signatures.verify import verify_pdf

    user = StaffFactory(agency=agency, full_name="Lường Văn Minh", roles=[Role.LEADER])
    monkeypatch.setenv("TEST_SIGNING_PIN", "135790")
    call_command("issue_signing_certificate", user.username, pin_env="TEST_SIGNING_PIN")
    signed = services.sign_pdf(
        pdf_bytes=one_page_pdf, signer_user=user, pin="135790", reason="x", location="y"
    )
    assert verify_pdf(signed).signatures[0].signer == "Lường Văn Minh"
