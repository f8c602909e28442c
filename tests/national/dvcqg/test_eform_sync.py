"""The e-form's structured data goes to DVCQG (issue 18: "the national sync sends [the filled form]
as structured data"; Decision 1565/QĐ-TTg, enter once and reuse): a dossier filed online with
the birth registration e-form (mẫu TP/HT-2020-KS.1, Thông tư 04/2020/TT-BTP) carries its answers
in ``DongBoHoSoMC`` as ``DuLieuBieuMau``; the simulated DVCQG (a separate process) stores them and
returns them from ``TraCuuHoSo``; the nightly reconciliation finds a record whose form data differs
and sends it again."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dossiers import services as dossier_services
from dossiers.models import Dossier, DossierEvent
from national.dvcqg import services
from national.dvcqg.client import DvcqgClient, DvcqgError
from national.dvcqg.models import DossierSync
from national.dvcqg.payloads import dossier_payload
from national.dvcqg.reconcile import reconcile_all
from tests.dossiers.test_eform_submission import _answers, eworld  # noqa: F401 - fixture reused

pytestmark = pytest.mark.django_db


def _record_all(dossier):
    for event in DossierEvent.objects.filter(dossier=dossier).order_by("seq"):
        services.record_change(dossier_id=dossier.pk, event_id=event.pk)


def _filed_with_eform(client, w):
    client.force_login(w.citizen)
    url = reverse("dossiers:submit", kwargs={"code": w.procedure.code})
    resp = client.post(url, _answers(w, submit="1"))
    assert resp.status_code == 302, resp.content.decode()[:2000]
    dossier = Dossier.objects.get(applicant=w.citizen, form_data__has_key="eform")
    return dossier_services.dossier_receive(dossier=dossier, actor=w.clerk)


def test_the_eform_answers_reach_dvcqg_as_structured_data(client, eworld, working_morning, dvcqg):
    dossier = _filed_with_eform(client, eworld)
    plain = eworld.received()  # filed without an e-form: no form data is sent
    for d in (dossier, plain):
        _record_all(d)
    assert services.drain().dossiers == 2

    answers = Dossier.objects.get(pk=dossier.pk).form_data["eform"]
    assert answers["child_name"] == "Lò Minh An"
    record = DvcqgClient().call("TraCuuHoSo", mahoso=dossier.code)["result"][0]
    assert record["DuLieuBieuMau"] == answers
    assert record["DuLieuBieuMau"]["requester_address"] == {
        "commune": "000.00.51.H18",
        "detail": "Tổ 5",
    }
    assert record["DuLieuBieuMau"]["mother_birth_year"] == 1995  # typed, not flattened to text
    assert record["TenBieuMau"] == "Tờ khai đăng ký khai sinh"
    assert "KS.1" in record["KyHieuBieuMau"]
    other = DvcqgClient().call("TraCuuHoSo", mahoso=plain.code)["result"][0]
    assert "DuLieuBieuMau" not in other and "TenBieuMau" not in other


def test_reconciliation_resends_a_record_whose_form_data_differs(
    client, eworld, working_morning, dvcqg
):
    dossier = _filed_with_eform(client, eworld)
    _record_all(dossier)
    services.drain()
    assert reconcile_all() == {"checked": 1, "different": 0}
    # DVCQG's copy loses the form data (an upsert from elsewhere overwrote it)
    item = dossier_payload(Dossier.objects.get(pk=dossier.pk))
    DvcqgClient().call("DongBoHoSoMC", isUpdating="True", data=[{**item, "DuLieuBieuMau": {}}])
    assert reconcile_all() == {"checked": 1, "different": 1}
    assert "biểu mẫu" in DossierSync.objects.get(pk=dossier.pk).reconcile_difference
    services.flush_dossier(dossier_id=dossier.pk)  # the resend the reconciliation queued
    record = DvcqgClient().call("TraCuuHoSo", mahoso=dossier.code)["result"][0]
    assert record["DuLieuBieuMau"] == Dossier.objects.get(pk=dossier.pk).form_data["eform"]
    assert reconcile_all() == {"checked": 1, "different": 0}


def test_the_simulator_refuses_form_data_that_is_not_an_object(
    client, eworld, working_morning, dvcqg
):
    dossier = _filed_with_eform(client, eworld)
    item = dossier_payload(Dossier.objects.get(pk=dossier.pk))
    with pytest.raises(DvcqgError) as refused:
        DvcqgClient().call(
            "DongBoHoSoMC", isUpdating="False", data=[{**item, "DuLieuBieuMau": "Lò Minh An"}]
        )
    assert refused.value.code == "08"
    assert dvcqg.state()["dossiers"] == {} and dvcqg.state()["rejected"] == 1
