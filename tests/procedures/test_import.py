"""Bulk import of the catalogue (CSV/XLSX): good file, bad rows, nothing half-written."""

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from portal.accounts.constants import Role
from procedures.importer import ImportRejected, procedures_import
from procedures.models import Procedure
from tests.factories.accounts import StaffFactory
from tests.factories.agencies import AgencyFactory
from tests.factories.procedures import SectorFactory

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).resolve().parents[2] / "procedures" / "samples" / "procedures_import.csv"
HEADER = [
    "code",
    "name",
    "sector_code",
    "level",
    "processing_time",
    "time_unit",
    "cutoff_time",
    "agency_codes",
    "fees",
    "documents",
    "steps",
]


@pytest.fixture
def agencies():
    for code in ("000.00.51.H18", "000.00.52.H18", "000.00.04.H18"):
        AgencyFactory(code=code)


def xlsx(rows: list[list]) -> bytes:
    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_sample_file_imports_and_publishes(agencies):
    report = procedures_import(filename=SAMPLE.name, content=SAMPLE.read_bytes(), publish=True)
    assert report.imported == 3
    birth = Procedure.objects.get(code="1.001193")
    assert birth.name == "Đăng ký khai sinh" and birth.sector.name == "Hộ tịch" and birth.level == 4
    assert birth.state == "published" and birth.version == 1
    assert [a.code for a in birth.agencies.order_by("code")] == ["000.00.51.H18", "000.00.52.H18"]
    assert sum(s.share_percent for s in birth.steps.all()) == 100
    assert [d.name for d in birth.documents.all()] == [
        "Tờ khai đăng ký khai sinh",
        "Giấy chứng sinh",
    ]
    assert (
        Procedure.objects.get(code="2.000815").name
        == "Chứng thực bản sao từ bản chính giấy tờ, văn bản"
    )


def test_xlsx_sample_matches_the_csv_sample(agencies):
    xlsx_sample = SAMPLE.with_suffix(".xlsx")
    report = procedures_import(filename=xlsx_sample.name, content=xlsx_sample.read_bytes())
    assert report.imported == 3
    assert Procedure.objects.get(code="H18-DKKD-01").cutoff_time.strftime("%H:%M") == "15:00"


def test_publish_action_in_the_admin(client):
    from tests.factories.procedures import ProcedureFactory

    draft = ProcedureFactory(name="Thủ tục mới")
    client.force_login(StaffFactory(is_staff=True, is_superuser=True))
    response = client.post(
        "/admin/procedures/procedure/", {"action": "publish", "_selected_action": [draft.pk]}
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.state, draft.version) == ("published", 1)
    assert client.get(f"/thu-tuc/{draft.code}/").status_code == 200


def test_xlsx_import_and_reimport_updates(agencies):
    SectorFactory(code="HT")
    rows = [
        HEADER,
        [
            "1.001193",
            "Đăng ký khai sinh",
            "HT",
            4,
            1,
            "working_days",
            "16:00",
            "000.00.51.H18",
            "Lệ phí|0|Đúng hạn",
            "Tờ khai|original|1|1",
            "Tiếp nhận|clerk|20;Xử lý|specialist|80",
        ],
    ]
    procedures_import(filename="a.xlsx", content=xlsx(rows))
    rows[1][1] = "Đăng ký khai sinh (sửa)"
    rows[1][8] = "Lệ phí|8.000|Quá hạn"
    procedures_import(filename="a.xlsx", content=xlsx(rows))
    p = Procedure.objects.get(code="1.001193")
    assert p.name == "Đăng ký khai sinh (sửa)"
    assert [(f.name, f.amount) for f in p.fees.all()] == [("Lệ phí", 8000)]
    assert p.cutoff_time.strftime("%H:%M") == "16:00"


def test_bad_rows_are_reported_and_nothing_is_imported(agencies):
    SectorFactory(code="HT")
    rows = [
        HEADER,
        ["1.001193", "Đăng ký khai sinh", "HT", 4, 1, "working_days", "", "", "", "", ""],  # good
        [
            "1.000894",
            "Đăng ký kết hôn",
            "KHONGCO",
            5,
            "ba",
            "weeks",
            "25:00",
            "999.99.99.H99",
            "Lệ phí|-5",
            "Tờ khai|scan|1|1",
            "Tiếp nhận|clerk|30;Xử lý|specialist|30",
        ],
        ["1.001193", "", "HT", 3, 1, "working_days", "", "", "", "", ""],
    ]
    with pytest.raises(ImportRejected) as exc:
        procedures_import(filename="bad.xlsx", content=xlsx(rows))
    errors = {(e.row, e.column) for e in exc.value.report.errors}
    assert {
        (3, "sector_code"),
        (3, "level"),
        (3, "processing_time"),
        (3, "time_unit"),
        (3, "cutoff_time"),
        (3, "agency_codes"),
        (3, "fees"),
        (3, "documents"),
        (3, "steps"),
        (4, "name"),
        (4, "code"),
    } <= errors
    assert (2, "code") not in errors
    messages = {(e.row, e.column): e.message for e in exc.value.report.errors}
    assert "Mức độ «5» không hợp lệ" in messages[(3, "level")]
    assert "phải bằng 100%" in messages[(3, "steps")]
    assert "trùng với dòng 2" in messages[(4, "code")]
    assert Procedure.objects.count() == 0


