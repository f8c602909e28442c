"""A revoked organisation certificate cannot sign what the exchange accepts.

Ours: revoking an agency's certificate (admin action / service) puts it on the CRL and OCSP says
"revoked"; envelopes it signed are refused with status 02 "revoked"; the agency's next envelope is
signed with a new certificate. A peer's: checked against the CRL its certificate names (a real
HTTP server here), cached, refused when listed; when the CRL cannot be had, accepted with a
warning ("prefer", the default) or refused ("require")."""

from __future__ import annotations

import datetime as dt
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from documents import edxml, exchange
from documents.models import ExchangePeer, IncomingDocument
from signatures import agency_keys, pki, revocation, services
from signatures.constants import AuditKind, CertificateStatus
from signatures.models import AgencyCertificate, AuditEvent
from tests.documents.exchange_support import *  # noqa: F403
from tests.documents.test_exchange_inbound import message, post, rejection

pytestmark = pytest.mark.django_db
H17 = "000.00.01.H17"


@pytest.fixture(autouse=True)
def _media_and_cache(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = str(tmp_path / "media")
    revocation.clear_cache()
    yield
    revocation.clear_cache()


def test_a_revoked_agency_certificate_is_listed_and_its_envelopes_refused(client, world) -> None:  # type: ignore[no-untyped-def]
    old_identity = exchange.identity(world.a)
    old_envelope = edxml.build_document(message(world), old_identity)
    row = AgencyCertificate.objects.get(agency=world.a, status=CertificateStatus.ACTIVE)
    agency_keys.agency_certificate_revoke(certificate=row, actor=world.leader_a)
    row.refresh_from_db()
    assert row.status == CertificateStatus.REVOKED and row.revoked_at is not None
    assert (
        AuditEvent.objects.filter(
            kind=AuditKind.CERT_REVOKED, detail__organisation_certificate=row.serial
        ).count()
        == 1
    )

    # the CRL of our issuing CA lists it, and OCSP's lookup says revoked
    crl = x509.load_der_x509_crl(services.crl_bytes(ca_slug="issuing"))
    assert crl.get_revoked_certificate_by_serial_number(int(row.serial, 16)) is not None
    leaf, issuer = old_identity.chain[0], old_identity.chain[1]
    assert services.local_status(issuer, leaf.serial_number).state == "revoked"

    body = rejection(post(client, old_envelope), "revoked")
    assert "thu hồi" in body["detail"] and "revoked" not in body["detail"]  # the peer reads vi

    # the agency carries on with a new certificate
    new_identity = exchange.identity(world.a)
    assert new_identity.chain[0].serial_number != leaf.serial_number
    assert post(client, edxml.build_document(message(world), new_identity)).status_code == 200
    assert IncomingDocument.objects.count() == 1


class _CrlServer:
    """A peer province's CRL distribution point: serves whatever CRL the test sets."""

    def __init__(self) -> None:
        outer = self
        self.crl = b""
        self.hits = 0

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                outer.hits += 1
                self.send_response(200)
                self.send_header("Content-Type", "application/pkix-crl")
                self.send_header("Content-Length", str(len(outer.crl)))
                self.end_headers()
                self.wfile.write(outer.crl)

            def log_message(self, *args) -> None:  # type: ignore[no-untyped-def]  # noqa: ANN002
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def peer_pki():  # type: ignore[no-untyped-def]
    server = _CrlServer()
    material = pki.generate(base_url=server.url, province="Lai Châu")
    yield server, material
    server.close()


def _peer_identity(material: pki.PKIMaterial) -> edxml.SigningIdentity:
    key = pki.new_rsa_key()
    from tests.documents.edxml_support import _AgencyLike

    cert = agency_keys.build_organisation_cert(
        agency=_AgencyLike(H17, "UBND tỉnh Lai Châu"),
        public_key=key.public_key(),
        ca_cert=material.issuing_cert,  # type: ignore[arg-type]
        ca_key=material.issuing_key,
        ca_slug="issuing",
        endpoints=pki.Endpoints(material.base_url),
    )
    return edxml.SigningIdentity(key=key, chain=[cert, material.issuing_cert])


def _peer_message(world):  # type: ignore[no-untyped-def]
    return message(
        world,
        document_id="lc-1",
        from_organ=edxml.Organ(H17, "UBND tỉnh Lai Châu"),
        to_organs=[edxml.Organ(world.b.code)],
    )


def _crl(material: pki.PKIMaterial, *serials: int, key=None) -> bytes:  # type: ignore[no-untyped-def]
    revoked = [pki.Revoked(s, pki.now() - dt.timedelta(hours=1), "key_compromise") for s in serials]
    return pki.build_crl(
        ca_cert=material.issuing_cert, ca_key=key or material.issuing_key, revoked=revoked, number=1
    )


def test_a_peer_certificate_is_checked_against_its_crl(client, world, peer_pki) -> None:  # type: ignore[no-untyped-def]
    server, material = peer_pki
    ExchangePeer.objects.create(
        name="UBND tỉnh Lai Châu",
        organ_code="*.H17",
        endpoint_url="http://127.0.0.1:9/api/v1/edxml/inbound/",
        trust_roots_pem=material.root_cert.public_bytes(serialization.Encoding.PEM).decode(),
    )
    good, bad = _peer_identity(material), _peer_identity(material)
    server.crl = _crl(material, bad.chain[0].serial_number)

    assert post(client, edxml.build_document(_peer_message(world), good)).status_code == 200
    assert (
        post(
            client,
            edxml.build_document(
                message(
                    world,
                    document_id="lc-2",
                    from_organ=edxml.Organ(H17),
                    to_organs=[edxml.Organ(world.b.code)],
                ),
                good,
            ),
        ).status_code
        == 200
    )
    assert server.hits == 1  # fetched once, then cached until its nextUpdate
    response = post(
        client,
        edxml.build_document(
            message(
                world,
                document_id="lc-3",
                from_organ=edxml.Organ(H17),
                to_organs=[edxml.Organ(world.b.code)],
            ),
            bad,
        ),
    )
    assert response.status_code == 422 and response.json()["reason"] == "revoked"
    assert IncomingDocument.objects.count() == 2  # the two good ones only


def test_a_peer_crl_that_cannot_be_had_is_a_warning_or_a_refusal(
    client, world, peer_pki, settings, caplog
) -> None:  # type: ignore[no-untyped-def]
    server, material = peer_pki
    ExchangePeer.objects.create(
        name="UBND tỉnh Lai Châu",
        organ_code="*.H17",
        endpoint_url="http://127.0.0.1:9/api/v1/edxml/inbound/",
        trust_roots_pem=material.root_cert.public_bytes(serialization.Encoding.PEM).decode(),
    )
    identity = _peer_identity(material)
    # a CRL signed by someone else than the issuer is no answer
    server.crl = _crl(material, key=pki.new_ec_key())
    settings.EDXML_REVOCATION_CHECK = "require"
    body = rejection(
        post(client, edxml.build_document(_peer_message(world), identity)), "revocation_unknown"
    )
    assert "not signed by the certificate's issuer" in body["detail"]
    # the CRL server is down
    server.close()
    revocation.clear_cache()
    rejection(
        post(client, edxml.build_document(_peer_message(world), identity)), "revocation_unknown"
    )
    settings.EDXML_REVOCATION_CHECK = "prefer"
    with caplog.at_level("WARNING", logger="documents.exchange"):
        assert post(client, edxml.build_document(_peer_message(world), identity)).status_code == 200
    assert any(r.message == "edxml.revocation_unknown" for r in caplog.records)
    settings.EDXML_REVOCATION_CHECK = "off"
    assert revocation.check_mode() == "off"
