"""Celery tasks of the accounts app (published through the outbox, see portal.core.outbox)."""

from __future__ import annotations

from celery import shared_task

from portal.notifications.tasks import RETRY


@shared_task(name="portal.accounts.tasks.data_access_flagged", ignore_result=True, **RETRY)
def data_access_flagged(access_id: int) -> int:
    """Tell the province's administrators about one access with no dossier behind it."""
    from .access_log import notify_flagged

    return notify_flagged(access_id=access_id)
