"""The agencies' organisation certificates (signatures.agency_keys): issued once from the
province's issuing CA, key encrypted at rest, audited, cached; envelopes they sign verify
against this portal's trust roots. Real PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from cryptography.hazmat.primitives import serialization
from django.db import connection
from django.test.utils import CaptureQueriesContext

from documents import edxml
from documents.edxml.trust import organ_id_of, verify_chain
from signatures import agency_keys, keywrap, pki, services
from signatures.constants import AuditKind
from signatures.models import AgencyCertificate, AuditEvent
from tests.documents.edxml_support import LIMITS, document
from tests.factories.agencies import AgencyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def material() -> pki.PKIMaterial:
    return pki.generate(base_url="http://127.0.0.1:8000")


@pytest.fixture
def pki_rows(material, db):  # type: ignore[no-untyped-def]
    agency_keys._cache.clear()
    return services.pki_store(material=material)


@pytest.fixture
def agency(db):  # type: ignore[no-untyped-def]
    return AgencyFactory(
        code="000.00.12.H18", name="Sở Tư pháp tỉnh Điện Biên", email="stp@dienbien.gov.vn"
    )


def test_first_use_issues_an_organisation_certificate_from_the_issuing_ca(pki_rows, agency) -> None:  # type: ignore[no-untyped-def]
    identity = agency_keys.agency_identity(agency)
    leaf = identity.chain[0]
    row = AgencyCertificate.objects.get(agency=agency)
    assert row.serial == pki.serial_hex(leaf.serial_number)
    assert row.issuer == pki_rows["issuing"]
    assert leaf.issuer == pki_rows["issuing"].certificate.subject
    assert organ_id_of(leaf) == "000.00.12.H18"
    assert (
        leaf.subject.get_attributes_for_oid(pki.NameOID.ORGANIZATION_NAME)[0].value
        == "Sở Tư pháp tỉnh Điện Biên"
    )
    assert [c.subject for c in identity.chain] == [
        leaf.subject,
        pki_rows["issuing"].certificate.subject,
    ]  # root not carried
    assert verify_chain(identity.chain, agency_keys.trust_roots()) == leaf
    # the key is encrypted at rest, bound to its serial, and matches the certificate
    blob = bytes(row.encrypted_key)
    assert b"PRIVATE KEY" not in blob
    key = pki.key_from_pem(keywrap.unwrap(blob, context=f"agency:{row.serial}"))
    spki = serialization.PublicFormat.SubjectPublicKeyInfo
    assert key.public_key().public_bytes(
        serialization.Encoding.DER, spki
    ) == leaf.public_key().public_bytes(serialization.Encoding.DER, spki)
    event = AuditEvent.objects.get(kind=AuditKind.CERT_ISSUED)
    assert event.detail["agency"] == "000.00.12.H18" and event.detail["serial"] == row.serial


def test_second_use_is_cached_and_issues_nothing(pki_rows, agency) -> None:  # type: ignore[no-untyped-def]
    first = agency_keys.agency_identity(agency)
    with CaptureQueriesContext(connection) as queries:
        second = agency_keys.agency_identity(agency)
    assert second is first
    assert len(queries) == 1
    assert AgencyCertificate.objects.count() == 1
    assert AuditEvent.objects.filter(kind=AuditKind.CERT_ISSUED).count() == 1


def test_envelope_signed_by_the_agency_verifies_against_the_portal_roots(pki_rows, agency) -> None:  # type: ignore[no-untyped-def]
    data = edxml.build_document(document(), agency_keys.agency_identity(agency))
    parsed = edxml.parse(data, trust_roots=agency_keys.trust_roots(), **LIMITS)
    assert parsed.message.document_id == document().document_id
    assert (
        organ_id_of(parsed.signer_certificate) == agency.code == parsed.message.from_organ.organ_id
    )


def test_other_portal_does_not_trust_us_until_told(pki_rows, agency) -> None:  # type: ignore[no-untyped-def]
    data = edxml.build_document(document(), agency_keys.agency_identity(agency))
    other = pki.generate(base_url="http://other.example", province="Lai Châu")
    with pytest.raises(edxml.EnvelopeRejected) as info:
        edxml.parse(data, trust_roots=[other.root_cert], **LIMITS)
    assert info.value.reason == "untrusted_signer"


def test_certificate_near_its_end_is_renewed(pki_rows, agency) -> None:  # type: ignore[no-untyped-def]
    from django.utils import timezone

    first = agency_keys.agency_identity(agency)
    AgencyCertificate.objects.update(not_after=timezone.now() + agency_keys.RENEW_BEFORE / 2)
    second = agency_keys.agency_identity(agency)
    assert second.chain[0] != first.chain[0]
    assert AgencyCertificate.objects.filter(agency=agency).count() == 2
    assert AuditEvent.objects.filter(kind=AuditKind.CERT_ISSUED).count() == 2


def test_each_agency_has_its_own_certificate(pki_rows, agency) -> None:  # type: ignore[no-untyped-def]
    other = AgencyFactory(code="000.00.13.H18", name="UBND xã Mường Phăng")
    assert organ_id_of(agency_keys.agency_identity(other).chain[0]) == "000.00.13.H18"
    assert organ_id_of(agency_keys.agency_identity(agency).chain[0]) == "000.00.12.H18"


def test_without_a_pki_a_clear_error_in_one_language_and_nothing_written(db, agency) -> None:  # type: ignore[no-untyped-def]
    """One message through gettext (issue 12: no "Tiếng Việt / English" in one string)."""
    agency_keys._cache.clear()
    with pytest.raises(agency_keys.AgencyIdentityError) as info:
        agency_keys.agency_identity(agency)
    assert info.value.message_vi.startswith("Chưa khởi tạo hạ tầng chữ ký số") and "init_pki" in (
        info.value.message_vi
    )
    assert info.value.message_en.startswith("The province's signing PKI has not been created")
    assert " / " not in str(info.value)
    assert not AgencyCertificate.objects.exists() and not AuditEvent.objects.exists()


def test_trust_roots_are_the_province_root_plus_configured_ones(
    pki_rows, settings, tmp_path, material
) -> None:  # type: ignore[no-untyped-def]
    assert agency_keys.trust_roots() == [material.root_cert]
    other = pki.generate(base_url="http://other.example", province="Lai Châu")
    bundle = tmp_path / "roots.pem"
    bundle.write_text(pki.cert_to_pem(other.root_cert) + pki.cert_to_pem(material.root_cert))
    settings.SIGNATURE_TRUST_ROOTS = str(bundle)
    assert agency_keys.trust_roots() == [material.root_cert, other.root_cert]


@pytest.mark.django_db(transaction=True)
def test_two_workers_asking_at_once_issue_one_certificate(material) -> None:  # type: ignore[no-untyped-def]
    agency_keys._cache.clear()
    services.pki_store(material=material)
    agency = AgencyFactory(code="000.00.15.H18", name="Sở Nội vụ")
    barrier = threading.Barrier(4)
    serials: list[int] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            serials.append(agency_keys.agency_certificate_issue(agency=agency).pk)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(set(serials)) == 1
    assert AgencyCertificate.objects.filter(agency=agency).count() == 1
