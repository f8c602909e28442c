"""Incoming documents (văn bản đến) through the pages: the inbox of what arrived, registering
(03) or refusing (02), a paper document registered by hand, the incoming book with search and
filters, the leader's assignment (04), the assignee's progress (05, 06) and reply, recall
requests accepted (15) or refused (16), attachments download."""

from __future__ import annotations

import pytest
from django.urls import reverse

from documents.constants import IncomingSource, IncomingState, RecallState, StatusCode
from documents.models import DocumentEvent, IncomingDocument
from portal.core.models import OutboxMessage

from .pages_support import PDF, make_world, pdf_upload


@pytest.fixture
def w(db):
    return make_world()


def _section(page: str, key: str) -> str:
    return page.split(f'id="section-{key}"')[1].split("</section>")[0]


def test_clerical_inbox_shows_what_arrived_and_registers_it(client, w):
    arrived = w.arrived()
    elsewhere = w.arrived(agency=w.other_agency)
    client.force_login(w.clerical)
    page = client.get(reverse("documents:inbox")).content.decode()
    assert (
        f'data-pk="{arrived.pk}"' in _section(page, "arrived")
        and f'data-pk="{elsewhere.pk}"' not in page
    )
    detail = client.get(reverse("documents:incoming_detail", args=[arrived.pk])).content.decode()
    assert 'id="do-register"' in detail and 'id="do-reject"' in detail
    assert (
        'id="book-number">' in detail
        and "/2026" not in detail.split('id="book-number">')[1].split("</dd>")[0]
    )
    response = client.post(
        reverse("documents:incoming_act", args=[arrived.pk, "register"]), {}, follow=True
    )
    arrived.refresh_from_db()
    assert arrived.state == IncomingState.REGISTERED and arrived.book_number == 1
    assert 'id="book-number"' in response.content.decode()
    # status 03 goes back to the sender through the outbox
    event = DocumentEvent.objects.get(incoming=arrived, status_code=StatusCode.ACCEPTED)
    assert OutboxMessage.objects.filter(
        task_name="documents.tasks.deliver_status", kwargs__event_id=event.pk
    ).exists()


def test_refusing_needs_a_reason_and_sends_02(client, w):
    arrived = w.arrived()
    client.force_login(w.clerical)
    assert (
        client.post(
            reverse("documents:incoming_act", args=[arrived.pk, "reject"]), {"reject-reason": ""}
        ).status_code
        == 400
    )
    arrived.refresh_from_db()
    assert arrived.state == IncomingState.RECEIVED
    client.post(
        reverse("documents:incoming_act", args=[arrived.pk, "reject"]),
        {"reject-reason": "Gửi nhầm cơ quan"},
    )
    arrived.refresh_from_db()
    assert (
        arrived.state == IncomingState.REJECTED and arrived.rejection_reason == "Gửi nhầm cơ quan"
    )
    assert DocumentEvent.objects.filter(incoming=arrived, status_code=StatusCode.REJECTED).exists()


def test_paper_document_registered_by_hand_with_scans(client, w):
    client.force_login(w.clerical)
    assert client.get(reverse("documents:register_paper")).status_code == 200
    response = client.post(
        reverse("documents:register_paper"),
        {
            "from_organ_name": "Bộ Tư pháp",
            "code_number": "1234",
            "code_notation": "BTP-HTQTCT",
            "promulgation_date": "2026-05-20",
            "document_type": 1,
            "subject": "V/v hướng dẫn đăng ký khai sinh",
            "urgency": 0,
            "scans": [pdf_upload("scan.pdf")],
        },
    )
    assert response.status_code == 302
    document = IncomingDocument.objects.get(code_number="1234")
    assert (
        document.source == IncomingSource.MANUAL
        and document.state == IncomingState.REGISTERED
        and document.book_number == 1
    )
    assert document.attachments.get().name == "scan.pdf"


