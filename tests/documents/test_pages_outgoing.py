"""Outgoing documents (văn bản đi) through the pages: the clerical office's book with search,
filters and pagination; the specialist's draft with its files; submission, signature (bad PIN or
no certificate: a clear message), issue and send by the văn thư; each recipient's status history;
recall/update request."""

from __future__ import annotations

import pytest
from django.urls import reverse
from lxml import html as lxml_html

from documents.constants import DocumentType, OutgoingState, RecallState, StatusCode, Urgency
from documents.models import OutgoingDocument

from .pages_support import PDF, make_world, pdf_upload


def _png() -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buf, format="PNG")
    return buf.getvalue()


PNG_OK = _png()


@pytest.fixture
def w(db):
    return make_world()


def _page(client, name, **params):
    response = client.get(reverse(name), params)
    assert response.status_code == 200, response.content[:500]
    return response.content.decode()


# --- the book ------------------------------------------------------------------------------------


def test_outgoing_book_lists_numbered_documents_with_recipients_latest_status(client, w):
    sent = w.sent(subject="V/v báo cáo công tác quý II")
    w.report(sent, StatusCode.REACHED, StatusCode.ACCEPTED)
    draft = w.draft(subject="Dự thảo chưa ban hành")
    client.force_login(w.clerical)
    page = _page(client, "documents:outgoing_book")
    assert f'data-pk="{sent.pk}"' in page and sent.code in page
    assert f'data-pk="{draft.pk}"' not in page  # a draft has no number: not in the book
    assert 'data-status="03"' in page and "Sở Xây dựng" in page
    assert w.leader.full_name in page  # the signer


def test_outgoing_book_search_ignores_diacritics_and_filters(client, w):
    decision = w.sent(
        subject="Quyết định phê duyệt kế hoạch kiểm tra",
        document_type=DocumentType.DECISION,
        urgency=Urgency.URGENT,
    )
    letter = w.sent(subject="V/v đôn đốc báo cáo")
    w.report(
        letter,
        StatusCode.REACHED,
        StatusCode.ACCEPTED,
        StatusCode.ASSIGNED,
        StatusCode.IN_PROGRESS,
        StatusCode.DONE,
    )
    client.force_login(w.clerical)
    for q in ("ke hoach kiem tra", "KẾ HOẠCH", "phe duyet", decision.notation):
        page = _page(client, "documents:outgoing_book", q=q)
        assert f'data-pk="{decision.pk}"' in page and f'data-pk="{letter.pk}"' not in page, q
    by_recipient = _page(
        client, "documents:outgoing_book", q="so xay dung"
    )  # a recipient's name, folded
    assert f'data-pk="{decision.pk}"' in by_recipient and f'data-pk="{letter.pk}"' in by_recipient
    by_type = _page(client, "documents:outgoing_book", document_type=DocumentType.DECISION)
    assert f'data-pk="{decision.pk}"' in by_type and f'data-pk="{letter.pk}"' not in by_type
    by_status = _page(client, "documents:outgoing_book", status="06")
    assert f'data-pk="{letter.pk}"' in by_status and f'data-pk="{decision.pk}"' not in by_status
    by_urgency = _page(client, "documents:outgoing_book", urgency=Urgency.URGENT)
    assert f'data-pk="{decision.pk}"' in by_urgency and f'data-pk="{letter.pk}"' not in by_urgency
    year = decision.promulgation_date.year
    assert f'data-pk="{decision.pk}"' in _page(
        client, "documents:outgoing_book", year=year, month=decision.promulgation_date.month
    )
    assert f'data-pk="{decision.pk}"' not in _page(
        client, "documents:outgoing_book", date_to="2000-01-01"
    )


def test_outgoing_book_bad_filters_give_a_message_not_an_error(client, w):
    w.sent()
    client.force_login(w.clerical)
    page = _page(
        client,
        "documents:outgoing_book",
        date_from="2026-12-31",
        date_to="2026-01-01",
        year="abc",
        urgency="9",
        page="x",
    )
    assert "Ngày bắt đầu sau ngày kết thúc" in page
    assert 'id="outgoing-book"' in page


def test_outgoing_book_is_paginated_and_costs_a_fixed_number_of_queries(
    client, w, django_assert_max_num_queries
):
    for i in range(3):
        w.sent(subject=f"Văn bản số {i}")
    client.force_login(w.clerical)
    with django_assert_max_num_queries(12):
        small = client.get(reverse("documents:outgoing_book"))
    for i in range(25):
        w.sent(subject=f"Văn bản thêm {i}")
    with django_assert_max_num_queries(12):
        first = client.get(reverse("documents:outgoing_book"))
    assert first.content.decode().count('class="doc-link"') == 25
    assert small.status_code == 200
    second = _page(client, "documents:outgoing_book", page=2)
    assert second.count('class="doc-link"') == 3 and 'rel="prev"' in second


