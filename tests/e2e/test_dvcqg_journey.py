"""Browser journey of a dossier filed on the national public-service portal (issue 17, "Must show").

A citizen files on the simulated DVCQG (a separate process on loopback); the simulator pushes the
dossier, signed, to the portal's inbound endpoint; it arrives in the intake queue of the agency it
names (and not in another's). Through the real pages, the commune's clerk receives it and assigns
it, the specialist asks for the fee, the applicant pays it through the existing payment path (the
test gateway; the national payment platform is another engineer's work), the specialist forwards,
the leader approves with the electronic result (the demo world has no signing keys: the result PDF
is attached at approval, ``dossiers.services.dossier_approve``), and the clerk returns it online.
Every change goes out through a real Celery worker (outbox → Redis → worker → simulator); the
simulator finally shows status 10 (Đã trả kết quả, DESIGN §2) with the result file, and the signed
link it stored (``DuongDanTepTinKetQua``) downloads the PDF.
"""

from __future__ import annotations

import base64
import time
import urllib.request

import pytest

from tests.celery_support import celery_worker, purge_queue, wait_for
from tests.dossiers.conftest import PDF
from tests.national.dvcqg.conftest import dvcqg  # noqa: F401 - the simulator fixture

pytestmark = [pytest.mark.e2e, pytest.mark.celery, pytest.mark.slow]

PROCEDURE = "1.001193"  # Đăng ký khai sinh, level 4, at communes
COMMUNE = "000.00.52.H18"  # UBND phường Mường Thanh
OTHER_COMMUNE_CLERK = (
    "motcua.tuphap"  # the provincial Department of Justice's clerk: another agency
)
INBOUND = "/api/v1/national/dvcqg/inbound/"
CODE = "000.00.52.H18-261203-0000042"


