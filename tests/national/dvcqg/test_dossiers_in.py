"""Dossiers in (issue 17): a dossier filed on the simulated DVCQG arrives here signed, once, with
its code, form data and files, in the receiving agency's intake queue; an unsigned, tampered,
stale or replayed push changes nothing; the poll is the fallback."""

from __future__ import annotations

import base64
import json
import time

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.urls import reverse

from dossiers import services as dossier_services
from dossiers.constants import Channel, DossierStatus
from dossiers.models import Dossier
from dossiers.selectors import intake_queue
from national.dvcqg.inbound import poll
from national.dvcqg.models import InboundDossier
from national.dvcqg.signing import signing_string
from tests.dossiers.conftest import PDF

URL = "/api/v1/national/dvcqg/inbound/"


def _filing(world, code="G09.20-261203-0000001", **extra):
    doc = world.procedure.versions.first().snapshot["documents"][0]
    return {
        "MaHoSo": code,
        "MaTTHC": world.procedure.code,
        "MaDonViNhan": world.agency.code,
        "ChuHoSo": "Lò Văn Bình",
        "SoGiayToChuHoSo": "011200009999",
        "SoDienThoai": "0912000111",
        "Email": "binh@example.vn",
        "TaiKhoanDuocXacThucVoiVNeID": "1",
        "DuLieuBieuMau": {"ho_ten": "Lò Văn Bình", "ly_do": "Cấp mới"},
        "TaiLieuNop": [
            {
                "TenTepDinhKem": "to-khai.pdf",
                "MaThanhPhanHoSo": str(doc["id"]),
                "DuLieuTepTin": base64.b64encode(PDF).decode(),
                "DuocSoHoa": "0",
            }
        ],
        **extra,
    }


