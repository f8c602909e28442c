"""Issue 13: a late payment crashed the IPN (500 on every retry: money taken, never recorded), a
fee could be paid twice, and a missing payment secret gave a 500.

Money that arrives is recorded with its receipt; what does not settle the obligation as it stands
goes to the clerks' queue (/thanh-toan/doi-soat/) as a refund or a top-up; the IPN answers in the
gateway's protocol whatever happens.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from dossiers import services as dossier_services
from dossiers.constants import DossierStatus
from dossiers.exceptions import DossierError
from dossiers.models import Dossier
from dossiers.payments.constants import CaseKind, CaseStatus, PaymentStatus
from dossiers.payments.models import Payment, PaymentCase
from dossiers.payments.services import PaymentError, payment_record_at_counter, payment_start
from tests.payments.test_gateway_callbacks import FEE, _callback, awaiting_payment  # noqa: F401

pytestmark = pytest.mark.django_db


def _expire(payment: Payment) -> None:
    Payment.objects.filter(pk=payment.pk).update(created_at=timezone.now() - timedelta(minutes=30))


def test_a_payment_completed_after_the_obligation_changed_is_recorded_as_a_top_up(
    client, world, awaiting_payment
):  # noqa: F811
    late = payment_start(
        dossier=awaiting_payment, actor=world.citizen
    )  # 150,000 under the first obligation
    _expire(late)
    payment_record_at_counter(
        dossier=awaiting_payment, actor=world.clerk
    )  # settled at the counter meanwhile
    dossier_services.dossier_request_payment(
        dossier=Dossier.objects.get(pk=awaiting_payment.pk),
        actor=world.specialist,
        amount=Decimal("200000"),
        reason="Phí bổ sung",
    )

    for _ in range(3):  # the gateway retries until it gets an answer in its protocol
        answer = client.get(reverse("payments:ipn"), _callback(late))
        assert answer.status_code == 200
    assert answer.json()["RspCode"] == "02"  # the retries: already confirmed
    late.refresh_from_db()
    assert late.status == PaymentStatus.PAID and late.receipt_number
    case = PaymentCase.objects.get(payment=late)
    assert (case.kind, case.amount, case.status) == (
        CaseKind.TOP_UP,
        Decimal("50000"),
        CaseStatus.OPEN,
    )
    assert Dossier.objects.get(pk=awaiting_payment.pk).status == DossierStatus.FINANCIAL_OBLIGATION

    # the applicant pays the rest: the obligation is settled and the top-up case closes
    rest = payment_start(dossier=Dossier.objects.get(pk=awaiting_payment.pk), actor=world.citizen)
    assert rest.amount == Decimal("50000")
    assert (
        client.get(reverse("payments:ipn"), _callback(rest, txn="14999999")).json()["RspCode"]
        == "00"
    )
    assert Dossier.objects.get(pk=awaiting_payment.pk).status == DossierStatus.IN_PROGRESS
    case.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED


def test_a_payment_completed_after_the_obligation_was_settled_is_queued_for_refund(
    client, world, awaiting_payment
):  # noqa: F811
    late = payment_start(dossier=awaiting_payment, actor=world.citizen)
    _expire(late)
    payment_record_at_counter(dossier=awaiting_payment, actor=world.clerk)
    assert client.get(reverse("payments:ipn"), _callback(late)).json() == {
        "RspCode": "00",
        "Message": "Confirm Success",
    }
    case = PaymentCase.objects.get(payment=late)
    assert (case.kind, case.amount) == (CaseKind.REFUND, FEE)
    assert (
        Dossier.objects.get(pk=awaiting_payment.pk).events.filter(action="confirm_payment").count()
        == 1
    )

    # the clerk's queue shows it; the clerk closes it; another agency's clerk sees nothing
    client.force_login(world.other_clerk)
    assert "payment-cases-empty" in client.get(reverse("payments:cases")).content.decode()
    assert (
        client.post(reverse("payments:cases"), {"case": case.pk, "resolution": "x"}).status_code
        == 404
    )
    client.force_login(world.clerk)
    page = client.get(reverse("payments:cases")).content.decode()
    assert late.reference in page
    client.post(
        reverse("payments:cases"),
        {"case": case.pk, "resolution": "Đã chuyển khoản hoàn tiền số 123"},
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED and case.resolved_by == world.clerk


def test_an_unexpected_error_still_answers_in_the_gateway_protocol(client, world, awaiting_payment):  # noqa: F811
    payment = payment_start(dossier=awaiting_payment, actor=world.citizen)
    params = _callback(payment)
    params["vnp_TxnRef"] = "HS\x00bad"
    answer = client.get(reverse("payments:ipn"), params)
    assert answer.status_code == 200 and answer.json()["RspCode"] in {"97", "01"}


def test_a_second_payment_is_refused_while_one_is_pending_or_paid(client, world, awaiting_payment):  # noqa: F811
    first = payment_start(dossier=awaiting_payment, actor=world.citizen)
    with pytest.raises(PaymentError, match="đang được thực hiện"):
        payment_start(dossier=awaiting_payment, actor=world.citizen)
    with pytest.raises(PaymentError):  # nor at the counter while the applicant is paying online
        payment_record_at_counter(dossier=awaiting_payment, actor=world.clerk)
    client.force_login(world.citizen)
    client.post(reverse("payments:start", args=[awaiting_payment.pk]))
    assert Payment.objects.filter(dossier=awaiting_payment).count() == 1
    assert client.get(reverse("payments:ipn"), _callback(first)).json()["RspCode"] == "00"
    with pytest.raises(DossierError):  # paid: the dossier no longer awaits payment
        payment_start(dossier=Dossier.objects.get(pk=awaiting_payment.pk), actor=world.citizen)
    assert not PaymentCase.objects.exists()


def test_a_missing_payment_secret_disables_online_payment_without_a_500(
    client, world, awaiting_payment, settings
):  # noqa: F811
    settings.PAYMENT_HMAC_SECRET = ""
    client.force_login(world.citizen)
    client.raise_request_exception = False
    response = client.post(reverse("payments:start", args=[awaiting_payment.pk]), follow=True)
    assert response.status_code == 200
    assert "Không thể thanh toán trực tuyến lúc này" in response.content.decode()
    assert not Payment.objects.exists()
    assert (
        client.get(reverse("payments:ipn"), {"vnp_TxnRef": "x", "vnp_SecureHash": "ab"}).json()[
            "RspCode"
        ]
        == "97"
    )
