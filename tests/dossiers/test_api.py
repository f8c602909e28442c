"""The dossier API: submission, actions, tracking; 404 for another's dossier, 403 for a wrong
role, 400 with a bilingual message for a refused transition — and nothing changed."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from dossiers import services
from dossiers.constants import DossierStatus
from dossiers.models import Dossier, DossierEvent
from tests.dossiers.conftest import fill_supplement_slots, pdf

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def action(name: str, dossier: Dossier) -> str:
    return reverse(f"dossiers-api-{name}", args=[dossier.pk])


def test_citizen_submits_online_through_the_api(world):
    api = client_for(world.citizen)
    response = api.post(
        reverse("dossiers-api-list"),
        {
            "procedure": world.procedure.code,
            "agency": world.agency.code,
            "form_data": {"ghi_chu": "x"},
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    dossier = Dossier.objects.get(pk=pk)
    assert response.json()["status"] == DossierStatus.DRAFT and response.json()[
        "allowed_actions"
    ] == ["submit"]

    response = api.post(action("submit", dossier), format="json")
    assert response.status_code == 400 and response.json()["code"] == "incomplete", response.json()

    doc_id = dossier.procedure_version.snapshot["documents"][0]["id"]
    response = api.post(
        action("files", dossier), {"file": pdf(), "document_id": doc_id}, format="multipart"
    )
    assert response.status_code == 201, response.content
    assert response.json()["content_type"] == "application/pdf"
    response = api.post(
        action("files", dossier),
        {"file": pdf("x.pdf").__class__("x.pdf", b"GIF89a....", "image/gif")},
        format="multipart",
    )
    assert response.status_code == 400

    response = api.post(action("submit", dossier), format="json")
    assert response.status_code == 200 and response.json()["status"] == DossierStatus.NEW

    listing = api.get(reverse("dossiers-api-list")).json()
    assert [d["id"] for d in listing["results"]] == [pk]


def test_staff_actions_through_the_api(world):
    dossier = world.submitted()
    clerk = client_for(world.clerk)
    response = clerk.post(action("receive", dossier), {"comment": "Đủ"}, format="json")
    assert response.status_code == 200 and response.json()["code"].startswith("G09.20-")
    response = clerk.post(
        action("assign", dossier),
        {"department": world.division.pk, "assignee": world.specialist.pk},
        format="json",
    )
    assert response.status_code == 200 and response.json()["stage"] == "examination"
    response = client_for(world.specialist).post(
        action("forward", dossier), {"leader": world.leader.pk}, format="json"
    )
    assert response.status_code == 200
    response = client_for(world.leader).post(action("approve", dossier), {}, format="json")
    assert response.status_code == 200 and response.json()["status"] == DossierStatus.PROCESSED
    response = clerk.post(action("return", dossier), {"delivery": "counter"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == DossierStatus.RETURNED
    response = client_for(world.citizen).post(
        action("rate", dossier), {"rating": "acceptable"}, format="json"
    )
    assert response.status_code == 200 and response.json()["rating"] == "acceptable"
    detail = client_for(world.citizen).get(reverse("dossiers-api-detail", args=[dossier.pk])).json()
    assert [e["action"] for e in detail["events"]] == [
        "submit",
        "receive",
        "assign",
        "forward",
        "approve",
        "return_result",
        "rate",
    ]


@pytest.mark.parametrize(
    ("who", "name", "payload", "expected"),
    [
        ("other_citizen", "receive", {}, 404),  # another's dossier
        ("other_clerk", "receive", {}, 404),  # another agency
        (None, "receive", {}, 403),  # anonymous
        ("citizen", "receive", {}, 403),  # owner, wrong role
        ("specialist", "receive", {}, 403),  # same agency, wrong role
        ("clerk", "approve", {}, 400),  # out of order
        ("clerk", "refuse", {}, 400),  # reason missing
        ("clerk", "request-supplement", {"reason": "x", "items": "nope"}, 400),
        ("clerk", "assign", {"department": 999999}, 400),  # forged id
    ],
)
def test_refusals_change_nothing(world, who, name, payload, expected):
    dossier = world.submitted()
    before = (
        Dossier.objects.get(pk=dossier.pk).status,
        DossierEvent.objects.filter(dossier=dossier).count(),
    )
    response = client_for(getattr(world, who) if who else None).post(
        action(name, dossier), payload, format="json"
    )
    assert response.status_code == expected, response.content
    assert (
        Dossier.objects.get(pk=dossier.pk).status,
        DossierEvent.objects.filter(dossier=dossier).count(),
    ) == before
    if expected in (400, 403) and who:
        body = response.json()
        if "detail" in body:
            assert body["detail"]


def test_public_tracking_endpoint(world):
    dossier = world.received()
    api = APIClient()
    ok = api.get(reverse("dossier-tracking"), {"code": dossier.code, "second_factor": "4321"})
    assert ok.status_code == 200
    body = ok.json()
    assert body["code"] == dossier.code and body["status"] == DossierStatus.RECEIVED
    assert (
        world.citizen.full_name not in ok.content.decode()
        and "applicant" not in ok.content.decode()
    )
    assert (
        api.get(
            reverse("dossier-tracking"), {"code": dossier.code, "second_factor": "1111"}
        ).status_code
        == 404
    )
    assert api.get(reverse("dossier-tracking")).status_code == 400
    assert (
        api.get(reverse("dossier-tracking-token", args=[dossier.tracking_token])).json()["code"]
        == dossier.code
    )


def test_schema_lists_the_dossier_endpoints(client):
    schema = client.get(reverse("schema")).content.decode()
    for path in (
        "/api/v1/dossiers/{id}/receive/",
        "/api/v1/dossiers/{id}/request-supplement/",
        "/api/v1/tracking/",
    ):
        assert path in schema


def test_counter_intake_is_for_clerks_only(world):
    payload = {
        "procedure": world.procedure.code,
        "applicant": {"name": "Lò Văn A", "citizen_id": "011200009999"},
        "channel": 1,
    }
    assert (
        client_for(world.citizen)
        .post(reverse("dossiers-api-counter"), payload, format="json")
        .status_code
        == 403
    )
    assert (
        client_for(world.specialist)
        .post(reverse("dossiers-api-counter"), payload, format="json")
        .status_code
        == 403
    )
    response = client_for(world.clerk).post(reverse("dossiers-api-counter"), payload, format="json")
    assert response.status_code == 201 and response.json()["status"] == DossierStatus.NEW
    assert Dossier.objects.get(pk=response.json()["id"]).receiving_agency == world.agency


def test_a_further_supplement_request_through_the_api_needs_its_reason(world):
    """Guide once and fully (Decree 118/2025; dossiers.deadlines.check_repeat_supplement)."""
    from dossiers.models import SupplementRequest

    dossier = world.submitted()
    clerk = client_for(world.clerk)
    items = [{"document": "Bản sao CCCD"}]
    assert (
        clerk.post(
            action("request-supplement", dossier),
            {"reason": "Thiếu", "items": items},
            format="json",
        ).status_code
        == 200
    )
    fill_supplement_slots(dossier, world.citizen)
    services.dossier_answer_supplement(dossier=dossier, actor=world.citizen, comment="Đã nộp")
    refused = clerk.post(
        action("request-supplement", dossier),
        {"reason": "Thiếu nữa", "items": items},
        format="json",
    )
    assert refused.status_code == 400 and refused.json()["detail"]
    ok = clerk.post(
        action("request-supplement", dossier),
        {"reason": "Thiếu nữa", "items": items, "repeat_reason": "Giấy tờ hết hạn"},
        format="json",
    )
    assert ok.status_code == 200, ok.content
    assert list(
        SupplementRequest.objects.filter(dossier=dossier)
        .order_by("pk")
        .values_list("flagged", flat=True)
    ) == [False, True]


def test_the_api_returns_the_result_the_way_the_applicant_registered(world):
    """TT 03/2025/TT-VPCP Phụ lục I, mẫu 01 item 6: the applicant registers at submission how to
    receive the result; the return step uses it. The pages preselect it; the API registers it at
    submission (``applicant.delivery``), shows it, and a return without ``delivery`` uses it."""
    api = client_for(world.citizen)
    response = api.post(
        reverse("dossiers-api-list"),
        {
            "procedure": world.procedure.code,
            "agency": world.agency.code,
            "applicant": {
                "name": "Lò Văn A",
                "delivery": "post",
                "delivery_address": "Tổ 5, phường Him Lam, Điện Biên",
            },
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    dossier = Dossier.objects.get(pk=response.json()["id"])
    assert response.json()["registered_delivery"] == "post"
    assert response.json()["delivery_address"] == "Tổ 5, phường Him Lam, Điện Biên"
    doc_id = dossier.procedure_version.snapshot["documents"][0]["id"]
    api.post(action("files", dossier), {"file": pdf(), "document_id": doc_id}, format="multipart")
    assert api.post(action("submit", dossier), format="json").status_code == 200
    clerk = client_for(world.clerk)
    assert clerk.post(action("receive", dossier), {}, format="json").status_code == 200
    clerk.post(
        action("assign", dossier),
        {"department": world.division.pk, "assignee": world.specialist.pk},
        format="json",
    )
    client_for(world.specialist).post(
        action("forward", dossier), {"leader": world.leader.pk}, format="json"
    )
    client_for(world.leader).post(action("approve", dossier), {}, format="json")
    response = clerk.post(action("return", dossier), {}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == DossierStatus.RETURNED
    assert response.json()["result_delivery"] == "post"  # not "counter"
    assert Dossier.objects.get(pk=dossier.pk).result_delivery == "post"


def test_an_unknown_delivery_is_refused_by_the_api(world):
    response = client_for(world.citizen).post(
        reverse("dossiers-api-list"),
        {
            "procedure": world.procedure.code,
            "agency": world.agency.code,
            "applicant": {"name": "Lò Văn A", "delivery": "pigeon"},
        },
        format="json",
    )
    assert response.status_code == 400 and not Dossier.objects.exists()
