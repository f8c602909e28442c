"""The national document axis (issue 17, "The national document axis") against its simulator in
its own process: a document sent by one agency reaches another over the axis, is registered once
(by sender + DocumentId) and its statuses 01…06 come back to the sender over the axis; every
fault kind of the simulator (timeouts, HTTP 5xx, an error answer, duplicate delivery, statuses
out of order, a restart in the middle of a batch). Service shape: docs/national/document-axis.md."""

from __future__ import annotations

import json
import time
import urllib.request

import pytest

from documents import exchange, services
from documents.constants import IncomingState
from documents.models import IncomingDocument, OutgoingRecipient
from national.document_axis import client
from national.document_axis import services as axis
from national.document_axis.models import AxisReceived, AxisReceivedState, AxisSent
from national.simkit import start_simulator
from tests.documents.exchange_support import *  # noqa: F403
from tests.documents.exchange_support import deliver_all

pytestmark = pytest.mark.django_db

TARGET = "national.document_axis.simulator:DocumentAxisSimulator"
SYSTEM, SECRET = "lgsp-h18-portal", "axis-secret-for-tests"


@pytest.fixture
def axis_sim(tmp_path, settings, world):
    sim = start_simulator(TARGET, state_dir=tmp_path / "axis")
    sim.call(
        "POST",
        "/_sim/system",
        {"systemid": SYSTEM, "secret": SECRET, "organs": [world.a.code, world.b.code]},
    )
    settings.DOCUMENT_AXIS_URL = sim.url
    settings.DOCUMENT_AXIS_SYSTEM_ID = SYSTEM
    settings.DOCUMENT_AXIS_SECRET = SECRET
    settings.DOCUMENT_AXIS_ROUTES = f"{world.a.code},{world.b.code}"
    settings.DOCUMENT_AXIS_TIMEOUT = 2
    yield sim
    sim.stop()


def codes(recipient: OutgoingRecipient) -> list[str]:
    return list(recipient.statuses.order_by("at", "code").values_list("code", flat=True))


def _mailbox(sim, organ: str, kind: str | None = None) -> list[dict]:
    messages = sim.state()["messages"]
    return [
        m
        for m in messages.values()
        if m["to"] == organ and (kind is None or m["messagetype"] == kind)
    ]


def _send(world) -> OutgoingRecipient:
    document = world.issued()
    services.outgoing_send(document=document, actor=world.clerk_a)
    deliver_all()
    return document.recipients.get()


def test_a_document_travels_over_the_axis_is_registered_and_its_statuses_come_back(world, axis_sim):
    recipient = _send(world)
    # handed to the axis, not delivered in-process: nothing at B yet, the envelope is in B's mailbox
    assert not IncomingDocument.objects.exists()
    assert [m["from"] for m in _mailbox(axis_sim, world.b.code, "edoc")] == [world.a.code]
    assert AxisSent.objects.get(message_type="edoc").to_organ == world.b.code
    assert codes(recipient) == []

    report = axis.poll()  # B's poll: fetch, receive, acknowledge; its 01 goes back over the axis
    assert report.acknowledged >= 1 and not report.errors
    incoming = IncomingDocument.objects.get(agency=world.b)
    assert (
        incoming.document_id == recipient.document.document_id
        and incoming.state == IncomingState.RECEIVED
    )
    assert [m["from"] for m in _mailbox(axis_sim, world.a.code, "status")] == [world.b.code]
    axis.poll()  # A's poll: the status
    assert codes(recipient) == ["01"]

    services.incoming_register(document=incoming, actor=world.clerk_b)
    services.incoming_assign(
        document=incoming,
        actor=world.leader_b,
        department=world.department_b,
        assignee=world.specialist_b,
        note="Xử lý",
    )
    services.incoming_start(document=incoming, actor=world.specialist_b)
    services.incoming_complete(document=incoming, actor=world.specialist_b, note="Đã xong")
    deliver_all()  # the statuses go to A over the axis
    assert len(_mailbox(axis_sim, world.a.code, "status")) == 5
    axis.poll()
    recipient.refresh_from_db()
    assert codes(recipient) == ["01", "03", "04", "05", "06"] and recipient.status_code == "06"
    assert all(a["status"] == "done" for a in axis_sim.state()["acks"])
    assert not AxisReceived.objects.exclude(state=AxisReceivedState.ACKNOWLEDGED).exists()


