"""The document API (/api/v1/documents/…): scoped by the caller's agencies (another agency's
document is a 404), roles per action (403), bilingual 400s, and the actions reaching the same
services as the pages."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from documents import services
from documents.models import IncomingDocument, OutgoingDocument
from portal.core.models import OutboxMessage
from tests.documents.exchange_support import *  # noqa: F403
from tests.documents.exchange_support import deliver_all
from tests.factories.documents import PDF, OutgoingDocumentFactory

pytestmark = pytest.mark.django_db
OUT = "/api/v1/documents/outgoing/"
IN = "/api/v1/documents/incoming/"


def as_(user) -> APIClient:  # type: ignore[no-untyped-def]
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_lists_and_details_are_scoped_to_the_agency(world) -> None:  # type: ignore[no-untyped-def]
    mine = OutgoingDocumentFactory(agency=world.a)
    theirs = OutgoingDocumentFactory(agency=world.b)
    listed = as_(world.clerk_a).get(OUT).json()
    ids = [row["id"] for row in listed.get("results", listed)]
    assert mine.pk in ids and theirs.pk not in ids
    assert as_(world.clerk_a).get(f"{OUT}{theirs.pk}/").status_code == 404
    assert as_(world.clerk_a).post(f"{OUT}{theirs.pk}/send/").status_code == 404
    assert APIClient().get(OUT).status_code in (401, 403)


def test_create_attach_and_the_bilingual_refusals(world, settings) -> None:  # type: ignore[no-untyped-def]
    client = as_(world.clerk_a)
    response = client.post(
        OUT,
        {
            "subject": "V/v tổng kết công tác năm 2026",
            "document_type": 1,
            "recipients": [world.b.code],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["state"] == "draft" and [r["organ_code"] for r in created["recipients"]] == [
        world.b.code
    ]
    url = f"{OUT}{created['id']}/"
    attached = client.post(
        url + "attach/",
        {"file": SimpleUploadedFile("van-ban.pdf", PDF, "application/pdf"), "is_main": True},
        format="multipart",
    )
    assert attached.status_code == 201 and attached.json()["attachments"][0]["is_main"] is True
    not_pdf = client.post(
        url + "attach/",
        {"file": SimpleUploadedFile("x.pdf", b"hello", "application/pdf"), "is_main": True},
        format="multipart",
    )
    assert (
        not_pdf.status_code == 400
        and "PDF" in not_pdf.json()["detail"]
        and not_pdf.json()["code"] == "invalid"
    )
    settings.EDXML_MAX_ATTACHMENT_BYTES = 100
    too_big = client.post(
        url + "attach/",
        {"file": SimpleUploadedFile("big.bin", b"x" * 101, "application/octet-stream")},
        format="multipart",
    )
    assert (
        too_big.status_code == 400 and "quá lớn" in too_big.json()["detail"]
    )  # Vietnamese unless the caller asks
    # a draft cannot be issued, and the leader is not the one who issues
    assert client.post(url + "issue/", {}, format="json").status_code == 400
    assert as_(world.leader_a).post(url + "issue/", {}, format="json").status_code == 403
    unknown = client.post(OUT, {"subject": "x", "recipients": ["000.00.01.H77"]}, format="json")
    assert (
        unknown.status_code == 400
        and unknown.json()["code"] == "no_route"
        and "Không có đường liên thông" in unknown.json()["detail"]
    )


def test_send_and_statuses_through_the_api(world) -> None:  # type: ignore[no-untyped-def]
    document = world.issued()
    response = as_(world.clerk_a).post(f"{OUT}{document.pk}/send/")
    assert response.status_code == 200 and response.json()["state"] == "sent"
    assert OutboxMessage.objects.filter(task_name=services.DELIVER_DOCUMENT_TASK).count() == 1
    deliver_all()
    incoming = IncomingDocument.objects.get(agency=world.b)
    b = as_(world.clerk_b)
    assert b.post(f"{IN}{incoming.pk}/register/").json()["state"] == "registered"
    assigned = as_(world.leader_b).post(
        f"{IN}{incoming.pk}/assign/",
        {"department": world.department_b.pk, "assignee": world.specialist_b.pk},
        format="json",
    )
    assert assigned.status_code == 200 and assigned.json()["state"] == "assigned"
    assert as_(world.specialist_b).post(f"{IN}{incoming.pk}/start/").status_code == 200
    assert (
        as_(world.specialist_b)
        .post(f"{IN}{incoming.pk}/complete/", {"note": "Xong"}, format="json")
        .json()["state"]
        == "done"
    )
    assert as_(world.clerk_a).get(f"{IN}{incoming.pk}/").status_code == 404  # A cannot see B's book
    deliver_all()
    statuses = as_(world.clerk_a).get(f"{OUT}{document.pk}/statuses/").json()
    assert [s["code"] for s in statuses[0]["statuses"]] == ["01", "03", "04", "05", "06"]
    # recall through the API, answered through the API
    assert (
        as_(world.leader_a)
        .post(f"{OUT}{document.pk}/recall/", {"reason": "Sai sót"}, format="json")
        .json()["recall_state"]
        == "requested"
    )
    deliver_all()
    answer = as_(world.clerk_b).post(
        f"{IN}{incoming.pk}/answer-recall/", {"accept": False}, format="json"
    )
    assert answer.status_code == 400 and answer.json() == {
        "detail": "Lý do là bắt buộc.",
        "code": "required",
    }
    assert (
        as_(world.clerk_b)
        .post(f"{IN}{incoming.pk}/answer-recall/", {"accept": True}, format="json")
        .json()["state"]
        == "recalled"
    )
    deliver_all()
    assert OutgoingDocument.objects.get(pk=document.pk).recall_state == "accepted"


def test_list_query_count_does_not_grow_with_rows(world, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    for _ in range(3):
        OutgoingDocumentFactory(agency=world.a)
    client = as_(world.clerk_a)
    client.get(OUT)
    for _ in range(10):
        OutgoingDocumentFactory(agency=world.a)
    with django_assert_max_num_queries(8):
        client.get(OUT)
