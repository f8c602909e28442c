"""The demo walked as a newcomer meets it (issue 14): ``scripts/run-demo.sh`` on SQLite with the
filesystem broker, a real worker and beat, every role through the login form with the printed
password, and signing with the PIN the banner prints.

A dossier of "Đăng ký khai sinh" (Decree 123/2015, Law on Civil Status art. 16) at UBND phường
Mường Thanh: found by a search without diacritics, submitted online, supplement requested and
answered through the requested item's upload slot, received, fee requested and paid through the simulated national payment platform, assigned, draft result
attached, signed and approved by the leader (PAdES, SoftHSM2 token, PIN), issued with the
clerical office's second signature, returned, downloaded (``pdfsig`` checks both signatures),
tracked by its code without login and rated; the provincial user's dashboard counts it.
Zero 5xx over the walk (the ``as_demo_user`` fixture fails on any).

The counter's walk-in intake: the procedure found by its name typed without diacritics, the
checklist of its documents (one scan slot each, a missing required one refused with its name),
received, and the receipt (form 01, rendered by the demo's worker) lists the real documents with
their form and number (``pdftotext``).
"""

from __future__ import annotations

import re
import subprocess
import time

import pytest

from tests.dossiers.conftest import PDF
from tests.e2e.eform_support import fill_birth_eform

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

PROCEDURE = "1.001193"  # Đăng ký khai sinh, level 4, at communes
COMMUNE_CODE = "000.00.52.H18"  # UBND phường Mường Thanh


def _pdf(name: str) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF}


def _act(pg, action: str, fill=None) -> None:
    pg.click(f"#open-{action}")
    pg.wait_for_selector(f"#do-{action}", state="visible")
    if fill:
        fill(pg)
    with pg.expect_navigation():
        pg.click(f"#do-{action}")


def _status(pg) -> str:
    return pg.inner_text("#dossier-status")


def _option_value(pg, select: str, text: str) -> str:
    """The value of the option of ``select`` whose label contains ``text``."""
    for option in pg.locator(f"{select} option").all():
        if text in option.inner_text():
            return option.get_attribute("value") or ""
    raise AssertionError(f"No option {text!r} in {select}: {pg.locator(select).inner_text()}")


def test_the_demo_banner_documents_logins_and_the_signing_pin(demo):
    assert "lanhdao.muongthanh" in demo.banner and "vanthu.muongthanh" in demo.banner
    assert re.search(r"PIN of every token is \d{6}", demo.banner)


