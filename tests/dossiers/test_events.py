"""The "dossier changed" event: every history row enqueues each subscriber once, in the same
transaction, through the outbox (dossiers.events)."""

import pytest
from django.db import transaction

from dossiers import events
from portal.core.models import OutboxMessage
from tests.factories.dossiers import DossierFactory

pytestmark = pytest.mark.django_db

TASK = "tests.fake_subscriber"


@pytest.fixture
def subscriber():
    events.subscribe(TASK)
    yield TASK
    events.unsubscribe(TASK)


def test_each_history_row_enqueues_the_subscriber_once(subscriber):
    from dossiers.history import append_event

    dossier = DossierFactory()
    with transaction.atomic():
        event = append_event(dossier, action="note", actor=None, from_status=dossier.status)
        # A second announcement of the same row (a retried caller) is deduplicated.
        events.dossier_changed(dossier, event)
    rows = OutboxMessage.objects.filter(task_name=TASK)
    assert [r.kwargs for r in rows] == [{"dossier_id": dossier.pk, "event_id": event.pk}]


def test_a_rolled_back_change_leaves_no_message(subscriber):
    from dossiers.history import append_event

    dossier = DossierFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        append_event(dossier, action="note", actor=None, from_status=dossier.status)
        raise RuntimeError("rollback")
    assert not OutboxMessage.objects.filter(task_name=TASK).exists()


def test_subscribe_is_idempotent(subscriber):
    events.subscribe(TASK)
    assert events.subscribers().count(TASK) == 1
