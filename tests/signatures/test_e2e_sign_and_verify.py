"""Browser journey: the leader signs a batch with his token PIN; the applicant downloads a result
and verifies it on the public page, by its QR link and by uploading it."""

from __future__ import annotations

import pytest

from signatures.verify import verify_pdf
from tests.e2e.conftest import browser, login, page  # noqa: F401  (shared Playwright fixtures)
from tests.factories.accounts import PASSWORD
from tests.factories.signatures import PIN

pytestmark = pytest.mark.e2e


def test_leader_signs_a_batch_and_the_applicant_verifies_the_download(page, login, official, one_page_pdf, tmp_path):  # noqa: F811
    login(page, official.username, PASSWORD)
    page.goto("/chu-ky-so/ky/")
    page.set_input_files("#id_files", [
        {"name": "ket-qua-1.pdf", "mimeType": "application/pdf", "buffer": one_page_pdf},
        {"name": "ket-qua-2.pdf", "mimeType": "application/pdf", "buffer": one_page_pdf},
    ])
    page.fill("#id_pin", PIN)
    page.click("#sign-form [type=submit]")
    page.wait_for_selector("#sign-results")
    assert page.locator(".sign-result[data-ok='1']").count() == 2
    verify_href = page.locator(".verify-link").first.get_attribute("href")

    applicant = page.context.browser.new_context(base_url=page.url.split("/chu-ky-so")[0], accept_downloads=True)
    try:
        visitor = applicant.new_page()
        visitor.goto(verify_href)
        assert visitor.locator(".signature-result").first.get_attribute("data-verdict") == "valid", visitor.locator("#verification-report").inner_text()
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
