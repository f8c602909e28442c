"""Online submission with an e-form: prefilled and locked from the e-ID's verified facts, a draft
that keeps what was typed, a hand-changed locked field refused on the server, and on submission
the declaration rendered into its PDF layout (mẫu TP/HT-2020-KS.1, Thông tư 04/2020/TT-BTP),
attached, and shown to the clerk as structured data."""

from __future__ import annotations

import subprocess

import pytest
from django.urls import reverse
from django.utils import timezone

from dossiers.constants import DossierStatus
from dossiers.eforms import DECLARATION_NAME
from dossiers.models import Dossier
from portal.accounts.models import VerifiedFact
from portal.agencies import selectors as agency_selectors
from procedures.demo_eforms import BIRTH
from procedures.models import RequiredDocument
from procedures.services import procedure_publish
from tests.factories.agencies import AgencyFactory

ISSUER = "http://127.0.0.1:1/o"


@pytest.fixture
def eworld(world):
    province = AgencyFactory(province=True)
    commune = AgencyFactory(
        commune=True, name="Phường Mường Thanh", parent=province, code="000.00.51.H18"
    )
    agency_selectors._COMMUNES = (0.0, [])
    p = world.procedure
    RequiredDocument.objects.filter(procedure=p, order=1).update(name="Tờ khai đăng ký khai sinh")
    p.eform = BIRTH
    p.save()
    procedure_publish(procedure=p)
    for name, value in {
        "HoVaTen": "Lò Văn Hùng",
        "SoDinhDanh": world.citizen.citizen_id,
        "NgayThangNamSinh": "15/03/1990",
    }.items():
        VerifiedFact.objects.create(
            user=world.citizen,
            name=name,
            value=value,
            source=ISSUER,
            assurance_level=2,
            verified_at=timezone.now(),
        )
    world.commune = commune
    yield world
    agency_selectors._COMMUNES = (0.0, [])


def _answers(w, **over):
    data = {
        "agency": w.agency.pk,
        "applicant_name": "Lò Văn Hùng",
        "applicant_citizen_id": w.citizen.citizen_id,
        "applicant_phone": "0912345678",
        "applicant_address": "Mường Thanh",
        "ef-requester_name": "Lò Văn Hùng",
        "ef-requester_id": w.citizen.citizen_id,
        "ef-requester_dob": "1990-03-15",
        "ef-requester_address-commune": w.commune.code,
        "ef-requester_address-detail": "Tổ 5",
        "ef-requester_phone": "0912345678",
        "ef-relationship": "cha",
        "ef-child_name": "Lò Minh An",
        "ef-child_dob": "2026-05-20",
        "ef-child_sex": "nam",
        "ef-child_ethnicity": "Thái",
        "ef-child_nationality": "Việt Nam",
        "ef-birth_place": "Bệnh viện đa khoa tỉnh Điện Biên",
        "ef-mother_name": "Quàng Thị Mai",
        "ef-mother_birth_year": "1995",
        "ef-copies": "1",
    }
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


def test_the_form_is_prefilled_and_locked_from_verified_facts(client, eworld, working_morning):
    client.force_login(eworld.citizen)
    page = client.get(
        reverse("dossiers:submit", kwargs={"code": eworld.procedure.code})
    ).content.decode()
    page = " ".join(page.split())  # a tag's attributes may wrap
    assert (
        'name="ef-requester_name" value="Lò Văn Hùng" type="text" maxlength="300" readonly' in page
    )
    assert 'name="ef-requester_dob" value="1990-03-15" type="date" readonly' in page
    assert 'name="ef-child_name" value=""' in page and "Phường Mường Thanh" in page
    assert "js/eform.js" in page and "<script>" not in page.split('id="eform"')[1]


def test_a_locked_field_changed_by_hand_is_refused_and_nothing_submitted(
    client, eworld, working_morning
):
    client.force_login(eworld.citizen)
    url = reverse("dossiers:submit", kwargs={"code": eworld.procedure.code})
    resp = client.post(url, _answers(eworld, **{"ef-requester_name": "Người Khác", "submit": "1"}))
    assert resp.status_code == 200
    assert "Trường này lấy từ dữ liệu định danh điện tử đã xác thực" in resp.content.decode()
    assert not Dossier.objects.exists()