def test_fault_duplicate_delivery_registers_once(world, axis_sim):
    axis_sim.faults([{"match": "sendEdoc", "kind": "duplicate"}])
    recipient = _send(world)
    assert len(_mailbox(axis_sim, world.b.code, "edoc")) == 2
    axis.poll()
    assert IncomingDocument.objects.filter(agency=world.b).count() == 1
    outcomes = sorted(
        AxisReceived.objects.filter(message_type="edoc").values_list("outcome", flat=True)
    )
    assert outcomes == ["01", "01 dup"]
    axis.poll()
    assert codes(recipient) == ["01"]  # the two 01 answers are one status (same code and time)


def test_fault_statuses_out_of_order_end_on_the_latest(world, axis_sim):
    recipient = _send(world)
    axis.poll()
    incoming = IncomingDocument.objects.get(agency=world.b)
    services.incoming_register(document=incoming, actor=world.clerk_b)
    services.incoming_assign(
        document=incoming,
        actor=world.leader_b,
        department=world.department_b,
        assignee=world.specialist_b,
    )
    services.incoming_start(document=incoming, actor=world.specialist_b)
    services.incoming_complete(document=incoming, actor=world.specialist_b)
    deliver_all()
    axis_sim.faults([{"match": "getReceivedEdocList", "kind": "out_of_order", "count": 5}])
    axis.poll()  # 06 arrives first, 01 last
    recipient.refresh_from_db()
    assert codes(recipient) == ["01", "03", "04", "05", "06"] and recipient.status_code == "06"


def test_fault_restart_in_the_middle_of_a_batch_loses_and_repeats_nothing(world, axis_sim):
    for _ in range(3):
        services.outgoing_send(document=world.issued(), actor=world.clerk_a)
    deliver_all()
    assert len(_mailbox(axis_sim, world.b.code, "edoc")) == 3
    # the first acknowledgement passes, the second fails: the batch stops with message 2 processed
    # but not acknowledged, message 3 not touched; then the axis itself crashes and comes back
    axis_sim.faults(
        [
            {"match": "updateStatus", "kind": "timeout", "delay": 0, "count": 1},
            {"match": "updateStatus", "kind": "http_503", "count": 1},
        ]
    )
    first = axis.poll(message_types=("edoc",))
    assert first.acknowledged == 1 and len(first.errors) == 1
    states = sorted(AxisReceived.objects.values_list("state", flat=True))
    assert states == [AxisReceivedState.ACKNOWLEDGED, AxisReceivedState.PROCESSED]
    axis_sim.kill()
    axis_sim.restart()  # the mailboxes survive (state on disk)
    second = axis.poll(message_types=("edoc",))
    assert (
        second.acknowledged == 2 and second.processed == 1
    )  # message 2 only acknowledged, 3 processed
    assert IncomingDocument.objects.filter(agency=world.b).count() == 3
    assert sorted(AxisReceived.objects.values_list("outcome", flat=True)) == [
        "01",
        "01",
        "01",
    ]  # none twice
    assert (
        len(_mailbox(axis_sim, world.a.code, "status")) == 3
    )  # one 01 per document, none repeated


@pytest.mark.parametrize(
    "fault",
    [{"kind": "timeout", "delay": 4}, {"kind": "http_500"}, {"kind": "http_503"}, {"kind": "drop"}],
)
def test_fault_send_transient_errors_are_retried(world, axis_sim, fault):
    axis_sim.faults([{"match": "sendEdoc", **fault}])
    document = world.issued()
    services.outgoing_send(document=document, actor=world.clerk_a)
    recipient = document.recipients.get()
    with pytest.raises(exchange.TransportError):
        exchange.deliver_document(recipient_id=recipient.pk)
    if fault["kind"] == "timeout":
        time.sleep(
            3
        )  # the axis finishes the request the portal gave up on: the envelope did arrive
    assert len(_mailbox(axis_sim, world.b.code)) == (1 if fault["kind"] == "timeout" else 0)
    exchange.deliver_document(recipient_id=recipient.pk)  # the retry
    axis.poll()
    assert IncomingDocument.objects.filter(agency=world.b).count() == 1


