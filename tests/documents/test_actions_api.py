"""The documents' generic actions endpoint (issue 12), the shape the dossiers have:
``POST /api/v1/documents/outgoing|incoming/{id}/actions/{action}/`` for every row of the tables in
documents/workflow.py, through the one dispatcher the pages use (documents/inputs.py).

Decree 30/2020/NĐ-CP: the drafter submits (trình ký), the leader sends back or signs, the văn thư
issues and sends; the incoming document is registered, assigned, processed or refused. QCVN
102:2016: each incoming step reports its status code to the sender (03, 04, 05, 06, 15/16).
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from documents import inputs, views, workflow
from documents.models import IncomingDocument, OutgoingDocument
from documents.services import RecipientSpec, _set_recipients
from tests.documents.exchange_support import *  # noqa: F403
from tests.documents.exchange_support import deliver_all
from tests.dossiers.conftest import pdf
from tests.factories.documents import OutgoingDocumentFactory

pytestmark = pytest.mark.django_db


def as_(user) -> APIClient:  # type: ignore[no-untyped-def]
    client = APIClient()
    client.force_authenticate(user)
    return client


def out_url(document, action: str) -> str:  # type: ignore[no-untyped-def]
    return reverse("outgoing-documents-api-action", args=[document.pk, action])


def in_url(document, action: str) -> str:  # type: ignore[no-untyped-def]
    return reverse("incoming-documents-api-action", args=[document.pk, action])


def test_every_row_has_an_input_and_the_pages_offer_nothing_the_api_lacks():
    assert set(views.OUTGOING_FORMS) == set(workflow.OUTGOING.actions())
    assert set(views.INCOMING_LABELS) == set(workflow.INCOMING.actions())
    assert set(inputs.OUTGOING_ENTRY) == set(workflow.OUTGOING.actions())
    assert set(inputs.INCOMING_ENTRY) == set(workflow.INCOMING.actions())
    for table in (workflow.OUTGOING, workflow.INCOMING):
        for action in table.actions():
            inputs.input_of(table, action)  # declared (KeyError otherwise)


def test_an_outgoing_draft_goes_through_the_table_on_the_api(world) -> None:  # type: ignore[no-untyped-def]
    draft = OutgoingDocumentFactory(agency=world.a, created_by=world.clerk_a, main_pdf=True)
    _set_recipients(draft, [RecipientSpec(world.b.code)])
    clerk, leader = as_(world.clerk_a), as_(world.leader_a)
    attached = clerk.post(
        out_url(draft, "attach"),
        {"file": pdf("van-ban.pdf"), "description": "Phụ lục"},
        format="multipart",
    )
    assert attached.status_code == 200, attached.content
    appendix = [a for a in attached.json()["attachments"] if not a["is_main"]]
    assert [a["description"] for a in appendix] == ["Phụ lục"]
    damaged = clerk.post(
        out_url(draft, "attach"),
        {"file": SimpleUploadedFile("hong.pdf", b"%PDF-1.4 hong", "application/pdf")},
        format="multipart",
    )
    assert damaged.status_code == 400 and damaged.json()["code"] == "invalid_file"
    submitted = clerk.post(out_url(draft, "submit"), {"comment": "Kính trình"}, format="json")
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["state"] == "submitted"
    # the send-back note is required, as on the page (the form's field, derived serializer)
    missing = leader.post(out_url(draft, "send_back"), {}, format="json")
    assert missing.status_code == 400 and missing.json()["code"] == "invalid"
    assert "reason" in missing.json()
    back = leader.post(out_url(draft, "send_back"), {"reason": "Sửa căn cứ"}, format="json")
    assert back.status_code == 200 and back.json()["state"] == "draft"
    assert OutgoingDocument.objects.get(pk=draft.pk).events.filter(action="send_back").exists()


def test_issue_send_and_the_incoming_rows_on_the_api(world) -> None:  # type: ignore[no-untyped-def]
    signed = OutgoingDocumentFactory(agency=world.a, created_by=world.clerk_a, signed=True)
    _set_recipients(signed, [RecipientSpec(world.b.code)])
    issued = as_(world.clerk_a).post(
        out_url(signed, "issue"), {"notation": "STP-VP", "send_now": True}, format="json"
    )
    assert issued.status_code == 200, issued.content
    assert issued.json()["state"] == "sent" and issued.json()["number"]
    deliver_all()
    incoming = IncomingDocument.objects.get(agency=world.b)
    clerk_b, leader_b, specialist_b = (
        as_(world.clerk_b),
        as_(world.leader_b),
        as_(world.specialist_b),
    )
    assert clerk_b.post(in_url(incoming, "register"), {}, format="json").json()["state"] == (
        "registered"
    )
    unknown = leader_b.post(in_url(incoming, "assign"), {"assignee": 999999}, format="json")
    assert unknown.status_code == 400 and unknown.json()["code"] == "not_found"
    assigned = leader_b.post(
        in_url(incoming, "assign"),
        {"department": world.department_b.pk, "assignee": world.specialist_b.pk},
        format="json",
    )
    assert assigned.status_code == 200 and assigned.json()["state"] == "assigned"
    assert specialist_b.post(in_url(incoming, "start"), {}, format="json").status_code == 200
    done = specialist_b.post(in_url(incoming, "complete"), {"comment": "Xong"}, format="json")
    assert done.status_code == 200 and done.json()["state"] == "done"
    deliver_all()
    statuses = as_(world.clerk_a).get(f"/api/v1/documents/outgoing/{signed.pk}/statuses/").json()
    assert [s["code"] for s in statuses[0]["statuses"]] == ["01", "03", "04", "05", "06"]
    # recall, refused without a reason (the row's own check), then refused with one (16)
    recalled = as_(world.leader_a).post(
        out_url(signed, "recall"), {"reason": "Sai sót", "kind": "update"}, format="json"
    )
    assert recalled.status_code == 200 and recalled.json()["recall_state"] == "requested"
    deliver_all()
    no_reason = clerk_b.post(in_url(incoming, "recall_refuse"), {}, format="json")
    assert no_reason.status_code == 400 and no_reason.json()["code"] == "invalid"
    refused = clerk_b.post(
        in_url(incoming, "recall_refuse"), {"reason": "Đã xử lý xong"}, format="json"
    )
    assert refused.status_code == 200 and refused.json()["recall_state"] == "refused"


@pytest.mark.parametrize(
    ("lang", "detail"),
    [
        ("vi", "Không thể «Gửi cho nơi nhận» khi văn bản ở trạng thái «Bản nháp»."),
        ("en", "“Send to the recipients” is not possible while the document is “Draft”."),
    ],
)
def test_refusals_have_a_stable_code_in_the_requests_language(world, lang, detail) -> None:  # type: ignore[no-untyped-def]
    draft = OutgoingDocumentFactory(agency=world.a, created_by=world.clerk_a)
    response = as_(world.clerk_a).post(
        out_url(draft, "send"), {}, format="json", HTTP_ACCEPT_LANGUAGE=lang
    )
    assert response.status_code == 400
    assert response.json() == {"detail": detail, "code": "transition_not_allowed"}
    assert OutgoingDocument.objects.get(pk=draft.pk).state == "draft"


def test_the_pages_permissions_others_objects_and_unknown_actions(world) -> None:  # type: ignore[no-untyped-def]
    issued = world.issued()
    # the leader does not send (the văn thư does): 403 with the code, nothing changed
    denied = as_(world.leader_a).post(out_url(issued, "send"), {}, format="json")
    assert denied.status_code == 403 and denied.json()["code"] == "permission_denied"
    assert OutgoingDocument.objects.get(pk=issued.pk).state == "issued"
    # another agency's document is not found, whatever the action
    assert as_(world.clerk_b).post(out_url(issued, "send"), {}, format="json").status_code == 404
    assert (
        as_(world.clerk_a).post(out_url(issued, "no_such_action"), {}, format="json").status_code
        == 404
    )
    as_(world.clerk_a).post(out_url(issued, "send"), {}, format="json")
    deliver_all()
    incoming = IncomingDocument.objects.get(agency=world.b)
    assert (
        as_(world.clerk_a).post(in_url(incoming, "register"), {}, format="json").status_code == 404
    )
    # the specialist of B may not register (clerical office only)
    assert (
        as_(world.specialist_b).post(in_url(incoming, "register"), {}, format="json").status_code
        == 403
    )
    assert IncomingDocument.objects.get(pk=incoming.pk).state == "received"
