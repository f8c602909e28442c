"""Browser journeys (one module: Playwright's browser fixture is opened once for them).

* The leader signs a batch of files with his token PIN; the applicant downloads a result and
  verifies it on the public page, by its QR link and by uploading it.
* Issue 5: the leader selects two dossiers in his approval queue, signs the batch with his PIN and
  sees the progress complete; the applicant downloads the signed result from his dossier page,
  checks it with poppler's pdfsig, and opens the verification page the QR code on the stamp points
  at, which says "valid".
"""

from __future__ import annotations

import subprocess
from urllib.parse import urlsplit

import pytest

from dossiers import services as dossier_services
from signatures.models import SignedDocument
from signatures.services import verification_url
from signatures.verify import verify_pdf
from tests.e2e.conftest import launch_browser, login, page  # noqa: F401  (shared Playwright fixtures)
from tests.factories.accounts import PASSWORD
from tests.factories.signatures import PIN

from .test_dossier_signing import _draft, _expected_qr, _qr_streams


@pytest.fixture(scope="module")
def browser():
    """This module's own Chromium, closed at the module's end: the package's later tests sign
    with pyHanko, whose asyncio.run() fails while Playwright's loop runs in the thread."""
    with launch_browser() as b:
        yield b


pytestmark = pytest.mark.e2e


def test_leader_signs_a_batch_and_the_applicant_verifies_the_download(
    page, login, official, one_page_pdf, tmp_path
):  # noqa: F811
    login(page, official.username, PASSWORD)
    page.goto("/chu-ky-so/ky/")
    page.set_input_files(
        "#id_files",
        [
            {"name": "ket-qua-1.pdf", "mimeType": "application/pdf", "buffer": one_page_pdf},
            {"name": "ket-qua-2.pdf", "mimeType": "application/pdf", "buffer": one_page_pdf},
        ],
    )
    page.fill("#id_pin", PIN)
    page.click("#sign-form [type=submit]")
    page.wait_for_selector("#sign-results")
    assert page.locator(".sign-result[data-ok='1']").count() == 2
    verify_href = page.locator(".verify-link").first.get_attribute("href")

    applicant = page.context.browser.new_context(
        base_url=page.url.split("/chu-ky-so")[0], accept_downloads=True
    )
    try:
        visitor = applicant.new_page()
        visitor.goto(verify_href)
        assert (
            visitor.locator(".signature-result").first.get_attribute("data-verdict") == "valid"
        ), visitor.locator("#verification-report").inner_text()
        assert "Lò Văn Thắng" in visitor.locator(".signer").first.inner_text()
        with visitor.expect_download() as download_info:
            visitor.click("#download-signed")
        path = tmp_path / "ket-qua.pdf"
        download_info.value.save_as(path)
        data = path.read_bytes()
        assert verify_pdf(data).verdict == "valid"

        visitor.goto("/chu-ky-so/xac-thuc/")
        visitor.set_input_files("#id_file", str(path))
        visitor.click("#verify-form [type=submit]")
        assert visitor.locator(".signature-result").first.get_attribute("data-verdict") == "valid"
        assert "Chữ ký hợp lệ" in visitor.locator(".verdict").first.inner_text()
    finally:
        applicant.close()


def test_leader_signs_two_dossiers_and_the_applicant_downloads_and_verifies(
    page, login, signing_world, one_page_pdf, nssdb, tmp_path
):  # noqa: F811
    world = signing_world
    first, second = _draft(world, one_page_pdf), _draft(world, one_page_pdf)

    login(page, world.leader.username, PASSWORD)
    page.goto("/ho-so/cho-duyet/")
    page.check(f"#worklist tr[data-pk='{first.pk}'] input[name=dossier]")
    page.check(f"#worklist tr[data-pk='{second.pk}'] input[name=dossier]")
    page.fill("#id_sign-pin", PIN)
    page.select_option("#id_sign-level", "B-LT")
    page.click("#sign-approve-batch-submit")
    page.wait_for_selector("#sign-progress[data-signed='2']")
    progress = page.locator("#sign-progress")
    assert (
        progress.get_attribute("data-done"),
        progress.get_attribute("data-total"),
        progress.get_attribute("data-signed"),
    ) == ("2", "2", "2")
    assert page.locator("#sign-progress-bar").inner_text() == "2/2"
    assert page.locator(".sign-result[data-ok='1']").count() == 2

    dossier_services.dossier_return_result(dossier=first, actor=world.clerk, delivery="online")

    applicant = page.context.browser.new_context(
        base_url=page.url.split("/ho-so")[0], accept_downloads=True, locale="vi-VN"
    )
    try:
        visitor = applicant.new_page()
        login(visitor, world.citizen.username, PASSWORD)
        visitor.goto("/ho-so/cua-toi/")
        visitor.click(f"a[href='/ho-so/{first.pk}/']")
        with visitor.expect_download() as download_info:
            visitor.click("#result-download")
        path = tmp_path / "ket-qua.pdf"
        download_info.value.save_as(path)
        data = path.read_bytes()

        assert [(s.signer, s.verdict) for s in verify_pdf(data).signatures] == [
            ("Lò Văn Thắng", "valid")
        ]
        pdfsig = subprocess.run(
            ["pdfsig", "-nssdir", f"sql:{nssdb}", str(path)],
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout
        assert "Signature is Valid." in pdfsig and "Certificate is Trusted." in pdfsig, pdfsig

        # the QR code on the stamp encodes the verification address the dossier page links to
        document = SignedDocument.objects.get(dossier=first)
        assert _qr_streams(data, "LanhDao") == [_expected_qr(verification_url(document))]
        href = visitor.locator("#verify-result").get_attribute("href")
        assert href == urlsplit(verification_url(document)).path
        visitor.click("#verify-result")
        report = visitor.locator("#verification-report")
        assert report.get_attribute("data-verdict") == "valid", report.inner_text()
        assert "Lò Văn Thắng" in visitor.locator(".signer").first.inner_text()
        assert "Chữ ký hợp lệ" in visitor.locator(".verdict").first.inner_text()
    finally:
        applicant.close()
