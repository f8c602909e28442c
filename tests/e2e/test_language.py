"""A visitor switches the portal to English and back to Vietnamese in a real browser."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e


def test_switch_to_english_and_back(page, demo_data):
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "vi"
    assert "Cổng dịch vụ công" in page.locator("header").text_content()

    with page.expect_navigation():
        page.click("#language-switch [data-lang=en]")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "One-stop public service portal" in page.locator("header").text_content()
    assert "Find an administrative procedure" in page.content()

    # the choice sticks on the next page
    page.goto("/tai-khoan/dang-nhap/")
    assert page.locator("h1").inner_text() == "Log in"

    with page.expect_navigation():
        page.click("#language-switch [data-lang=vi]")
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.locator("h1").inner_text() == "Đăng nhập"


def test_home_page_screenshot(page, demo_data, tmp_path):
    """The home page renders with its styles (the screenshot is kept for a human look)."""
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/")
    accent = page.evaluate(
        "getComputedStyle(document.querySelector('.portal-header')).borderBottomColor"
    )
    assert accent == "rgb(255, 205, 0)", "portal.css was not served"
    path = Path(os.environ.get("PORTAL_SCREENSHOT", tmp_path / "home.png"))
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000
