"""Browser journeys of the public catalogue (headless Debian Chromium through Playwright)."""

from pathlib import Path

import pytest

from procedures.demo import PROCEDURES

pytestmark = pytest.mark.e2e


def test_search_without_diacritics_open_and_download_the_form(page, demo_data, tmp_path):
    page.goto("/")
    page.fill("#home-search", "dang ky khai sinh")
    with page.expect_navigation():
        page.click("#home-search-submit")
    assert "Tìm thấy 2 thủ tục" in page.inner_text("#result-count")
    with page.expect_navigation():
        page.get_by_role("link", name="Đăng ký khai sinh", exact=True).click()
    assert page.inner_text("#procedure-code") == "1.001193"
    assert "Toàn trình" in page.inner_text("#procedure-level")
    assert (
        page.get_by_role("link", name="Nộp hồ sơ trực tuyến").first.get_attribute("href")
        == "/ho-so/nop/1.001193/"
    )
    with page.expect_download() as info:
        page.click(".template-download")
    download = info.value
    assert download.suggested_filename == "to-khai-dang-ky-khai-sinh-mau-tpht-2020-ks1.pdf"
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    assert Path(target).read_bytes().startswith(b"%PDF")


def test_bad_filter_in_the_address_shows_a_message(page, demo_data):
    page.goto("/thu-tuc/?level=9&q=chung+thuc")
    assert "Mức độ dịch vụ công trực tuyến phải là 2, 3 hoặc 4" in page.inner_text("#param-errors")
    expected = [p[1] for p in PROCEDURES if "chứng thực" in p[1].lower()]
    assert sorted(page.locator(".procedure-link").all_inner_texts()) == sorted(expected)


def test_api_documentation_renders_offline(page):
    page.goto("/api/v1/docs/")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "One-stop portal API" in page.inner_text(".swagger-ui .info .title")
    page.wait_for_selector("text=/api/v1/procedures/")
