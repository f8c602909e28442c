"""The national payment platform (issue 17, "The national payment platform") against its simulator
in its own process: INIT per dossier and fee line, the signed CONFIRM callback, the status look-up
(QUERY) and the receipt (GET_BILL), each fault kind of the simulator, and the rules: no valid
MaXacThuc → nothing changes; paying twice, a changed amount and a replayed callback are refused;
the receipt links to the dossier. Message shapes: docs/national/payment-platform.md."""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from dossiers import services as dossier_services
from dossiers.constants import DossierStatus
from dossiers.exceptions import DossierError
from dossiers.models import Dossier
from dossiers.payments.constants import PaymentStatus
from dossiers.payments.models import Payment
from dossiers.payments.services import PaymentError, payment_start
from national.payment_platform import client, protocol, services
from national.payment_platform.constants import TransactionStatus
from national.payment_platform.models import ConfirmationRecord, PlatformTransaction
from tests.national.payment_sim import (
    CALLBACK_SECRET,
    FEE,
    PARTNER,
    SECRET,
    pay_on_page,
    post_json,
    wait_for,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def awaiting(world, working_morning):
    dossier = dossier_services.dossier_request_payment(
        dossier=world.examining(), actor=world.specialist, amount=FEE, reason="Lệ phí"
    )
    assert dossier.status == DossierStatus.FINANCIAL_OBLIGATION
    return dossier


def _open(world, dossier) -> tuple[Payment, str]:
    payment = payment_start(dossier=dossier, actor=world.citizen)
    return payment, services.payment_open_on_platform(payment=payment, ip="203.0.113.5")


def _status(dossier) -> str:
    return Dossier.objects.get(pk=dossier.pk).status


def _confirm_events(dossier) -> int:
    return Dossier.objects.get(pk=dossier.pk).events.filter(action="confirm_payment").count()


def _answers(platform) -> list[str]:
    return [
        c["answer"].get("MaLoi")
        for c in platform.state()["callbacks"]
        if isinstance(c.get("answer"), dict)
    ]


def test_mac_is_sha256_over_the_fields_and_the_secret():
    """MaXacThuc = SHA-256("f1|f2|...|secret"), as both public clients compute it."""
    msg = {
        "LoaiBanTin": "QUERY",
        "PhienBan": "1.0.6",
        "MaDoiTac": "P",
        "MaThamChieu": "R1",
        "ThoiGianGD": "20260609090000",
    }
    expected = hashlib.sha256(b"QUERY|1.0.6|P|R1|20260609090000|k").hexdigest()
    assert protocol.mac(msg, protocol.QUERY_FIELDS, "k") == expected
    assert protocol.verify({**msg, "MaXacThuc": expected.upper()}, protocol.QUERY_FIELDS, "k")
    assert not protocol.verify({**msg, "MaXacThuc": expected}, protocol.QUERY_FIELDS, "other")
    assert not protocol.verify(msg, protocol.QUERY_FIELDS, "k")


def test_init_carries_the_dossier_and_its_fee_lines(world, awaiting, platform):
    payment, url = _open(world, awaiting)
    assert url.startswith(platform.url + "/pay/")
    txn = PlatformTransaction.objects.get(payment=payment)
    sent = platform.state()["transactions"][txn.reference]
    assert sent["amount"] == "150000" and sent["partner"] == PARTNER
    assert sent["receipt"]["MaHoSo"] == awaiting.code
    assert sum(int(line["SoTien"]) for line in sent["receipt"]["PhiLePhi"]) == 150000
    assert txn.init_message["PhienBan"] == "1.0.6" and txn.status == TransactionStatus.REDIRECTED


def test_payment_settles_once_and_the_platform_receipt_links_to_the_dossier(
    world, awaiting, platform
):
    payment, url = _open(world, awaiting)
    back = pay_on_page(url)
    assert parse_qs(urlsplit(back).query)["MaThamChieu"] == [payment.platform_transaction.reference]
    wait_for(lambda: Payment.objects.get(pk=payment.pk).status == PaymentStatus.PAID)
    assert _status(awaiting) == DossierStatus.IN_PROGRESS and _confirm_events(awaiting) == 1
    txn = PlatformTransaction.objects.get(payment=payment)
    assert (
        txn.status == TransactionStatus.PAID
        and txn.platform_transaction_id.startswith("PP")
        and txn.bank_code == "VCB"
    )
    assert wait_for(lambda: _answers(platform)) == ["00"]
    assert services.receipt_fetch(transaction_id=txn.pk) is True
    txn.refresh_from_db()
    pdf = txn.receipt_file.read()
    assert pdf.startswith(b"%PDF") and f"Ma ho so: {awaiting.code}".encode() in pdf
    assert txn.payment.dossier_id == awaiting.pk and txn.payment.receipt_number.startswith("BL")


def test_fault_bad_signature_changes_nothing(world, awaiting, platform):
    platform.faults([{"match": "pay", "kind": "bad_signature"}])
    payment, url = _open(world, awaiting)
    pay_on_page(url)
    assert wait_for(lambda: _answers(platform)) == ["97"]
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.PENDING
    assert (
        _status(awaiting) == DossierStatus.FINANCIAL_OBLIGATION and _confirm_events(awaiting) == 0
    )
    assert not ConfirmationRecord.objects.exists()


def test_fault_duplicate_callback_is_refused_as_a_replay(world, awaiting, platform):
    platform.faults([{"match": "pay", "kind": "duplicate_callback"}])
    payment, url = _open(world, awaiting)
    pay_on_page(url)
    assert wait_for(lambda: len(_answers(platform)) == 2 and _answers(platform)) == ["00", "03"]
    assert _confirm_events(awaiting) == 1
    assert Payment.objects.filter(dossier=awaiting, status=PaymentStatus.PAID).count() == 1


def test_a_recorded_callback_posted_again_is_refused(world, awaiting, platform, live_server):
    payment, url = _open(world, awaiting)
    pay_on_page(url)
    wait_for(lambda: _answers(platform) == ["00"])
    replay = platform.state()["callbacks"][0]["message"]
    answer = post_json(live_server.url + reverse("payment_platform:confirm"), replay)
    assert answer["MaLoi"] == "03"
    assert _confirm_events(awaiting) == 1


def test_fault_amount_changed_is_refused(world, awaiting, platform):
    platform.faults([{"match": "pay", "kind": "amount_changed"}])
    payment, url = _open(world, awaiting)
    pay_on_page(url)
    assert wait_for(lambda: _answers(platform)) == ["04"]
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.PENDING
    assert _status(awaiting) == DossierStatus.FINANCIAL_OBLIGATION
    assert "amount" in PlatformTransaction.objects.get(payment=payment).last_error


def test_fault_callback_before_redirect(world, awaiting, platform, client):
    platform.faults([{"match": "pay", "kind": "callback_before_redirect"}])
    payment, url = _open(world, awaiting)
    back = pay_on_page(url)
    # the callback was answered before the browser got its redirect
    assert _answers(platform) == ["00"]
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.PAID
    client.force_login(world.citizen)
    page = client.get(urlsplit(back).path + "?" + urlsplit(back).query)
    assert 'id="receipt-link"' in page.content.decode()


def test_fault_callback_late_the_payer_sees_pending_then_paid(world, awaiting, platform, client):
    platform.faults([{"match": "pay", "kind": "callback_late", "delay": 2}])
    payment, url = _open(world, awaiting)
    back = pay_on_page(url)
    client.force_login(world.citizen)
    target = urlsplit(back).path + "?" + urlsplit(back).query
    first = client.get(target).content.decode()
    assert 'http-equiv="refresh"' in first and "receipt-link" not in first
    wait_for(lambda: Payment.objects.get(pk=payment.pk).status == PaymentStatus.PAID)
    assert 'id="receipt-link"' in client.get(target).content.decode()


def test_fault_no_callback_the_status_lookup_settles(world, awaiting, platform):
    platform.faults([{"match": "pay", "kind": "no_callback"}])
    payment, url = _open(world, awaiting)
    pay_on_page(url)
    txn = PlatformTransaction.objects.get(payment=payment)
    outcome = services.status_lookup(transaction_id=txn.pk)
    assert outcome is not None and outcome.code.value == "00"
    assert _status(awaiting) == DossierStatus.IN_PROGRESS and _confirm_events(awaiting) == 1
    assert ConfirmationRecord.objects.get().source == "query"
    assert services.status_lookup(transaction_id=txn.pk) is None  # already final: nothing asked


def test_status_lookup_with_a_bad_signature_changes_nothing(world, awaiting, platform):
    platform.faults(
        [{"match": "pay", "kind": "no_callback"}, {"match": "query", "kind": "bad_signature"}]
    )
    payment, url = _open(world, awaiting)
    pay_on_page(url)
    txn = PlatformTransaction.objects.get(payment=payment)
    assert services.status_lookup(transaction_id=txn.pk).code.value == "97"
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.PENDING
    assert (
        PlatformTransaction.objects.get(pk=txn.pk).next_query_at is not None
    )  # looked up again later


@pytest.mark.parametrize(
    "fault",
    [{"kind": "http_500"}, {"kind": "http_503"}, {"kind": "timeout", "delay": 4}, {"kind": "drop"}],
)
def test_status_lookup_transient_faults_are_retried_later(world, awaiting, platform, fault):
    platform.faults([{"match": "pay", "kind": "no_callback"}, {"match": "query", **fault}])
    payment, url = _open(world, awaiting)
    pay_on_page(url)
    txn = PlatformTransaction.objects.get(payment=payment)
    with pytest.raises(client.PlatformUnavailable):
        services.status_lookup(transaction_id=txn.pk)
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.PENDING
    assert services.status_lookup(transaction_id=txn.pk).code.value == "00"  # the fault was one-off


def test_cancelled_on_the_platform_keeps_the_dossier_waiting(world, awaiting, platform):
    payment, url = _open(world, awaiting)
    pay_on_page(url, choice="cancel")
    wait_for(lambda: Payment.objects.get(pk=payment.pk).status == PaymentStatus.FAILED)
    assert _status(awaiting) == DossierStatus.FINANCIAL_OBLIGATION
    assert PlatformTransaction.objects.get(payment=payment).status == TransactionStatus.FAILED


@pytest.mark.parametrize(
    "fault", [{"kind": "timeout", "delay": 4}, {"kind": "http_500"}, {"kind": "drop"}]
)
def test_init_faults_give_a_clear_error_and_change_nothing(world, awaiting, platform, fault):
    platform.faults([{"match": "init", **fault}])
    payment = payment_start(dossier=awaiting, actor=world.citizen)
    with pytest.raises(services.PlatformPaymentError) as err:
        services.payment_open_on_platform(payment=payment, ip="203.0.113.5")
    assert "chưa phản hồi" in err.value.message  # Vietnamese first: "is not answering"
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.FAILED
    assert PlatformTransaction.objects.get(payment=payment).status == TransactionStatus.INIT_FAILED
    assert _status(awaiting) == DossierStatus.FINANCIAL_OBLIGATION
    _again, url = _open(world, awaiting)  # the next attempt goes through
    assert url.startswith(platform.url + "/pay/")


def test_init_with_a_wrong_secret_is_refused_by_the_platform(world, awaiting, platform, settings):
    settings.PAYMENT_PLATFORM_SECRET = "not-the-shared-secret"
    payment = payment_start(dossier=awaiting, actor=world.citizen)
    with pytest.raises(services.PlatformPaymentError):
        services.payment_open_on_platform(payment=payment, ip="203.0.113.5")
    assert platform.state()["transactions"] == {}


def test_paying_twice_is_refused(world, awaiting, platform):
    payment, url = _open(world, awaiting)
    # the payer clicks "pay" again while the first payment is open: refused (issue 13, one payment
    # pending or settled at a time), nothing new at the platform
    with pytest.raises(PaymentError):
        _open(world, awaiting)
    assert Payment.objects.filter(dossier=awaiting).count() == 1
    assert len(platform.state()["transactions"]) == 1
    pay_on_page(url)
    wait_for(lambda: Payment.objects.get(pk=payment.pk).status == PaymentStatus.PAID)
    with pytest.raises(DossierError):
        payment_start(dossier=awaiting, actor=world.citizen)  # the obligation is settled
    assert Payment.objects.filter(dossier=awaiting, status=PaymentStatus.PAID).count() == 1


@pytest.mark.parametrize("fault", [{"kind": "http_500"}, {"kind": "timeout", "delay": 4}])
def test_receipt_fetch_faults_are_retried(world, awaiting, platform, fault):
    payment, url = _open(world, awaiting)
    pay_on_page(url)
    wait_for(lambda: Payment.objects.get(pk=payment.pk).status == PaymentStatus.PAID)
    platform.faults([{"match": "bill", **fault}])
    txn = PlatformTransaction.objects.get(payment=payment)
    with pytest.raises(client.PlatformUnavailable):
        services.receipt_fetch(transaction_id=txn.pk)
    assert services.receipt_fetch(transaction_id=txn.pk) is True


def test_confirm_endpoint_survives_garbage(live_server, platform):
    url = live_server.url + reverse("payment_platform:confirm")
    import urllib.request

    for body in (b"not json", b"[1,2]", b'{"LoaiBanTin": "CONFIRM"}'):
        req = urllib.request.Request(
            url, data=body, method="POST", headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(req, timeout=5) as r:  # noqa: S310
            assert r.status == 200
            assert r.read().decode().count('"MaLoi"') == 1


def test_a_forged_callback_with_the_init_secret_is_refused(world, awaiting, platform, live_server):
    """The callback is checked with its own key: a message signed with the INIT secret is refused."""
    payment, _url = _open(world, awaiting)
    txn = PlatformTransaction.objects.get(payment=payment)
    forged = {
        "LoaiBanTin": "CONFIRM",
        "MaLoi": "00",
        "MaDoiTac": PARTNER,
        "MaThamChieu": txn.reference,
        "SoTien": "150000",
        "MaTienTe": "VND",
        "MaGiaoDich": "X1",
        "MaNganHang": "VCB",
        "ThoiGianGD": txn.transaction_time,
        "ThongTinGiaoDich": "x",
    }
    protocol.sign(forged, protocol.CONFIRM_FIELDS, SECRET)
    assert post_json(live_server.url + reverse("payment_platform:confirm"), forged)["MaLoi"] == "97"
    protocol.sign(forged, protocol.CONFIRM_FIELDS, CALLBACK_SECRET)
    assert post_json(live_server.url + reverse("payment_platform:confirm"), forged)["MaLoi"] == "00"
    assert _status(awaiting) == DossierStatus.IN_PROGRESS


def test_platform_off_when_not_configured(world, awaiting, settings):
    settings.PAYMENT_PLATFORM_INIT_URL = ""
    payment = payment_start(dossier=awaiting, actor=world.citizen)
    with pytest.raises(services.PlatformPaymentError) as err:
        services.payment_open_on_platform(payment=payment, ip="1.2.3.4")
    assert "Chưa cấu hình" in err.value.message  # "not configured"