def test_a_dossier_from_search_to_signed_result_on_the_demo(as_demo_user, demo, tmp_path):
    # A level-4 procedure needs a level-2 VNeID account (docs/vneid-oidc.md): the citizen signs
    # in through the national e-ID, as the banner tells a newcomer.
    citizen = as_demo_user.vneid("011090001234")
    citizen.goto("/")
    citizen.fill("#home-search", "dang ky khai sinh")
    with citizen.expect_navigation():
        citizen.click("#home-search-submit")
    demo.check_accessibility(citizen, "home search results")
    with citizen.expect_navigation():
        citizen.get_by_role("link", name="Đăng ký khai sinh", exact=True).click()
    demo.check_accessibility(citizen, "procedure page")

    citizen.goto(f"/ho-so/nop/{PROCEDURE}/")
    demo.check_accessibility(citizen, "submission form")
    citizen.select_option("#id_agency", _option_value(citizen, "#id_agency", "Mường Thanh"))
    assert (
        citizen.locator("#id_ef-requester_name").get_attribute("readonly") is not None
    )  # from the e-ID
    fill_birth_eform(citizen, COMMUNE_CODE, requester=False)
    for i, field in enumerate(citizen.locator(".document-row input[type=file]").all()):
        field.set_input_files(_pdf(f"giay-to-{i}.pdf"))
    with citizen.expect_navigation():
        citizen.click("#submit-dossier")
    assert "Hồ sơ của bạn đã được nộp" in citizen.inner_text("#submitted")
    demo.check_accessibility(citizen, "submitted")
    dossier_url = citizen.get_by_role("link", name="Xem hồ sơ").get_attribute("href")

    clerk = as_demo_user("motcua.muongthanh")
    clerk.goto("/ho-so/tiep-nhan/")
    demo.check_accessibility(clerk, "intake queue")
    clerk.goto(dossier_url)
    demo.check_accessibility(clerk, "dossier page (clerk)")
    _act(
        clerk,
        "request_supplement",
        lambda p: (
            p.fill("#id_request_supplement-items", "Giấy chứng sinh | bản chụp bị mờ"),
            p.fill("#id_request_supplement-reason", "Hồ sơ chưa rõ"),
        ),
    )
    assert "Yêu cầu bổ sung giấy tờ" in _status(clerk)

    citizen.goto(dossier_url)
    # The answer needs what was asked for: refused with the item's name while its slot is empty.
    _act(citizen, "answer_supplement")
    assert "Giấy chứng sinh" in citizen.locator(".alert-danger").first.inner_text()
    assert "Yêu cầu bổ sung giấy tờ" in _status(citizen)
    demo.check_accessibility(citizen, "supplement slots")
    # One upload slot per requested item; files can be added to it until the answer is sent.
    for name in ("giay-chung-sinh-ro.pdf", "giay-chung-sinh-trang-2.pdf"):
        citizen.set_input_files("#supplement-file-0", _pdf(name))
        with citizen.expect_navigation():
            citizen.click("#supplement-upload-0")
    assert "giay-chung-sinh-trang-2.pdf" in citizen.inner_text('.supplement-slot[data-item="0"]')
    _act(
        citizen,
        "answer_supplement",
        lambda p: p.fill("#id_answer_supplement-comment", "Đã bổ sung bản rõ"),
    )
    assert "Mới đăng ký" in _status(citizen)

    clerk.goto(dossier_url)
    _act(clerk, "receive")
    code = clerk.inner_text("#dossier-code")
    assert code.startswith(COMMUNE_CODE), code
    _act(
        clerk,
        "request_payment",
        lambda p: (
            p.fill("#id_request_payment-amount", "8000"),
            p.fill("#id_request_payment-reason", "Lệ phí cấp bản sao"),
        ),
    )
    assert "nghĩa vụ tài chính" in _status(clerk)

    citizen.goto(dossier_url)
    with citizen.expect_navigation():
        citizen.click("#pay-online")
    # The demo pays through the simulated national payment platform (PAYMENT_GATEWAY=national).
    assert citizen.inner_text("#platform-amount") == "8.000 VND"
    assert citizen.inner_text("#platform-dossier") == code
    with citizen.expect_navigation():
        citizen.click("#platform-pay")
    citizen.wait_for_selector(
        "#receipt-link", timeout=60_000
    )  # refreshes itself until the signed callback is in
    assert "Đã nhận thanh toán" in citizen.inner_text("#payment-result")
    demo.check_accessibility(citizen, "payment result")

    clerk.goto(dossier_url)
    _act(
        clerk,
        "assign",
        lambda p: (
            p.select_option(
                "#id_assign-department", _option_value(p, "#id_assign-department", "Mường Thanh")
            ),
            p.select_option(
                "#id_assign-assignee", _option_value(p, "#id_assign-assignee", "Vì Văn Hùng")
            ),
        ),
    )
    assert "Đang xử lý" in _status(clerk)

    specialist = as_demo_user("chuyenvien.muongthanh")
    specialist.goto("/ho-so/duoc-giao/")
    with specialist.expect_navigation():
        specialist.get_by_role("link", name=code).click()
    specialist.set_input_files("#draft-form input[type=file]", _pdf("ban-sao-giay-khai-sinh.pdf"))
    with specialist.expect_navigation():
        specialist.click("#draft-submit")
    assert specialist.locator("#draft-result").count() == 1
    _act(
        specialist,
        "forward",
        lambda p: (
            p.select_option("#id_forward-leader", index=1),
            p.fill("#id_forward-comment", "Đủ điều kiện cấp"),
        ),
    )

    leader = as_demo_user("lanhdao.muongthanh")
    leader.goto("/ho-so/cho-duyet/")
    with leader.expect_navigation():
        leader.get_by_role("link", name=code).click()
    demo.check_accessibility(leader, "dossier page (leader)")
    leader.fill("#id_sign-pin", demo.pin)
    with leader.expect_navigation():
        leader.click("#sign-approve-submit")
    assert "Đã xử lý xong" in _status(leader), leader.inner_text("main")

    clerical = as_demo_user("vanthu.muongthanh")
    clerical.goto(dossier_url)
    clerical.fill("#id_issue-number", "15/QĐ-UBND")
    clerical.fill("#id_issue-pin", demo.pin)
    with clerical.expect_navigation():
        clerical.click("#issue-submit")
    assert clerical.locator("#signed-result").count() == 1, clerical.inner_text("main")

    clerk.goto(dossier_url)
    _act(clerk, "return_result", lambda p: p.select_option("#id_return_result-delivery", index=0))
    assert "Đã trả kết quả" in _status(clerk)

    citizen.goto(dossier_url)
    with citizen.expect_download() as download:
        citizen.click("#download-result")
    signed = tmp_path / "ket-qua.pdf"
    download.value.save_as(signed)
    report = subprocess.run(
        ["pdfsig", str(signed)], capture_output=True, text=True, timeout=60
    ).stdout
    assert report.count("Signature is Valid.") == 2, (
        report
    )  # the leader's and the clerical office's
    _act(
        citizen,
        "rate",
        lambda p: (p.check("#id_rate-rating_0"), p.fill("#id_rate-comment", "Nhanh, chu đáo")),
    )
    assert citizen.inner_text("#dossier-rating") == "Hài lòng"

    visitor = as_demo_user(None)
    visitor.goto("/")
    with visitor.expect_navigation():
        visitor.click("#nav-track")
    visitor.fill("#id_code", code)
    visitor.fill("#id_second_factor", "1234")
    with visitor.expect_navigation():
        visitor.click("#track-submit")
    assert "Đã trả kết quả" in visitor.inner_text("#track-status")
    demo.check_accessibility(visitor, "tracking result")
    citizen.goto("/ho-so/cua-toi/")
    demo.check_accessibility(citizen, "my dossiers")

    # The province's dashboard counts the dossier once the demo's worker has refreshed the
    # summaries (an outbox task written with each transition).
    province = as_demo_user("tinh")
    deadline = time.monotonic() + 60
    while True:
        province.goto("/thong-ke/")
        figures = {
            k: province.inner_text(f'[data-kpi="{k}"] .kpi-value') for k in ("received", "resolved")
        }
        if figures == {"received": "1", "resolved": "1"}:
            break
        assert time.monotonic() < deadline, f"The dashboard did not count the dossier: {figures}"
        time.sleep(1)
    demo.check_accessibility(province, "province dashboard")