@pytest.fixture
def as_user(browser, live_server, login, demo_data):
    contexts = []

    def _open(username: str):
        context = browser.new_context(
            base_url=live_server.url, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh"
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        pg = context.new_page()
        login(pg, username, demo_data)
        return pg

    yield _open
    for c in contexts:
        c.close()


def _act(pg, action: str, fill=None) -> None:
    pg.click(f"#open-{action}")
    pg.wait_for_selector(f"#do-{action}", state="visible")
    if fill:
        fill(pg)
    with pg.expect_navigation():
        pg.click(f"#do-{action}")


def _filing() -> dict:
    from procedures.models import Procedure

    version = Procedure.objects.get(code=PROCEDURE).versions.order_by("-version").first()
    return {
        "MaHoSo": CODE,
        "MaTTHC": PROCEDURE,
        "MaDonViNhan": COMMUNE,
        "ChuHoSo": "Nguyễn Văn An",
        "SoGiayToChuHoSo": "011095001234",
        "SoDienThoai": "0912345678",
        "Email": "congdan@example.vn",
        "TaiKhoanDuocXacThucVoiVNeID": "1",
        "DuLieuBieuMau": {"ho_ten_tre": "Nguyễn Văn Bình", "ngay_sinh": "01/11/2026"},
        "TaiLieuNop": [
            {
                "TenTepDinhKem": f"giay-to-{d['id']}.pdf",
                "MaThanhPhanHoSo": str(d["id"]),
                "DuLieuTepTin": base64.b64encode(PDF).decode(),
                "DuocSoHoa": "0",
            }
            for d in version.snapshot["documents"]
        ],
    }


def test_a_dossier_filed_on_dvcqg_is_processed_paid_returned_and_dvcqg_shows_status_10(
    as_user, live_server, dvcqg, settings
):  # noqa: F811
    from dossiers.models import Dossier
    from portal.accounts.models import User

    settings.SITE_URL = live_server.url  # the result link DVCQG stores points at this portal
    purge_queue()
    env = {
        "DVCQG_URL": dvcqg.url,
        "DVCQG_USERNAME": "tinh",
        "DVCQG_PASSWORD": "demo-dvcqg-password",
        "DVCQG_DSTCODE": "H18",
        "DVCQG_TIMEOUT": "5",
        "DVCQG_RETRY_BACKOFF": "1",
        "DVCQG_POLL_INTERVAL": "3600",
        "SITE_URL": live_server.url,
    }
    with celery_worker(env=env, beat=True, timeout=90) as worker:
        # filed on DVCQG, pushed (signed) to the portal
        dvcqg.call("POST", "/_sim/config", {"push_url": live_server.url + INBOUND})
        dvcqg.call("POST", "/_sim/file", _filing())
        assert wait_for(lambda: Dossier.objects.filter(code=CODE).exists(), timeout=30), (
            dvcqg.state()["inbound"]
        )
        dossier = Dossier.objects.get(code=CODE)

        other = as_user(OTHER_COMMUNE_CLERK)
        other.goto("/ho-so/tiep-nhan/")
        assert CODE not in other.inner_text("body")

        clerk = as_user("motcua.muongthanh")
        clerk.goto("/ho-so/tiep-nhan/")
        assert "Nguyễn Văn An" in clerk.inner_text("#worklist")
        with clerk.expect_navigation():
            clerk.get_by_role("link", name=CODE).click()
        assert "Mới đăng ký" in clerk.inner_text("#dossier-status")
        assert "giay-to-" in clerk.inner_text("#dossier-files")
        _act(clerk, "receive")
        assert "Được tiếp nhận" in clerk.inner_text("#dossier-status")
        assert (
            clerk.inner_text("#dossier-code") == CODE
        )  # the national code stays the dossier's code
        specialist_user = User.objects.get(username="chuyenvien.muongthanh")
        commune = dossier.receiving_agency
        _act(
            clerk,
            "assign",
            lambda p: (
                p.select_option("#id_assign-department", str(commune.pk)),
                p.select_option("#id_assign-assignee", str(specialist_user.pk)),
            ),
        )
        assert "Đang xử lý" in clerk.inner_text("#dossier-status")

        specialist = as_user("chuyenvien.muongthanh")
        specialist.goto(f"/ho-so/{dossier.pk}/")
        _act(
            specialist,
            "request_payment",
            lambda p: (
                p.fill("#id_request_payment-amount", "8000"),
                p.fill("#id_request_payment-reason", "Phí trích lục"),
            ),
        )
        assert "Yêu cầu thực hiện nghĩa vụ tài chính" in specialist.inner_text("#dossier-status")

        citizen = as_user("congdan")  # the account whose citizen ID DVCQG sent
        citizen.goto(f"/ho-so/{dossier.pk}/")
        with citizen.expect_navigation():
            citizen.click("#pay-online")
        assert "8.000" in citizen.inner_text("#gateway-amount")
        with citizen.expect_navigation():
            citizen.click("#gateway-pay")
        assert "Đã nhận thanh toán" in citizen.inner_text("#payment-result")

        specialist.goto(f"/ho-so/{dossier.pk}/")
        assert "Đang xử lý" in specialist.inner_text("#dossier-status")
        leader_user = User.objects.get(username="lanhdao.muongthanh")
        _act(
            specialist,
            "forward",
            lambda p: (
                p.select_option("#id_forward-leader", str(leader_user.pk)),
                p.fill("#id_forward-comment", "Đủ điều kiện"),
            ),
        )

        leader = as_user("lanhdao.muongthanh")
        leader.goto(f"/ho-so/{dossier.pk}/")
        _act(
            leader,
            "approve",
            lambda p: (
                p.fill("#id_approve-comment", "Đồng ý"),
                p.set_input_files(
                    "#id_approve-result_file",
                    {"name": "ket-qua.pdf", "mimeType": "application/pdf", "buffer": PDF},
                ),
            ),
        )
        assert "Đã xử lý xong" in leader.inner_text("#dossier-status")

        clerk.goto(f"/ho-so/{dossier.pk}/")
        _act(
            clerk,
            "return_result",
            lambda p: p.select_option("#id_return_result-delivery", "online"),
        )
        assert "Đã trả kết quả" in clerk.inner_text("#dossier-status")

        events = Dossier.objects.get(pk=dossier.pk).events.count()

        def national_done() -> bool:
            record = dvcqg.state()["dossiers"].get(CODE) or {}
            return record.get("TrangThaiHoSo") == "10" and len(record.get("progress", [])) == events

        assert wait_for(national_done, timeout=90, step=0.5, proc=worker), (
            dvcqg.state()["dossiers"].get(CODE),
            worker.log(),
        )
        time.sleep(1)
        state = dvcqg.state()
    record = state["dossiers"][CODE]
    assert [p["TrangThai"] for p in record["progress"]] == ["1", "2", "4", "6", "4", "4", "9", "10"]
    assert record["KenhThucHien"] == "2" and record["TaiKhoanDuocXacThucVoiVNeID"] == "1"
    assert record["DuocThanhToanTrucTuyen"] == "1"  # paid online, from the Payment row
    assert record["HinhThuc"] == "2"  # returned online
    assert (state["out_of_order"], state["rejected"]) == (0, 0)
    results = record["DanhSachGiayToKetQua"]
    assert len(results) == 1
    with urllib.request.urlopen(results[0]["DuongDanTepTinKetQua"], timeout=10) as answer:  # noqa: S310 - the live server
        body = answer.read()
        assert answer.headers["Content-Type"] == "application/pdf"
    assert body == PDF
    purge_queue()
