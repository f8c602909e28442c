"""Inter-agency documents on the demo as it ships (issue 14): the specialist of Sở Tư pháp drafts an
official letter (công văn) to UBND phường Mường Thanh, the leader signs it with the demo token's PIN,
the clerical office numbers it, which sends it; the demo's own Celery worker delivers the signed edXML
envelope (QCVN 102:2016) to the other agency, whose clerical office registers it, and the sender
sees status 03 (registered) come back. Decree 30/2020 (văn bản đi / đến) is the book it follows."""

from __future__ import annotations

import time

import pytest

from tests.dossiers.conftest import PDF

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SUBJECT = "V/v phối hợp rà soát thủ tục đăng ký hộ tịch năm 2026"


def _do(pg, action: str, fill=None) -> None:
    pg.click(f"#do-{action}")
    pg.wait_for_selector(f"#submit-{action}", state="visible")
    if fill:
        fill(pg)
    with pg.expect_navigation():
        pg.click(f"#submit-{action}")


def _until(pg, url: str, check, timeout: float = 60) -> None:
    """Reload ``url`` until ``check(pg)`` holds: the demo's worker delivers in the background."""
    deadline = time.monotonic() + timeout
    while True:
        pg.goto(url)
        if check(pg):
            return
        if time.monotonic() > deadline:
            raise AssertionError(
                f"Not reached within {timeout} s on {url}:\n{pg.inner_text('main')[:2000]}"
            )
        time.sleep(1)


def test_a_signed_document_travels_to_another_agency_and_is_registered(as_demo_user, demo):
    drafter = as_demo_user("chuyenvien.tuphap")
    drafter.goto("/van-ban/")
    demo.check_accessibility(drafter, "documents home (specialist)")
    with drafter.expect_navigation():
        drafter.click("#draft-new")
    demo.check_accessibility(drafter, "draft form")
    drafter.select_option("#id_document_type", index=0)
    drafter.fill("#id_subject", SUBJECT)
    # the recipient picker (issue 14): type without diacritics, the list narrows, tick by keyboard
    boxes = drafter.locator("#id_recipients input[type=checkbox]")
    assert boxes.count() > 20
    search = drafter.locator("#id_recipients-search")
    search.fill("muong thanh")
    shown = drafter.locator("#id_recipients [data-option]:visible")
    assert shown.count() >= 1 and all("Mường Thanh" in t for t in shown.all_inner_texts())
    assert drafter.inner_text("#id_recipients-count").strip()  # announced to screen readers
    search.press("Enter")  # moves to the first match, does not submit the draft
    assert "/van-ban/di/du-thao/" in drafter.url
    drafter.keyboard.press("Space")
    chosen = drafter.locator("#id_recipients [data-chosen] button")
    assert chosen.count() == 1 and "Mường Thanh" in chosen.inner_text()
    value = chosen.get_attribute("data-value")
    assert value == "000.00.52.H18"  # UBND phường Mường Thanh, whose card is checked below
    demo.check_accessibility(drafter, "draft form, recipient searched and chosen")
    search.fill("")
    assert drafter.locator("#id_recipients [data-option]:visible").count() == boxes.count()
    assert drafter.locator("#id_recipients input:checked").evaluate_all(
        "els => els.map(e => e.value)"
    ) == [value]
    drafter.set_input_files(
        "#id_main_file", {"name": "cong-van.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    with drafter.expect_navigation():
        drafter.click("#draft-save")
    document_url = drafter.url
    assert "/van-ban/di/" in document_url, drafter.inner_text("main")
    _do(drafter, "submit")

    leader = as_demo_user("lanhdao.tuphap")
    leader.goto("/van-ban/")
    demo.check_accessibility(leader, "documents home (leader)")
    leader.goto(document_url)
    _do(leader, "sign", lambda p: p.fill("#id_sign-pin", demo.pin))
    assert leader.locator("#signed-badge").count() == 1, leader.inner_text("main")

    clerical = as_demo_user("vanthu.tuphap")
    clerical.goto(document_url)
    _do(clerical, "issue")  # numbers it and sends it (the worker delivers)
    assert "gửi đi" in clerical.inner_text("main")
    code = clerical.inner_text("#doc-code")

    receiver = as_demo_user("vanthu.muongthanh")
    _until(receiver, "/van-ban/", lambda p: SUBJECT in p.inner_text("#section-arrived"))
    demo.check_accessibility(receiver, "documents home (clerical office)")
    with receiver.expect_navigation():
        receiver.locator("#section-arrived a.doc-link").first.click()
    assert receiver.inner_text("#doc-subject") == SUBJECT
    _do(receiver, "register")
    assert receiver.locator("#doc-state").get_attribute("data-state") == "registered"

    card = ".recipient-card[data-code='000.00.52.H18'] .status-history li"
    _until(
        clerical,
        document_url,
        lambda p: "03" in [li.get_attribute("data-status") for li in p.locator(card).all()],
    )
    assert code in receiver.inner_text("main")  # registered under the sender's number
    receiver.goto("/van-ban/den/")
    demo.check_accessibility(receiver, "incoming book")
    assert SUBJECT in receiver.inner_text("main")
