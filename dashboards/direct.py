"""Every figure computed straight from the dossiers tables: exact, slow on big data. The side of
the agreement tests that the summary tables (:mod:`dashboards.summary`) must equal; the
definitions are those of :mod:`dashboards.figures` and :mod:`dashboards.registry`."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dossiers.constants import Channel, DossierStatus, Rating, Timeliness
from dossiers.models import Apology, DossierEvent, SupplementRequest

from .figures import (
    Figures,
    Filters,
    ProcedureTime,
    agency_q,
    hours_bucket,
    metric_qs,
    procedure_times_from,
    scoped_dossiers,
)
from .registry import in_progress_qs


def _supplement_pauses(dossier_ids: list[int]) -> dict[int, list[tuple[datetime, datetime]]]:
    pauses: dict[int, list[tuple[datetime, datetime]]] = {}
    rows = SupplementRequest.objects.filter(
        dossier_id__in=dossier_ids, during_processing=True, answered_at__isnull=False
    )
    for dossier_id, start, end in rows.values_list("dossier_id", "requested_at", "answered_at"):
        assert end is not None  # filtered on answered_at__isnull=False
        pauses.setdefault(dossier_id, []).append((start, end))
    return pauses


def direct_figures(filters: Filters, *, now: datetime | None = None) -> Figures:
    """Every figure computed straight from the dossiers tables (exact; slow on big data)."""
    from .metrics import CalendarCache, processing_seconds

    cals = CalendarCache()
    a, b = filters.bounds()
    base = scoped_dossiers(filters)
    fig = Figures()
    # signed results through the dossier's reverse link (the pages sum the signed_results counter)
    fig.signed_results = (
        base.filter(finished_at__gte=a, finished_at__lt=b)
        .filter(signed_results__isnull=False)
        .exclude(signed_results__sha256="")
        .values("pk")
        .distinct()
        .count()
    )
    if filters.sector_id is None and filters.procedure_id is None and filters.level is None:
        from documents.constants import IncomingSource
        from documents.models import IncomingDocument, OutgoingDocument

        fig.documents_sent = OutgoingDocument.objects.filter(
            agency_q(filters.agency_ids, "agency"), sent_at__gte=a, sent_at__lt=b
        ).count()
        fig.documents_received = IncomingDocument.objects.filter(
            agency_q(filters.agency_ids, "agency"),
            source=IncomingSource.EXCHANGE,
            received_at__gte=a,
            received_at__lt=b,
        ).count()
    else:  # documents have no sector, procedure or level (dashboards.linked)
        fig.notes["documents_sent"] = fig.notes["documents_received"] = str(
            _("Documents have no sector, procedure or service level: not counted here.")
        )
    received = base.filter(received_at__gte=a, received_at__lt=b)
    fig.received = received.count()
    fig.received_by_channel = dict(
        received.values_list("channel").annotate(n=Count("pk")).order_by()
    )
    fig.received_online = fig.received_by_channel.get(Channel.ONLINE, 0)
    fig.received_by_level = dict(
        received.values_list("procedure__level").annotate(n=Count("pk")).order_by()
    )
    resolved = list(
        base.filter(finished_at__gte=a, finished_at__lt=b).values(
            "pk", "timeliness", "counting_start", "finished_at", "receiving_agency_id"
        )
    )
    fig.resolved = len(resolved)
    tl = Counter(r["timeliness"] for r in resolved)
    fig.resolved_early, fig.resolved_on_time, fig.resolved_late = (
        tl[Timeliness.EARLY],
        tl[Timeliness.ON_TIME],
        tl[Timeliness.LATE],
    )
    pauses = _supplement_pauses([r["pk"] for r in resolved])
    fig.processing_seconds = sum(
        processing_seconds(
            r["counting_start"],
            r["finished_at"],
            pauses.get(r["pk"], []),
            cals(r["receiving_agency_id"]),
        )
        for r in resolved
    )
    moment = min(b, now or timezone.now())
    ip = in_progress_qs(base, moment).aggregate(
        n=Count("pk"), late=Count("pk", filter=Q(due_at__lt=moment))
    )
    fig.in_progress, fig.in_progress_overdue = ip["n"], ip["late"]
    fig.in_progress_on_time = fig.in_progress - fig.in_progress_overdue
    fig.returned = base.filter(returned_at__gte=a, returned_at__lt=b).count()
    closing = (
        DossierEvent.objects.filter(
            dossier__in=base,
            created_at__gte=a,
            created_at__lt=b,
            to_status__in=[
                DossierStatus.NOT_RECEIVED,
                DossierStatus.WITHDRAWN,
                DossierStatus.STOPPED,
            ],
        )
        .exclude(from_status=F("to_status"))
        .values_list("to_status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    closed = dict(closing)
    fig.refused, fig.withdrawn, fig.stopped = (
        closed.get(s, 0)
        for s in (DossierStatus.NOT_RECEIVED, DossierStatus.WITHDRAWN, DossierStatus.STOPPED)
    )
    fig.supplement_requests = SupplementRequest.objects.filter(
        dossier__in=base, requested_at__gte=a, requested_at__lt=b
    ).count()
    fig.apologies = Apology.objects.filter(dossier__in=base, sent_at__gte=a, sent_at__lt=b).count()
    ratings = dict(
        base.filter(rated_at__gte=a, rated_at__lt=b)
        .exclude(rating="")
        .values_list("rating")
        .annotate(n=Count("pk"))
        .order_by()
    )
    fig.rating_counts = {k: ratings.get(k, 0) for k in Rating.values}
    fig.rated = sum(ratings.values())
    fig.digitised_dossiers = metric_qs(filters, "digitised_dossiers", base).count()
    fig.e_results = metric_qs(filters, "e_results", base).count()
    fig.payable = metric_qs(filters, "payable", base).count()
    fig.online_paid = metric_qs(filters, "online_paid", base).count()
    return fig


def direct_procedure_times(filters: Filters, limit: int = 20) -> list[ProcedureTime]:
    """Average and p90 processing time per procedure, straight from the dossiers, the busiest
    procedures (most resolved) first."""
    from procedures.models import Procedure

    from .metrics import CalendarCache, processing_seconds

    cals = CalendarCache()
    a, b = filters.bounds()
    rows = list(
        scoped_dossiers(filters)
        .filter(finished_at__gte=a, finished_at__lt=b)
        .values("pk", "procedure_id", "counting_start", "finished_at", "receiving_agency_id")
    )
    pauses = _supplement_pauses([r["pk"] for r in rows])
    per: dict[int, list[int]] = {}
    for r in rows:
        per.setdefault(r["procedure_id"], []).append(
            processing_seconds(
                r["counting_start"],
                r["finished_at"],
                pauses.get(r["pk"], []),
                cals(r["receiving_agency_id"]),
            )
        )
    return procedure_times_from(
        {pid: (len(v), sum(v), Counter(hours_bucket(s) for s in v)) for pid, v in per.items()},
        {p.pk: p for p in Procedure.objects.filter(pk__in=list(per))},
        limit,
    )
