"""The demo's main pages on a phone (issue 14: the catalogue table and the work queues were wider
than the screen and names wrapped one word per line). Each page is opened at 390×844 CSS pixels
(a common phone) by the role that uses it; neither the page nor a table in it may be wider than the
screen (a wide table stacks its cells, ``.table-stack`` in portal.css; only a table of figures
scrolls inside its own box, its first column kept in view), and axe-core finds no serious or critical violation.

With ``PORTAL_SCREENSHOTS=1`` the screenshots are written to ``docs/screenshots/phone/`` for review
(the committed ones come from this test)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "phone"
PAGES = [
    (None, "/", "home"),
    (None, "/thu-tuc/", "catalogue"),
    (None, "/thu-tuc/?q=khai+sinh", "catalogue-search"),
    (None, "/ho-so/tra-cuu/", "tracking"),
    (None, "/tai-khoan/dang-nhap/", "login"),
    ("congdan", "/ho-so/cua-toi/", "citizen-my-dossiers"),
    ("congdan", "/ho-so/nop/1.001193/", "citizen-submission-form"),
    ("motcua.muongthanh", "/ho-so/tiep-nhan/", "clerk-intake-queue"),
    ("motcua.muongthanh", "/ho-so/tiep-nhan/moi/", "clerk-counter-intake"),
    ("chuyenvien.muongthanh", "/ho-so/duoc-giao/", "specialist-queue"),
    ("lanhdao.muongthanh", "/ho-so/cho-duyet/", "leader-approval-queue"),
    ("vanthu.tuphap", "/van-ban/", "clerical-documents"),
    ("vanthu.tuphap", "/van-ban/di/", "clerical-outgoing-book"),
    ("tinh", "/thong-ke/", "province-dashboard"),
]


@pytest.mark.parametrize(("username", "path", "name"), PAGES, ids=[p[2] for p in PAGES])
def test_page_fits_a_phone(browser, demo, username, path, name):
    context = browser.new_context(
        base_url=demo.url,
        locale="vi-VN",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    context.set_default_timeout(30_000)
    pg = context.new_page()
    pg.on(
        "response", lambda r: r.status >= 500 and demo.server_errors.append(f"{r.status} {r.url}")
    )
    try:
        if username:
            pg.goto("/tai-khoan/dang-nhap/")
            pg.fill("#id_username", username)
            pg.fill("#id_password", demo.password)
            with pg.expect_navigation():
                pg.click("#login-form [type=submit]")
        pg.goto(path)
        pg.wait_for_load_state("networkidle")
        overflow = pg.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if os.environ.get("PORTAL_SCREENSHOTS"):
            OUT.mkdir(parents=True, exist_ok=True)
            pg.screenshot(path=str(OUT / f"{name}.png"), full_page=False)
        assert overflow <= 0, f"{path} is {overflow}px wider than the phone's screen"
        wide = pg.evaluate(
            "[...document.querySelectorAll('main table')].filter(t => t.getBoundingClientRect().width >"
            " document.documentElement.clientWidth && !(t.classList.contains('table-figures')"
            " && t.parentElement.classList.contains('table-responsive'))).map(t => t.id || t.className)"
        )
        assert wide == [], f"{path}: tables wider than the screen (they scroll sideways): {wide}"
        demo.check_accessibility(pg, f"phone {name}")
        assert demo.accessibility == {}, demo.accessibility
        assert demo.server_errors == [], demo.server_errors
    finally:
        context.close()