def _wait(predicate, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.django_db(transaction=True)
def test_a_pushed_dossier_arrives_once_in_the_clerks_queue(world, dvcqg, live_server):
    dvcqg.call("POST", "/_sim/config", {"push_url": live_server.url + URL})
    dvcqg.faults([{"match": "push", "kind": "duplicate"}])
    dvcqg.call("POST", "/_sim/file", _filing(world))
    assert _wait(lambda: dvcqg.state()["inbound"][0]["acknowledged"])
    dossier = Dossier.objects.get(code="G09.20-261203-0000001")
    assert (dossier.status, dossier.channel, dossier.receiving_agency) == (
        DossierStatus.NEW,
        Channel.ONLINE,
        world.agency,
    )
    assert dossier.form_data == {"ho_ten": "Lò Văn Bình", "ly_do": "Cấp mới"}
    assert [f.original_name for f in dossier.files.all()] == ["to-khai.pdf"]
    assert dossier.files.first().file.read() == PDF
    assert InboundDossier.objects.get(dossier=dossier).vneid_verified
    assert (
        Dossier.objects.filter(code__startswith="G09.20-261203").count() == 1
    )  # pushed twice, one dossier
    assert dvcqg.state()["pushes"] == 1
    assert list(intake_queue(world.clerk)) == [dossier]
    assert dossier not in intake_queue(world.other_clerk)
    # the clerk receives it: the national code stays the dossier's code
    received = dossier_services.dossier_receive(dossier=dossier, actor=world.clerk)
    assert received.code == "G09.20-261203-0000001" and received.status == DossierStatus.RECEIVED


def _signed(client, body: bytes, key, *, path=URL, timestamp=None, nonce="n-0123456789abcdef"):
    timestamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = key.sign(
        signing_string("POST", path, timestamp, nonce, body), ec.ECDSA(hashes.SHA256())
    )
    return client.post(
        path,
        data=body,
        content_type="application/json",
        headers={
            "X-DVCQG-Timestamp": timestamp,
            "X-DVCQG-Nonce": nonce,
            "X-DVCQG-Signature": base64.b64encode(signature).decode(),
        },
    )


@pytest.fixture
def own_key(tmp_path, settings, dvcqg):
    key = ec.generate_private_key(ec.SECP256R1())
    pem = tmp_path / "key.pem"
    pem.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    settings.DVCQG_PUSH_PUBLIC_KEY = str(pem)
    return key


@pytest.mark.django_db
def test_signature_freshness_and_replay(world, client, own_key):
    body = json.dumps(_filing(world)).encode()
    other = ec.generate_private_key(ec.SECP256R1())
    assert (
        client.post(URL, data=body, content_type="application/json").status_code == 401
    )  # unsigned
    assert _signed(client, body, other).status_code == 401  # another key
    assert _signed(client, body, own_key, timestamp=time.time() - 3600).status_code == 401  # stale
    tampered = client.post(
        URL,
        data=body.replace(b"0912000111", b"0912000222"),
        content_type="application/json",
        headers={k: v for k, v in _signed_headers(body, own_key).items()},
    )
    assert tampered.status_code == 401
    assert not Dossier.objects.exists()
    ok = _signed(client, body, own_key)
    assert (
        ok.status_code == 200 and ok.json()["error_code"] == "00" and ok.json()["created"] is True
    )
    replay = _signed(client, body, own_key)  # same nonce
    assert replay.status_code == 409
    again = _signed(client, body, own_key, nonce="n-another-nonce-1")  # a duplicate delivery
    assert again.status_code == 200 and again.json()["created"] is False
    assert Dossier.objects.count() == 1


def _signed_headers(body, key, nonce="n-tamper-000000001"):
    timestamp = str(int(time.time()))
    signature = key.sign(
        signing_string("POST", URL, timestamp, nonce, body), ec.ECDSA(hashes.SHA256())
    )
    return {
        "X-DVCQG-Timestamp": timestamp,
        "X-DVCQG-Nonce": nonce,
        "X-DVCQG-Signature": base64.b64encode(signature).decode(),
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change, message",
    [
        ({"MaTTHC": "9.999999"}, "chưa có trong danh mục"),
        ({"MaDonViNhan": "000.00.99.H99"}, "Không có cơ quan"),
        ({"TaiLieuNop": [{"TenTepDinhKem": "x.pdf", "DuLieuTepTin": "%%%"}]}, "base64"),
        (
            {
                "TaiLieuNop": [
                    {
                        "TenTepDinhKem": "x.exe",
                        "DuLieuTepTin": base64.b64encode(b"MZ\x90\x00").decode(),
                    }
                ]
            },
            "x.exe",
        ),
        ({"ChuHoSo": ""}, "ChuHoSo"),
    ],
)
def test_bad_dossiers_are_refused_with_a_message_and_nothing_written(
    world, client, own_key, change, message
):
    body = json.dumps(_filing(world, **change)).encode()
    answer = _signed(client, body, own_key)
    assert answer.status_code == 400 and message in answer.json()["message"]
    assert not Dossier.objects.exists() and not InboundDossier.objects.exists()


@pytest.mark.django_db
def test_not_json_is_a_clear_400(client, own_key):
    answer = _signed(client, b"not json", own_key)
    assert answer.status_code == 400 and "JSON" in answer.json()["message"]


@pytest.mark.django_db
def test_integration_off_answers_503(client, settings):
    settings.DVCQG_URL = ""
    assert client.post(URL, data=b"{}", content_type="application/json").status_code == 503


@pytest.mark.django_db
def test_the_poll_receives_what_was_not_pushed_and_acknowledges_it(world, dvcqg):
    dvcqg.call("POST", "/_sim/file", _filing(world, code="G09.20-261203-0000007"))
    dvcqg.faults([{"match": "LayDanhSachHoSoMoi", "kind": "http_503"}])
    from national.dvcqg.client import DvcqgError

    with pytest.raises(DvcqgError):
        poll()
    assert poll() == {"received": 1, "created": 1, "refused": 0}
    assert dvcqg.state()["inbound"][0]["acknowledged"]
    assert poll() == {"received": 0, "created": 0, "refused": 0}
    assert Dossier.objects.get(code="G09.20-261203-0000007").files.count() == 1


def test_inbound_route_is_the_api_one():
    assert reverse("dvcqg-inbound") == URL
