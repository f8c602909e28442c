"""Reads of the DVCQG sync state: the admin page, and the share the 766 index reads."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from dossiers.constants import DossierStatus
from dossiers.models import Dossier

from .models import ChangeState, DossierSync, OutboundChange


def sync_rows(*, only_failed: bool = False, limit: int = 200) -> list[DossierSync]:
    """Each dossier's sync state with its pending and failed counts (newest activity first)."""
    rows = DossierSync.objects.select_related("dossier").annotate(
        pending=Count(
            "dossier__dvcqg_changes", filter=Q(dossier__dvcqg_changes__state=ChangeState.PENDING)
        ),
        failed=Count(
            "dossier__dvcqg_changes", filter=Q(dossier__dvcqg_changes__state=ChangeState.FAILED)
        ),
    )
    if only_failed:
        rows = rows.filter(Q(failed__gt=0) | ~Q(reconcile_difference=""))
    return list(rows.order_by("-last_sent_at", "-dossier_id")[:limit])


def sync_summary() -> dict[str, int]:
    counts = dict(
        OutboundChange.objects.values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    return {
        "pending": counts.get(ChangeState.PENDING, 0),
        "sent": counts.get(ChangeState.SENT, 0),
        "failed": counts.get(ChangeState.FAILED, 0),
        "differences": DossierSync.objects.exclude(reconcile_difference="").count(),
    }


def _bounds(period: tuple[date, date]) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return datetime.combine(period[0], time.min, tz), datetime.combine(period[1], time.max, tz)


def sync_progress_share(agency: Any, period: tuple[date, date]) -> dict[str, int | float]:
    """Decision 766, "progress synced" (công khai tiến độ): of the agency's dossiers received in
    ``period`` (submitted, not drafts), how many have every change acknowledged by DVCQG.

    Returns ``{"total", "synced", "share"}`` (share 0..1; 0 when there are none). ``agency`` is an
    Agency (its subtree counts) or None for the whole province.
    """
    start, end = _bounds(period)
    dossiers = Dossier.objects.exclude(status=DossierStatus.DRAFT).filter(
        submitted_at__range=(start, end)
    )
    if agency is not None:
        from portal.agencies.models import Agency

        dossiers = dossiers.filter(receiving_agency__in=Agency.objects.subtree_of(agency))
    total = dossiers.count()
    unsynced = (
        dossiers.filter(
            Q(dvcqg_sync__isnull=True)
            | Q(dvcqg_changes__state__in=[ChangeState.PENDING, ChangeState.FAILED])
        )
        .distinct()
        .count()
    )
    synced = total - unsynced
    return {"total": total, "synced": synced, "share": (synced / total) if total else 0.0}
