"""Issue 14: an attempt abandoned at the gateway stayed listed as "Chờ thanh toán" after another
attempt paid the fee. It is shown as abandoned once another attempt is paid (the data keeps it
pending: a late callback is still money received, handled as a refund case, issue 13)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dossiers.payments.constants import PaymentStatus
from dossiers.payments.models import Payment
from dossiers.payments.services import payment_start
from tests.payments.test_gateway_callbacks import _callback, awaiting_payment  # noqa: F401

pytestmark = pytest.mark.django_db


def _rows(html: str) -> list[tuple[str, str]]:
    box = re.search(r'<ul id="dossier-payments">(.*?)</ul>', html, re.S)
    assert box, "no payment list"
    return re.findall(
        r'data-status="([a-z]+)".*?<span class="payment-status">([^<]+)</span>', box.group(1)
    )


def test_the_abandoned_attempt_is_not_waiting_once_another_is_paid(client, world, awaiting_payment):  # noqa: F811
    abandoned = payment_start(dossier=awaiting_payment, actor=world.citizen)
    client.force_login(world.citizen)
    url = reverse("dossiers:detail", args=[awaiting_payment.pk])
    assert _rows(client.get(url).content.decode()) == [("pending", "Chờ thanh toán")]

    Payment.objects.filter(pk=abandoned.pk).update(  # left at the gateway, expired
        created_at=timezone.now() - timedelta(minutes=30)
    )
    paid = payment_start(dossier=awaiting_payment, actor=world.citizen)
    assert (
        client.get(reverse("payments:ipn"), _callback(paid, txn="14000001")).json()["RspCode"]
        == "00"
    )
    rows = _rows(client.get(url).content.decode())
    assert rows == [
        ("paid", "Đã thanh toán"),
        ("superseded", "Đã bỏ dở: một lần thanh toán khác đã thành công"),
    ]
    abandoned.refresh_from_db()
    assert abandoned.status == PaymentStatus.PENDING  # the data is unchanged
