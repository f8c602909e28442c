"""Forms 01–07 rendered from realistic dossiers (Vietnamese names, real dates), checked with
pdftotext: national header, title, dossier code, names, dates; 06 the hand-overs with early /
on time / late; 07 the rows and page numbers. Rendering is called as the worker calls it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.files.storage import default_storage

from dossiers import printing, services
from dossiers.constants import Timeliness
from dossiers.exceptions import DossierError
from dossiers.models import DossierStep, PrintedForm
from portal.core.models import OutboxMessage

from .printed_support import at, name_world, pdf_text

pytestmark = pytest.mark.django_db

HEADER = (
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "SỞ TƯ PHÁP",
    "UBND TỈNH ĐIỆN BIÊN",
)


@pytest.fixture
def named(world):
    name_world(world)
    return world


def _render(form: PrintedForm) -> tuple[PrintedForm, str]:
    form = printing.render_form(form_id=form.pk)
    with form.file.open("rb") as handle:
        data = handle.read()
    return form, data


def _text(form, tmp_path):
    form, data = _render(form)
    assert form.state == PrintedForm.State.READY and data.startswith(b"%PDF-")
    return pdf_text(data, tmp_path)


def _assert_in(text: str, *expected: str) -> None:
    for item in expected:
        assert item in text, f"{item!r} not in:\n{text}"


def test_receipt_01_is_asked_for_in_the_receive_transaction_and_renders(
    named, working_morning, tmp_path
):
    dossier = services.dossier_receive(dossier=named.submitted(), actor=named.clerk)
    form = PrintedForm.objects.get(dossier=dossier, kind="01")
    assert form.state == "pending"
    assert (
        OutboxMessage.objects.filter(
            task_name=printing.RENDER_TASK, kwargs__form_id=form.pk
        ).count()
        == 1
    )
    text = _text(form, tmp_path)
    _assert_in(
        text,
        *HEADER,
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        f"Mã hồ sơ: {dossier.code}",
        dossier.code,
        "Lò Thị Hương",
        "Quàng Văn Đức",
        "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam",
        "Tờ khai (bản chính)",
        "Điện Biên, ngày 09 tháng 6 năm 2026",
        "ngày 09/06/2026",
        f"ngày {dossier.due_at.astimezone(at(1, 0).tzinfo):%d/%m/%Y}",
        "5 ngày làm việc",
        "NGƯỜI NỘP HỒ SƠ",
    )
    # pdftotext drops a hyphen where the URL wraps (and may put the wrapped part on its own line):
    # compare without hyphens and spaces
    compact = text.replace(" ", "").replace("-", "")
    assert "/hoso/tracuu/" in compact and dossier.tracking_token.replace("-", "") in compact


def test_receipt_carries_the_qr_image_and_the_barcode(named, working_morning, tmp_path):
    dossier = services.dossier_receive(dossier=named.submitted(), actor=named.clerk)
    form, data = _render(PrintedForm.objects.get(dossier=dossier, kind="01"))
    (tmp_path / "r.pdf").write_bytes(data)
    import subprocess

    images = subprocess.run(
        ["pdfimages", "-list", str(tmp_path / "r.pdf")], check=True, capture_output=True, text=True
    ).stdout
    assert len(images.splitlines()) >= 3  # the QR code (PNG) is an image of the page
    assert b"/Subtype /Image" in data or "image" in images


def test_supplement_02(named, working_morning, tmp_path):
    dossier = named.submitted()
    request = services.dossier_request_supplement(
        dossier=dossier,
        actor=named.clerk,
        reason="Tờ khai chưa ghi đủ thông tin",
        items=[
            {
                "document": "Tờ khai đề nghị cấp Phiếu lý lịch tư pháp",
                "reason": "Thiếu nơi cư trú trước đây",
            }
        ],
    )
    form = PrintedForm.objects.get(dossier=dossier, kind="02", source=f"supplement:{request.pk}")
    _assert_in(
        _text(form, tmp_path),
        *HEADER,
        "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
        "Lò Thị Hương",
        "Tờ khai đề nghị cấp Phiếu lý lịch tư pháp",
        "Thiếu nơi cư trú trước đây",
        "Quàng Văn Đức",
        "Điện Biên, ngày 09 tháng 6 năm 2026",
        "NGƯỜI HƯỚNG DẪN",
    )


def test_refusal_03(named, working_morning, tmp_path):
    dossier = services.dossier_refuse(
        dossier=named.submitted(),
        actor=named.clerk,
        reason="Thủ tục không thuộc thẩm quyền của Sở Tư pháp",
    )
    text = _text(PrintedForm.objects.get(dossier=dossier, kind="03"), tmp_path)
    _assert_in(
        text,
        *HEADER,
        "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
        "Lò Thị Hương",
        "không thuộc thẩm quyền của Sở Tư pháp",
        "Quàng Văn Đức",
        "ngày 09 tháng 6 năm 2026",
    )


def test_apology_04(named, working_morning, tmp_path):
    dossier = named.received()
    working_morning.move_to(at(22, 9))  # well past the appointment date (5 working days)
    apology = services.dossier_record_apology(
        dossier=dossier,
        actor=named.leader,
        reason="Cần xác minh thông tin tại Công an tỉnh",
        new_due_at=at(25, 16),
    )
    form = PrintedForm.objects.get(dossier=dossier, kind="04", source=f"apology:{apology.pk}")
    _assert_in(
        _text(form, tmp_path),
        *HEADER,
        "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT",
        dossier.code,
        "Lò Thị Hương",
        "đề nghị ông/bà đồng ý gia hạn thời gian giải quyết",
        "17 giờ 00 phút, ngày 16 tháng 6 năm 2026",
        "Cần xác minh thông tin tại Công an tỉnh",
        "16 giờ 00 phút, ngày 25 tháng 6 năm 2026",
        "Lường Văn Thắng",
        "Điện Biên, ngày 22 tháng 6 năm 2026",
        "KT. GIÁM ĐỐC",
        "PHÓ GIÁM ĐỐC",
    )
    assert "THỦ TRƯỞNG" not in _text(
        form, tmp_path
    )  # the real title (Decree 30/2020 Phụ lục I, mục 8)


def test_stop_05(named, working_morning, tmp_path):
    dossier = named.received()
    working_morning.move_to(at(10, 14, 30))
    dossier = services.dossier_stop(
        dossier=dossier, actor=named.leader, reason="Người nộp đề nghị dừng để bổ sung giấy tờ gốc"
    )
    _assert_in(
        _text(PrintedForm.objects.get(dossier=dossier, kind="05"), tmp_path),
        *HEADER,
        "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ",
        dossier.code,
        "Lò Thị Hương",
        "Người nộp đề nghị dừng",
        "14 giờ 30 phút, ngày 10/06/2026",
        "Lường Văn Thắng",
        "Số: ",
        "/TB-STP",
        "KT. GIÁM ĐỐC",
        "PHÓ GIÁM ĐỐC",
    )


def test_control_slip_06_lists_every_handover_with_early_on_time_late(
    named, working_morning, tmp_path
):
    dossier = named.received()  # Tue 9 June 09:00
    working_morning.move_to(at(9, 10))
    services.dossier_assign(
        dossier=dossier, actor=named.clerk, department=named.division, assignee=named.specialist
    )
    working_morning.move_to(at(10, 9))
    services.dossier_forward_for_approval(
        dossier=dossier, actor=named.specialist, leader=named.leader
    )
    working_morning.move_to(at(18, 15))
    services.dossier_approve(dossier=dossier, actor=named.leader)
    working_morning.move_to(at(18, 16))
    dossier = services.dossier_return_result(dossier=dossier, actor=named.clerk)
    outcomes = list(
        DossierStep.objects.filter(dossier=dossier)
        .order_by("order")
        .values_list("timeliness", flat=True)
    )
    assert outcomes == [Timeliness.ON_TIME, Timeliness.EARLY, Timeliness.LATE, Timeliness.LATE]
    form = PrintedForm.objects.get(dossier=dossier, kind="06")
    assert form.generation == 2  # asked on approval, again on return: one row
    text = _text(form, tmp_path)
    _assert_in(
        text,
        *HEADER,
        "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
        dossier.code,
        "Lò Thị Hương",
        "Quàng Văn Đức",
        "Cà Thị Mai",
        "Lường Văn Thắng",
        "Phòng Hành chính tư pháp",
        "10 giờ 00 phút, ngày 09/06/2026",
        "09 giờ 00 phút, ngày 10/06/2026",
        "15 giờ 00 phút, ngày 18/06/2026",
        "Đúng hạn",
        "Trước hạn",
        "Quá hạn",
    )
    # the order of the hand-overs is the order of the history
    assert text.index("Đúng hạn") < text.index("Trước hạn") < text.index("Quá hạn")


def test_rerendering_keeps_the_row_and_replaces_the_file(named, working_morning, tmp_path):
    dossier = named.received()
    form = printing.render_form(form_id=PrintedForm.objects.get(dossier=dossier, kind="01").pk)
    first_name = form.file.name
    assert (
        printing.render_form(form_id=form.pk).file.name == first_name
    )  # nothing to do: same generation
    from django.db import transaction

    with transaction.atomic():
        again = printing.request_form(kind="01", dossier=dossier)
    assert again.pk == form.pk and again.generation == 2 and again.state == "pending"
    done = printing.render_form(form_id=form.pk)
    assert done.pk == form.pk and done.state == "ready" and done.rendered_generation == 2
    assert done.file.name != first_name and default_storage.exists(done.file.name)
    assert PrintedForm.objects.filter(dossier=dossier, kind="01").count() == 1
    import hashlib

    with done.file.open("rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == done.sha256


def test_forms_are_numbered_in_the_agencys_yearly_sequence_and_keep_their_number(
    named, working_morning, tmp_path
):
    first = services.dossier_receive(dossier=named.submitted(), actor=named.clerk)
    second = services.dossier_refuse(
        dossier=named.submitted(), actor=named.clerk, reason="Không thuộc thẩm quyền"
    )
    receipt = PrintedForm.objects.get(dossier=first, kind="01")
    refusal = PrintedForm.objects.get(dossier=second, kind="03")
    assert receipt.number_year == refusal.number_year == 2026
    assert (
        refusal.number == receipt.number + 1
    )  # one gapless sequence of one-stop forms per agency and year
    _assert_in(_text(receipt, tmp_path), f"Số: {receipt.number:02d}/TNHS-STP")
    from django.db import transaction

    with transaction.atomic():
        again = printing.request_form(kind="01", dossier=first)  # re-rendering keeps the number
    assert again.number == receipt.number
    from documents.models import DocumentNumberCounter

    counter = DocumentNumberCounter.objects.get(
        agency=first.receiving_agency, year=2026, book="forms"
    )
    assert counter.last_value == refusal.number


def test_a_failed_transition_asks_for_no_form(named, working_morning):
    dossier = named.submitted()
    with pytest.raises(DossierError):
        services.dossier_refuse(dossier=dossier, actor=named.clerk, reason="")
    assert not PrintedForm.objects.filter(dossier=dossier).exists()


def test_tracking_book_07_rows_and_page_numbers(named, working_morning, tmp_path):
    codes = []
    for _ in range(70):  # more than one table (parts of 60 rows)
        d = named.received()
        codes.append(d.code)
    services.dossier_refuse(
        dossier=named.submitted(), actor=named.clerk, reason="Không đủ điều kiện"
    )  # never received: not in the book
    from django.db import transaction

    with transaction.atomic():
        form = printing.request_tracking_book(
            agency=named.agency, start=date(2026, 6, 1), end=date(2026, 6, 30), actor=named.clerk
        )
    form = printing.render_form(form_id=form.pk)
    assert form.state == "ready" and form.pages >= 3
    with form.file.open("rb") as handle:
        text = pdf_text(handle.read(), tmp_path)
    _assert_in(
        text,
        "SỔ THEO DÕI HỒ SƠ",
        "SỞ TƯ PHÁP",
        "Từ ngày 01/06/2026 đến ngày 30/06/2026",
        "70 hồ sơ",
        "Cấp Phiếu lý lịch",
        "Lò Thị Hương",
        "09/06/2026",
        "16/06/2026",
        "NGƯỜI LẬP SỔ",
    )
    assert (
        "Số:" not in text and "Trang" not in text
    )  # a register has no number (Phụ lục I, TT 03/2025)
    pages = text.split("\f")
    assert len([p for p in pages if p.strip()]) == form.pages
    for n in range(
        2, form.pages + 1
    ):  # numbered from page 2, at the top (Decree 30/2020 Phụ lục I, mục 7)
        assert pages[n - 1].strip().startswith(f"{n} "), pages[n - 1][:80]
    assert not pages[0].strip().startswith("1 ")
    for code in (codes[0], codes[35], codes[-1]):
        assert code in text
    assert text.count("Lò Thị Hương") == 70


def test_tracking_book_checks_the_scope_and_the_period(named, working_morning):
    from dossiers.exceptions import DossierError, PermissionDenied

    with pytest.raises(PermissionDenied):
        printing.request_tracking_book(
            agency=named.agency,
            start=date(2026, 6, 1),
            end=date(2026, 6, 30),
            actor=named.other_clerk,
        )
    with pytest.raises(DossierError):
        printing.request_tracking_book(
            agency=named.agency, start=date(2026, 6, 30), end=date(2026, 6, 1), actor=named.clerk
        )
    with pytest.raises(DossierError):
        printing.request_tracking_book(
            agency=named.agency, start=date(2025, 1, 1), end=date(2026, 6, 1), actor=named.clerk
        )
    assert not PrintedForm.objects.exists()


def test_forms_pending_too_long_are_asked_for_again_by_the_sweep(named, working_morning):
    from datetime import timedelta

    dossier = named.received()
    form = PrintedForm.objects.get(dossier=dossier, kind="01")
    assert printing.requeue_stale() == 0  # just asked for
    working_morning.shift(timedelta(minutes=20))
    before = OutboxMessage.objects.filter(
        task_name=printing.RENDER_TASK, kwargs__form_id=form.pk
    ).count()
    assert printing.requeue_stale() == 1
    assert printing.requeue_stale() == 0  # not again at once
    assert (
        OutboxMessage.objects.filter(
            task_name=printing.RENDER_TASK, kwargs__form_id=form.pk
        ).count()
        == before + 1
    )
    printing.render_form(form_id=form.pk)
    working_morning.shift(timedelta(hours=1))
    assert printing.requeue_stale() == 0  # ready forms are left alone


def test_the_receipt_images_encode_the_tracking_url_and_the_code(named, working_morning, tmp_path):
    """Read the images back out of the PDF: the QR matrix is the tracking URL's, the bars are the
    Code 128 modules of the dossier code (what a scanner at the counter reads)."""
    import subprocess

    import segno
    from barcode import Code128
    from django.conf import settings
    from PIL import Image

    dossier = named.received()
    form, data = _render(PrintedForm.objects.get(dossier=dossier, kind="01"))
    (tmp_path / "r.pdf").write_bytes(data)
    subprocess.run(
        # the first copy ("Liên 1"); the second carries the same images
        ["pdfimages", "-f", "1", "-l", "1", "-png", str(tmp_path / "r.pdf"), str(tmp_path / "img")],
        check=True,
    )
    images = [Image.open(p).convert("1") for p in sorted(tmp_path.glob("img-*.png"))]
    bars = [im for im in images if im.height == 1]
    assert len(bars) == 1
    modules = "".join(
        "1" if bars[0].getpixel((x, 0)) == 0 else "0" for x in range(bars[0].width)
    ).strip("0")
    assert modules == Code128(dossier.code).build()[0].strip("0")
    url = settings.SITE_URL.rstrip("/") + f"/ho-so/tra-cuu/{dossier.tracking_token}/"
    expected = segno.make(url, error="m", micro=False, mask=0)
    qr = [im for im in images if im.height > 1 and im.width == im.height]
    assert len(qr) == 1
    scale = qr[0].width // (expected.symbol_size(scale=1, border=1)[0])
    matrix = [
        [
            qr[0].getpixel(((x + 1) * scale, (y + 1) * scale)) == 0
            for x in range(len(expected.matrix))
        ]
        for y in range(len(expected.matrix))
    ]
    assert matrix == [[bool(v) for v in row] for row in expected.matrix]


# --- content of Circular 03/2025/TT-VPCP Phụ lục I (issue 15) --------------------------------


def _posted(named, address="Bản Him Lam, xã Thanh Nưa, tỉnh Điện Biên"):
    """An online dossier whose applicant registered, at submission, to receive the result by post."""
    draft = named.draft()
    services.dossier_save_draft(
        actor=named.citizen,
        dossier=draft,
        applicant={
            "name": "Lò Thị Hương",
            "address": "Tổ dân phố 5, phường Mường Thanh",
            "phone": "0912345678",
            "delivery": "post",
            "delivery_address": address,
        },
    )
    return services.dossier_submit(dossier=draft, actor=named.citizen)


def test_receipt_01_prints_the_registered_delivery_and_the_book_volume_and_line(
    named, working_morning, tmp_path
):
    """Form 01 item 6: the way the applicant registered to receive the result (at submission or
    intake), not always "Bộ phận Một cửa"; "Quyển số" is the book's volume and "Số thứ tự" the line."""
    first = services.dossier_receive(dossier=named.submitted(), actor=named.clerk)
    second = services.dossier_receive(dossier=_posted(named), actor=named.clerk)
    assert second.registered_delivery == "post" and second.delivery_address.startswith(
        "Bản Him Lam"
    )
    text = _text(PrintedForm.objects.get(dossier=second, kind="01"), tmp_path)
    _assert_in(
        text,
        "6. Đăng ký nhận kết quả tại: Qua dịch vụ bưu chính công ích, địa chỉ: Bản Him Lam, xã Thanh Nưa",
        "Quyển số: 01/2026, Số thứ tự: 2",
    )
    _assert_in(
        _text(PrintedForm.objects.get(dossier=first, kind="01"), tmp_path),
        "Số thứ tự: 1",
        "tại: Bộ phận Một cửa",
    )


