"""Beat task of the document axis: poll the mailboxes (idempotent: a message is processed once
whatever the number of pollers)."""

from __future__ import annotations

from celery import shared_task

from . import client, services


@shared_task(
    name="national.document_axis.tasks.poll",
    ignore_result=True,
    acks_late=True,
    soft_time_limit=600,
    time_limit=660,
)
def poll() -> int:
    try:
        return services.poll().acknowledged
    except client.AxisUnavailable:
        return 0  # the axis is down: the next beat tries again
