# ruff: noqa: F811  (the eworld fixture is imported from the e-form submission tests)
"""Issue 18: the printed forms read the e-form's answers. Where a form of TT 03/2025/TT-VPCP Phụ
lục I prints the applicant's data (name, address, phone, e-mail), it takes them from the
dossier's e-form — what the applicant declared — when the dossier has one, on the demo's birth
registration e-form (mẫu TP/HT-2020-KS.1)."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from dossiers import printing, services
from dossiers.eforms import eform_applicant
from dossiers.models import Dossier, PrintedForm
from tests.dossiers.printed_support import pdf_text
from tests.dossiers.test_eform_submission import _answers, eworld  # noqa: F401

pytestmark = pytest.mark.django_db


def test_forms_print_the_applicants_data_from_the_eform(client, eworld, working_morning, tmp_path):
    client.force_login(eworld.citizen)
    url = reverse("dossiers:submit", kwargs={"code": eworld.procedure.code})
    response = client.post(
        url,
        _answers(
            eworld,
            submit="1",
            applicant_phone="0912000000",  # the page's own fields say one thing ...
            applicant_address="Mường Thanh",
            **{"ef-requester_phone": "0987111222", "ef-requester_address-detail": "Tổ 5"},
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    dossier = Dossier.objects.get()
    assert dossier.applicant_phone == "0912000000"  # ... the e-form another
    declared = eform_applicant(dossier)
    assert declared == {
        "name": "Lò Văn Hùng",
        "address": "Tổ 5, Phường Mường Thanh",
        "phone": "0987111222",
    }  # this e-form has no e-mail field: the dossier's own stays

    dossier = services.dossier_receive(dossier=dossier, actor=eworld.clerk)
    form = printing.render_form(form_id=PrintedForm.objects.get(dossier=dossier, kind="01").pk)
    with form.file.open("rb") as handle:
        text = pdf_text(handle.read(), tmp_path)
    assert "Địa chỉ: Tổ 5, Phường Mường Thanh" in text
    assert "Số điện thoại: 0987111222" in text and "0912000000" not in text

    rows = printing.book_rows(eworld.agency, date(2026, 6, 1), date(2026, 6, 30))
    assert [r["address"] for r in rows] == ["Tổ 5, Phường Mường Thanh, 0987111222"]  # form 07


def test_without_an_eform_the_dossiers_own_fields_are_printed(eworld, working_morning):
    dossier = eworld.submitted()
    assert eform_applicant(dossier) == {}
    context = printing.form_context(PrintedForm(dossier=dossier, kind="01", number=1))
    assert context["applicant_phone"] == dossier.applicant_phone
