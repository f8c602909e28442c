"""The public catalogue pages, as a visitor sees them."""

import re
from datetime import time
from decimal import Decimal

import pytest

from procedures.constants import TimeUnit
from tests.factories.agencies import AgencyFactory
from tests.factories.procedures import (
    ProcedureFactory,
    ProcedureFeeFactory,
    ProcedureStepFactory,
    RequiredDocumentFactory,
    SectorFactory,
)

pytestmark = pytest.mark.django_db


def names(response) -> list[str]:
    return re.findall(r'class="procedure-link">([^<]+)<', response.content.decode())


@pytest.fixture
def catalogue():
    ht = SectorFactory(code="HT", name="Hộ tịch")
    dkkd = SectorFactory(code="DKKD", name="Đăng ký kinh doanh")
    commune = AgencyFactory(code="000.00.51.H18", name="UBND phường Điện Biên Phủ", commune=True)
    dept = AgencyFactory(code="000.00.04.H18", name="Sở Tài chính")
    return {
        "birth": ProcedureFactory(
            code="1.001193",
            name="Đăng ký khai sinh",
            sector=ht,
            level=4,
            agencies=[commune],
            published=True,
        ),
        "marriage": ProcedureFactory(
            code="1.000894",
            name="Đăng ký kết hôn",
            sector=ht,
            level=3,
            agencies=[commune],
            published=True,
        ),
        "company": ProcedureFactory(
            code="1.001612",
            name="Đăng ký thành lập doanh nghiệp tư nhân",
            sector=dkkd,
            level=2,
            agencies=[dept],
            published=True,
        ),
        "draft": ProcedureFactory(code="1.999999", name="Đăng ký khai sinh bản nháp", sector=ht),
        "commune": commune,
        "dept": dept,
    }


@pytest.mark.parametrize(
    "q", ["dang ky khai sinh", "ĐĂNG KÝ KHAI SINH", "khai  sinh", "Dang Ky Khai Sinh", "1.001193"]
)
def test_search_ignores_diacritics_and_case(client, catalogue, q):
    response = client.get("/thu-tuc/", {"q": q})
    assert names(response) == ["Đăng ký khai sinh"]
    assert "1 thủ tục" in response.content.decode()


def test_drafts_are_not_listed(client, catalogue):
    assert "Đăng ký khai sinh bản nháp" not in names(client.get("/thu-tuc/", {"q": "ban nhap"}))


def test_filters_by_sector_agency_and_level(client, catalogue):
    assert sorted(names(client.get("/thu-tuc/", {"sector": "HT"}))) == [
        "Đăng ký khai sinh",
        "Đăng ký kết hôn",
    ]
    assert names(client.get("/thu-tuc/", {"agency": "000.00.04.H18"})) == [
        "Đăng ký thành lập doanh nghiệp tư nhân"
    ]
    assert names(client.get("/thu-tuc/", {"level": "3"})) == ["Đăng ký kết hôn"]
    assert names(client.get("/thu-tuc/", {"q": "dang ky", "sector": "HT", "level": "4"})) == [
        "Đăng ký khai sinh"
    ]


@pytest.mark.parametrize(
    "params, message",
    [
        ({"level": "9"}, "Mức độ dịch vụ công trực tuyến phải là 2, 3 hoặc 4"),
        ({"level": "abc"}, "Mức độ dịch vụ công trực tuyến phải là 2, 3 hoặc 4"),
        ({"sector": "KHONGCO"}, "Không có lĩnh vực"),
        ({"agency": "'; drop table"}, "Không có cơ quan"),
        ({"q": "x" * 500}, "quá dài"),
    ],
)
def test_bad_parameters_give_a_clear_message_not_an_error(client, catalogue, params, message):
    response = client.get("/thu-tuc/", params)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert 'id="param-errors"' in response.content.decode()


def test_bad_parameter_is_dropped_and_the_others_still_apply(client, catalogue):
    response = client.get("/thu-tuc/", {"sector": "HT", "level": "7"})
    assert sorted(names(response)) == ["Đăng ký khai sinh", "Đăng ký kết hôn"]


