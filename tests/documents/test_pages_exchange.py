"""The whole exchange driven through the pages, between two agencies of this portal: agency A's
văn thư issues and sends; the signed edXML envelope is delivered in-process (the worker's task,
run here by ``deliver_all``); it appears in B's inbox; B registers (03), B's leader assigns (04),
the specialist starts (05) and finishes (06); A's document page then shows the recipient's
history 01→03→04→05→06. Then A asks for a recall and B refuses it (16). Real keys and envelopes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from documents.constants import IncomingState, RecallState
from documents.models import IncomingDocument
from signatures import agency_keys
from signatures import services as signature_services
from tests.documents.exchange_support import deliver_all, pki_material

from .pages_support import make_world


@pytest.fixture
def w(db):
    agency_keys._cache.clear()
    signature_services.pki_store(material=pki_material())
    return make_world()


def _history(page: str) -> list[str]:
    block = page.split('class="small mb-0 status-history"')[1].split("</ol>")[0]
    return [part.split('"')[0] for part in block.split('data-status="')[1:]]


def test_send_through_the_pages_and_watch_the_statuses_come_back(client, w):
    document = w.signed(subject="V/v phối hợp rà soát thủ tục hộ tịch")
    client.force_login(w.clerical)
    client.post(
        reverse("documents:outgoing_act", args=[document.pk, "issue"]), {"issue-send_now": "on"}
    )
    deliver_all()
    incoming = IncomingDocument.objects.get(agency=w.other_agency)
    assert incoming.document_id == document.document_id

    page = client.get(reverse("documents:outgoing_detail", args=[document.pk])).content.decode()
    assert _history(page) == ["01"]

    # agency B: the văn thư sees it in the inbox and registers it, the leader assigns it
    client.force_login(w.other_clerical)
    inbox = client.get(reverse("documents:inbox")).content.decode()
    assert f'data-pk="{incoming.pk}"' in inbox and "V/v phối hợp rà soát thủ tục hộ tịch" in inbox
    detail = client.get(reverse("documents:incoming_detail", args=[incoming.pk])).content.decode()
    assert "van-ban" in detail or "du-thao.pdf" in detail  # the signed main text travelled with it
    client.post(reverse("documents:incoming_act", args=[incoming.pk, "register"]), {})
    client.force_login(w.other_leader)
    client.post(
        reverse("documents:incoming_act", args=[incoming.pk, "assign"]),
        {"assign-assignee": w.other_leader.pk, "assign-comment": "Tự xử lý"},
    )
    client.post(reverse("documents:incoming_act", args=[incoming.pk, "start"]), {})
    client.post(
        reverse("documents:incoming_act", args=[incoming.pk, "complete"]),
        {"complete-comment": "Xong"},
    )
    incoming.refresh_from_db()
    assert incoming.state == IncomingState.DONE
    deliver_all()

    client.force_login(w.clerical)
    page = client.get(reverse("documents:outgoing_detail", args=[document.pk])).content.decode()
    assert _history(page) == ["01", "03", "04", "05", "06"]
    book = client.get(reverse("documents:outgoing_book"), {"status": "06"}).content.decode()
    assert f'data-pk="{document.pk}"' in book

    # recall: A asks, B refuses with a reason, A sees 13 … 16
    client.post(
        reverse("documents:outgoing_act", args=[document.pk, "recall"]),
        {"recall-kind": "recall", "recall-reason": "Ban hành nhầm"},
    )
    deliver_all()
    incoming.refresh_from_db()
    assert incoming.recall_state == RecallState.REQUESTED
    client.force_login(w.other_clerical)
    client.post(
        reverse("documents:incoming_act", args=[incoming.pk, "recall_refuse"]),
        {"recall_refuse-reason": "Đã thực hiện xong"},
    )
    deliver_all()
    client.force_login(w.clerical)
    page = client.get(reverse("documents:outgoing_detail", args=[document.pk])).content.decode()
    history = _history(page)
    assert history[-1] == "16" and "13" in history, history
