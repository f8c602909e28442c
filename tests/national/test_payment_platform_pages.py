"""Access to the payment platform's pages: the platform's receipt is the dossier's (owner and the
agency's staff see it, another citizen gets a 404, anonymous the login); the return page shows a
payment only to who may see it; every route of the app is listed here."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.urls import get_resolver, reverse

from dossiers import services as dossier_services
from dossiers.payments.services import payment_settle_external, payment_start
from national.payment_platform.constants import TransactionStatus
from national.payment_platform.models import PlatformTransaction

ROUTES = {"payment_platform:confirm", "payment_platform:return", "payment_platform:receipt"}


@pytest.fixture
def paid(world, working_morning):
    dossier = dossier_services.dossier_request_payment(
        dossier=world.examining(), actor=world.specialist, amount=Decimal("5000")
    )
    payment = payment_start(dossier=dossier, actor=world.citizen)
    txn = PlatformTransaction.objects.create(
        payment=payment,
        reference="HSX1",
        partner_code="P",
        amount=payment.amount,
        transaction_time="20260609090000",
        status=TransactionStatus.PAID,
    )
    txn.receipt_file.save("r.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
    payment_settle_external(
        payment_id=payment.pk, amount=payment.amount, success=True, transaction_id="PP-1"
    )
    return txn


def test_every_route_is_listed():
    names = {
        f"payment_platform:{p.name}"
        for p in get_resolver().namespace_dict["payment_platform"][1].url_patterns
    }
    assert names == ROUTES


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("citizen", 200),
        ("specialist", 200),
        ("other_citizen", 404),
        ("other_clerk", 404),
        (None, 302),
    ],
)
def test_platform_receipt_access(client, world, paid, who, expected):
    if who:
        client.force_login(getattr(world, who))
    response = client.get(reverse("payment_platform:receipt", args=[paid.reference]))
    assert response.status_code == expected
    if expected == 302:
        assert "/tai-khoan/" in response.url


@pytest.mark.parametrize(
    ("who", "shown"), [("citizen", True), ("other_citizen", False), (None, False)]
)
def test_return_page_shows_the_payment_only_to_who_may_see_it(client, world, paid, who, shown):
    if who:
        client.force_login(getattr(world, who))
    html = client.get(reverse("payment_platform:return") + "?MaThamChieu=HSX1").content.decode()
    assert ('id="receipt-link"' in html) is shown