def test_fault_error_answer_on_send_is_a_rejection_02(world, axis_sim):
    axis_sim.faults([{"match": "sendEdoc", "kind": "error"}])
    document = world.issued()
    services.outgoing_send(document=document, actor=world.clerk_a)
    recipient = document.recipients.get()
    assert exchange.deliver_document(recipient_id=recipient.pk) == "02"
    recipient.refresh_from_db()
    assert recipient.status_code == "02" and "axis" in recipient.status_description.lower()


@pytest.mark.parametrize(
    "fault", [{"kind": "http_500"}, {"kind": "timeout", "delay": 4}, {"kind": "error"}]
)
def test_fault_list_errors_stop_the_pass_and_lose_nothing(world, axis_sim, fault):
    _send(world)
    axis_sim.faults([{"match": "getReceivedEdocList", **fault}])
    with pytest.raises((client.AxisUnavailable, client.AxisRefused)):
        axis.poll()
    assert not IncomingDocument.objects.exists()
    axis.poll()
    assert IncomingDocument.objects.filter(agency=world.b).count() == 1


@pytest.mark.parametrize("fault", [{"kind": "http_503"}, {"kind": "drop"}])
def test_fault_fetch_errors_leave_the_message_for_the_next_pass(world, axis_sim, fault):
    _send(world)
    axis_sim.faults([{"match": "getEdoc", **fault}])
    report = axis.poll()
    assert report.errors and not IncomingDocument.objects.exists()
    axis.poll()
    assert IncomingDocument.objects.filter(agency=world.b).count() == 1


def test_a_forged_envelope_in_the_mailbox_is_refused_and_acknowledged_as_failed(world, axis_sim):
    forged = (
        b'<?xml version="1.0"?><edXMLEnvelope xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"><edXMLHeader><MessageHeader><From><OrganId>'
        + world.a.code.encode()
        + b"</OrganId></From></MessageHeader></edXMLHeader></edXMLEnvelope>"
    )
    request = urllib.request.Request(
        axis_sim.url + "/sendEdoc",
        data=forged,
        method="POST",
        headers={
            "systemid": SYSTEM,
            "secret": SECRET,
            "from": world.a.code,
            "to": world.b.code,
            "messagetype": "edoc",
        },
    )
    with urllib.request.urlopen(request, timeout=5) as r:  # noqa: S310
        assert json.loads(r.read())["status"] == "OK"
    axis.poll()
    assert not IncomingDocument.objects.exists()
    assert [a["status"] for a in axis_sim.state()["acks"]] == ["fail"]
    assert AxisReceived.objects.get().outcome.startswith("02")


def test_a_wrong_secret_is_refused_by_the_axis(world, axis_sim, settings):
    settings.DOCUMENT_AXIS_SECRET = "not-the-secret"
    with pytest.raises(client.AxisRefused):
        axis.poll()


def test_organs_not_routed_through_the_axis_are_reached_directly(world, axis_sim, settings):
    settings.DOCUMENT_AXIS_ROUTES = "*.H29"
    recipient = _send(world)
    assert IncomingDocument.objects.filter(agency=world.b).count() == 1  # in-process, as before
    assert codes(recipient) == ["01"] and axis_sim.state()["messages"] == {}


def test_two_pollers_never_hold_the_same_message_and_a_dead_pollers_lease_expires(world, axis_sim):
    from datetime import timedelta

    from django.utils import timezone

    _send(world)
    item = client.received_list(message_type="edoc")[0]
    first = axis._claim(item["DocId"], item, "edoc")
    assert first is not None
    assert (
        axis._claim(item["DocId"], item, "edoc") is None
    )  # a second poller (another beat) skips it
    assert (
        axis.poll(message_types=("edoc",)).processed == 0 and not IncomingDocument.objects.exists()
    )
    AxisReceived.objects.filter(pk=first.pk).update(
        claimed_until=timezone.now() - timedelta(seconds=1)
    )  # the first died
    assert axis.poll(message_types=("edoc",)).processed == 1
    assert IncomingDocument.objects.filter(agency=world.b).count() == 1