def test_postal_delivery_needs_an_address_and_the_return_step_uses_the_registration(
    named, working_morning
):
    draft = named.draft()
    named.citizen.address = ""
    draft.applicant_address = ""
    draft.save()
    with pytest.raises(DossierError):
        services.dossier_save_draft(
            actor=named.citizen,
            dossier=draft,
            applicant={"name": "Lò Thị Hương", "address": "", "delivery": "post"},
        )
    with pytest.raises(DossierError):
        services.dossier_save_draft(
            actor=named.citizen,
            dossier=draft,
            applicant={"name": "Lò Thị Hương", "delivery": "pigeon"},
        )
    dossier = services.dossier_receive(dossier=_posted(named), actor=named.clerk)
    dossier = services.dossier_assign(
        dossier=dossier, actor=named.clerk, department=named.division, assignee=named.specialist
    )
    dossier = services.dossier_forward_for_approval(
        dossier=dossier, actor=named.specialist, leader=named.leader
    )
    dossier = services.dossier_approve(dossier=dossier, actor=named.leader)
    dossier = services.dossier_return_result(
        dossier=dossier, actor=named.clerk
    )  # no method given: the registered one
    assert dossier.result_delivery == "post"


def test_supplement_02_has_the_applicants_contacts_and_the_reason_once(
    named, working_morning, tmp_path
):
    dossier = named.submitted()
    request = services.dossier_request_supplement(
        dossier=dossier,
        actor=named.clerk,
        reason="Tờ khai chưa ghi đủ thông tin",
        items=[{"document": "Tờ khai", "reason": "Thiếu nơi cư trú"}],
    )
    text = _text(
        PrintedForm.objects.get(dossier=dossier, kind="02", source=f"supplement:{request.pk}"),
        tmp_path,
    )
    _assert_in(text, "Địa chỉ:", "Số điện thoại:", dossier.applicant_address or "......")
    assert text.count("Tờ khai chưa ghi đủ thông tin") == 1


