"""Browser journeys of a dossier: online submission with files → supplement requested and answered
→ received → examined → approved → returned → tracked by code and rated; and a counter intake."""

from __future__ import annotations

import pytest

from tests.dossiers.conftest import PDF
from tests.e2e.eform_support import fill_birth_eform

pytestmark = pytest.mark.e2e

PROCEDURE = "1.001193"  # Đăng ký khai sinh, level 4, at communes
COMMUNE = "000.00.52.H18"  # UBND phường Mường Thanh


@pytest.fixture
def as_user(browser, live_server, login, demo_data):
    """``as_user(username)``: a page in its own browser context (own cookies), logged in."""
    contexts = []

    def _open(username: str | None):
        context = browser.new_context(
            base_url=live_server.url, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh"
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        pg = context.new_page()
        if username:
            login(pg, username, demo_data)
        return pg

    yield _open
    for c in contexts:
        c.close()


def _pdf(name: str) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF}


def _act(pg, action: str, fill=None) -> None:
    pg.click(f"#open-{action}")
    pg.wait_for_selector(f"#do-{action}", state="visible")
    if fill:
        fill(pg)
    # The action's page renders a printed form on a busy 2-core runner: allow it 30 s.
    with pg.expect_navigation(timeout=30_000):
        pg.click(f"#do-{action}")


def test_online_dossier_from_submission_to_rating(as_user):
    from portal.accounts.models import User
    from portal.agencies.models import Agency

    commune = Agency.objects.get(code=COMMUNE)
    citizen = as_user("congdan")
    citizen.goto(f"/ho-so/nop/{PROCEDURE}/")
    citizen.select_option("#id_agency", str(commune.pk))
    fill_birth_eform(citizen, COMMUNE)  # the procedure's e-form (tests/e2e/test_eid_journey.py)
    for i, field in enumerate(citizen.locator(".document-row input[type=file]").all()):
        field.set_input_files(_pdf(f"giay-to-{i}.pdf"))
    with citizen.expect_navigation():
        citizen.click("#submit-dossier")
    assert "Hồ sơ của bạn đã được nộp" in citizen.inner_text("#submitted")
    dossier_url = citizen.get_by_role("link", name="Xem hồ sơ").get_attribute("href")

    clerk = as_user("motcua.muongthanh")
    clerk.goto("/ho-so/tiep-nhan/")
    assert "Nguyễn Văn An" in clerk.inner_text("#worklist")
    clerk.goto(dossier_url)
    _act(
        clerk,
        "request_supplement",
        lambda p: (
            p.fill("#id_request_supplement-items", "Giấy chứng sinh | bản chụp bị mờ"),
            p.fill("#id_request_supplement-reason", "Hồ sơ chưa rõ"),
        ),
    )
    assert "Yêu cầu bổ sung giấy tờ" in clerk.inner_text("#dossier-status")

    citizen.goto("/ho-so/cua-toi/")
    assert "Hồ sơ chưa rõ" in citizen.inner_text("#pending-supplements")
    citizen.goto(dossier_url)
    assert "bản chụp bị mờ" in citizen.inner_text("#supplement-requests")
    citizen.set_input_files("#supplement-file-0", _pdf("giay-chung-sinh-ro.pdf"))
    with citizen.expect_navigation():
        citizen.click("#supplement-upload-0")
    assert "giay-chung-sinh-ro.pdf" in citizen.inner_text("#dossier-files")
    _act(
        citizen,
        "answer_supplement",
        lambda p: p.fill("#id_answer_supplement-comment", "Đã bổ sung bản rõ"),
    )
    assert "Mới đăng ký" in citizen.inner_text("#dossier-status")

    clerk.goto(dossier_url)
    _act(clerk, "receive")
    code = clerk.inner_text("#dossier-code")
    assert code.startswith(commune.receiving_code or "") and "-" in code
    specialist = User.objects.get(username="chuyenvien.muongthanh")
    _act(
        clerk,
        "assign",
        lambda p: (
            p.select_option("#id_assign-department", str(commune.pk)),
            p.select_option("#id_assign-assignee", str(specialist.pk)),
        ),
    )
    assert "Đang xử lý" in clerk.inner_text("#dossier-status")

    examiner = as_user("chuyenvien.muongthanh")
    examiner.goto("/ho-so/duoc-giao/")
    with examiner.expect_navigation():
        examiner.get_by_role("link", name=code).click()
    leader_user = User.objects.get(username="lanhdao.muongthanh")
    _act(
        examiner,
        "forward",
        lambda p: (
            p.select_option("#id_forward-leader", str(leader_user.pk)),
            p.fill("#id_forward-comment", "Đủ điều kiện cấp"),
        ),
    )

    leader = as_user("lanhdao.muongthanh")
    leader.goto("/ho-so/cho-duyet/")
    with leader.expect_navigation():
        leader.get_by_role("link", name=code).click()
    _act(leader, "approve", lambda p: p.fill("#id_approve-comment", "Đồng ý"))
    assert "Đã xử lý xong" in leader.inner_text("#dossier-status")

    clerk.goto(dossier_url)
    _act(clerk, "return_result", lambda p: p.select_option("#id_return_result-delivery", "counter"))
    assert "Đã trả kết quả" in clerk.inner_text("#dossier-status")
    history = clerk.inner_text("#dossier-history")
    assert (
        "Đủ điều kiện cấp" in history and "Vì Văn Hùng" in history
    )  # hand-overs name giver and receiver (form 06)

    visitor = as_user(None)
    visitor.goto("/ho-so/tra-cuu/")
    visitor.fill("#id_code", code)
    visitor.fill("#id_second_factor", "1234")
    with visitor.expect_navigation():
        visitor.click("#track-submit")
    assert "Đã trả kết quả" in visitor.inner_text("#track-status")
    public = visitor.inner_text("#track-result")
    assert "Nguyễn Văn An" not in public and "011095001234" not in public  # no personal data

    citizen.goto(dossier_url)
    _act(
        citizen,
        "rate",
        lambda p: (p.check("#id_rate-rating_0"), p.fill("#id_rate-comment", "Nhanh, chu đáo")),
    )
    assert citizen.inner_text("#dossier-rating") == "Hài lòng"


