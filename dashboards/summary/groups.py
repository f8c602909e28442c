"""Breakdowns and series read from the summary tables: procedure times, per agency / sector / procedure, by month."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.agencies.models import Agency

from .. import registry
from ..figures import (
    Figures,
    Filters,
    GroupRow,
    ProcedureTime,
    add_months,
    hours_bucket,
    procedure_times_from,
)
from ..models import (
    DossierFact,
    ProcedureMonthStat,
    ProcedureTimeMonth,
)
from .read import collect, collect_empty, in_progress_counts, split_period, stored_open_month
from .scope import agency_paths, scope_q, scope_sql
from .snapshots import open_ends_through


def procedure_times(filters: Filters, limit: int = 20) -> list[ProcedureTime]:
    from procedures.models import Procedure

    months, edges = split_period(filters)
    scope = scope_q(filters)
    stats: dict[int, list[Any]] = {}
    if months is not None:
        rng = Q(month__gte=months[0], month__lte=months[1])
        # province-wide: one row per procedure and month; an agency scope needs the per-agency rows
        table = ProcedureTimeMonth if filters.agency_ids is None else ProcedureMonthStat
        top = (
            table.objects.filter(scope, rng, resolved__gt=0)
            .values("procedure_id")
            .annotate(n=Sum("resolved"), s=Sum("processing_seconds"))
            .order_by("-n", "procedure_id")
        )
        for r in list(top[: limit if not edges else None]):
            stats[r["procedure_id"]] = [r["n"], r["s"], Counter()]
        if connection.vendor == "postgresql" and stats:
            # the histograms merged by PostgreSQL: ~20 x 12 JSON objects of up to ~100 hours each
            # decoded and added in Python took ~15 ms of CPU for a year at 1,000,000 dossiers
            where, params = scope_sql(filters)
            with connection.cursor() as cur:
                cur.execute(
                    f"SELECT f.procedure_id, CAST(e.key AS INTEGER), SUM(CAST(e.value AS INTEGER)) FROM {table._meta.db_table} f "
                    "CROSS JOIN LATERAL jsonb_each_text(f.hours_histogram) AS e "
                    f"WHERE f.month >= %s AND f.month <= %s AND f.resolved > 0 AND f.procedure_id = ANY(%s){where} GROUP BY 1, 2",
                    [months[0], months[1], list(stats), *params],
                )
                for pid, hours, n in cur.fetchall():
                    stats[pid][2][hours] += n
        else:
            for pid, hist in table.objects.filter(
                scope, rng, procedure_id__in=list(stats), resolved__gt=0
            ).values_list("procedure_id", "hours_histogram"):
                h = stats[pid][2]
                for k, v in hist.items():
                    h[int(k)] += v
    for a, b in edges:
        for pid, secs in DossierFact.objects.filter(
            scope, finished_at__gte=a, finished_at__lt=b
        ).values_list("procedure_id", "processing_seconds"):
            s = stats.setdefault(pid, [0, 0, Counter()])
            s[0] += 1
            s[1] += secs or 0
            s[2][hours_bucket(secs or 0)] += 1
    procs = {
        p.pk: p for p in Procedure.objects.filter(pk__in=list(stats)).only("pk", "code", "name")
    }
    return procedure_times_from({k: (v[0], v[1], v[2]) for k, v in stats.items()}, procs, limit)


def scope_agencies(filters: Filters, every_agency: bool) -> list[tuple[int, str, str, str]]:
    """(pk, code, name, path) of the agencies a breakdown lists, in path order."""
    if filters.agency_ids is None:
        qs = Agency.objects.all() if every_agency else Agency.objects.filter(parent__isnull=True)
    elif every_agency:
        q = Q(pk__in=[])
        for pk, path in agency_paths(filters.agency_ids).items():
            q |= Q(pk=pk) | Q(path__startswith=path + "/")
        qs = Agency.objects.filter(q)
    else:
        qs = Agency.objects.filter(parent__in=list(filters.agency_ids))
    return list(qs.order_by("path").values_list("pk", "code", "name", "path"))


def by_agency(filters: Filters, *, every_agency: bool = False) -> list[GroupRow]:
    """Per direct sub-unit of the scope (its figures include its own sub-units), or per agency of
    the scope with ``every_agency`` (each agency's own dossiers, for a ranking)."""
    agencies = scope_agencies(filters, every_agency)
    per = collect(filters, "agency")
    if every_agency:
        return [
            GroupRow(pk, code, name, per.get(pk) or collect_empty())
            for pk, code, name, _path in agencies
        ]
    paths = {pk: path for pk, _code, _name, path in agencies}
    missing = [k for k in per if k is not None and k not in paths]
    if missing:  # sub-units of the listed agencies
        paths.update(agency_paths(missing))
    listed = {path for _pk, _code, _name, path in agencies}
    target: dict[str, Figures] = {}
    for agency_id, f in per.items():
        # an agency's figures go to the listed unit that is it or one of its ancestors; the
        # first one found is taken as it is (``per`` is ours), the others merged into it
        parts = paths.get(agency_id, "").split("/")
        for i in range(1, len(parts) + 1):
            unit = "/".join(parts[:i])
            if unit in listed:
                if unit in target:
                    merge(target[unit], f)
                else:
                    target[unit] = f
                break
    return [
        GroupRow(pk, code, name, target.get(path) or collect_empty())
        for pk, code, name, path in agencies
    ]


#: The Figures fields a sum of groups adds: every figure of the summary tables (the
#: registry's counters and snapshot metrics; the linked ones are counted apart) and the seconds.
MERGED_FIELDS: tuple[str, ...] = (
    *(m.name for m in registry.METRICS if m.source != "linked"),
    "processing_seconds",
)


def merge(into: Figures, other: Figures) -> None:
    for name in MERGED_FIELDS:
        setattr(into, name, getattr(into, name) + getattr(other, name))
    for attr in ("received_by_channel", "received_by_level", "rating_counts"):
        target = getattr(into, attr)
        for k, v in getattr(other, attr).items():
            target[k] = target.get(k, 0) + v


def by_group(filters: Filters, kind: str) -> list[GroupRow]:
    from procedures.models import Procedure, Sector

    per = {k: v for k, v in collect(filters, kind).items() if k is not None}
    model = Sector if kind == "sector" else Procedure
    objs = {o.pk: o for o in model.objects.filter(pk__in=list(per)).only("pk", "code", "name")}
    rows = [
        GroupRow(k, getattr(objs.get(k), "code", ""), getattr(objs.get(k), "name", ""), v)
        for k, v in per.items()
    ]
    rows.sort(key=lambda r: (-r.figures.received, r.code))
    return rows


def buckets(filters: Filters, granularity: str) -> list[tuple[date, date]]:
    step = {"month": 1, "quarter": 3, "year": 12}.get(granularity)
    out = []
    if granularity == "day":
        d = filters.start
        while d <= filters.end:
            out.append((d, d))
            d += timedelta(days=1)
        return out
    if step is None:
        raise ValueError(_("Invalid granularity (day, month, quarter, year)."))
    if granularity == "month":
        first = filters.start.replace(day=1)
    elif granularity == "quarter":
        first = date(filters.start.year, 3 * ((filters.start.month - 1) // 3) + 1, 1)
    else:
        first = date(filters.start.year, 1, 1)
    while first <= filters.end:
        nxt = add_months(first, step)
        out.append((max(first, filters.start), min(nxt - timedelta(days=1), filters.end)))
        first = nxt
    return out


def timeseries(
    filters: Filters, granularity: str = "month", *, now: datetime | None = None
) -> list[tuple[date, Figures]]:
    """Figures per bucket (clipped to the period); each bucket's in-progress figures are those at
    its own end."""
    spans = buckets(filters, granularity)
    now = now or timezone.now()
    through = open_ends_through()
    if granularity == "month":
        per = collect(filters, "month", with_in_progress=False, now=now)
        out = [(s, per.get(s.replace(day=1)) or collect_empty()) for s, _e in spans]
    else:
        out = [
            (
                s,
                collect(
                    replace(filters, start=s, end=e), None, with_in_progress=False, now=now
                ).get(None)
                or collect_empty(),
            )
            for s, e in spans
        ]
    # a whole month that has ended and is kept: its figures already carry its end's snapshot;
    # every other bucket (the current month, a clipped or longer bucket) is probed at its end
    probe = []
    for (s, e), (_start, fig) in zip(spans, out, strict=True):
        bucket = replace(filters, start=s, end=e)
        if (
            granularity == "month"
            and s.day == 1
            and stored_open_month(bucket, now, through) is not None
        ):
            continue
        probe.append((bucket.snapshot_moment(now), fig))  # several buckets after now share "now"
    counts = in_progress_at(filters, list(dict.fromkeys(m for m, _fig in probe))) if probe else {}
    for moment, fig in probe:
        fig.in_progress, fig.in_progress_overdue = counts[moment]
    for _start, fig in out:
        fig.in_progress_on_time = fig.in_progress - fig.in_progress_overdue
    return out


def figures_from_series(
    series: list[tuple[date, Figures]], span: Filters, granularity: str, filters: Filters
) -> Figures | None:
    """The figures of ``filters`` (a month, quarter or year) added up from a monthly
    :func:`timeseries` of ``span`` that covers it with the same scope, or None when it does not.

    Exact: each month's counters are the same rows the period's sum reads, and the in-progress
    figures are those of the period's last month, whose end (or now) is the period's own moment.
    The page's chart already reads the 12 months around a month or quarter: its current and
    previous figures need no query of their own."""
    if granularity != "month" or filters.period_kind not in ("month", "quarter", "year"):
        return None
    if (span.agency_ids, span.sector_id, span.procedure_id, span.level) != (
        filters.agency_ids,
        filters.sector_id,
        filters.procedure_id,
        filters.level,
    ):
        return None
    if span.start > filters.start or span.end < filters.end:
        return None
    picked = [fig for start, fig in series if filters.start <= start <= filters.end]
    months = (
        (filters.end.year - filters.start.year) * 12 + filters.end.month - filters.start.month + 1
    )
    if len(picked) != months:
        return None
    total = collect_empty()
    for fig in picked:
        merge(total, fig)
    last = picked[-1]
    total.in_progress, total.in_progress_on_time, total.in_progress_overdue = (
        last.in_progress,
        last.in_progress_on_time,
        last.in_progress_overdue,
    )
    return total


def in_progress_at(filters: Filters, moments: list[datetime]) -> dict[datetime, tuple[int, int]]:
    """In progress / overdue at several moments in one query (PostgreSQL: one GiST probe per
    moment); elsewhere one query per moment."""
    if connection.vendor != "postgresql" or not moments:
        return {m: in_progress_counts(filters, m, None)[0][1:] for m in moments}
    where, params = scope_sql(filters)
    # LATERAL: one GiST probe per moment, the scope filtered on the probe's rows. As a plain join
    # with a sector / agency filter PostgreSQL scanned the scope's facts and tested every moment
    # against each (at 1M dossiers: 450 ms for one sector, 230 ms for a department, vs ~60 ms)
    sql = (
        "SELECT m, x.n, x.late FROM unnest(%s::timestamptz[]) AS m CROSS JOIN LATERAL ("
        "SELECT count(f.dossier_id) AS n, count(f.dossier_id) FILTER (WHERE f.due_at < m) AS late FROM dashboards_dossierfact f "
        "WHERE f.received_at IS NOT NULL AND tstzrange(f.received_at, f.exit_at, '(]') @> m"
        + where
        + ") x"
    )
    with connection.cursor() as cur:
        cur.execute(sql, [list(moments), *params])
        found = {m: (n, late) for m, n, late in cur.fetchall()}
    return {m: found.get(m, (0, 0)) for m in moments}