def test_a_walk_in_dossier_received_at_the_counter_with_the_checklist(as_demo_user, demo, tmp_path):
    clerk = as_demo_user("motcua.muongthanh")
    clerk.goto("/ho-so/tiep-nhan/")
    with clerk.expect_navigation():
        clerk.click("#counter-new")
    clerk.fill("#counter-q", "khai sinh")
    with clerk.expect_navigation():
        clerk.click("#counter-search-submit")
    demo.check_accessibility(clerk, "counter search")
    with clerk.expect_navigation():
        clerk.locator("#counter-results").get_by_role(
            "link", name="Đăng ký khai sinh", exact=True
        ).click()
    rows = clerk.locator(".checklist-row")
    assert rows.count() == 3, clerk.inner_text("#counter-checklist")
    checklist = clerk.inner_text("#counter-checklist")
    assert "Tờ khai đăng ký khai sinh" in checklist and "Bản chính" in checklist
    demo.check_accessibility(clerk, "counter checklist")
    clerk.select_option("#id_channel", "1")
    clerk.fill("#id_applicant_name", "Quàng Văn Tươi")
    clerk.fill("#id_applicant_citizen_id", "011299998888")
    clerk.fill("#id_applicant_phone", "0987654321")
    # Only the declaration scanned: refused, in Vietnamese, naming what is missing; nothing recorded.
    rows.nth(0).locator("input[type=file]").set_input_files(_pdf("to-khai.pdf"))
    with clerk.expect_navigation():
        clerk.click("#counter-save")
    errors = clerk.inner_text("#counter-errors")
    assert "Còn thiếu giấy tờ" in errors and "Giấy chứng sinh" in errors, errors
    for i, name in enumerate(("to-khai.pdf", "giay-chung-sinh.pdf", "can-cuoc.pdf")):
        rows.nth(i).locator("input[type=file]").set_input_files(_pdf(name))
    with clerk.expect_navigation():
        clerk.click("#counter-save")
    assert "Mới đăng ký" in _status(clerk), clerk.inner_text("main")
    code = clerk.inner_text("#dossier-code")
    assert code.startswith(COMMUNE_CODE), code  # the code at once, not an internal id
    files = clerk.inner_text("#dossier-files")
    assert "Giấy chứng sinh hoặc văn bản của người làm chứng" in files
    assert "Giấy tờ khác" not in files
    _act(clerk, "receive")
    assert "Được tiếp nhận" in _status(clerk)
    receipt = '#printed-forms li[data-kind="01"][data-state="ready"] a.form-link'
    clerk.wait_for_selector(receipt, timeout=90_000)  # the page polls until the worker is done
    with clerk.expect_download() as download:
        clerk.click(receipt)
    assert download.value.suggested_filename.endswith(f"-{code}.pdf"), (
        download.value.suggested_filename
    )
    path = tmp_path / "mau-01.pdf"
    download.value.save_as(path)
    text = " ".join(
        subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(path), "-"],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout.split()
    )
    for expected in (
        "Tờ khai đăng ký khai sinh",
        "Giấy chứng sinh",
        "Thẻ căn cước",
        "Bản chính",
        code,
    ):
        assert expected in text, text
    assert "Giấy tờ khác" not in text, text


