"""The document services and the exchange between two agencies of one portal (in-process
delivery through the same receive function as the inbound endpoint): issue and numbering, send,
the status flow 01→03→04→05→06 seen by the sender, the reply linked both ways, duplicates,
recall accepted / refused, and what may not be sent. Real PostgreSQL, real keys and envelopes."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from documents import exchange, services
from documents.constants import Book, IncomingState, OutgoingState, RecallState, Secrecy
from documents.exceptions import DocumentError, PermissionDenied
from documents.models import (
    DocumentNumberCounter,
    ExchangePeer,
    InboundReceipt,
    IncomingAttachment,
    IncomingDocument,
    OutgoingRecipient,
    RecipientStatus,
)
from documents.numbering import next_number
from portal.core.models import OutboxMessage
from tests.documents.exchange_support import *  # noqa: F403
from tests.documents.exchange_support import deliver_all
from tests.factories.documents import PDF, OutgoingDocumentFactory

pytestmark = pytest.mark.django_db


def codes(recipient: OutgoingRecipient) -> list[str]:
    return list(recipient.statuses.order_by("at", "id").values_list("code", flat=True))


def test_issue_takes_the_next_number_of_the_year_and_the_notation(world) -> None:  # type: ignore[no-untyped-def]
    first = OutgoingDocumentFactory(agency=world.a, signed=True, document_type=3)
    second = OutgoingDocumentFactory(agency=world.a, signed=True)
    services.outgoing_issue(document=first, actor=world.clerk_a)
    services.outgoing_issue(document=second, actor=world.clerk_a, notation="STP-HCTP")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.number, first.code) == (1, "1/QĐ-STP")
    assert (second.number, second.code) == (2, "2/STP-HCTP")
    assert first.state == OutgoingState.ISSUED and first.promulgation_date is not None
    with pytest.raises(DocumentError):  # issued once only
        services.outgoing_issue(document=first, actor=world.clerk_a)
    with pytest.raises(PermissionDenied):  # the văn thư issues, not the leader
        services.outgoing_issue(
            document=OutgoingDocumentFactory(agency=world.a, signed=True), actor=world.leader_a
        )


def test_the_usual_notation_is_made_of_abbreviations_not_the_agencys_code() -> None:
    """Decree 30/2020/NĐ-CP Phụ lục I, Phần I, mục 3.b: the notation of a document with a type
    name is the type's abbreviation and the issuing agency's ("QĐ-STP"); a công văn's is the
    issuing agency's and the drafting unit's ("STP-VP"). The agency's code ("000.00.03.H18")
    is no notation: before, a department without a short name got "1/000.00.03.H18"."""
    from portal.accounts.constants import Role
    from portal.agencies.constants import AgencyLevel
    from tests.factories.accounts import StaffFactory
    from tests.factories.agencies import AgencyFactory

    justice = AgencyFactory(code="000.00.03.H18", name="Sở Tư pháp", short_name="")
    office = AgencyFactory(name="Văn phòng", parent=justice, level=AgencyLevel.DIVISION)
    division = AgencyFactory(
        name="Phòng Hành chính tư pháp", parent=justice, level=AgencyLevel.DIVISION
    )
    clerk = StaffFactory(agency=justice, roles=[Role.CLERICAL])
    drafted_in = {
        unit: StaffFactory(agency=justice, department=unit) for unit in (office, division, None)
    }
    letter = OutgoingDocumentFactory(agency=justice, created_by=drafted_in[office], signed=True)
    plan = OutgoingDocumentFactory(
        agency=justice, created_by=drafted_in[office], signed=True, document_type=11
    )
    from_division = OutgoingDocumentFactory(
        agency=justice, created_by=drafted_in[division], signed=True
    )
    from_nowhere = OutgoingDocumentFactory(agency=justice, created_by=drafted_in[None], signed=True)
    for document in (letter, plan, from_division, from_nowhere):
        services.outgoing_issue(document=document, actor=clerk)
        document.refresh_from_db()
    assert letter.code == "1/STP-VP"
    assert plan.code == "2/KH-STP"
    assert from_division.code == "3/STP-HCTP"
    assert from_nowhere.code == "4/STP"
    assert all("H18" not in d.code for d in (letter, plan, from_division, from_nowhere))


@pytest.mark.django_db(transaction=True)
def test_numbers_are_gapless_under_concurrency_and_a_rollback_returns_its_number(world) -> None:  # type: ignore[no-untyped-def]
    taken: list[int] = []
    errors: list[BaseException] = []

    def issue(rollback: bool) -> None:
        try:
            with transaction.atomic():
                number = next_number(agency=world.a, year=2026, book=Book.OUTGOING)
                if rollback:
                    raise RuntimeError("rolled back")
                taken.append(number)
        except RuntimeError:
            pass
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue, args=(i % 4 == 0,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(taken) == list(range(1, 13))
    assert (
        DocumentNumberCounter.objects.get(agency=world.a, year=2026, book=Book.OUTGOING).last_value
        == 12
    )


def test_send_receive_and_the_status_flow_reaches_the_sender(world) -> None:  # type: ignore[no-untyped-def]
    document = world.issued()
    services.outgoing_add_attachment(
        document=document,
        actor=world.clerk_a,
        data=b"Phu luc 1",
        name="phu-luc.txt",
        content_type="text/plain",
    )
    services.outgoing_send(document=document, actor=world.clerk_a)
    assert OutboxMessage.objects.filter(task_name=services.DELIVER_DOCUMENT_TASK).count() == 1
    deliver_all()

    incoming = IncomingDocument.objects.get(agency=world.b)
    assert incoming.document_id == document.document_id and incoming.state == IncomingState.RECEIVED
    assert incoming.code == document.code and incoming.from_organ_code == world.a.code
    assert sorted(
        IncomingAttachment.objects.filter(document=incoming).values_list("name", flat=True)
    ) == ["phu-luc.txt", "van-ban.pdf"]
    pdf = incoming.attachments.get(name="van-ban.pdf")
    assert pdf.file.read() == PDF
    assert "UID=000.00.12.H18" in incoming.signer_certificate_subject
    recipient = document.recipients.get()
    assert codes(recipient) == ["01"]

    services.incoming_register(document=incoming, actor=world.clerk_b)
    services.incoming_assign(
        document=incoming,
        actor=world.leader_b,
        department=world.department_b,
        assignee=world.specialist_b,
        note="Xử lý trước 30/11",
    )
    services.incoming_start(document=incoming, actor=world.specialist_b)
    services.incoming_complete(document=incoming, actor=world.specialist_b, note="Đã trả lời")
    deliver_all()

    recipient.refresh_from_db()
    assert codes(recipient) == ["01", "03", "04", "05", "06"]
    assert recipient.status_code == "06"
    assigned = recipient.statuses.get(code="04")
    assert (
        assigned.department == "Phòng Tổ chức biên chế"
        and assigned.staff_name == "Phó Giám đốc Sở Nội vụ"
    )
    incoming.refresh_from_db()
    assert incoming.book_number == 1 and incoming.state == IncomingState.DONE

    # the reply B → A answers it (ResponseFor) and is linked at A
    reply = OutgoingDocumentFactory(
        agency=world.b, issued=True, in_reply_to=incoming, subject="Trả lời công văn"
    )
    services.outgoing_set_recipients(document=reply, actor=world.clerk_b, recipients=[world.a.code])
    services.outgoing_send(document=reply, actor=world.clerk_b)
    deliver_all()
    answer = IncomingDocument.objects.get(agency=world.a)
    assert answer.answers == document
    assert codes(reply.recipients.get()) == ["01"]


def test_a_repeated_envelope_is_acknowledged_once(world) -> None:  # type: ignore[no-untyped-def]
    document = world.issued()
    recipient = document.recipients.get()
    data = exchange.document_envelope(recipient)
    first = exchange.receive_envelope(data)
    again = exchange.receive_envelope(
        exchange.document_envelope(recipient)
    )  # a retry re-signs: same DocumentId
    assert (first.http_status, first.status_code, first.duplicate) == (200, "01", False)
    assert (again.http_status, again.status_code, again.duplicate) == (200, "01", True)
    assert IncomingDocument.objects.count() == 1 and InboundReceipt.objects.count() == 1
    # both answers are the same signed status: applying them twice records one 01
    exchange.handle_answer(recipient, first)
    exchange.handle_answer(recipient, again)
    assert codes(recipient) == ["01"]
    # and a delivery task run again after success does not send again
    assert exchange.deliver_document(recipient_id=recipient.pk) == "01"
    assert IncomingDocument.objects.count() == 1


def test_recall_accepted_and_refused(world) -> None:  # type: ignore[no-untyped-def]
    c = AgencyFactory_c(world)
    document = world.issued(to=[world.b.code, c.code])
    services.outgoing_send(document=document, actor=world.clerk_a)
    deliver_all()
    services.outgoing_request_recall(
        document=document, actor=world.leader_a, reason="Sai số liệu tại mục 2"
    )
    with pytest.raises(DocumentError):
        services.outgoing_request_recall(document=document, actor=world.leader_a, reason="again")
    deliver_all()
    at_b = IncomingDocument.objects.get(agency=world.b)
    at_c = IncomingDocument.objects.get(agency=c)
    assert (
        at_b.recall_state == RecallState.REQUESTED and at_b.recall_reason == "Sai số liệu tại mục 2"
    )
    services.incoming_answer_recall(document=at_b, actor=world.clerk_b, accept=True)
    deliver_all()
    document.refresh_from_db()
    assert document.recall_state == RecallState.REQUESTED  # C has not answered yet
    with pytest.raises(DocumentError):  # a refusal needs a reason
        services.incoming_answer_recall(document=at_c, actor=c.clerk, accept=False)
    services.incoming_answer_recall(
        document=at_c, actor=c.clerk, accept=False, reason="Văn bản đã được thực hiện"
    )
    deliver_all()
    document.refresh_from_db()
    at_b.refresh_from_db()
    assert at_b.state == IncomingState.RECALLED
    assert codes(document.recipients.get(organ_code=world.b.code)) == ["01", "13", "15"]
    assert codes(document.recipients.get(organ_code=c.code)) == ["01", "13", "16"]
    assert document.recall_state == RecallState.REFUSED


def AgencyFactory_c(world):  # type: ignore[no-untyped-def]
    from portal.accounts.constants import Role
    from tests.factories.accounts import StaffFactory
    from tests.factories.agencies import AgencyFactory

    c = AgencyFactory(code="000.00.07.H18", name="Sở Tài chính tỉnh Điện Biên")
    c.clerk = StaffFactory(agency=c, roles=[Role.CLERICAL])
    return c


def test_a_recall_accepted_by_every_recipient_settles_as_accepted(world) -> None:  # type: ignore[no-untyped-def]
    document = world.issued()
    services.outgoing_send(document=document, actor=world.clerk_a)
    deliver_all()
    services.outgoing_request_recall(
        document=document, actor=world.clerk_a, reason="Thay thế bằng văn bản khác", update=True
    )
    deliver_all()
    incoming = IncomingDocument.objects.get(agency=world.b)
    services.incoming_answer_recall(document=incoming, actor=world.leader_b, accept=True)
    deliver_all()
    document.refresh_from_db()
    incoming.refresh_from_db()
    assert document.recall_state == RecallState.ACCEPTED
    assert (
        incoming.state == IncomingState.RECEIVED
    )  # an update keeps the document; a recall removes it


def test_secret_documents_and_oversized_files_are_refused_at_the_sender(world, settings) -> None:  # type: ignore[no-untyped-def]
    secret = world.issued(secrecy=Secrecy.CONFIDENTIAL)
    with pytest.raises(DocumentError, match="Văn bản mật"):
        services.outgoing_send(document=secret, actor=world.clerk_a)
    settings.EDXML_MAX_ATTACHMENT_BYTES = 1000
    document = world.issued()
    with pytest.raises(DocumentError, match="quá lớn"):
        services.outgoing_add_attachment(
            document=document, actor=world.clerk_a, data=b"x" * 1001, name="lon.bin"
        )
    assert document.attachments.count() == 1
    assert not OutboxMessage.objects.filter(task_name=services.DELIVER_DOCUMENT_TASK).exists()


def test_recipients_must_be_ours_or_reachable_through_a_peer(world) -> None:  # type: ignore[no-untyped-def]
    draft = services.outgoing_create_draft(
        agency=world.a, actor=world.clerk_a, subject="V/v phối hợp", recipients=[world.b.code]
    )
    with pytest.raises(DocumentError, match="Không có đường liên thông"):
        services.outgoing_set_recipients(
            document=draft, actor=world.clerk_a, recipients=["000.00.01.H29"]
        )
    ExchangePeer.objects.create(
        name="Tỉnh H29", organ_code="*.H29", endpoint_url="http://127.0.0.1:9/api/v1/edxml/inbound/"
    )
    ExchangePeer.objects.create(
        name="Sở X H29",
        organ_code="000.00.01.H29",
        endpoint_url="http://127.0.0.1:10/api/v1/edxml/inbound/",
    )
    rows = services.outgoing_set_recipients(
        document=draft,
        actor=world.clerk_a,
        recipients=["000.00.01.H29", "000.00.02.H29", world.b.code],
    )
    assert sorted(r.organ_code for r in rows) == ["000.00.01.H29", "000.00.02.H29", "000.00.05.H18"]
    assert exchange.peer_for("000.00.01.H29").name == "Sở X H29"  # exact beats the pattern
    assert exchange.peer_for("000.00.02.H29").name == "Tỉnh H29"
    assert exchange.peer_for("000.00.02.H30") is None


def test_only_the_assignee_or_a_leader_processes_and_other_agencies_cannot_act(world) -> None:  # type: ignore[no-untyped-def]
    document = world.issued()
    services.outgoing_send(document=document, actor=world.clerk_a)
    deliver_all()
    incoming = IncomingDocument.objects.get(agency=world.b)
    with pytest.raises(PermissionDenied):
        services.incoming_register(
            document=incoming, actor=world.clerk_a
        )  # another agency's văn thư
    services.incoming_register(document=incoming, actor=world.clerk_b)
    with pytest.raises(PermissionDenied):
        services.incoming_assign(
            document=incoming, actor=world.clerk_b, assignee=world.specialist_b
        )
    with pytest.raises(DocumentError):
        services.incoming_assign(
            document=incoming, actor=world.leader_b, assignee=world.clerk_a
        )  # not of the agency
    services.incoming_assign(document=incoming, actor=world.leader_b, assignee=world.specialist_b)
    with pytest.raises(PermissionDenied):
        services.incoming_start(document=incoming, actor=world.clerk_b)
    services.incoming_start(document=incoming, actor=world.specialist_b)


def test_rejecting_a_received_document_reports_02_with_the_reason(world) -> None:  # type: ignore[no-untyped-def]
    document = world.issued()
    services.outgoing_send(document=document, actor=world.clerk_a)
    deliver_all()
    incoming = IncomingDocument.objects.get(agency=world.b)
    services.incoming_reject(document=incoming, actor=world.clerk_b, reason="Không đúng thẩm quyền")
    deliver_all()
    recipient = document.recipients.get()
    assert codes(recipient) == ["01", "02"]
    assert "Không đúng thẩm quyền" in recipient.status_description


def test_manual_registration_takes_the_next_incoming_book_number(world) -> None:  # type: ignore[no-untyped-def]
    first = services.incoming_register_manual(
        agency=world.b,
        actor=world.clerk_b,
        from_organ_name="Bộ Nội vụ",
        subject="V/v tinh giản biên chế",
        code_number="15",
        code_notation="BNV-TCBC",
        files=[("scan.pdf", "application/pdf", PDF)],
    )
    document = world.issued()
    services.outgoing_send(document=document, actor=world.clerk_a)
    deliver_all()
    received = IncomingDocument.objects.get(agency=world.b, source="exchange")
    services.incoming_register(document=received, actor=world.clerk_b)
    received.refresh_from_db()
    assert (first.book_number, received.book_number) == (1, 2)
    assert first.attachments.get().sha256
    assert (
        not RecipientStatus.objects.filter(code="03").exclude(recipient__document=document).exists()
    )
