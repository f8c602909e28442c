"""Two portal instances exchange signed documents over HTTP on loopback (issue 6, "must show").

Portal A hosts province H18's agencies, portal B province H29's; each has its own PostgreSQL
database, Redis db, PKI (root CA, issuing CA, TSA), gunicorn on its own port and a Celery worker
with beat (the outbox relay). Each knows the other as an ExchangePeer (``*.H29`` / ``*.H18``) with
the other's root CA as trust root. People act through the document services inside each instance
(tests/documents/two_portals_driver.py, one long-lived ``manage.py shell`` per instance); the test
reads each database directly to see what the other side's worker did.

Shown: A → B a signed document with the flow 01→03→04→05→06 visible at A; B → A the reply
(ResponseFor) linked at A; B's endpoint down while A sends (its web server killed), then back: delivered exactly once; a recall
accepted (15) and one refused (16).
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from tests.documents.two_portals import Portal, start_pair, stop_pair, wait

pytestmark = [pytest.mark.slow, pytest.mark.celery]


@pytest.fixture(scope="module")
def portals(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Portal, Portal]]:
    pair = start_pair(tmp_path_factory.mktemp("two-portals"))
    try:
        yield pair
    finally:
        stop_pair(pair)


def test_two_portals_exchange_signed_documents_both_ways_exactly_once_with_recalls(
    portals: tuple[Portal, Portal],
) -> None:
    a, b = portals
    both = (a, b)
    started = time.monotonic()

    def phase(name: str) -> None:
        print(f"[two-portals] {name}: {time.monotonic() - started:.1f} s")  # shown with -s

    # A → B: a signed document; B registers, assigns, starts, completes; A sees every status
    first = a.step(
        "send", office=a.office, to=b.office, subject="V/v phối hợp giải quyết hồ sơ liên thông"
    )
    wait(lambda: a.statuses(first["document_id"]) == ["01"], 30, "01 at A", both)
    [(state, signer, envelope)] = b.rows(
        "SELECT state, signer_certificate_subject, envelope FROM documents_incomingdocument WHERE document_id = %s",
        first["document_id"],
    )
    assert state == "received" and "UID=000.00.12.H18" in signer and envelope
    [(pdf_path,)] = b.rows(
        "SELECT a.file FROM documents_incomingattachment a JOIN documents_incomingdocument d ON d.id = a.document_id WHERE d.document_id = %s",
        first["document_id"],
    )
    signed_pdf = (b.dir / "media" / pdf_path).read_bytes()
    assert (
        signed_pdf.startswith(b"%PDF") and b"/ByteRange" in signed_pdf
    )  # the leader's PAdES signature travelled
    b.step("process", office=b.office, document_id=first["document_id"])
    wait(
        lambda: a.statuses(first["document_id"]) == ["01", "03", "04", "05", "06"],
        40,
        "01→06 at A",
        both,
    )
    assert a.rows(
        "SELECT status_code FROM documents_outgoingrecipient r JOIN documents_outgoingdocument d ON d.id = r.document_id WHERE d.document_id = %s",
        first["document_id"],
    ) == [("06",)]

    phase("A→B 01…06")
    # B → A: the reply, linked to A's document through ResponseFor
    reply = b.step(
        "send",
        office=b.office,
        to=a.office,
        subject="Trả lời về việc phối hợp",
        reply_to=first["document_id"],
    )
    wait(lambda: b.statuses(reply["document_id"]) == ["01"], 30, "reply 01 at B", both)
    assert a.rows(
        "SELECT answers_id FROM documents_incomingdocument WHERE document_id = %s",
        reply["document_id"],
    ) == [(first["pk"],)]

    phase("reply")
    # B's endpoint down while A sends; back up: delivered exactly once
    b.stop_web()
    second = a.step("send", office=a.office, to=b.office, subject="V/v báo cáo số liệu quý IV")
    attempts = "SELECT attempts, last_error FROM documents_outgoingrecipient r JOIN documents_outgoingdocument d ON d.id = r.document_id WHERE d.document_id = %s"
    wait(
        lambda: (row := a.rows(attempts, second["document_id"])[0])[0] >= 2 and row[1] != "",
        30,
        "failed attempts at A",
        both,
    )
    assert a.statuses(second["document_id"]) == []
    phase("B down, failures seen")
    b.start_web()
    wait(lambda: a.statuses(second["document_id"]) == ["01"], 40, "01 at A after B is back", both)
    time.sleep(2)  # a redelivered retry, if any, would land now
    assert b.rows(
        "SELECT count(*) FROM documents_incomingdocument WHERE document_id = %s",
        second["document_id"],
    ) == [(1,)]
    assert b.rows(
        "SELECT count(*) FROM documents_inboundreceipt WHERE document_id = %s",
        second["document_id"],
    ) == [(1,)]
    assert a.statuses(second["document_id"]) == ["01"]

    phase("B back, delivered once")
    # a recall accepted (15) and one refused (16)
    a.step(
        "recall",
        office=a.office,
        document_id=first["document_id"],
        reason="Sai sót số liệu, đề nghị thu hồi",
    )
    a.step("recall", office=a.office, document_id=second["document_id"], reason="Ban hành nhầm")
    wait(
        lambda: (
            a.statuses(first["document_id"])[-1:] == ["13"]
            and a.statuses(second["document_id"])[-1:] == ["13"]
        ),
        30,
        "13 at A",
        both,
    )
    b.step("answer_recall", office=b.office, document_id=first["document_id"], accept=True)
    b.step(
        "answer_recall",
        office=b.office,
        document_id=second["document_id"],
        accept=False,
        reason="Văn bản đã được triển khai",
    )
    recall_state = "SELECT recall_state FROM documents_outgoingdocument WHERE document_id = %s"
    wait(
        lambda: (
            a.rows(recall_state, first["document_id"]) == [("accepted",)]
            and a.rows(recall_state, second["document_id"]) == [("refused",)]
        ),
        30,
        "15/16 at A",
        both,
    )
    assert a.statuses(first["document_id"]) == ["01", "03", "04", "05", "06", "13", "15"]
    assert a.statuses(second["document_id"]) == ["01", "13", "16"]
    assert b.rows(
        "SELECT state FROM documents_incomingdocument WHERE document_id = %s", first["document_id"]
    ) == [("recalled",)]
    assert b.rows(
        "SELECT state, recall_state FROM documents_incomingdocument WHERE document_id = %s",
        second["document_id"],
    ) == [("received", "refused")]
    phase("recalls")
