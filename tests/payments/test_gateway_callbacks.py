"""Online payment through a VNPay-shaped gateway: signed callbacks, amount and reference checks,
idempotency, the electronic receipt, the built-in test gateway, and counter payments."""

from __future__ import annotations

import threading
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.urls import reverse

from dossiers import services as dossier_services
from dossiers.constants import DossierStatus
from dossiers.models import Dossier
from dossiers.payments import gateway
from dossiers.payments.constants import PaymentStatus
from dossiers.payments.models import Payment
from dossiers.payments.services import (
    payment_handle_callback,
    payment_record_at_counter,
    payment_start,
)

FEE = Decimal("150000")


@pytest.fixture
def awaiting_payment(world, working_morning):
    dossier = dossier_services.dossier_request_payment(
        dossier=world.examining(), actor=world.specialist, amount=FEE, reason="Lệ phí cấp giấy"
    )
    assert dossier.status == DossierStatus.FINANCIAL_OBLIGATION
    return dossier


def _callback(
    payment: Payment,
    *,
    amount: Decimal | None = None,
    txn: str = "14123456",
    code: str = "00",
    secret: str | None = None,
) -> dict:
    params = {
        "vnp_TmnCode": "DEMO0001",
        "vnp_Amount": gateway.amount_to_gateway(payment.amount if amount is None else amount),
        "vnp_BankCode": "NCB",
        "vnp_TxnRef": payment.reference,
        "vnp_OrderInfo": "Thanh toan phi ho so",
        "vnp_ResponseCode": code,
        "vnp_TransactionStatus": code,
        "vnp_TransactionNo": txn,
        "vnp_PayDate": "20260609091500",
    }
    params["vnp_SecureHash"] = gateway.sign(params, secret)
    return params


def test_good_callback_pays_issues_receipt_and_resumes_the_dossier(client, world, awaiting_payment):
    payment = payment_start(dossier=awaiting_payment, actor=world.citizen)
    response = client.get(reverse("payments:ipn"), _callback(payment))
    assert response.json() == {"RspCode": "00", "Message": "Confirm Success"}
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PAID
    assert payment.receipt_number.startswith("BL2026-")
    dossier = Dossier.objects.get(pk=awaiting_payment.pk)
    assert dossier.status == DossierStatus.IN_PROGRESS
    assert dossier.paid_at is not None
    assert dossier.events.filter(action="confirm_payment").count() == 1


def test_bad_hmac_changes_nothing(client, world, awaiting_payment):
    payment = payment_start(dossier=awaiting_payment, actor=world.citizen)
    forged = _callback(payment, secret="not-the-shared-secret")
    assert client.get(reverse("payments:ipn"), forged).json()["RspCode"] == "97"
    tampered = _callback(payment)
    tampered["vnp_Amount"] = "100"  # signed for the full amount, then changed
    assert client.get(reverse("payments:ipn"), tampered).json()["RspCode"] == "97"
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING
    assert Dossier.objects.get(pk=awaiting_payment.pk).status == DossierStatus.FINANCIAL_OBLIGATION


def test_wrong_amount_or_unknown_reference_is_refused(client, world, awaiting_payment):
    payment = payment_start(dossier=awaiting_payment, actor=world.citizen)
    assert (
        client.get(reverse("payments:ipn"), _callback(payment, amount=FEE - 1)).json()["RspCode"]
        == "04"
    )
    payment.reference = "HS0-NOSUCH"
    assert client.get(reverse("payments:ipn"), _callback(payment)).json()["RspCode"] == "01"
    assert Payment.objects.get().status == PaymentStatus.PENDING
    assert Dossier.objects.get(pk=awaiting_payment.pk).status == DossierStatus.FINANCIAL_OBLIGATION


def test_repeated_callback_gives_one_payment_and_one_resumption(client, world, awaiting_payment):
    payment = payment_start(dossier=awaiting_payment, actor=world.citizen)
    params = _callback(payment)
    codes = [client.get(reverse("payments:ipn"), params).json()["RspCode"] for _ in range(3)]
    assert codes == ["00", "02", "02"]
    assert Payment.objects.filter(status=PaymentStatus.PAID).count() == 1
    assert (
        Dossier.objects.get(pk=awaiting_payment.pk).events.filter(action="confirm_payment").count()
        == 1
    )


