"""The "dossier changed" event: one place that later integrations subscribe to.

Every change of a dossier that is written to its hash-chained history (a transition, an edit the
history records) is announced once, inside the same transaction, to each registered subscriber.
A subscriber is a Celery task name; it is enqueued through the transactional outbox
(:func:`portal.core.outbox.outbox_enqueue`), so it exists if and only if the change committed, and
it is deduplicated per (subscriber, history row).

Subscribers register in their app's ``AppConfig.ready()``::

    from dossiers.events import subscribe
    subscribe("national.tasks.sync_dossier_change")

and the task receives ``dossier_id`` and ``event_id`` (the :class:`~dossiers.models.DossierEvent`
primary key). Delivery is at-least-once: the task must be idempotent (look the event up, return if
it was already handled). Events of one dossier carry increasing ``seq`` numbers, so a subscriber
that must keep order per dossier can compare them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from portal.core.outbox import outbox_enqueue

if TYPE_CHECKING:
    from .models import Dossier, DossierEvent

_subscribers: list[str] = []


def subscribe(task_name: str) -> None:
    """Register the Celery task ``task_name(dossier_id=..., event_id=...)`` for every change.
    Registering the same name twice keeps one entry (``ready()`` may run more than once in tests)."""
    if task_name not in _subscribers:
        _subscribers.append(task_name)


def unsubscribe(task_name: str) -> None:
    """Remove a subscriber (tests that register a temporary one)."""
    if task_name in _subscribers:
        _subscribers.remove(task_name)


def subscribers() -> tuple[str, ...]:
    """The registered task names, in registration order."""
    return tuple(_subscribers)


def dossier_changed(dossier: Dossier, event: DossierEvent) -> None:
    """Enqueue every subscriber for ``event`` of ``dossier``, in the caller's transaction."""
    for task_name in _subscribers:
        outbox_enqueue(
            task_name,
            kwargs={"dossier_id": dossier.pk, "event_id": event.pk},
            dedupe_key=f"changed:{task_name}:{event.pk}",
        )