def test_counter_intake_with_scanned_papers(as_user):
    clerk = as_user("motcua.muongthanh")
    clerk.goto("/ho-so/tiep-nhan/")
    with clerk.expect_navigation():
        clerk.click("#counter-new")
    clerk.fill("#counter-q", "dang ky khai sinh")
    with clerk.expect_navigation():
        clerk.click("#counter-search-submit")
    with clerk.expect_navigation():
        clerk.click(f'#counter-results a[href="?procedure={PROCEDURE}"]')
    clerk.select_option("#id_channel", "1")
    clerk.fill("#id_applicant_name", "Quàng Văn Tươi")
    clerk.fill("#id_applicant_citizen_id", "011299998888")
    rows = clerk.locator(".checklist-row")
    count = rows.count()
    for i in range(count):
        rows.nth(i).locator("input[type=file]").set_input_files(_pdf(f"scan-{i}.pdf"))
    with clerk.expect_navigation():
        clerk.click("#counter-save")
    assert "Mới đăng ký" in clerk.inner_text("#dossier-status")
    files = clerk.inner_text("#dossier-files")
    assert "scan-0.pdf" in files and files.count("đã số hóa") == count >= 2
    assert "Giấy tờ khác" not in files
    _act(clerk, "receive")
    assert "Được tiếp nhận" in clerk.inner_text("#dossier-status")


def test_applicant_pays_the_fee_through_the_test_gateway(as_user):
    from decimal import Decimal

    from dossiers import services
    from dossiers.models import Dossier
    from portal.accounts.models import User
    from portal.agencies.models import Agency
    from procedures.models import Procedure

    citizen_user, clerk_user = (
        User.objects.get(username="congdan"),
        User.objects.get(username="motcua.muongthanh"),
    )
    procedure = Procedure.objects.get(code=PROCEDURE)
    version = procedure.versions.order_by("-version").first()
    draft = services.dossier_save_draft(
        actor=citizen_user, procedure=procedure, agency=Agency.objects.get(code=COMMUNE)
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    for doc in version.snapshot["documents"]:
        services.dossier_add_file(
            dossier=draft,
            actor=citizen_user,
            uploaded_file=SimpleUploadedFile("a.pdf", PDF),
            document_id=doc["id"],
        )
    dossier = services.dossier_receive(
        dossier=services.dossier_submit(dossier=draft, actor=citizen_user), actor=clerk_user
    )
    services.dossier_request_payment(
        dossier=dossier, actor=clerk_user, amount=Decimal("8000"), reason="Phí trích lục"
    )

    citizen = as_user("congdan")
    citizen.goto(f"/ho-so/{dossier.pk}/")
    with citizen.expect_navigation():
        citizen.click("#pay-online")
    assert "8.000" in citizen.inner_text("#gateway-amount")
    with citizen.expect_navigation():
        citizen.click("#gateway-pay")
    assert "Đã nhận thanh toán" in citizen.inner_text("#payment-result")
    with citizen.expect_navigation():
        citizen.click("#receipt-link")
    assert citizen.inner_text("#receipt-number").startswith("BL")
    assert Dossier.objects.get(pk=dossier.pk).paid_at is not None