def test_bad_input_is_shown_beside_the_field(client, eworld, working_morning):
    client.force_login(eworld.citizen)
    url = reverse("dossiers:submit", kwargs={"code": eworld.procedure.code})
    resp = client.post(
        url,
        _answers(eworld, **{"ef-child_dob": "2026-02-30", "ef-has_father": "on", "submit": "1"}),
    )
    body = resp.content.decode()
    assert resp.status_code == 200 and not Dossier.objects.exists()
    assert 'id="ef-child_dob-error"' in body and 'id="ef-father_name-error"' in body


def test_a_draft_keeps_what_was_typed(client, eworld, working_morning):
    client.force_login(eworld.citizen)
    url = reverse("dossiers:submit", kwargs={"code": eworld.procedure.code})
    resp = client.post(
        url, _answers(eworld, **{"ef-child_dob": "not yet", "ef-mother_name": None, "save": "1"})
    )
    draft = Dossier.objects.get()
    assert resp.status_code == 302 and draft.status == DossierStatus.DRAFT
    assert (
        draft.form_data["eform"]["child_dob"] == "not yet"
        and draft.form_data["eform"]["child_name"] == "Lò Minh An"
    )
    again = " ".join(client.get(f"{url}?ho_so={draft.pk}").content.decode().split())
    assert 'name="ef-child_dob" value="not yet"' in again


def test_submission_attaches_the_declaration_pdf_and_the_clerk_sees_the_data(
    client, eworld, working_morning, tmp_path
):
    client.force_login(eworld.citizen)
    url = reverse("dossiers:submit", kwargs={"code": eworld.procedure.code})
    resp = client.post(url, _answers(eworld, submit="1"))
    assert resp.status_code == 302, resp.content.decode()[:2000]
    dossier = Dossier.objects.get()
    assert dossier.status == DossierStatus.NEW
    answers = dossier.form_data["eform"]
    assert answers["child_name"] == "Lò Minh An" and answers["mother_birth_year"] == 1995
    assert answers["requester_address"] == {"commune": "000.00.51.H18", "detail": "Tổ 5"}
    declaration = dossier.files.get(original_name=DECLARATION_NAME)
    assert (
        declaration.document_name == "Tờ khai đăng ký khai sinh"
        and declaration.content_type == "application/pdf"
    )
    path = tmp_path / "d.pdf"
    path.write_bytes(declaration.file.read())
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "TỜ KHAI ĐĂNG KÝ KHAI SINH" in text and "LÒ MINH AN" in text and "Quàng Thị Mai" in text
    assert "Đề nghị cơ quan đăng ký khai sinh cho người dưới đây" in text
    client.force_login(eworld.clerk)
    page = client.get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()
    assert 'id="eform-data"' in page and "Lò Minh An" in page and "20/05/2026" in page
    assert DECLARATION_NAME in page


def test_a_level4_procedure_needs_an_eid_session_at_level_2(
    client, eworld, working_morning, settings
):
    """With the national e-ID on, a fully online (level-4) procedure sends a password login to the
    e-ID at level 2 (``muc=2``, ``acr_values=LoA2``); an e-ID session at level 2 goes through."""
    settings.VNEID_ISSUER, settings.VNEID_CLIENT_ID, settings.VNEID_CLIENT_SECRET = (
        ISSUER,
        "portal",
        "secret",
    )
    client.force_login(eworld.citizen)
    url = reverse("dossiers:submit", kwargs={"code": eworld.procedure.code})
    resp = client.get(url)
    assert resp.status_code == 302 and resp["Location"].startswith(reverse("accounts:vneid_login"))
    assert "muc=2" in resp["Location"] and "next=%2Fho-so%2Fnop%2F" in resp["Location"]
    session = client.session
    session["vneid_login"] = {"issuer": ISSUER, "sub": "x", "loa": 1, "id_token": "a.b.c", "at": 0}
    session.save()
    assert client.get(url).status_code == 302  # level 1 is not enough
    session["vneid_login"]["loa"] = 2
    session.save()
    assert client.get(url).status_code == 200
    eworld.procedure.level = 3
    eworld.procedure.save()
    session["vneid_login"]["loa"] = 1
    session.save()
    assert client.get(url).status_code == 200  # level 3: any login
