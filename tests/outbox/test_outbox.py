"""The outbox commits with the business transaction, ignores duplicates, and survives a dead broker."""

from __future__ import annotations

import time

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal.core.models import OutboxMessage
from portal.core.outbox import outbox_enqueue, relay_outbox
from tests.celery_support import broker, purge_queue, queue_length

DEAD_BROKER = "redis://127.0.0.1:6399/7"
TASK = "portal.core.tasks.ping"


@pytest.fixture
def queue():
    purge_queue()
    yield
    purge_queue()


def test_enqueue_outside_a_transaction_is_refused(db):
    # pytest's db fixture wraps the test in a transaction: leave it to see the guard
    with pytest.raises(RuntimeError):
        transaction.get_connection().in_atomic_block = False
        try:
            outbox_enqueue(TASK, kwargs={})
        finally:
            transaction.get_connection().in_atomic_block = True


@pytest.mark.django_db(transaction=True)
def test_rolled_back_business_transaction_leaves_no_message(queue):
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        outbox_enqueue(TASK, kwargs={}, dedupe_key="rollback")
        1 / 0  # noqa: B018 - the business change fails after enqueueing
    assert not OutboxMessage.objects.exists()
    assert queue_length() == 0


@pytest.mark.django_db(transaction=True)
def test_commit_publishes_once_and_duplicates_are_ignored(queue):
    with transaction.atomic():
        outbox_enqueue(TASK, kwargs={}, dedupe_key="event:1")
        outbox_enqueue(TASK, kwargs={}, dedupe_key="event:1")
    with transaction.atomic():
        outbox_enqueue(TASK, kwargs={}, dedupe_key="event:1")

    message = OutboxMessage.objects.get()
    assert message.status == "dispatched" and message.attempts == 1 and message.dispatched_at
    assert queue_length() == 1
    assert relay_outbox() == 0


def _relay_passes(queries) -> int:
    return sum("SKIP LOCKED" in q["sql"] for q in queries.captured_queries)


@pytest.mark.django_db(transaction=True)
def test_one_transaction_s_messages_go_out_in_one_relay_pass(queue):
    """A reception writes five messages: one quick relay pass after its commit, not one each."""
    with CaptureQueriesContext(connection) as queries:
        with transaction.atomic():
            for n in range(3):
                outbox_enqueue(TASK, kwargs={"n": n}, dedupe_key=f"batch:{n}")
            outbox_enqueue(TASK, kwargs={"n": 3})
    assert _relay_passes(queries) == 1
    assert set(OutboxMessage.objects.values_list("status", "attempts")) == {("dispatched", 1)}
    assert OutboxMessage.objects.count() == 4
    assert queue_length() == 4
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        outbox_enqueue(TASK, kwargs={"n": 4})
    assert _relay_passes(queries) == 1  # the next transaction has its own pass
    assert queue_length() == 5


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_savepoint_publishes_nothing_of_its_own(queue):
    """Messages of a savepoint that rolled back do not exist, so nothing of theirs is published;
    the transaction's other messages are, whether the savepoint came first or in the middle."""
    with transaction.atomic():
        with pytest.raises(ZeroDivisionError), transaction.atomic():
            outbox_enqueue(TASK, kwargs={"n": 0}, dedupe_key="first-rolled-back")
            1 / 0  # noqa: B018
        outbox_enqueue(TASK, kwargs={"n": 1}, dedupe_key="kept:1")
        with pytest.raises(ZeroDivisionError), transaction.atomic():
            outbox_enqueue(TASK, kwargs={"n": 2}, dedupe_key="middle-rolled-back")
            1 / 0  # noqa: B018
        outbox_enqueue(TASK, kwargs={"n": 3}, dedupe_key="kept:3")
    assert dict(OutboxMessage.objects.values_list("dedupe_key", "status")) == {
        "kept:1": "dispatched",
        "kept:3": "dispatched",
    }
    assert queue_length() == 2


