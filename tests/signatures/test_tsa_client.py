"""The portal's RFC 3161 client and responder: one HTTP round trip, a token signed by the TSA
key, and clear errors when the authority is unreachable or answers something else."""

from __future__ import annotations

import asyncio
import hashlib
import socket

import pytest
from asn1crypto import tsp
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.hashes import SHA256
from pyhanko.sign.timestamps.common_utils import TimestampRequestError

from signatures import pki
from signatures.eventloop import outside_event_loop
from signatures.tsa_client import HttpTimeStamper

pytestmark = pytest.mark.django_db(transaction=True)


def _query() -> tsp.TimeStampReq:
    return tsp.TimeStampReq(
        {
            "version": 1,
            "cert_req": True,
            "message_imprint": {
                "hash_algorithm": {"algorithm": "sha256"},
                "hashed_message": hashlib.sha256(b"ho so").digest(),
            },
        }
    )


def test_token_from_the_portal_tsa_is_signed_by_its_key(pki_rows, pki_material):
    stamper = HttpTimeStamper(pki.Endpoints(pki_material.base_url).tsa)
    response = outside_event_loop(asyncio.run, stamper.async_request_tsa_response(_query()))
    assert response["status"]["status"].native == "granted"
    signed_data = response["time_stamp_token"]["content"]
    info = signed_data["encap_content_info"]["content"].parsed
    assert info["message_imprint"]["hashed_message"].native == hashlib.sha256(b"ho so").digest()
    assert info["policy"].dotted == pki.TSA_POLICY_OID
    signer = signed_data["signer_infos"][0]
    # The signature over the signed attributes verifies with the TSA certificate's public key.
    pki_material.tsa_cert.public_key().verify(
        signer["signature"].native,
        signer["signed_attrs"].untag().dump(),
        PKCS1v15(),
        SHA256(),
    )


def test_unreachable_tsa_is_a_timestamp_error():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there
    with pytest.raises(TimestampRequestError, match="unreachable"):
        HttpTimeStamper(f"http://127.0.0.1:{port}/tsa/", timeout=2)._post(_query().dump())


def test_tsa_address_that_is_not_http_is_refused():
    with pytest.raises(TimestampRequestError, match="Unsupported"):
        HttpTimeStamper("ftp://tsa.example.vn/")._post(b"x")


def test_a_page_that_is_not_a_tsa_is_reported(live_server):
    with pytest.raises(TimestampRequestError, match="HTTP 404|content type"):
        HttpTimeStamper(f"{live_server.url}/khong-co-trang-nay/")._post(_query().dump())
