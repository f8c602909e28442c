"""Delivery failures: a peer that does not answer makes the delivery raise for a retry, each
failed attempt is kept on the recipient, the last one is a history row; the admin shows them and
queues the delivery again. The admin lists every model of the app."""

from __future__ import annotations

import json
import socket

import pytest
from django.urls import reverse

from documents import exchange, services, tasks
from documents.models import DocumentEvent, ExchangePeer
from portal.core.models import OutboxMessage
from tests.documents.exchange_support import *  # noqa: F403
from tests.factories.accounts import StaffFactory

pytestmark = pytest.mark.django_db


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def to_peer(world):  # type: ignore[no-untyped-def]
    ExchangePeer.objects.create(
        name="Tỉnh H29",
        organ_code="*.H29",
        endpoint_url=f"http://127.0.0.1:{closed_port()}/api/v1/edxml/inbound/",
    )
    document = world.issued(to=["000.00.12.H29"])
    services.outgoing_send(document=document, actor=world.clerk_a)
    return document.recipients.get()


def test_an_unreachable_peer_raises_for_a_retry_and_the_last_failure_is_recorded(
    to_peer, settings
) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(exchange.TransportError):
        exchange.deliver_document(recipient_id=to_peer.pk)
    settings.EDXML_MAX_RETRIES = 0
    assert tasks.deliver_document.apply(kwargs={"recipient_id": to_peer.pk}).get() == "failed"
    to_peer.refresh_from_db()
    assert to_peer.attempts == 2 and "Connection refused" in to_peer.last_error
    assert to_peer.status_code == "" and not to_peer.statuses.exists()
    assert (
        DocumentEvent.objects.filter(outgoing=to_peer.document, action="delivery_failed").count()
        == 1
    )


def test_the_task_retries_with_growing_delays(to_peer, settings) -> None:  # type: ignore[no-untyped-def]
    settings.EDXML_RETRY_BACKOFF = 10
    assert [tasks._countdown(n) for n in range(8)] == [10, 20, 40, 80, 160, 320, 600, 600]
    settings.EDXML_MAX_RETRIES = 3
    # eager mode runs the retries at once (a worker waits 10, 20, 40 s): 1 + 3 attempts, then failed
    assert tasks.deliver_document.apply(kwargs={"recipient_id": to_peer.pk}).get() == "failed"
    to_peer.refresh_from_db()
    assert to_peer.attempts == 4
    assert (
        DocumentEvent.objects.filter(outgoing=to_peer.document, action="delivery_failed").count()
        == 1
    )


def test_admin_lists_everything_and_requeues_a_failed_delivery(client, world, to_peer) -> None:  # type: ignore[no-untyped-def]
    admin = StaffFactory(agency=world.a, is_superuser=True, is_staff=True)
    client.force_login(admin)
    for model in (
        "outgoingdocument",
        "outgoingrecipient",
        "incomingdocument",
        "exchangepeer",
        "documentnumbercounter",
        "inboundreceipt",
        "documentevent",
    ):
        assert client.get(reverse(f"admin:documents_{model}_changelist")).status_code == 200, model
    assert (
        client.get(
            reverse("admin:documents_outgoingdocument_change", args=[to_peer.document_id])
        ).status_code
        == 200
    )
    assert (
        client.get(
            reverse("admin:documents_outgoingrecipient_change", args=[to_peer.pk])
        ).status_code
        == 200
    )
    before = OutboxMessage.objects.filter(task_name=services.DELIVER_DOCUMENT_TASK).count()
    response = client.post(
        reverse("admin:documents_outgoingrecipient_changelist"),
        {"action": "redeliver", "_selected_action": [to_peer.pk]},
    )
    assert response.status_code == 302
    assert (
        OutboxMessage.objects.filter(task_name=services.DELIVER_DOCUMENT_TASK).count() == before + 1
    )


def test_peers_from_the_setting_bootstrap_the_exchange(world, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from cryptography.hazmat.primitives import serialization

    from tests.documents import edxml_support

    roots = tmp_path / "h17.pem"
    roots.write_bytes(edxml_support.foreign().root_cert.public_bytes(serialization.Encoding.PEM))
    settings.EDXML_PEERS = json.dumps(
        [
            {
                "name": "Lai Châu",
                "organ_code": "*.H17",
                "endpoint_url": "https://laichau.example/api/v1/edxml/inbound/",
                "trust_roots_file": str(roots),
            }
        ]
    )
    peer = exchange.peer_for("000.00.01.H17")
    assert (
        peer is not None
        and peer.endpoint_url.startswith("https://laichau.example")
        and len(peer.trust_roots) == 1
    )
    assert exchange.sender_trust_roots("000.00.01.H17") == peer.trust_roots
    # an admin row for the same organs wins over the setting when it is more specific
    ExchangePeer.objects.create(
        name="UBND Lai Châu",
        organ_code="000.00.01.H17",
        endpoint_url="https://ubnd.laichau.example/api/v1/edxml/inbound/",
    )
    assert exchange.peer_for("000.00.01.H17").name == "UBND Lai Châu"
    assert exchange.peer_for("000.00.02.H17").name == "Lai Châu"


def test_a_status_the_sender_cannot_get_is_recorded_on_the_incoming_document(
    world, settings
) -> None:  # type: ignore[no-untyped-def]
    from documents.models import IncomingDocument
    from tests.documents.exchange_support import deliver_all

    document = world.issued()
    services.outgoing_send(document=document, actor=world.clerk_a)
    deliver_all()
    incoming = IncomingDocument.objects.get(agency=world.b)
    # the sender's portal moved behind a peer that is down: the 03 cannot reach it
    IncomingDocument.objects.filter(pk=incoming.pk).update(from_organ_code="000.00.12.H29")
    ExchangePeer.objects.create(
        name="Tỉnh H29",
        organ_code="*.H29",
        endpoint_url=f"http://127.0.0.1:{closed_port()}/api/v1/edxml/inbound/",
    )
    services.incoming_register(
        document=IncomingDocument.objects.get(pk=incoming.pk), actor=world.clerk_b
    )
    message = OutboxMessage.objects.filter(task_name=services.DELIVER_STATUS_TASK).latest("id")
    settings.EDXML_MAX_RETRIES = 0
    assert tasks.deliver_status.apply(kwargs=message.kwargs).get() == "failed"
    failed = DocumentEvent.objects.get(incoming=incoming, action="delivery_failed")
    assert failed.status_code == "03" and "Connection refused" in failed.comment
