"""The pages of the printed forms: the dossier page lists them and says "Đang chuẩn bị" (polled
with htmx) until the worker has stored them; staff print 06 on demand; the tracking-book page
asks for a book of an agency in scope and a period, shows it pending, then a download link."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from dossiers import printing, services
from dossiers.models import PrintedForm

from .printed_support import name_world, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def named(world):
    name_world(world)
    return world


def test_dossier_page_shows_the_receipt_being_prepared_then_a_link(client, named, working_morning):
    dossier = named.received()
    form = dossier.printed_forms.get(kind="01")
    client.force_login(named.citizen)
    page = client.get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()
    assert "Đang chuẩn bị" in page and "Mẫu 01 Giấy tiếp nhận hồ sơ và hẹn trả kết quả" in page
    assert f'hx-get="{reverse("dossiers:forms", args=[dossier.pk])}"' in page
    assert reverse("dossiers:form_download", args=[dossier.pk, form.pk]) not in page
    assert (
        client.get(reverse("dossiers:form_download", args=[dossier.pk, form.pk])).status_code == 404
    )

    printing.render_form(form_id=form.pk)
    partial = client.get(reverse("dossiers:forms", args=[dossier.pk])).content.decode()
    assert "Đang chuẩn bị" not in partial and "hx-get" not in partial  # polling stops
    assert reverse("dossiers:form_download", args=[dossier.pk, form.pk]) in partial
    assert "print-control-slip" not in partial  # applicants do not print 06


def test_the_list_shows_each_forms_number_and_notation(client, named, working_morning):
    """The list names a form by its number as printed (Decree 30/2020 Phụ lục I, mục 3: số, ký
    hiệu), "Số 01/TNHS-STP", not by its kind alone; the internal 06 has no number."""
    dossier = named.received()
    receipt = dossier.printed_forms.get(kind="01")
    assert receipt.number
    client.force_login(named.clerk)
    page = client.get(reverse("dossiers:forms", args=[dossier.pk])).content.decode()
    assert f"Số {receipt.number:02d}/TNHS-STP" in page
    client.post(reverse("dossiers:control_slip", args=[dossier.pk]))
    slip = dossier.printed_forms.get(kind="06")
    page = client.get(reverse("dossiers:forms", args=[dossier.pk])).content.decode()
    assert page.count('class="form-reference"') == 1
    assert slip.number is None  # internal: no number taken from the sequence of issued forms
    refusal = services.dossier_refuse(
        dossier=named.submitted(), actor=named.clerk, reason="Không thuộc thẩm quyền"
    )
    assert refusal.printed_forms.get(kind="03").number == receipt.number + 1  # no gap for 06


def test_english_page(client, named, working_morning):
    dossier = named.received()
    client.force_login(named.citizen)
    client.cookies["django_language"] = "en"
    page = client.get(
        reverse("dossiers:detail", args=[dossier.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Being prepared" in page and "01 Receipt and appointment slip" in page


def test_staff_print_the_control_slip_on_demand(client, named, working_morning, tmp_path):
    dossier = named.examining()
    client.force_login(named.specialist)
    page = client.get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()
    assert "print-control-slip" in page
    response = client.post(reverse("dossiers:control_slip", args=[dossier.pk]))
    assert response.status_code == 302
    form = PrintedForm.objects.get(dossier=dossier, kind="06")
    assert form.state == "pending" and form.requested_by == named.specialist
    form = printing.render_form(form_id=form.pk)
    download = client.get(reverse("dossiers:form_download", args=[dossier.pk, form.pk]))
    text = pdf_text(b"".join(download.streaming_content), tmp_path)
    assert (
        "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in text
        and "Cà Thị Mai" in text
        and "Đúng hạn" in text
    )


def test_control_slip_of_a_dossier_not_received_is_refused_with_a_message(
    client, named, working_morning
):
    dossier = named.submitted()
    client.force_login(named.clerk)
    response = client.post(reverse("dossiers:control_slip", args=[dossier.pk]), follow=True)
    assert "Hồ sơ chưa được tiếp nhận" in response.content.decode()
    assert not PrintedForm.objects.filter(kind="06").exists()


def test_tracking_book_page_pending_then_download(client, named, working_morning, tmp_path):
    for _ in range(3):
        named.received()
    client.force_login(named.clerk)
    page = client.get(reverse("dossiers:tracking_book"))
    assert page.status_code == 200 and "Sở Tư pháp" in page.content.decode()
    response = client.post(
        reverse("dossiers:tracking_book"),
        {"agency": named.agency.pk, "start": "2026-06-01", "end": "2026-06-30"},
    )
    assert response.status_code == 302
    book = PrintedForm.objects.get(kind="07")
    assert (book.agency, book.period_start, book.period_end) == (
        named.agency,
        date(2026, 6, 1),
        date(2026, 6, 30),
    )
    page = client.get(reverse("dossiers:tracking_book")).content.decode()
    assert "Đang chuẩn bị" in page and "hx-get" in page
    printing.render_form(form_id=book.pk)
    partial = client.get(reverse("dossiers:tracking_book") + "?partial=1").content.decode()
    link = reverse("dossiers:tracking_book_download", args=[book.pk])
    assert link in partial and "hx-get" not in partial
    text = pdf_text(b"".join(client.get(link).streaming_content), tmp_path)
    assert "SỔ THEO DÕI HỒ SƠ" in text and text.count("Lò Thị Hương") == 3
    # the same agency and period again: the same row, re-rendered
    client.post(
        reverse("dossiers:tracking_book"),
        {"agency": named.agency.pk, "start": "2026-06-01", "end": "2026-06-30"},
    )
    assert (
        PrintedForm.objects.filter(kind="07").count() == 1
        and PrintedForm.objects.get(kind="07").generation == 2
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"start": "2026-06-30", "end": "2026-06-01"}, "Ngày bắt đầu phải trước ngày kết thúc"),
        ({"start": "2024-01-01", "end": "2026-06-01"}, "Mỗi sổ tối đa 366 ngày"),
        ({"start": "ngày mai", "end": "2026-06-01"}, "Nhập một ngày hợp lệ"),
    ],
)
def test_tracking_book_bad_input_is_a_clear_message_and_nothing_written(
    client, named, working_morning, data, message
):
    client.force_login(named.clerk)
    response = client.post(reverse("dossiers:tracking_book"), {"agency": named.agency.pk, **data})
    assert response.status_code == 400 and message in response.content.decode()
    assert not PrintedForm.objects.exists()


def test_tracking_book_of_an_agency_out_of_scope_is_refused(client, named, working_morning):
    client.force_login(named.other_clerk)
    response = client.post(
        reverse("dossiers:tracking_book"),
        {"agency": named.agency.pk, "start": "2026-06-01", "end": "2026-06-30"},
    )
    assert response.status_code == 400  # not a choice of this user
    assert not PrintedForm.objects.exists()


def test_staff_print_a_failed_form_again(client, named, working_morning):
    dossier = named.received()
    form = dossier.printed_forms.get(kind="01")
    printing.mark_failed(form_id=form.pk, error="OSError: disk full")
    client.force_login(named.citizen)
    page = client.get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()
    assert "Bộ phận Một cửa có thể in giúp bạn" in page and "form-rerender" not in page
    assert (
        client.post(reverse("dossiers:form_rerender", args=[dossier.pk, form.pk])).status_code
        == 403
    )
    client.force_login(named.clerk)
    assert (
        "form-rerender"
        in client.get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()
    )
    assert (
        client.post(reverse("dossiers:form_rerender", args=[dossier.pk, form.pk])).status_code
        == 302
    )
    form.refresh_from_db()
    assert form.state == "pending" and form.generation == 2 and form.error == ""
    assert printing.render_form(form_id=form.pk).state == "ready"


def test_tracking_book_dates_are_prefilled_with_iso_values(client, world):
    """Issue 14: the browser's date picker only takes YYYY-MM-DD; the day-first value the
    Vietnamese formats gave the widget came up empty."""
    import re

    from django.utils import timezone

    client.force_login(world.clerk)
    html = client.get(reverse("dossiers:tracking_book")).content.decode()
    today = timezone.localdate()
    values = dict(re.findall(r'<input type="date" name="(start|end)" value="([^"]*)"', html))
    assert values == {"start": today.replace(day=1).isoformat(), "end": today.isoformat()}
