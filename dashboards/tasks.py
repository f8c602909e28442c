"""Celery tasks of the dashboards (thin: the work is in :mod:`dashboards.summary`)."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import DatabaseError

from dossiers.tasks import MAX_RETRIES, TRANSIENT

from . import summary

logger = logging.getLogger(__name__)


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


@shared_task(
    bind=True,
    name="dashboards.tasks.render_report",
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=MAX_RETRIES,
    soft_time_limit=540,
    time_limit=600,  # below the broker's visibility timeout (3600 s)
)
def render_report(self, report_id: int) -> str:
    """Render one printable dashboard report (see :mod:`dashboards.report_files`); returns its state.

    Acknowledged late and rejected on a lost worker (rendered again), retried with back-off on
    transient errors; rendering twice is harmless (a ready report is left alone)."""
    from .report_files import FAILED, mark_failed
    from .report_files import render_report as render
    from .views import DASHBOARD_ROLES

    try:
        report = render(report_id=report_id, roles=DASHBOARD_ROLES)
    except TRANSIENT as exc:
        if self.request.retries >= MAX_RETRIES:
            logger.exception("dashboard_report.gave_up", extra={"report_id": report_id})
            mark_failed(report_id=report_id, error=str(FAILED))
            raise
        raise self.retry(exc=exc, countdown=min(2 ** (self.request.retries + 1), 120)) from exc
    except (DatabaseError, LookupError, ValueError):
        # the details go to the log (administrators); the user sees a plain bilingual message
        logger.exception("dashboard_report.failed", extra={"report_id": report_id})
        mark_failed(report_id=report_id, error=str(FAILED))
        return "failed"
    return report.state if report else "gone"