@pytest.mark.django_db(transaction=True)
def test_dead_broker_neither_blocks_nor_loses_the_task(queue):
    started = time.monotonic()
    with broker(DEAD_BROKER), transaction.atomic():
        outbox_enqueue(TASK, kwargs={"n": 1})
    elapsed = time.monotonic() - started
    print(f"commit with a dead broker: {elapsed:.2f} s")

    assert elapsed < 3.5  # ~2.1 s measured: the 2 s socket timeout
    message = OutboxMessage.objects.get()
    assert message.status == "pending" and message.attempts == 1
    assert "Error" in message.last_error
    assert message.available_at > message.created_at

    assert relay_outbox() == 0  # backing off: not due yet
    OutboxMessage.objects.update(available_at=message.created_at)
    assert relay_outbox() == 1
    assert OutboxMessage.objects.get().status == "dispatched"
    assert queue_length() == 1


@pytest.mark.django_db(transaction=True)
def test_several_messages_wait_for_a_dead_broker_once_not_once_each(queue):
    """A state change writes several messages (notification, form, dashboard refresh): after the
    first quick publish fails, the others are left to the beat relay instead of each waiting 2 s."""
    started = time.monotonic()
    with broker(DEAD_BROKER), transaction.atomic():
        for n in range(4):
            outbox_enqueue(TASK, kwargs={"n": n})
    elapsed = time.monotonic() - started
    print(f"commit of 4 messages with a dead broker: {elapsed:.2f} s")

    assert elapsed < 3.5  # one socket timeout, not four
    assert OutboxMessage.objects.filter(status="pending").count() == 4
    assert list(OutboxMessage.objects.order_by("id").values_list("attempts", flat=True)) == [
        1,
        0,
        0,
        0,
    ]
    OutboxMessage.objects.update(available_at=timezone.now())
    assert relay_outbox() == 4  # the broker is back (the default one): the relay delivers them all
    assert queue_length() == 4


@pytest.mark.django_db(transaction=True)
def test_a_broker_error_stops_the_pass_and_the_rows_wait(queue, settings):
    settings.OUTBOX_RELAY_ON_COMMIT = False
    with transaction.atomic():
        for n in range(3):
            outbox_enqueue(TASK, kwargs={"n": n})
    with broker(DEAD_BROKER):
        assert relay_outbox() == 0
    attempts = list(OutboxMessage.objects.order_by("id").values_list("attempts", flat=True))
    assert attempts == [1, 0, 0]

    assert relay_outbox() == 2  # the first row backs off, the others go now
    call_command("relay_outbox")  # nothing due: no error


@pytest.mark.django_db(transaction=True)
def test_failed_after_many_attempts_is_visible_and_retryable(queue, admin_client, settings):
    settings.OUTBOX_RELAY_ON_COMMIT = False
    settings.OUTBOX_MAX_ATTEMPTS = 3
    with transaction.atomic():
        outbox_enqueue(TASK, kwargs={})
    message = OutboxMessage.objects.get()
    with broker(DEAD_BROKER):
        for _ in range(4):
            OutboxMessage.objects.update(available_at=message.created_at)
            relay_outbox()
    message.refresh_from_db()
    assert message.status == "failed"

    page = admin_client.get(
        reverse("admin:core_outboxmessage_changelist") + "?status__exact=failed"
    )
    assert page.status_code == 200 and TASK in page.content.decode()
    response = admin_client.post(
        reverse("admin:core_outboxmessage_changelist"),
        {"action": "retry_now", "_selected_action": [message.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert relay_outbox() == 1
    assert OutboxMessage.objects.get().status == "dispatched"


@pytest.mark.django_db(transaction=True)
def test_a_hanging_broker_delays_the_commit_by_the_socket_timeout_only(queue):
    """Redis accepts the connection but never answers (docs/tech-facts.md "Celery and Redis": >100 s with default settings)."""
    import socket

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)  # connections complete in the backlog; nothing is ever read or answered
    try:
        started = time.monotonic()
        with broker(f"redis://127.0.0.1:{silent.getsockname()[1]}/7"), transaction.atomic():
            outbox_enqueue(TASK, kwargs={})
        elapsed = time.monotonic() - started
    finally:
        silent.close()
    assert elapsed < 3.5, elapsed
    assert OutboxMessage.objects.get().status == "pending"
    print(f"commit with a hanging broker: {elapsed:.2f} s")
