"""Issue 13 (Medium): duplicates are keyed by (sender, DocumentId).

A second agency's signed document with a DocumentId already used was acknowledged "received" to
its sender and not stored. Now a true replay (same sender, same document) gets the same answer as
the first delivery; the same DocumentId from another sender, or from the same sender for another
document, is refused with status 02 and the reason ``duplicate_document_id`` (QCVN 102:2016:
DocumentId identifies one document; status 02 = rejected).
"""

from __future__ import annotations

import pytest

from documents import edxml, exchange
from documents.models import InboundReceipt, IncomingDocument
from tests.documents.exchange_support import *  # noqa: F403
from tests.documents.test_exchange_inbound import _media, h17_identity, message, peer_h17, post  # noqa: F401

pytestmark = pytest.mark.django_db


def _code(response) -> str:  # type: ignore[no-untyped-def]
    answer = edxml.parse(
        response.content,
        trust_roots=exchange.trust_roots(),
        max_attachment_bytes=10**6,
        max_envelope_bytes=10**7,
    )
    return answer.message.code


def test_another_senders_document_with_a_used_document_id_is_refused(
    client, world, peer_h17
) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    first = post(client, edxml.build_document(message(world), exchange.identity(world.a)))
    assert first.status_code == 200 and _code(first) == "01"
    other = message(
        world,
        from_organ=edxml.Organ("000.00.01.H17", "UBND tỉnh Lai Châu"),
        subject="Một văn bản khác",
        traces=[],
    )
    refused = post(client, edxml.build_document(other, h17_identity()))
    assert refused.status_code == 409, refused.content
    body = refused.json()
    assert (body["status"], body["reason"], body["document_id"]) == (
        "02",
        "duplicate_document_id",
        "stp-2026-0001",
    )
    # the sender's staff read Vietnamese (QCVN 102:2016 status 02 to a Vietnamese system), once
    assert body["detail"].startswith("Mã định danh văn bản (DocumentId) đã được dùng")
    assert " / " not in body["detail"] and "already used" not in body["detail"]
    assert list(IncomingDocument.objects.values_list("from_organ_code", "subject")) == [
        (world.a.code, "V/v rà soát thủ tục hành chính")
    ]
    assert InboundReceipt.objects.count() == 1


def test_a_true_replay_gets_the_same_answer(client, world) -> None:  # type: ignore[no-untyped-def]
    first = post(client, edxml.build_document(message(world), exchange.identity(world.a)))
    again = post(client, edxml.build_document(message(world), exchange.identity(world.a)))
    assert (again.status_code, _code(again)) == (200, _code(first))
    assert IncomingDocument.objects.count() == 1


def test_the_same_sender_reusing_a_document_id_for_another_document_is_refused(
    client, world
) -> None:  # type: ignore[no-untyped-def]
    post(client, edxml.build_document(message(world), exchange.identity(world.a)))
    changed = post(
        client,
        edxml.build_document(message(world, subject="V/v khác hẳn"), exchange.identity(world.a)),
    )
    assert changed.status_code == 409 and changed.json()["reason"] == "duplicate_document_id"
    assert IncomingDocument.objects.get().subject == "V/v rà soát thủ tục hành chính"
