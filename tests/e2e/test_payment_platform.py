"""Browser journey: the applicant pays a dossier's fee through the (simulated) national payment
platform — the portal's "pay online" button, the platform's page in another process, the signed
callback, back to the portal with the receipt; and a payment cancelled on the platform's page."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.dossiers.conftest import PDF
from tests.national.payment_sim import platform, wait_for  # noqa: F401

pytestmark = pytest.mark.e2e

PROCEDURE = "1.001193"  # Đăng ký khai sinh, level 4, at communes
COMMUNE = "000.00.52.H18"


def _dossier_awaiting_fee(amount: Decimal):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from dossiers import services
    from portal.accounts.models import User
    from portal.agencies.models import Agency
    from procedures.models import Procedure

    citizen, clerk = (
        User.objects.get(username="congdan"),
        User.objects.get(username="motcua.muongthanh"),
    )
    procedure = Procedure.objects.get(code=PROCEDURE)
    version = procedure.versions.order_by("-version").first()
    draft = services.dossier_save_draft(
        actor=citizen, procedure=procedure, agency=Agency.objects.get(code=COMMUNE)
    )
    for doc in version.snapshot["documents"]:
        services.dossier_add_file(
            dossier=draft,
            actor=citizen,
            uploaded_file=SimpleUploadedFile("a.pdf", PDF),
            document_id=doc["id"],
        )
    dossier = services.dossier_receive(
        dossier=services.dossier_submit(dossier=draft, actor=citizen), actor=clerk
    )
    return services.dossier_request_payment(
        dossier=dossier, actor=clerk, amount=amount, reason="Phí trích lục"
    )


def test_applicant_pays_through_the_national_payment_platform(page, login, demo_data, platform):  # noqa: F811
    from dossiers.constants import DossierStatus
    from dossiers.models import Dossier
    from national.payment_platform import services
    from national.payment_platform.models import PlatformTransaction

    dossier = _dossier_awaiting_fee(Decimal("8000"))
    login(page, "congdan", demo_data)
    page.goto(f"/ho-so/{dossier.pk}/")
    with page.expect_navigation():
        page.click("#pay-online")
    assert page.url.startswith(platform.url + "/pay/")  # the platform's own page, another process
    assert page.inner_text("#platform-amount") == "8.000 VND"
    assert page.inner_text("#platform-dossier") == dossier.code
    with page.expect_navigation():
        page.click("#platform-pay")
    page.wait_for_selector(
        "#receipt-link", timeout=15_000
    )  # the page refreshes itself until the callback is in
    assert "Đã nhận thanh toán" in page.inner_text("#payment-result")
    resumed = Dossier.objects.get(pk=dossier.pk)
    assert (
        resumed.status == DossierStatus.RECEIVED and resumed.paid_at is not None
    )  # back where it was
    txn = PlatformTransaction.objects.get(payment__dossier=dossier)
    assert services.receipt_fetch(transaction_id=txn.pk)  # what the worker does after the callback
    page.reload()
    with page.expect_download() as download:
        page.click("#platform-receipt-link")
    assert f"Ma ho so: {dossier.code}".encode() in open(download.value.path(), "rb").read()  # noqa: PTH123, SIM115
    with page.expect_navigation():
        page.click("#receipt-link")
    assert page.inner_text("#receipt-number").startswith("BL")
    assert [c["answer"]["MaLoi"] for c in platform.state()["callbacks"]] == ["00"]


def test_applicant_cancels_on_the_platform_page(page, login, demo_data, platform):  # noqa: F811
    from dossiers.constants import DossierStatus
    from dossiers.models import Dossier

    dossier = _dossier_awaiting_fee(Decimal("8000"))
    login(page, "congdan", demo_data)
    page.goto(f"/ho-so/{dossier.pk}/")
    with page.expect_navigation():
        page.click("#pay-online")
    with page.expect_navigation():
        page.click("#platform-cancel")
    page.wait_for_selector("#back-to-dossier", timeout=15_000)
    assert "chưa hoàn tất" in page.inner_text("#payment-result")
    assert Dossier.objects.get(pk=dossier.pk).status == DossierStatus.FINANCIAL_OBLIGATION