@pytest.mark.parametrize("bad", ["future", "no_subject", "damaged_scan"])
def test_bad_paper_registration_is_a_message_and_nothing_is_stored(client, w, bad):
    client.force_login(w.clerical)
    data = {
        "from_organ_name": "Bộ Tư pháp",
        "code_number": "77",
        "promulgation_date": "2026-05-20",
        "document_type": 1,
        "subject": "Văn bản lỗi",
        "urgency": 0,
    }
    if bad == "future":
        data["promulgation_date"] = "2099-01-01"
    elif bad == "no_subject":
        data["subject"] = ""
    else:
        data["scans"] = [pdf_upload("scan.pdf", PDF[:30])]
    response = client.post(reverse("documents:register_paper"), data)
    assert response.status_code == 400
    assert not IncomingDocument.objects.exists()


def test_incoming_book_search_and_filters(client, w):
    a = w.registered(subject="V/v đề nghị phối hợp kiểm tra hộ tịch")
    b = w.registered(subject="Giấy mời họp giao ban", urgency=0)
    services_assign = w.leader
    from documents import services

    services.incoming_assign(document=b, actor=services_assign, assignee=w.specialist)
    client.force_login(w.clerical)

    def rows(**params):
        return client.get(reverse("documents:incoming_book"), params).content.decode()

    page = rows()
    assert (
        f'data-pk="{a.pk}"' in page
        and f'data-pk="{b.pk}"' in page
        and "UBND phường Mường Thanh" in page
    )
    assert f'data-pk="{b.pk}"' not in rows(q="ho tich") and f'data-pk="{a.pk}"' in rows(q="HỘ TỊCH")
    assert f'data-pk="{a.pk}"' in rows(q="muong thanh")  # the sender, folded
    assert f'data-pk="{a.pk}"' not in rows(status="assigned") and f'data-pk="{b.pk}"' in rows(
        status="assigned"
    )
    assert f'data-pk="{a.pk}"' in rows(urgency=1) and f'data-pk="{b.pk}"' not in rows(urgency=1)
    assert f'data-pk="{a.pk}"' not in rows(date_to="2001-01-01")
    arrived = w.arrived()
    assert f'data-pk="{arrived.pk}"' not in rows()  # not registered: the inbox, not the book


def test_leader_assigns_and_the_assignee_processes_and_replies(client, w):
    document = w.registered()
    client.force_login(w.leader)
    inbox = client.get(reverse("documents:inbox")).content.decode()
    assert f'data-pk="{document.pk}"' in _section(inbox, "to_assign")
    detail = client.get(reverse("documents:incoming_detail", args=[document.pk])).content.decode()
    assert w.specialist.full_name in detail.split('id="form-assign"')[1]
    assert (
        client.post(
            reverse("documents:incoming_act", args=[document.pk, "assign"]), {"assign-assignee": ""}
        ).status_code
        == 400
    )
    client.post(
        reverse("documents:incoming_act", args=[document.pk, "assign"]),
        {
            "assign-department": w.department.pk,
            "assign-assignee": w.specialist.pk,
            "assign-comment": "Đề nghị xử lý trước 15/6",
        },
    )
    document.refresh_from_db()
    assert document.state == IncomingState.ASSIGNED and document.assigned_to == w.specialist
    # the specialist sees it, starts (05), finishes (06), drafts the reply linked to it
    client.force_login(w.specialist)
    assert f'data-pk="{document.pk}"' in _section(
        client.get(reverse("documents:inbox")).content.decode(), "assigned"
    )
    client.post(reverse("documents:incoming_act", args=[document.pk, "start"]), {})
    document.refresh_from_db()
    assert document.state == IncomingState.IN_PROGRESS
    reply_form = client.get(
        reverse("documents:draft_new"), {"tra_loi": document.pk}
    ).content.decode()
    assert f'value="{document.pk}" selected' in reply_form
    client.post(
        reverse("documents:draft_new"),
        {
            "document_type": 1,
            "subject": "V/v trả lời công văn 45/UBND-VP",
            "recipients": [w.other_agency.code],
            "urgency": 0,
            "answers": document.pk,
            "main_file": pdf_upload(),
        },
    )
    reply = document.replies.get()
    client.post(
        reverse("documents:incoming_act", args=[document.pk, "complete"]),
        {"complete-comment": "Đã trả lời"},
    )
    document.refresh_from_db()
    assert document.state == IncomingState.DONE
    page = client.get(reverse("documents:incoming_detail", args=[document.pk])).content.decode()
    assert f'href="{reverse("documents:outgoing_detail", args=[reply.pk])}"' in page
    codes = list(
        DocumentEvent.objects.filter(incoming=document)
        .exclude(status_code="")
        .values_list("status_code", flat=True)
    )
    assert codes == ["03", "04", "05", "06"]