def test_management_command(agencies, tmp_path):
    call_command("import_procedures", str(SAMPLE), "--publish")
    assert Procedure.objects.filter(state="published").count() == 3
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name\n1.1,x\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Thiếu cột bắt buộc"):
        call_command("import_procedures", str(bad))


def test_admin_import_preview_then_confirm(client, agencies):
    admin = StaffFactory(is_staff=True, roles=[Role.ADMIN])
    client.force_login(admin)
    with SAMPLE.open("rb") as fh:
        preview = client.post("/admin/procedures/procedure/import/", {"file": fh, "publish": "on"})
    html = preview.content.decode()
    assert (
        preview.status_code == 200 and 'id="import-preview"' in html and "Đăng ký khai sinh" in html
    )
    assert Procedure.objects.count() == 0  # the preview writes nothing
    token = client.session["procedures_import"]["token"]
    done = client.post("/admin/procedures/procedure/import/", {"confirm": "1", "token": token})
    assert done.status_code == 302
    assert Procedure.objects.filter(state="published").count() == 3


def test_admin_import_shows_row_errors(client, agencies):
    client.force_login(StaffFactory(is_staff=True, roles=[Role.ADMIN]))
    content = "code,name,sector_code,level,processing_time,time_unit\n1.001193,Khai sinh,HT,9,1,working_days\n"
    upload = io.BytesIO(content.encode())
    upload.name = "bad.csv"
    html = client.post("/admin/procedures/procedure/import/", {"file": upload}).content.decode()
    assert 'id="import-errors"' in html and "Mức độ «9» không hợp lệ" in html
    assert 'id="import-confirm"' not in html


def test_admin_import_needs_the_admin_role(client):
    clerk = StaffFactory(is_staff=True, roles=[Role.CLERK])
    client.force_login(clerk)
    assert client.get("/admin/procedures/procedure/import/").status_code == 403


def test_admin_import_is_closed_to_anonymous_and_citizens(client):
    from tests.factories.accounts import UserFactory

    response = client.post("/admin/procedures/procedure/import/", {"file": SAMPLE.open("rb")})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    client.force_login(UserFactory())
    response = client.post("/admin/procedures/procedure/import/", {"file": SAMPLE.open("rb")})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert Procedure.objects.count() == 0


def test_confirm_with_a_foreign_token_imports_nothing(client, agencies):
    client.force_login(StaffFactory(is_staff=True, roles=[Role.ADMIN]))
    with SAMPLE.open("rb") as fh:
        client.post("/admin/procedures/procedure/import/", {"file": fh})
    response = client.post(
        "/admin/procedures/procedure/import/", {"confirm": "1", "token": "0" * 32}
    )
    assert response.status_code == 302
    assert Procedure.objects.count() == 0


def test_import_page_offers_the_sample_files_and_describes_every_column(client, agencies):
    """Issue 14: the page offers the sample as a download (a file the portal serves, not a path in
    the repository) and lists each column; the downloaded sample is the one that imports."""
    from lxml import html as lxml_html

    from procedures.importer import COLUMN_HELP, OPTIONAL_COLUMNS, REQUIRED_COLUMNS

    assert sorted(c for c, _r, _h in COLUMN_HELP) == sorted(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)
    assert {c for c, required, _h in COLUMN_HELP if required} == set(REQUIRED_COLUMNS)
    client.force_login(StaffFactory(is_staff=True, roles=[Role.ADMIN]))
    page = client.get("/admin/procedures/procedure/import/")
    html = page.content.decode()
    assert page.status_code == 200 and "docs/samples" not in html
    tree = lxml_html.fromstring(html)
    links = tree.xpath('//*[@id="import-samples"]//a/@href')
    assert len(links) == 2
    columns = tree.xpath('//*[@id="import-columns"]//tbody/tr/td[1]//text()')
    assert columns == [c for c, _r, _h in COLUMN_HELP]
    downloads = {}
    for href in links:
        response = client.get(href)
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment")
        downloads[href.rsplit(".", 1)[1]] = b"".join(response.streaming_content)
    assert set(downloads) == {"csv", "xlsx"}
    assert downloads["csv"] == SAMPLE.read_bytes()
    report = procedures_import(filename="sample.xlsx", content=downloads["xlsx"], publish=False)
    assert report.imported == 3
    assert client.get("/admin/procedures/procedure/import/mau.exe").status_code == 404


def test_the_sample_download_needs_the_admin_role(client):
    client.force_login(StaffFactory(is_staff=True, roles=[Role.CLERK]))
    assert client.get("/admin/procedures/procedure/import/mau.csv").status_code == 403
    client.logout()
    response = client.get("/admin/procedures/procedure/import/mau.csv")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
