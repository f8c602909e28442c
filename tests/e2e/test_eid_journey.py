"""The citizen's journey with the national e-ID, in a browser: log in through the simulated VNeID
(a real OpenID Connect provider in its own process), open the birth registration, find the
e-form prefilled and locked, fill the rest, reuse the ID card from the document store in one
click, submit; the clerk sees the structured data and the declaration PDF; the citizen sees the
clerk's access in his data log."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.dossiers.conftest import PDF
from tests.e2e.eform_support import fill_birth_eform
from tests.eid_support import configure, start_simulator

pytestmark = pytest.mark.e2e

BIRTH = "1.001193"  # Đăng ký khai sinh, level 4, at communes, with its e-form
JUDICIAL = "2.000488"  # an earlier dossier of the citizen, with his ID card
COMMUNE = "000.00.52.H18"  # UBND phường Mường Thanh
HUNG = "011090001234"


@pytest.fixture
def vneid(live_server, settings, demo_data):
    sim = start_simulator(live_server.url)
    configure(settings, sim)
    from portal.agencies import selectors

    selectors._COMMUNES = (0.0, [])
    yield sim
    sim.stop()


def _earlier_dossier_with_id_card(user) -> None:
    """What the store holds: the ID card the citizen sent with an earlier dossier."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from dossiers import services
    from dossiers.document_store import store_collect
    from portal.agencies.models import Agency
    from procedures.models import Procedure

    procedure = Procedure.objects.get(code=JUDICIAL)
    d = services.dossier_save_draft(
        actor=user,
        procedure=procedure,
        agency=Agency.objects.get(code="000.00.03.H18"),
        form_data={},
    )
    buf = io.BytesIO()
    Image.new("RGB", (40, 25), "white").save(buf, format="PNG")
    for doc in d.procedure_version.snapshot["documents"]:
        content, name, ctype = (
            (buf.getvalue(), "cccd.png", "image/png")
            if "ăn cước" in doc["name"]
            else (PDF, "to-khai.pdf", "application/pdf")
        )
        services.dossier_add_file(
            dossier=d,
            actor=user,
            uploaded_file=SimpleUploadedFile(name, content, content_type=ctype),
            document_id=doc["id"],
        )
    services.dossier_submit(
        dossier=services.dossier_save_draft(
            actor=user, dossier=d, procedure=procedure, agency=d.receiving_agency, form_data={}
        ),
        actor=user,
    )
    assert store_collect(d) == 1


def test_eid_login_prefilled_eform_store_reuse_clerk_and_data_log(
    browser, live_server, vneid, demo_data, login
):
    from portal.accounts.models import User

    ctx = browser.new_context(
        base_url=live_server.url, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh"
    )
    ctx.set_default_timeout(15_000)
    citizen = ctx.new_page()
    citizen.goto(f"/tai-khoan/dang-nhap/?next=/ho-so/nop/{BIRTH}/")
    with citizen.expect_navigation():
        citizen.click("#vneid-login")
    assert citizen.url.startswith(vneid.base_url)  # at the national sign-on, not the portal
    citizen.fill("#id_username", HUNG)
    citizen.fill("#id_password", "VNeID@2026")
    with citizen.expect_navigation(url=f"{live_server.url}/ho-so/nop/{BIRTH}/"):
        citizen.click("button[type=submit]")
    user = User.objects.get(citizen_id=HUNG)
    _earlier_dossier_with_id_card(user)

    citizen.goto(f"/ho-so/nop/{BIRTH}/")
    name = citizen.locator("#id_ef-requester_name")
    assert name.input_value() == "Lò Văn Hùng" and name.get_attribute("readonly") is not None
    assert citizen.locator("#id_ef-requester_id").input_value() == HUNG
    assert citizen.locator("#id_ef-requester_dob").input_value() == "1990-03-15"
    # a condition: the father's fields appear only when asked for
    assert citizen.locator("#id_ef-father_name").is_hidden()
    citizen.check("#id_ef-has_father")
    assert citizen.locator("#id_ef-father_name").is_visible()
    citizen.fill("#id_ef-father_name", "Lò Văn Hùng")
    citizen.fill("#id_ef-father_birth_year", "1990")
    from portal.agencies.models import Agency

    citizen.select_option("#id_agency", str(Agency.objects.get(code=COMMUNE).pk))
    fill_birth_eform(citizen, COMMUNE, requester=False)
    # one click: the ID card from the document store (the form is kept as a draft)
    with citizen.expect_navigation():
        citizen.locator(".store-offer button").first.click()
    assert citizen.locator(".reused-mark").count() == 1
    assert citizen.locator("#id_ef-child_name").input_value() == "Lò Minh An"  # the draft kept it
    row = citizen.locator(".document-row", has_text="Giấy chứng sinh")
    row.locator("input[type=file]").set_input_files(
        {"name": "giay-chung-sinh.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    with citizen.expect_navigation():
        citizen.click("#submit-dossier")
    assert "Hồ sơ của bạn đã được nộp" in citizen.inner_text("#submitted")
    dossier_url = citizen.get_by_role("link", name="Xem hồ sơ").get_attribute("href")

    clerk_ctx = browser.new_context(
        base_url=live_server.url, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh"
    )
    clerk = clerk_ctx.new_page()
    login(clerk, "motcua.muongthanh", demo_data)
    clerk.goto(dossier_url)
    data = clerk.inner_text("#eform-data")
    assert "Lò Minh An" in data and "20/05/2026" in data and "Quàng Thị Mai" in data
    files = clerk.inner_text("#dossier-files")
    assert "to-khai-dien-tu.pdf" in files and "tái sử dụng" in files
    pdf_href = clerk.get_by_role("link", name="to-khai-dien-tu.pdf").get_attribute("href")
    pdf = clerk.request.get(f"{live_server.url}{pdf_href}")
    assert pdf.ok and pdf.body().startswith(b"%PDF")

    citizen.goto("/tai-khoan/ho-so-ca-nhan/")
    log = citizen.inner_text("#data-access-log")
    assert "Quàng Thị Mai" in log  # the clerk's name (demo clerk of Mường Thanh)
    assert "Hồ sơ" in log and "to-khai-dien-tu.pdf" in log
    assert "SoDinhDanh" in citizen.inner_text("#verified-facts")
    clerk_ctx.close()
    ctx.close()