def test_someone_else_cannot_start_or_finish(client, w):
    document = w.assigned()
    client.force_login(w.clerical)  # same agency, not the assignee nor a leader
    response = client.post(reverse("documents:incoming_act", args=[document.pk, "start"]), {})
    assert response.status_code == 403
    document.refresh_from_db()
    assert document.state == IncomingState.ASSIGNED


@pytest.mark.parametrize("accept", [True, False])
def test_recall_request_accepted_or_refused(client, w, accept):
    document = w.recall_requested()
    client.force_login(w.leader)
    inbox = client.get(reverse("documents:inbox")).content.decode()
    assert f'data-pk="{document.pk}"' in _section(inbox, "recalls")
    page = client.get(reverse("documents:incoming_detail", args=[document.pk])).content.decode()
    assert (
        "Sai số liệu" in page
        and 'id="do-recall_accept"' in page
        and 'id="do-recall_refuse"' in page
    )
    if accept:
        client.post(
            reverse("documents:incoming_act", args=[document.pk, "recall_accept"]),
            {"recall_accept-comment": ""},
        )
    else:
        assert (
            client.post(
                reverse("documents:incoming_act", args=[document.pk, "recall_refuse"]),
                {"recall_refuse-reason": ""},
            ).status_code
            == 400
        )
        client.post(
            reverse("documents:incoming_act", args=[document.pk, "recall_refuse"]),
            {"recall_refuse-reason": "Đã xử lý xong"},
        )
    document.refresh_from_db()
    assert document.recall_state == (RecallState.ACCEPTED if accept else RecallState.REFUSED)
    assert document.state == (IncomingState.RECALLED if accept else IncomingState.ASSIGNED)
    code = StatusCode.RECALL_ACCEPTED if accept else StatusCode.RECALL_REFUSED
    assert DocumentEvent.objects.filter(incoming=document, status_code=code).exists()


def test_attachment_download_only_for_the_agency_concerned(client, w):
    document = w.arrived()
    item = document.attachments.get()
    url = reverse("documents:incoming_file", args=[document.pk, item.pk])
    client.force_login(w.clerical)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    client.force_login(w.other_clerical)
    assert client.get(url).status_code == 404
    client.force_login(w.clerk)  # same agency, no document role
    assert client.get(url).status_code == 403


def test_incoming_book_and_inbox_cost_a_fixed_number_of_queries(
    client, w, django_assert_max_num_queries
):
    for _ in range(3):
        w.assigned()
        w.arrived()
    client.force_login(w.leader)
    with django_assert_max_num_queries(14):
        client.get(reverse("documents:incoming_book"))
    with django_assert_max_num_queries(20):
        client.get(reverse("documents:inbox"))
    for _ in range(6):
        w.assigned()
        w.arrived()
    with django_assert_max_num_queries(14):
        book = client.get(reverse("documents:incoming_book")).content.decode()
    with django_assert_max_num_queries(20):
        client.get(reverse("documents:inbox"))
    assert book.count('class="doc-link"') == 9
