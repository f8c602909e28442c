"""Celery tasks of the dashboards (thin: the work is in :mod:`dashboards.summary`)."""

from __future__ import annotations

from celery import shared_task

from . import summary


@shared_task(acks_late=True, ignore_result=True)
def refresh_summaries(max_rounds: int = 20) -> int:
    """Refresh the facts and monthly counters of the dossiers changed since the last run
    (idempotent; nothing to do returns at once). Returns how many dossiers were refreshed."""
    done = 0
    for _ in range(max_rounds):
        result = summary.refresh()
        done += result.dossiers
        if result.dossiers == 0:
            break
    return done