# --- draft, submit, sign, issue, send ------------------------------------------------------------


def test_specialist_drafts_with_files_and_submits_to_the_leader(client, w):
    client.force_login(w.specialist)
    page = _page(client, "documents:draft_new")
    offered = lxml_html.fromstring(page).xpath('//input[@name="recipients"]/@value')
    assert w.other_agency.code in offered and w.agency.code not in offered
    response = client.post(
        reverse("documents:draft_new"),
        {
            "document_type": DocumentType.OFFICIAL_LETTER,
            "subject": "V/v góp ý dự thảo quy chế",
            "content": "Kính gửi…",
            "recipients": [w.other_agency.code],
            "urgency": Urgency.URGENT,
            "due_date": "",
            "main_file": pdf_upload("du-thao.pdf"),
            "attachments": [pdf_upload("phu-luc.pdf"), pdf_upload("anh.png", PNG_OK)],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    document = OutgoingDocument.objects.get(subject="V/v góp ý dự thảo quy chế")
    assert document.state == OutgoingState.DRAFT and document.urgency == Urgency.URGENT
    assert sorted(a.name for a in document.attachments.all()) == [
        "anh.png",
        "du-thao.pdf",
        "phu-luc.pdf",
    ]
    assert document.attachments.get(is_main=True).name == "du-thao.pdf"
    detail = client.get(response.url).content.decode()
    assert 'id="do-submit"' in detail
    client.post(
        reverse("documents:outgoing_act", args=[document.pk, "submit"]),
        {"submit-comment": "Kính trình"},
    )
    client.force_login(w.leader)
    inbox = _page(client, "documents:inbox")
    assert (
        f'data-pk="{document.pk}"' in inbox.split('id="section-to_sign"')[1].split("</section>")[0]
    )
    assert (
        'id="do-sign"'
        in client.get(reverse("documents:outgoing_detail", args=[document.pk])).content.decode()
    )


@pytest.mark.parametrize(
    "bad", ["disguised", "damaged", "no_recipient", "past_due", "image_as_main"]
)
def test_a_bad_draft_is_refused_with_a_message_and_nothing_is_stored(client, w, bad):
    client.force_login(w.specialist)
    data = {
        "document_type": DocumentType.OFFICIAL_LETTER,
        "subject": "Dự thảo lỗi",
        "recipients": [w.other_agency.code],
        "urgency": Urgency.NORMAL,
        "main_file": pdf_upload(),
        "attachments": [],
    }
    if bad == "disguised":
        data["attachments"] = [pdf_upload("phu-luc.pdf", PNG_OK)]
    elif bad == "damaged":
        data["main_file"] = pdf_upload("hong.pdf", PDF[:40])
    elif bad == "no_recipient":
        data["recipients"] = []
    elif bad == "past_due":
        data["due_date"] = "2001-01-01"
    elif bad == "image_as_main":
        data["main_file"] = pdf_upload("anh.png", PNG_OK)
    response = client.post(reverse("documents:draft_new"), data)
    assert response.status_code == 400
    # the refusal is on the field at fault, shown beside it
    field = {
        "disguised": "attachments",
        "damaged": "main_file",
        "no_recipient": "recipients",
        "past_due": "due_date",
        "image_as_main": "main_file",
    }[bad]
    assert list(response.context["form"].errors) == [field], response.context["form"].errors
    assert 'class="invalid-feedback' in response.content.decode()
    assert not OutgoingDocument.objects.filter(subject="Dự thảo lỗi").exists()


def test_a_recipient_outside_the_list_is_refused(client, w):
    client.force_login(w.specialist)
    response = client.post(
        reverse("documents:draft_new"),
        {
            "document_type": 1,
            "subject": "Dự thảo lỗi",
            "recipients": ["999.99.99.H99"],
            "urgency": 0,
            "main_file": pdf_upload(),
        },
    )
    assert response.status_code == 400 and not OutgoingDocument.objects.exists()


def test_signing_without_a_certificate_or_pin_gives_a_clear_message(client, w):
    document = w.draft(submitted=True)
    client.force_login(w.leader)
    empty = client.post(
        reverse("documents:outgoing_act", args=[document.pk, "sign"]),
        {"sign-pin": "", "sign-reason": "Ký ban hành"},
    )
    assert empty.status_code == 400
    response = client.post(
        reverse("documents:outgoing_act", args=[document.pk, "sign"]),
        {"sign-pin": "123456", "sign-reason": "Ký"},
        follow=True,
    )
    page = response.content.decode()
    alert = page.split('class="alert alert-danger"')[1].split("</div>")[0]
    assert "chứng thư" in alert.lower() or "certificate" in alert.lower(), alert
    document.refresh_from_db()
    assert document.state == OutgoingState.SUBMITTED  # unchanged: still before the leader


def test_clerical_office_issues_and_sends_a_signed_document(client, w):
    document = w.signed()
    client.force_login(w.clerical)
    inbox = _page(client, "documents:inbox")
    assert (
        f'data-pk="{document.pk}"' in inbox.split('id="section-to_issue"')[1].split("</section>")[0]
    )
    response = client.post(
        reverse("documents:outgoing_act", args=[document.pk, "issue"]),
        {"issue-notation": "", "issue-send_now": "on"},
        follow=True,
    )
    document.refresh_from_db()
    assert (
        document.state == OutgoingState.SENT
        and document.number == 1
        # drafted in Phòng Hành chính tư pháp: agency – drafting unit (NĐ 30/2020 Phụ lục I 3.b)
        and document.notation == "STP-HCTP"
    )
    page = response.content.decode()
    assert "1/STP-HCTP" in page and 'id="do-recall"' not in page  # recall once a recipient holds it
    from portal.core.models import OutboxMessage as Outbox

    assert Outbox.objects.filter(task_name="documents.tasks.deliver_document").count() == 1
    second = w.signed()
    client.post(
        reverse("documents:outgoing_act", args=[second.pk, "issue"]), {"issue-notation": "CV-STP"}
    )
    second.refresh_from_db()
    assert second.state == OutgoingState.ISSUED and second.code == "2/CV-STP"
    client.post(reverse("documents:outgoing_act", args=[second.pk, "send"]), {})
    second.refresh_from_db()
    assert second.state == OutgoingState.SENT


def test_a_wrong_state_action_is_a_message_and_changes_nothing(client, w):
    document = w.draft()
    client.force_login(w.clerical)
    response = client.post(
        reverse("documents:outgoing_act", args=[document.pk, "send"]), {}, follow=True
    )
    assert (
        "Không thể «Gửi" in response.content.decode() and "«Bản nháp»" in response.content.decode()
    )
    document.refresh_from_db()
    assert document.state == OutgoingState.DRAFT
    assert (
        client.post(
            reverse("documents:outgoing_act", args=[document.pk, "nonsense"]), {}
        ).status_code
        == 404
    )


def test_detail_shows_each_recipients_status_history_in_vietnamese_and_english(client, w):
    document = w.sent()
    w.report(
        document,
        StatusCode.REACHED,
        StatusCode.ACCEPTED,
        StatusCode.ASSIGNED,
        StatusCode.IN_PROGRESS,
        StatusCode.DONE,
    )
    client.force_login(w.clerical)
    page = client.get(reverse("documents:outgoing_detail", args=[document.pk])).content.decode()
    history = page.split('class="small mb-0 status-history"')[1].split("</ol>")[0]
    assert [c for c in ("01", "03", "04", "05", "06") if f'data-status="{c}"' in history] == [
        "01",
        "03",
        "04",
        "05",
        "06",
    ]
    assert (
        "01 Đã đến" in page and "06 Hoàn thành" in page and "Nơi nhận và trạng thái xử lý" in page
    )
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = client.get(reverse("documents:outgoing_detail", args=[document.pk])).content.decode()
    assert "06 Done" in english and "Recipients and their statuses" in english


def test_recall_request_needs_a_reason_and_is_sent(client, w):
    document = w.sent()
    client.force_login(w.leader)
    early = client.post(
        reverse("documents:outgoing_act", args=[document.pk, "recall"]),
        {"recall-kind": "recall", "recall-reason": "Sai"},
        follow=True,
    )
    assert (
        "Chưa nơi nhận nào nhận được văn bản" in early.content.decode()
    )  # nothing reached anyone yet
    document.refresh_from_db()
    assert document.recall_state == RecallState.NONE
    w.report(document, StatusCode.REACHED)
    empty = client.post(
        reverse("documents:outgoing_act", args=[document.pk, "recall"]),
        {"recall-kind": "recall", "recall-reason": ""},
    )
    assert empty.status_code == 400
    assert (
        'id="do-recall"'
        in client.get(reverse("documents:outgoing_detail", args=[document.pk])).content.decode()
    )
    client.post(
        reverse("documents:outgoing_act", args=[document.pk, "recall"]),
        {"recall-kind": "update", "recall-reason": "Sai số liệu phụ lục"},
    )
    document.refresh_from_db()
    assert (
        document.recall_state == RecallState.REQUESTED
        and document.recall_reason == "Sai số liệu phụ lục"
    )
    page = client.get(reverse("documents:outgoing_detail", args=[document.pk])).content.decode()
    assert 'id="doc-recall"' in page and 'id="do-recall"' not in page


def test_attachment_download_is_the_stored_file(client, w):
    document = w.draft()
    main = document.attachments.get(is_main=True)
    client.force_login(w.leader)
    response = client.get(reverse("documents:outgoing_file", args=[document.pk, main.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert (
        "attachment" in response["Content-Disposition"]
        and response["X-Content-Type-Options"] == "nosniff"
    )


def test_a_draft_is_edited_until_it_is_signed(client, w):
    document = w.draft(subject="Dự thảo lần 1")
    client.force_login(w.specialist)
    detail = client.get(reverse("documents:outgoing_detail", args=[document.pk])).content.decode()
    assert 'id="draft-edit"' in detail
    form = client.get(reverse("documents:draft_edit", args=[document.pk])).content.decode()
    assert "Dự thảo lần 1" in form
    extra = w.agency.__class__.objects.create(
        code="000.00.77.H18", name="Sở Y tế", level=w.other_agency.level
    )
    response = client.post(
        reverse("documents:draft_edit", args=[document.pk]),
        {
            "document_type": DocumentType.REPORT,
            "subject": "Dự thảo lần 2",
            "content": "",
            "urgency": Urgency.NORMAL,
            "recipients": [w.other_agency.code, extra.code],
            "main_file": pdf_upload("du-thao-2.pdf"),
        },
    )
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.subject == "Dự thảo lần 2" and document.document_type == DocumentType.REPORT
    assert sorted(document.recipients.values_list("organ_code", flat=True)) == sorted(
        [w.other_agency.code, extra.code]
    )
    assert list(document.attachments.filter(is_main=True).values_list("name", flat=True)) == [
        "du-thao-2.pdf"
    ]
    signed = w.signed()
    response = client.get(reverse("documents:draft_edit", args=[signed.pk]), follow=True)
    assert response.redirect_chain and "alert-danger" in response.content.decode()
    client.force_login(w.clerk)
    assert client.get(reverse("documents:draft_edit", args=[document.pk])).status_code == 403


def test_external_organs_from_the_peers_and_typed_codes(client, w):
    from documents.models import ExchangePeer

    ExchangePeer.objects.create(
        name="UBND tỉnh Lai Châu",
        organ_code="000.00.00.H29",
        endpoint_url="http://127.0.0.1:9/api/v1/edxml/inbound/",
    )
    ExchangePeer.objects.create(
        name="Các cơ quan tỉnh Sơn La",
        organ_code="*.H28",
        endpoint_url="http://127.0.0.1:9/api/v1/edxml/inbound/",
    )
    client.force_login(w.specialist)
    page = client.get(reverse("documents:draft_new")).content.decode()
    assert "UBND tỉnh Lai Châu (000.00.00.H29)" in page and "*.H28" not in page

    def base():
        return {"document_type": 1, "urgency": 0, "main_file": pdf_upload()}

    unknown = client.post(
        reverse("documents:draft_new"),
        {**base(), "subject": "Gửi nhầm", "other_organs": "000.00.12.H99"},
    )
    assert unknown.status_code == 400 and "000.00.12.H99" in unknown.content.decode()
    assert not OutgoingDocument.objects.filter(subject="Gửi nhầm").exists()
    garbage = client.post(
        reverse("documents:draft_new"),
        {**base(), "subject": "Gửi nhầm", "other_organs": "<script>"},
    )
    assert (
        garbage.status_code == 400
        and not OutgoingDocument.objects.filter(subject="Gửi nhầm").exists()
    )
    ok = client.post(
        reverse("documents:draft_new"),
        {
            **base(),
            "subject": "Gửi liên tỉnh",
            "recipients": ["000.00.00.H29"],
            "other_organs": "000.00.07.H28, 000.00.00.H29",
        },
    )
    assert ok.status_code == 302
    document = OutgoingDocument.objects.get(subject="Gửi liên tỉnh")
    assert sorted(document.recipients.values_list("organ_code", flat=True)) == [
        "000.00.00.H29",
        "000.00.07.H28",
    ]


def test_the_books_export_their_filtered_rows_as_csv(client, w):
    sent = w.sent(subject="Quyết định phê duyệt kế hoạch")
    w.report(sent, StatusCode.REACHED)
    w.sent(subject="Công văn khác")
    registered = w.registered(subject="Giấy mời họp")
    client.force_login(w.clerical)
    response = client.get(reverse("documents:outgoing_book"), {"q": "ke hoach", "xuat": "csv"})
    assert (
        response["Content-Type"].startswith("text/csv")
        and "attachment" in response["Content-Disposition"]
    )
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert (
        len(lines) == 2
        and sent.code in lines[1]
        and "01 Đã đến" in lines[1]
        and "Số, ký hiệu" in lines[0]
    )
    incoming = b"".join(
        client.get(reverse("documents:incoming_book"), {"xuat": "csv"}).streaming_content
    ).decode("utf-8-sig")
    assert (
        f"{registered.book_number}/{registered.book_year}" in incoming
        and "Giấy mời họp" in incoming
    )
    client.force_login(w.other_clerical)
    other = b"".join(
        client.get(reverse("documents:outgoing_book"), {"xuat": "csv"}).streaming_content
    ).decode("utf-8-sig")
    assert len(other.strip().splitlines()) == 1  # another agency's book: the header only


def test_csv_export_neutralises_formulas(client, w):
    w.registered(subject='=HYPERLINK("http://example.com")')
    client.force_login(w.clerical)
    text = b"".join(
        client.get(reverse("documents:incoming_book"), {"xuat": "csv"}).streaming_content
    ).decode("utf-8-sig")
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text


def test_leader_sends_a_draft_back_and_the_drafter_submits_it_again(client, w):
    document = w.draft(submitted=True)

    def to_sign() -> str:
        page = client.get(reverse("documents:inbox")).content.decode()
        return page.split('id="section-to_sign"')[1].split("</section>")[0]

    client.force_login(w.leader)
    assert f'data-pk="{document.pk}"' in to_sign()
    url = reverse("documents:outgoing_act", args=[document.pk, "send_back"])
    assert client.post(url, {"send_back-reason": ""}).status_code == 400
    client.post(url, {"send_back-reason": "Bổ sung số liệu quý II"})
    assert f'data-pk="{document.pk}"' not in to_sign()
    assert (
        "Bổ sung số liệu quý II"
        in client.get(reverse("documents:outgoing_detail", args=[document.pk])).content.decode()
    )
    again = client.post(url, {"send_back-reason": "Lần nữa"}, follow=True).content.decode()
    assert "Chỉ trả lại được dự thảo đang trình ký" in again
    client.force_login(w.specialist)
    client.post(
        reverse("documents:outgoing_act", args=[document.pk, "submit"]),
        {"submit-comment": "Đã bổ sung"},
    )
    client.force_login(w.leader)
    assert f'data-pk="{document.pk}"' in to_sign()
    client.force_login(w.specialist)
    assert client.post(url, {"send_back-reason": "Không phải lãnh đạo"}).status_code == 403


def test_the_recipient_picker_is_a_checkbox_list_with_a_search_for_scripts(client, w):
    """Issue 14: no Ctrl-click multi-select. Without JavaScript the page is a plain list of
    checkboxes in a fieldset; the search box and the summary of the chosen ones are there for
    static/js/recipient-picker.js to reveal (hidden until then, no inline script). A choice survives
    an error in another field."""
    client.force_login(w.specialist)
    page = client.get(reverse("documents:draft_new")).content.decode()
    tree = lxml_html.fromstring(page)
    assert not tree.xpath('//select[@name="recipients"]')
    boxes = tree.xpath('//input[@type="checkbox"][@name="recipients"]')
    assert boxes and all(tree.xpath(f'//label[@for="{b.get("id")}"]') for b in boxes)
    picker = tree.get_element_by_id("id_recipients")
    assert picker.xpath("ancestor::fieldset/legend")
    search = picker.xpath('.//input[@type="search"]')[0]
    assert tree.xpath(f'//label[@for="{search.get("id")}"]')
    assert search.xpath("ancestor::*[@hidden]")  # only a script shows it
    assert '<script src="/static/js/recipient-picker.js"' in page
    assert not [s for s in tree.xpath("//script") if (s.text or "").strip()]  # the CSP: no inline
    refused = client.post(
        reverse("documents:draft_new"),
        {"document_type": 1, "urgency": 0, "subject": "", "recipients": [w.other_agency.code]},
    )
    again = lxml_html.fromstring(refused.content.decode())
    assert again.xpath('//input[@name="recipients"][@checked]/@value') == [w.other_agency.code]