def _as_system(sim, systemid: str, secret: str, operation: str, payload: dict) -> bytes:
    request = urllib.request.Request(
        sim.url + "/" + operation,
        data=json.dumps(payload).encode(),
        method="POST",
        headers={"systemid": systemid, "secret": secret, "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=5) as r:  # noqa: S310
        return r.read()


def test_a_document_from_another_provinces_system_arrives_over_the_axis_and_its_01_goes_back(
    world, axis_sim, settings
):
    """Not between copies of this portal: Lai Châu's own system (another systemid on the axis,
    another PKI) sends to our Sở Nội vụ; we register it and answer 01 into Lai Châu's mailbox."""
    import datetime as dt

    from cryptography.hazmat.primitives import serialization

    from documents import edxml
    from documents.models import ExchangePeer
    from tests.documents import edxml_support

    h17 = "000.00.01.H17"
    root = edxml_support.foreign().root_cert.public_bytes(serialization.Encoding.PEM).decode()
    ExchangePeer.objects.create(
        name="UBND tỉnh Lai Châu",
        organ_code="*.H17",
        endpoint_url="https://lgsp.laichau.example/",
        trust_roots_pem=root,
    )
    settings.DOCUMENT_AXIS_ROUTES = f"{world.a.code},{world.b.code},*.H17"
    axis_sim.call(
        "POST",
        "/_sim/system",
        {"systemid": "lgsp-h17", "secret": "h17-secret", "organs": ["*.H17"]},
    )
    message = edxml.DocumentMessage(
        document_id="lc-2026-0042",
        from_organ=edxml.Organ(h17, "UBND tỉnh Lai Châu"),
        to_organs=[edxml.Organ(world.b.code, world.b.name)],
        code_number="42",
        code_notation="UBND-VP",
        place="Lai Châu",
        promulgation_date=dt.date(2026, 12, 1),
        document_type=1,
        document_type_name="Công văn",
        subject="V/v phối hợp",
        content="Đề nghị phối hợp.",
        signer=edxml.SignerInfo("TM. ỦY BAN NHÂN DÂN", "Chủ tịch", "Nguyễn Văn A"),
        attachments=[edxml.Attachment("cv.pdf", "application/pdf", b"%PDF-1.7 " + b"x" * 500)],
        traces=[edxml.Trace(h17, dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC))],
    )
    envelope = edxml.build_document(
        message, edxml_support.identity(h17, "UBND tỉnh Lai Châu", material="foreign")
    )
    request = urllib.request.Request(
        axis_sim.url + "/sendEdoc",
        data=envelope,
        method="POST",
        headers={
            "systemid": "lgsp-h17",
            "secret": "h17-secret",
            "from": h17,
            "to": world.b.code,
            "messagetype": "edoc",
        },
    )
    with urllib.request.urlopen(request, timeout=5) as r:  # noqa: S310
        assert json.loads(r.read())["status"] == "OK"

    axis.poll()
    incoming = IncomingDocument.objects.get(agency=world.b)
    assert incoming.from_organ_code == h17 and incoming.document_id == "lc-2026-0042"
    # Lai Châu's system reads its mailbox: our signed 01
    listed = json.loads(
        _as_system(
            axis_sim, "lgsp-h17", "h17-secret", "getReceivedEdocList", {"messagetype": "status"}
        )
    )["data"]
    assert [i["from"] for i in listed] == [world.b.code]
    status = _as_system(
        axis_sim, "lgsp-h17", "h17-secret", "getEdoc", {"docId": listed[0]["DocId"]}
    )
    from signatures.agency_keys import trust_roots as our_roots

    parsed = edxml_support.parse(status, trust_roots=list(our_roots()))
    assert isinstance(parsed.message, edxml.StatusMessage)
    assert (
        parsed.message.code,
        parsed.message.document_id,
        parsed.message.from_organ.organ_id,
    ) == ("01", "lc-2026-0042", world.b.code)