def test_pagination_and_counts(client):
    sector = SectorFactory(code="CT")
    for i in range(45):
        ProcedureFactory(name=f"Chứng thực {i:02d}", sector=sector, published=True)
    first = client.get("/thu-tuc/", {"q": "chung thuc"})
    assert "45 thủ tục" in first.content.decode()
    assert len(names(first)) == 20
    third = client.get("/thu-tuc/", {"q": "chung thuc", "page": "3"})
    assert names(third) == [f"Chứng thực {i}" for i in range(40, 45)]
    assert client.get("/thu-tuc/", {"page": "zzz"}).status_code == 200


def test_list_query_count_does_not_grow_with_results(client, django_assert_max_num_queries):
    sector = SectorFactory(code="HT")
    agency = AgencyFactory()
    for _ in range(30):
        ProcedureFactory(sector=sector, agencies=[agency], published=True)
    with django_assert_max_num_queries(8):
        response = client.get(
            "/thu-tuc/", {"q": "thu tuc", "sector": "HT", "agency": agency.code, "level": "3"}
        )
    assert len(names(response)) == 20


def test_detail_shows_everything(client, catalogue):
    p = catalogue["birth"]
    p.refresh_from_db()
    p.cutoff_time = time(15, 0)
    p.processing_time, p.time_unit = Decimal("0.5"), TimeUnit.WORKING_DAYS
    p.legal_basis, p.result, p.conditions = (
        "Luật Hộ tịch 2014",
        "Giấy khai sinh",
        "Trẻ em sinh ra tại Việt Nam",
    )
    p.save()
    ProcedureFeeFactory(
        procedure=p,
        name="Lệ phí khai sinh",
        amount=Decimal("1500000"),
        applies_to="Đăng ký quá hạn",
    )
    RequiredDocumentFactory(procedure=p, name="Tờ khai đăng ký khai sinh", with_template=True)
    ProcedureStepFactory(procedure=p, name="Tiếp nhận hồ sơ", share_percent=Decimal("10"))
    html = client.get("/thu-tuc/1.001193/").content.decode()
    for expected in [
        "1.001193",
        "Đăng ký khai sinh",
        "Hộ tịch",
        "Toàn trình",
        "UBND phường Điện Biên Phủ",
        "0,5 ngày làm việc",
        "15:00",
        "1.500.000 đ",
        "Đăng ký quá hạn",
        "Tờ khai đăng ký khai sinh",
        "Tờ khai (mẫu TK-01)",
        "Luật Hộ tịch 2014",
        "Giấy khai sinh",
        "Trẻ em sinh ra tại Việt Nam",
        "Tiếp nhận hồ sơ",
        "10%",
        'href="/ho-so/nop/1.001193/"',
    ]:
        assert expected in html, expected


def test_level_3_is_partly_online_and_level_2_has_no_submit_button(client, catalogue):
    assert "Một phần" in client.get("/thu-tuc/1.000894/").content.decode()
    html = client.get("/thu-tuc/1.001612/").content.decode()
    assert 'id="submit-online"' not in html


@pytest.mark.parametrize("code", ["khong-co", "1.999999"])
def test_unknown_or_draft_code_is_a_vietnamese_404(client, catalogue, code):
    response = client.get(f"/thu-tuc/{code}/")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()