@pytest.mark.django_db(transaction=True)
def test_concurrent_callbacks_settle_once(world):
    from tests.dossiers.conftest import VN  # noqa: F401  (same world, committed data)

    dossier = dossier_services.dossier_request_payment(
        dossier=world.examining(), actor=world.specialist, amount=FEE
    )
    payment = payment_start(dossier=dossier, actor=world.citizen)
    params = _callback(payment)
    results: list[str] = []
    barrier = threading.Barrier(4)

    def hit() -> None:
        try:
            barrier.wait()
            results.append(payment_handle_callback(params=params).code.value)
        finally:
            connection.close()

    threads = [threading.Thread(target=hit) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["00", "02", "02", "02"]
    assert Dossier.objects.get(pk=dossier.pk).events.filter(action="confirm_payment").count() == 1


def test_failed_payment_keeps_the_dossier_waiting(client, world, awaiting_payment):
    payment = payment_start(dossier=awaiting_payment, actor=world.citizen)
    assert (
        client.get(reverse("payments:ipn"), _callback(payment, code="24", txn="")).json()["RspCode"]
        == "00"
    )
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.FAILED and payment.receipt_number is None
    assert Dossier.objects.get(pk=awaiting_payment.pk).status == DossierStatus.FINANCIAL_OBLIGATION


def test_applicant_pays_through_the_test_gateway_and_sees_the_receipt(
    client, world, awaiting_payment
):
    client.force_login(world.citizen)
    response = client.post(reverse("payments:start", args=[awaiting_payment.pk]))
    assert response.status_code == 302
    to_gateway = urlsplit(response.url)
    assert to_gateway.path == reverse("payments:test_gateway")
    query = {k: v[0] for k, v in parse_qs(to_gateway.query).items()}
    assert gateway.verify(query)
    page = client.get(reverse("payments:test_gateway"), query)
    assert "150.000" in page.content.decode()
    back = client.post(reverse("payments:test_gateway"), {**query, "choice": "pay"})
    assert back.status_code == 302
    result = client.get(back.url)
    html = result.content.decode()
    assert "Đã nhận thanh toán" in html
    payment = Payment.objects.get()
    receipt = client.get(reverse("payments:receipt", args=[payment.reference]))
    assert payment.receipt_number in receipt.content.decode()
    pdf = client.get(reverse("payments:receipt_pdf", args=[payment.reference]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    assert Dossier.objects.get(pk=awaiting_payment.pk).status == DossierStatus.IN_PROGRESS


def test_tampered_request_to_the_test_gateway_is_refused(client, world, awaiting_payment):
    client.force_login(world.citizen)
    response = client.post(reverse("payments:start", args=[awaiting_payment.pk]))
    query = {k: v[0] for k, v in parse_qs(urlsplit(response.url).query).items()}
    query["vnp_Amount"] = "100"
    assert client.get(reverse("payments:test_gateway"), query).status_code == 400


def test_another_citizen_cannot_start_or_see_a_receipt(client, world, awaiting_payment):
    payment = payment_record_at_counter(dossier=awaiting_payment, actor=world.clerk)
    client.force_login(world.other_citizen)
    assert client.post(reverse("payments:start", args=[awaiting_payment.pk])).status_code == 404
    assert client.get(reverse("payments:receipt", args=[payment.reference])).status_code == 404


def test_counter_payment_by_the_clerk(world, awaiting_payment):
    from django.core.exceptions import PermissionDenied

    from dossiers.payments.services import PaymentError

    with pytest.raises(PaymentError):
        payment_record_at_counter(dossier=awaiting_payment, actor=world.clerk, amount="1000")
    with pytest.raises(PermissionDenied):
        payment_record_at_counter(dossier=awaiting_payment, actor=world.other_clerk)
    payment = payment_record_at_counter(
        dossier=awaiting_payment, actor=world.clerk, note="Tiền mặt"
    )
    assert payment.status == PaymentStatus.PAID and payment.method == "counter"
    assert Dossier.objects.get(pk=awaiting_payment.pk).status == DossierStatus.IN_PROGRESS
    assert Payment.objects.count() == 1