JUDICIAL = "2.000488"  # Cấp Phiếu lý lịch tư pháp, level 4, Sở Tư pháp (000.00.03.H18)


def _fill_free(pg, selector: str, value: str) -> None:
    """Fill a field the e-ID did not already fill and lock."""
    field = pg.locator(selector)
    if field.get_attribute("readonly") is None and not field.input_value():
        field.fill(value)


def test_an_error_first_then_a_fee_case_and_copies_paid_on_the_platform(as_demo_user, demo):
    """Issue 14: a submission with an error shows the GOV.UK-style error summary (each error a
    link to its field) and keeps the file chosen; the applicant picks the reduced fee case and 3
    certificates (Circular 244/2016/TT-BTC: 100.000 đ + 5.000 đ from the third on), the clerk's
    payment request is prefilled with 105.000 đ, and that is what the national payment
    platform's simulator is asked for, line by line."""
    citizen = as_demo_user.vneid("011090001234")
    citizen.goto(f"/ho-so/nop/{JUDICIAL}/")
    assert "200.000 đ" in citizen.inner_text("#fee-total")  # not 305.000 đ (every line added)
    files = citizen.locator(".document-row input[type=file]")
    files.nth(0).set_input_files(_pdf("to-khai-lltp.pdf"))  # the ID card's scan is missing
    with citizen.expect_navigation():
        citizen.click("#submit-dossier")
    summary = citizen.locator("#error-summary")
    assert "Có lỗi cần sửa" in summary.inner_text()
    assert citizen.evaluate("document.activeElement.id") == "error-summary"  # focus moved to it
    links = [a.get_attribute("href") for a in summary.locator("a").all()]
    assert "#id_ef-purpose" in links and "#id_ef-birth_place" in links, links
    assert len(links) >= 3, links
    summary.locator("a[href='#id_ef-purpose']").click()
    assert citizen.evaluate("document.activeElement.id") == "id_ef-purpose"
    demo.check_accessibility(citizen, "submission form with errors")
    kept = citizen.locator(".document-row .attached").first.inner_text()
    assert "Đã đính kèm" in kept and "to-khai-lltp.pdf" in kept  # not chosen again

    _fill_free(citizen, "#id_ef-birth_place", "Điện Biên")
    citizen.select_option("#id_ef-residence-commune", COMMUNE_CODE)
    _fill_free(citizen, "#id_ef-residence-detail", "Tổ 5")
    _fill_free(citizen, "#id_ef-nationality", "Việt Nam")
    _fill_free(citizen, "#id_ef-history-0-period", "2004 - nay")
    _fill_free(citizen, "#id_ef-history-0-place", "Điện Biên")
    citizen.select_option("#id_ef-record_type", "1")
    citizen.fill("#id_ef-purpose", "Bổ sung hồ sơ xin việc")
    citizen.fill("#id_ef-copies", "3")
    citizen.check("#id_fee_case_1")  # the reduced case
    assert citizen.inner_text("#fee-total") == "105.000 đ"
    files.nth(1).set_input_files(_pdf("can-cuoc.pdf"))
    with citizen.expect_navigation():
        citizen.click("#submit-dossier")
    assert "Hồ sơ của bạn đã được nộp" in citizen.inner_text("#submitted"), citizen.inner_text(
        "main"
    )
    dossier_url = citizen.get_by_role("link", name="Xem hồ sơ").get_attribute("href")

    clerk = as_demo_user("motcua.tuphap")
    clerk.goto(dossier_url)
    lines = clerk.inner_text("#dossier-fee-lines")
    assert "(giảm): 100.000 đ" in lines and "từ phiếu thứ 3 trở đi: 5.000 đ" in lines, lines
    assert "3 bản" in clerk.inner_text("#dossier-fees")
    _act(clerk, "receive")
    code = clerk.inner_text("#dossier-code")
    clerk.click("#open-request_payment")
    clerk.wait_for_selector("#do-request_payment", state="visible")
    assert clerk.input_value("#id_request_payment-amount") == "105000"  # prefilled, right
    clerk.fill("#id_request_payment-reason", "Phí cấp Phiếu lý lịch tư pháp")
    with clerk.expect_navigation():
        clerk.click("#do-request_payment")
    assert "nghĩa vụ tài chính" in _status(clerk)

    citizen.goto(dossier_url)
    with citizen.expect_navigation():
        citizen.click("#pay-online")
    assert citizen.inner_text("#platform-amount") == "105.000 VND"
    assert citizen.inner_text("#platform-dossier") == code
    fees_listed = citizen.inner_text("#platform-fees")
    assert "Phí cấp Phiếu lý lịch tư pháp (giảm): 100000" in fees_listed, fees_listed
    assert "Phí cấp từ phiếu thứ 3 trở đi: 5000" in fees_listed, fees_listed
    with citizen.expect_navigation():
        citizen.click("#platform-pay")
    citizen.wait_for_selector("#receipt-link", timeout=60_000)
    assert "Đã nhận thanh toán" in citizen.inner_text("#payment-result")
    citizen.goto(dossier_url)
    assert "105.000 đ" in citizen.inner_text("#dossier-payments")