def test_form_template_download(client, catalogue):
    doc = RequiredDocumentFactory(procedure=catalogue["birth"], with_template=True)
    response = client.get(f"/thu-tuc/1.001193/mau/{doc.pk}/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="to-khai-mau-tk-01.pdf"'
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_template_of_another_procedure_or_draft_is_404(client, catalogue):
    doc = RequiredDocumentFactory(procedure=catalogue["birth"], with_template=True)
    draft_doc = RequiredDocumentFactory(procedure=catalogue["draft"], with_template=True)
    no_template = RequiredDocumentFactory(procedure=catalogue["birth"])
    assert client.get(f"/thu-tuc/1.000894/mau/{doc.pk}/").status_code == 404
    assert client.get(f"/thu-tuc/1.999999/mau/{draft_doc.pk}/").status_code == 404
    assert client.get(f"/thu-tuc/1.001193/mau/{no_template.pk}/").status_code == 404


def test_home_shows_sectors_and_counts(client, catalogue):
    html = client.get("/").content.decode()
    assert "3 thủ tục" in html
    assert "Hộ tịch" in html and "?sector=HT" in html


def test_agency_pages(client, catalogue):
    html = client.get("/co-quan/").content.decode()
    assert "UBND phường Điện Biên Phủ" in html and "Sở Tài chính" in html
    detail = client.get("/co-quan/000.00.04.H18/").content.decode()
    assert "Đăng ký thành lập doanh nghiệp tư nhân" in detail
    assert client.get("/co-quan/999.99.99.H99/").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/thu-tuc/?q=khai%00sinh",
        "/thu-tuc/?sector=%00",
        "/thu-tuc/?agency=%00",
        "/thu-tuc/?page=%00",
        "/thu-tuc/?level=%00",
    ],
)
def test_nul_characters_in_parameters_never_give_a_500(client, catalogue, url):
    assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/thu-tuc/a%00b/",
        "/co-quan/a%00/",
        "/thu-tuc/1.001193/mau/99999999999999999999/",
        "/thu-tuc/%3Cscript%3E/",
    ],
)
def test_malformed_addresses_are_404(client, catalogue, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()


def test_english_page_shows_english_names_and_labels(client, catalogue):
    birth = catalogue["birth"]
    birth.refresh_from_db()
    birth.name_en = "Birth registration"
    birth.save()
    client.cookies["django_language"] = "en"
    html = client.get("/thu-tuc/", {"q": "khai sinh"}).content.decode()
    assert names_in(html) == ["Birth registration"]
    assert "1 procedure found" in html
    client.cookies["django_language"] = "vi"
    assert names(client.get("/thu-tuc/", {"q": "birth registration"})) == ["Đăng ký khai sinh"]


def names_in(html: str) -> list[str]:
    return re.findall(r'class="procedure-link">([^<]+)<', html)


def test_detail_page_query_count(client, catalogue, django_assert_max_num_queries):
    RequiredDocumentFactory(procedure=catalogue["birth"], with_template=True)
    ProcedureFeeFactory(procedure=catalogue["birth"])
    ProcedureStepFactory(procedure=catalogue["birth"])
    with django_assert_max_num_queries(6):
        assert client.get("/thu-tuc/1.001193/").status_code == 200


@pytest.mark.parametrize(
    "name, content, ok",
    [
        ("mau.pdf", b"%PDF-1.7 ...", True),
        ("mau.docx", b"PK\x03\x04rest", True),
        ("mau.pdf", b"<html>not a pdf</html>", False),
        ("mau.exe", b"MZ\x90\x00", False),
        ("mau.html", b"<script>", False),
    ],
)
def test_form_templates_are_checked_by_content(catalogue, name, content, ok):
    from django.core.exceptions import ValidationError
    from django.core.files.base import ContentFile

    from procedures.models import RequiredDocument

    doc = RequiredDocument(
        procedure=catalogue["birth"], name="Tờ khai", template=ContentFile(content, name=name)
    )
    if ok:
        doc.full_clean()
    else:
        with pytest.raises(ValidationError) as exc:
            doc.full_clean()
        assert "template" in exc.value.message_dict


def test_detail_page_speaks_one_language_and_counts_days_right(client, catalogue):
    """Issue 14: "Birth registration" showed under the Vietnamese title, and "1 working days"."""
    birth = catalogue["birth"]
    birth.refresh_from_db()
    birth.name_en = "Birth registration"
    birth.processing_time = 1
    birth.time_unit = "working_days"
    birth.save()
    html = client.get("/thu-tuc/1.001193/").content.decode()
    assert "Birth registration" not in html
    assert "1 ngày làm việc" in html
    client.cookies["django_language"] = "en"
    html = client.get("/thu-tuc/1.001193/").content.decode()
    assert '<h1 class="h3" id="procedure-name">Birth registration</h1>' in html
    assert "Đăng ký khai sinh" in html  # the official name, once, under the English one
    assert "1 working day<" in html and "1 working days" not in html
