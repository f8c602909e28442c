"""The public, read-only catalogue API and its OpenAPI schema."""

import pytest
from django.core.management import call_command

from tests.factories.agencies import AgencyFactory
from tests.factories.procedures import ProcedureFactory, RequiredDocumentFactory, SectorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue():
    province = AgencyFactory(province=True)
    dept = AgencyFactory(code="000.00.03.H18", name="Sở Tư pháp", parent=province)
    ht = SectorFactory(code="HT", name="Hộ tịch")
    birth = ProcedureFactory(
        code="1.001193", name="Đăng ký khai sinh", sector=ht, level=4, agencies=[dept]
    )
    RequiredDocumentFactory(procedure=birth, name="Tờ khai", with_template=True)
    from procedures.services import procedure_publish

    procedure_publish(procedure=birth)
    ProcedureFactory(code="1.000894", name="Đăng ký kết hôn", sector=ht, level=3, published=True)
    ProcedureFactory(code="1.999999", name="Đăng ký khai sinh nháp", sector=ht)
    return {"province": province, "dept": dept}


def test_list_search_without_diacritics(client, catalogue):
    data = client.get("/api/v1/procedures/", {"q": "DANG KY khai sinh"}).json()
    assert data["count"] == 1
    assert data["results"][0]["code"] == "1.001193"
    assert data["results"][0]["level_name"] == "Toàn trình"


def test_list_filters(client, catalogue):
    assert client.get("/api/v1/procedures/", {"level": 3}).json()["count"] == 1
    assert client.get("/api/v1/procedures/", {"sector": "HT"}).json()["count"] == 2
    assert [
        r["code"]
        for r in client.get("/api/v1/procedures/", {"agency": "000.00.03.H18"}).json()["results"]
    ] == ["1.001193"]


@pytest.mark.parametrize("params", [{"level": 7}, {"sector": "ZZ"}, {"agency": "nope"}])
def test_bad_filters_are_400_with_a_message(client, catalogue, params):
    response = client.get("/api/v1/procedures/", params)
    assert response.status_code == 400
    body = response.json()
    # the field map, and the one-line ``detail`` the schema documents for every error (issue 13)
    assert [k for k in body if k != "detail"] == list(params)
    assert isinstance(body["detail"], str) and list(params)[0] in body["detail"]


def test_detail_by_code(client, catalogue):
    data = client.get("/api/v1/procedures/1.001193/").json()
    assert data["sector"] == {"code": "HT", "name": "Hộ tịch", "name_en": ""}
    assert data["agencies"] == ["000.00.03.H18"]
    assert data["documents"][0]["template_url"].endswith(
        f"/thu-tuc/1.001193/mau/{data['documents'][0]['id']}/"
    )
    assert client.get("/api/v1/procedures/1.999999/").status_code == 404
    assert client.get("/api/v1/procedures/khong-co/").status_code == 404


def test_api_is_read_only(client, catalogue):
    assert client.post("/api/v1/procedures/", {"code": "x"}).status_code in (403, 405)


def test_sectors_and_agency_tree(client, catalogue):
    assert [s["code"] for s in client.get("/api/v1/sectors/").json()] == ["HT"]
    agencies = client.get("/api/v1/agencies/", {"parent": "000.00.00.H18"}).json()["results"]
    assert [(a["code"], a["parent"], a["depth"]) for a in agencies] == [
        ("000.00.03.H18", "000.00.00.H18", 1)
    ]
    assert client.get("/api/v1/agencies/000.00.03.H18/").json()["name"] == "Sở Tư pháp"


def test_schema_validates_without_warnings(tmp_path):
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml")
    )
    assert "/api/v1/procedures/{code}/" in (tmp_path / "schema.yaml").read_text()


def test_swagger_ui_is_served_from_the_sidecar(client):
    html = client.get("/api/v1/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert (
        client.get(
            "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js"
        ).status_code
        == 200
    )
