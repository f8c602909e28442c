"""E-form definitions and server-side validation (procedures.eforms): typed fields, conditions,
repeating groups, locked prefilled fields. The demo's birth registration declaration (mẫu
TP/HT-2020-KS.1, Thông tư 04/2020/TT-BTP) is the form under test."""

from __future__ import annotations

import copy

import pytest
from django.core.exceptions import ValidationError

from portal.agencies import selectors as agency_selectors
from procedures import eforms
from procedures.demo_eforms import BIRTH, EFORMS, JUDICIAL
from tests.factories.agencies import AgencyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Messages are compared in English (the msgids); the Vietnamese ones are in the catalogue."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def commune():
    province = AgencyFactory(province=True)
    c = AgencyFactory(
        commune=True, name="Phường Mường Thanh", parent=province, code="000.00.51.H18"
    )
    agency_selectors._COMMUNES = (0.0, [])
    yield c
    agency_selectors._COMMUNES = (0.0, [])


def good_birth(commune) -> dict:
    return {
        "requester_name": "Lò Văn Hùng",
        "requester_id": "011090001234",
        "requester_dob": "1990-03-15",
        "requester_address": {"commune": commune.code, "detail": "Tổ 5"},
        "requester_phone": "0912000111",
        "relationship": "cha",
        "child_name": "Lò Minh An",
        "child_dob": "2026-05-20",
        "child_sex": "nam",
        "child_ethnicity": "Thái",
        "child_nationality": "Việt Nam",
        "birth_place": "Bệnh viện đa khoa tỉnh Điện Biên",
        "mother_name": "Quàng Thị Mai",
        "mother_birth_year": 1995,
        "has_father": True,
        "father_name": "Lò Văn Hùng",
        "father_birth_year": 1990,
        "copies": 1,
    }


def test_every_demo_definition_is_valid():
    assert set(EFORMS) == {"1.001193", "1.000894", "2.000488", "H18-XD-01", "1.001612"}
    for defn in EFORMS.values():
        eforms.check_definition(defn)


def test_a_complete_declaration_passes(commune):
    result = eforms.validate(BIRTH, good_birth(commune))
    assert result.ok, result.errors
    assert result.data["child_dob"] == "2026-05-20"


@pytest.mark.parametrize("bad", ["2026-02-30", "20/05/2026", "2026-5-20", "yesterday"])
def test_bad_dates_are_refused(commune, bad):
    data = good_birth(commune) | {"child_dob": bad}
    assert eforms.validate(BIRTH, data).errors == {"child_dob": "Enter a valid date."}


def test_a_birth_date_in_the_future_is_refused(commune):
    data = good_birth(commune) | {"child_dob": "2999-01-01"}
    assert eforms.validate(BIRTH, data).errors == {"child_dob": "This date is in the future."}


@pytest.mark.parametrize("bad", ["01109000123", "0110900012345", "01109000123A", "999090001234"])
def test_bad_citizen_ids_are_refused(commune, bad):
    """12 digits whose first three are a province code (Thông tư 59/2021/TT-BCA, Điều 7)."""
    data = good_birth(commune) | {"requester_id": bad}
    assert set(eforms.validate(BIRTH, data).errors) == {"requester_id"}


def test_a_bad_tax_code_is_refused(commune):
    defn = {"fields": [{"name": "mst", "label": "MST", "type": "tax_code", "required": True}]}
    assert eforms.validate(defn, {"mst": "5600123450"}).ok
    assert set(eforms.validate(defn, {"mst": "5600123451"}).errors) == {"mst"}


def test_a_condition_hides_a_required_field(commune):
    data = good_birth(commune) | {"has_father": False}
    data.pop("father_name")
    data.pop("father_birth_year")
    result = eforms.validate(BIRTH, data)
    assert result.ok, result.errors
    # shown again, the same field is required
    assert (
        eforms.validate(BIRTH, data | {"has_father": True}).errors["father_name"]
        == "This field is required."
    )


def test_a_hidden_fields_value_is_dropped(commune):
    data = good_birth(commune) | {"has_father": False, "father_name": "Không liên quan"}
    result = eforms.validate(BIRTH, data)
    assert result.ok and "father_name" not in result.data