def test_control_slip_06_has_signatures_coordinating_agency_apology_and_no_number(
    named, working_morning, tmp_path
):
    dossier = named.examining()
    services.dossier_record_apology(
        dossier=dossier,
        actor=named.leader,
        reason="Cần xác minh tại Công an tỉnh",
        new_due_at=dossier.due_at + timedelta(days=3),
    )
    form = printing.request_control_slip(dossier=dossier, actor=named.clerk)
    text = _text(form, tmp_path)
    _assert_in(
        text,
        "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
        "Người giao",
        "Người nhận",
        "Giao: Lò Thị Hương",
        "Cơ quan phối hợp giải quyết: Không",
        "Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết",
        "Cần xác minh tại Công an tỉnh",
        "ngày hẹn ban đầu",
    )
    assert (
        text.count("Người giao") >= 2
    )  # one signature space per hand-over (reception, assignment)
    assert (
        "Số:" not in text and "ngày 09 tháng 6 năm 2026" not in text
    )  # internal: no number, no issue date


def test_tracking_book_07_keeps_the_original_date_beside_the_extended_one(
    named, working_morning, tmp_path
):
    dossier = named.examining()
    original = dossier.due_at
    services.dossier_record_apology(
        dossier=dossier,
        actor=named.leader,
        reason="Cần xác minh",
        new_due_at=original + timedelta(days=3),
    )
    from django.db import transaction

    with transaction.atomic():
        form = printing.request_tracking_book(
            agency=named.agency, start=date(2026, 6, 1), end=date(2026, 6, 30), actor=named.clerk
        )
    form = printing.render_form(form_id=form.pk)
    with form.file.open("rb") as handle:
        text = pdf_text(handle.read(), tmp_path)
    local = original.astimezone(at(1, 0).tzinfo)
    extended = (original + timedelta(days=3)).astimezone(at(1, 0).tzinfo)
    _assert_in(
        text, f"{local:%d/%m/%Y}", f"Gia hạn: {extended:%d/%m/%Y}"
    )  # both dates, the original kept
    assert "Số:" not in text


def test_receipt_01_is_printed_in_two_copies_kept_and_given(named, working_morning, tmp_path):
    """Form 01's copy marker "(Liên: Lưu/giao khách hàng)" (TT 01/2018/TT-VPCP mẫu 01, as provincial
    one-stop systems print it; TT 03/2025/TT-VPCP Phụ lục I mẫu 01's text could not be found, see
    docs/regulations.md): the receipt's PDF holds the copy the unit keeps and the applicant's,
    each one page with both signatures."""
    dossier = services.dossier_receive(dossier=named.submitted(), actor=named.clerk)
    form, _data = _render(PrintedForm.objects.get(dossier=dossier, kind="01"))
    assert form.pages == 2
    first, second = [p.strip() for p in _text(form, tmp_path).split("\f")][:2]
    for page, marker in ((first, "(Liên 1: Lưu)"), (second, "(Liên 2: Giao khách hàng)")):
        _assert_in(page, "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", marker, "NGƯỜI NỘP HỒ SƠ")
        assert page.endswith("Quàng Văn Đức"), page[-120:]
    assert "Liên 2" not in first and "Liên 1" not in second
