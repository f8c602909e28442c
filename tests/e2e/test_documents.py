"""Browser journeys of the inter-agency documents (Chromium on the live server, demo province):
the văn thư of Sở Tư pháp opens the outgoing book, searches and filters it, opens a document and
sees each recipient's statuses; the leader of UBND phường Mường Thanh assigns the incoming copy.

The document travels for real: signed edXML envelope, in-process delivery to the other agency
(the worker's task, run by ``deliver_all``), status 03 back to the sender."""

from __future__ import annotations

import pytest
from django.utils import timezone

pytestmark = pytest.mark.e2e

SUBJECT = "V/v phối hợp rà soát thủ tục đăng ký hộ tịch năm 2026"


@pytest.fixture
def exchanged(demo_data, settings):
    """A document of Sở Tư pháp sent to UBND phường Mường Thanh and registered there (03)."""
    settings.OUTBOX_RELAY_ON_COMMIT = False  # no worker here: deliver_all runs the delivery tasks
    from documents import services, ui_services
    from documents.models import IncomingDocument, OutgoingDocument
    from portal.accounts.models import User
    from portal.agencies.models import Agency
    from signatures import agency_keys
    from signatures import services as signature_services
    from tests.documents.exchange_support import deliver_all, pki_material
    from tests.documents.pages_support import PDF

    agency_keys._cache.clear()
    signature_services.pki_store(material=pki_material())
    tuphap, muongthanh = (
        Agency.objects.get(code="000.00.03.H18"),
        Agency.objects.get(code="000.00.52.H18"),
    )
    specialist, leader, clerical = (
        User.objects.get(username=u)
        for u in ("chuyenvien.tuphap", "lanhdao.tuphap", "vanthu.tuphap")
    )
    other = ui_services.outgoing_draft_with_files(
        agency=tuphap,
        actor=specialist,
        recipients=[muongthanh.code],
        fields={"subject": "Giấy mời họp giao ban", "document_type": 22},
        main_file=("giay-moi.pdf", PDF),
        appendices=[],
    )
    document = ui_services.outgoing_draft_with_files(
        agency=tuphap,
        actor=specialist,
        recipients=[muongthanh.code],
        fields={"subject": SUBJECT, "document_type": 1, "urgency": 1},
        main_file=("cong-van.pdf", PDF),
        appendices=[],
    )
    for d in (other, document):
        d.attachments.filter(is_main=True).update(is_signed=True)
        OutgoingDocument.objects.filter(pk=d.pk).update(
            state="signed", signer=leader, signed_at=timezone.now(), signer_name=leader.full_name
        )
        services.outgoing_issue(document=OutgoingDocument.objects.get(pk=d.pk), actor=clerical)
        services.outgoing_send(document=OutgoingDocument.objects.get(pk=d.pk), actor=clerical)
    deliver_all()
    incoming = IncomingDocument.objects.get(agency=muongthanh, document_id=document.document_id)
    services.incoming_register(
        document=incoming, actor=User.objects.get(username="vanthu.muongthanh")
    )
    deliver_all()
    return {
        "document": OutgoingDocument.objects.get(pk=document.pk),
        "other": other,
        "incoming": incoming,
        "password": demo_data,
    }


def test_clerical_office_filters_the_outgoing_book_and_sees_recipients_statuses(
    page, login, exchanged
):
    document = exchanged["document"]
    login(page, "vanthu.tuphap", exchanged["password"])
    page.click("#nav-documents")
    page.click("#tab-outgoing")
    rows = page.locator("#outgoing-book tbody tr[data-pk]")
    assert rows.count() == 2
    page.fill("#id_q", "ra soat ho tich")  # no diacritics
    page.select_option("#id_status", "03")
    with page.expect_navigation():
        page.click("#filter-submit")
    assert rows.count() == 1
    assert rows.first.get_attribute("data-pk") == str(document.pk)
    assert rows.first.locator(".status-badge").get_attribute("data-status") == "03"
    with page.expect_navigation():
        rows.first.locator("a.doc-link").click()
    assert page.locator("#doc-code").inner_text() == document.code
    card = page.locator(".recipient-card[data-code='000.00.52.H18']")
    assert "UBND" in card.inner_text() or "Mường Thanh" in card.inner_text()
    statuses = card.locator(".status-history li")
    assert [statuses.nth(i).get_attribute("data-status") for i in range(statuses.count())] == [
        "01",
        "03",
    ]


def test_leader_assigns_an_incoming_document(page, login, exchanged):
    incoming = exchanged["incoming"]
    login(page, "lanhdao.muongthanh", exchanged["password"])
    page.goto("/van-ban/")
    section = page.locator("#section-to_assign")
    with page.expect_navigation():
        section.locator(f"tr[data-pk='{incoming.pk}'] a.doc-link").click()
    assert page.locator("#doc-subject").inner_text() == SUBJECT
    page.click("#do-assign")
    from portal.accounts.models import User

    assignee = User.objects.get(username="chuyenvien.muongthanh")
    page.select_option("#id_assign-assignee", str(assignee.pk))
    page.fill("#id_assign-comment", "Đề nghị xử lý trước ngày 15")
    with page.expect_navigation():
        page.click("#submit-assign")
    assert page.locator("#doc-state").get_attribute("data-state") == "assigned"
    assert assignee.full_name in page.locator("#assigned").inner_text()
    assert page.locator(".alert-success").count() == 1