def test_a_locked_field_changed_by_hand_is_refused(commune):
    _initial, locked = eforms.prefill(
        BIRTH,
        facts={
            "HoVaTen": "Lò Văn Hùng",
            "SoDinhDanh": "011090001234",
            "NgayThangNamSinh": "15/03/1990",
        },
        profile={},
    )
    assert locked == {
        "requester_name": "Lò Văn Hùng",
        "requester_id": "011090001234",
        "requester_dob": "1990-03-15",
    }
    assert eforms.validate(BIRTH, good_birth(commune), locked=locked).ok
    forged = good_birth(commune) | {"requester_id": "011095005678"}
    errors = eforms.validate(BIRTH, forged, locked=locked).errors
    assert errors == {
        "requester_id": "This field comes from your verified e-ID data and cannot be changed."
    }


def test_profile_values_prefill_but_do_not_lock():
    initial, locked = eforms.prefill(BIRTH, facts={}, profile={"phone": "0912000111"})
    assert initial == {"requester_phone": "0912000111"} and locked == {}


def test_an_address_outside_the_agency_tree_is_refused(commune):
    data = good_birth(commune) | {
        "requester_address": {"commune": "000.00.99.H99", "detail": "Tổ 5"}
    }
    assert set(eforms.validate(BIRTH, data).errors) == {"requester_address"}


def test_repeating_group_rows_are_validated(commune):
    base = {
        "full_name": "Lò Văn Hùng",
        "sex": "nam",
        "dob": "1990-03-15",
        "birth_place": "Điện Biên",
        "nationality": "Việt Nam",
        "residence": {"commune": commune.code, "detail": "Tổ 5"},
        "id_number": "011090001234",
        "record_type": "1",
        "purpose": "Xin việc",
        "copies": 1,
    }
    assert (
        eforms.validate(JUDICIAL, base | {"history": []}).errors["history"]
        == "Add at least 1 row(s)."
    )
    rows = [
        {"period": "2004-2008", "place": "Điện Biên", "job": "Học sinh"},
        {"period": "", "place": "Hà Nội"},
    ]
    errors = eforms.validate(JUDICIAL, base | {"history": rows}).errors
    assert errors == {"history.1.period": "This field is required."}


def test_unknown_fields_are_never_kept(commune):
    result = eforms.validate(BIRTH, good_birth(commune) | {"admin": True})
    assert result.ok and "admin" not in result.data


def test_post_parsing_of_groups_and_addresses(commune):
    post = {
        "ef-history-0-period": "2004-2008",
        "ef-history-0-place": "Điện Biên",
        "ef-history-3-period": "2010",
        "ef-history-3-place": "Hà Nội",
        "ef-residence-commune": commune.code,
        "ef-residence-detail": " Tổ 5 ",
        "ef-copies": "2",
        "ef-is_married": "on",
    }
    data = eforms.parse_post(JUDICIAL, post)
    assert [r["place"] for r in data["history"]] == ["Điện Biên", "Hà Nội"]
    assert data["residence"] == {"commune": commune.code, "detail": "Tổ 5"}
    assert data["copies"] == 2 and data["is_married"] is True


def test_definition_checks():
    bad = copy.deepcopy(BIRTH)
    bad["fields"][0]["type"] = "signature"
    with pytest.raises(eforms.DefinitionError):
        eforms.check_definition(bad)
    later = {
        "fields": [
            {
                "name": "b",
                "label": "B",
                "type": "text",
                "show_when": {"field": "a", "equals": True},
            },
            {"name": "a", "label": "A", "type": "boolean"},
        ]
    }
    with pytest.raises(eforms.DefinitionError, match="earlier field"):
        eforms.check_definition(later)
    field = eforms.eform_admin_field()
    with pytest.raises(ValidationError):
        field.clean('{"fields": [{"name": "x", "label": "X", "type": "choice"}]}')
    assert field.clean('{"fields": []}') == {"fields": []}


def test_the_admin_edits_the_eform_with_the_schema_editor(client):
    """The administrator's editor (django-jsonform) is on the procedure's change page; a bad
    definition is refused with its reason, a good one saved."""
    from tests.factories.accounts import StaffFactory
    from tests.factories.procedures import ProcedureFactory

    admin = StaffFactory(is_staff=True, is_superuser=True)
    procedure = ProcedureFactory()
    client.force_login(admin)
    page = client.get(f"/admin/procedures/procedure/{procedure.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "django_jsonform" in html and 'name="eform"' in html
    field = page.context["adminform"].form.fields["eform"]
    from django.utils import translation

    with translation.override("en"), pytest.raises(ValidationError, match="earlier field"):
        field.clean(
            '{"fields": [{"name": "b", "label": "B", "type": "text", "show_when": {"field": "a", "equals": "true"}}]}'
        )
