"""Reading the summary tables: the figures of one set of filters (whole months from the counters, partial months and the in-progress snapshot from the facts)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from functools import reduce
from operator import or_
from types import SimpleNamespace
from typing import Any

from django.db import connection
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from dossiers.constants import Channel

from .. import registry
from ..figures import (
    Figures,
    Filters,
    add_months,
    last_day_of_month,
)
from ..models import (
    COUNTER_FIELDS,
    AgencyMonthStat,
    DossierFact,
    ProcedureMonthStat,
    ProvinceMonthStat,
    SectorMonthStat,
)
from .facts import RATINGS, fact_test, month_of, to_us
from .scope import open_facts, scope_q, scope_sql
from .snapshots import month_end, open_ends_through

# --- reading ----------------------------------------------------------------------------------


def split_period(
    filters: Filters,
) -> tuple[tuple[date, date] | None, list[tuple[datetime, datetime]]]:
    """Whole months inside the period, and the partial edges (as datetime windows)."""
    first = filters.start if filters.start.day == 1 else add_months(filters.start, 1)
    last_end = (
        filters.end
        if filters.end == last_day_of_month(filters.end)
        else filters.end.replace(day=1) - timedelta(days=1)
    )
    if first > last_end:
        return None, [filters.bounds()]
    edges = []
    if filters.start < first:
        edges.append(Filters(start=filters.start, end=first - timedelta(days=1)).bounds())
    if last_end < filters.end:
        edges.append(Filters(start=last_end + timedelta(days=1), end=filters.end).bounds())
    return (first, last_end.replace(day=1)), edges


def new_figures() -> Figures:
    return Figures()


#: (position in a row of ``COUNTER_FIELDS``, Figures field) of each metric summed as it is, and
#: the positions of the structured parts: derived from the registry, not spelled here.
_SUMMED = registry.summed_counters(COUNTER_FIELDS)
_CHANNELS = [
    (COUNTER_FIELDS.index(c.column), c.fact["channel"])
    for part, c in registry.STRUCTURED
    if part == "received_by_channel"
]
_RATED = [
    (COUNTER_FIELDS.index(c.column), c.fact["rating"])
    for part, c in registry.STRUCTURED
    if part == "rating_counts"
]
_RECEIVED = COUNTER_FIELDS.index("received")
_SECONDS = COUNTER_FIELDS.index("processing_seconds")


def apply(fig: Figures, c: dict[str, int], level: int | None = None) -> None:
    """Add a group's counters given by name (absent ones are 0) to ``fig``."""
    apply_all(fig, tuple(c.get(k, 0) or 0 for k in COUNTER_FIELDS), level)


def apply_all(fig: Figures, v: tuple[int, ...], level: int | None) -> None:
    """Add a row of every counter in ``COUNTER_FIELDS`` order to ``fig`` (the hot path of the
    pages: a few hundred rows per breakdown, read as plain tuples): each registry metric summed
    into its field, then the channels, the service level and the ratings."""
    for i, name in _SUMMED:
        if v[i]:
            setattr(fig, name, getattr(fig, name) + v[i])
    fig.processing_seconds += v[_SECONDS]
    channels = fig.received_by_channel
    for i, ch in _CHANNELS:
        if v[i]:
            channels[ch] = channels.get(ch, 0) + v[i]
    fig.received_online = channels.get(Channel.ONLINE, 0)
    if level is not None and v[_RECEIVED]:
        fig.received_by_level[level] = fig.received_by_level.get(level, 0) + v[_RECEIVED]
    ratings = fig.rating_counts
    for i, rating in _RATED:
        ratings[rating] = ratings.get(rating, 0) + v[i]


def group_value(row: Any, group: str | None, at: datetime | None = None) -> Any:
    if group is None:
        return None
    if group == "month":
        assert at is not None  # the month group passes the fact's time
        return month_of(at)
    return getattr(
        row, {"agency": "agency_id", "sector": "sector_id", "procedure": "procedure_id"}[group]
    )


def stored_open_month(filters: Filters, now: datetime, through: date | None) -> date | None:
    """The month whose kept month-end snapshot gives the period's in-progress figures: the period
    ends with a whole month that has ended, up to ``through`` (None: probe the facts instead)."""
    if through is None or filters.end != last_day_of_month(filters.end):
        return None
    month = filters.end.replace(day=1)
    if month > through or month_end(month) > now:
        return None
    return month


def collect(
    filters: Filters,
    group: str | None,
    *,
    with_in_progress: bool = True,
    now: datetime | None = None,
    only: str | None = None,
) -> dict[Any, Figures]:
    """Figures per group value (None: one group) for the period (``only``: just that counter).

    In progress: from the month-end snapshot summed with the counters when the period ends with a
    month that has ended and is kept, else probed from the facts at the period's end (or now). With
    ``group="month"`` each month's figures carry that month's end snapshot as kept (the caller,
    :func:`timeseries`, decides which months may use it)."""
    columns = COUNTER_FIELDS if only is None else [only]
    out: dict[Any, Figures] = defaultdict(new_figures)
    months, edges = split_period(filters)
    now = now or timezone.now()
    if filters.procedure_id is not None or group == "procedure":
        table: Any = ProcedureMonthStat
    elif filters.agency_ids is None and group != "agency":
        table = ProvinceMonthStat  # the whole province per sector: ~54 rows a month
    elif filters.sector_id is not None or group == "sector":
        table = SectorMonthStat
    else:
        table = AgencyMonthStat  # the per-agency rollup: ~20x fewer rows to sum
    stored = None
    if months is not None and only is None and with_in_progress and group != "month":
        stored = stored_open_month(filters, now, open_ends_through())
        if stored != months[1]:
            stored = None
    if months is not None:
        col = {
            "agency": "agency_id",
            "sector": "sector_id",
            "procedure": "procedure_id",
            "month": "month",
            None: None,
        }[group]
        # plain SQL and tuples: the ORM's compiling and per-value converters cost more than the
        # sums themselves (~15 of ~18 ms CPU for 300 agencies' rows)
        where, params = scope_sql(filters)
        sums = [f"CAST(SUM(f.{k}) AS BIGINT)" for k in columns]
        extra: list[Any] = []
        if group == "month" and only is None:
            sums += ["SUM(f.open_at_end)", "SUM(f.overdue_at_end)"]
        elif stored is not None:
            sums += [
                "SUM(f.open_at_end) FILTER (WHERE f.month = %s)",
                "SUM(f.overdue_at_end) FILTER (WHERE f.month = %s)",
            ]
            extra = [stored, stored]
        keys = "f.level" + (f", f.{col}" if col else "")
        sql = (
            f"SELECT {keys}, {', '.join(sums)} FROM {table._meta.db_table} f WHERE f.month >= %s AND f.month <= %s{where} "
            f"GROUP BY {keys}"
        )
        n = len(columns)
        with connection.cursor() as cur:
            cur.execute(sql, [*extra, months[0], months[1], *params])
            rows = cur.fetchall()
        first = 2 if col else 1
        for r in rows:
            fig = out[r[1] if col else None]
            if only is None:
                apply_all(fig, r[first : first + n], r[0])
            else:
                apply(fig, dict(zip(columns, r[first : first + n], strict=True)), r[0])
            if len(r) > first + n:
                fig.in_progress += r[first + n] or 0
                fig.in_progress_overdue += r[first + n + 1] or 0
    if edges:
        scope = scope_q(filters)
        for a, b in edges:
            for key, level, counters in edge_counters(scope, a, b, group, columns):
                apply(out[key], counters, level)
    if with_in_progress and group != "month" and stored is None:
        moment = filters.snapshot_moment(now)
        for key, n, late in in_progress_counts(filters, moment, group):
            fig = out[key]
            fig.in_progress, fig.in_progress_overdue = n, late
    for fig in out.values():
        fig.in_progress_on_time = fig.in_progress - fig.in_progress_overdue
        fig.rating_counts = {k: fig.rating_counts.get(k, 0) for k in RATINGS}
    return out


def month_windows(a: datetime, b: datetime) -> list[tuple[datetime, datetime]]:
    """``[a, b)`` cut at the local month starts inside it."""
    out = []
    while a < b:
        start = timezone.localtime(a).date().replace(day=1)
        nxt = Filters(start=add_months(start, 1), end=add_months(start, 1)).bounds()[0]
        out.append((a, min(nxt, b)))
        a = nxt
    return out


def edge_counters(
    scope: Q, a: datetime, b: datetime, group: str | None, columns: list[str]
) -> Iterator[tuple[Any, int, dict[str, int]]]:
    """The counters of the events in ``[a, b)`` per (group value, level), aggregated by the
    database over the facts' date indexes (the same rules as :func:`fact_events`). Only the
    supplement / apology timestamps (JSON lists) are counted here, from the few facts that have any
    in the window."""
    if group == "month":
        for wa, wb in month_windows(a, b):
            month = month_of(wa)
            for _key, level, counters in edge_counters(scope, wa, wb, None, columns):
                yield month, level, counters
        return
    col = {"agency": "agency_id", "sector": "sector_id", "procedure": "procedure_id", None: None}[
        group
    ]
    keys = [col, "level"] if col else ["level"]
    wanted = set(columns)
    facts = DossierFact.objects.filter(scope)
    lo, hi = to_us(a), to_us(b)
    lists: dict[tuple[str, str], list[tuple[str, list[registry.Count]]]] = {}
    for name, event in registry.EVENTS.items():
        counts = [c for c in registry.COUNTS if c.event == name and c.column in wanted]
        if not counts:
            continue
        if event.many:  # a JSON list: counted below, from the few facts with any in the window
            assert event.span is not None
            lists.setdefault(event.span, []).append((event.column, counts))
            continue
        aggs: dict[str, Any] = {
            c.column: (
                Coalesce(Sum(c.value), 0)
                if c.value is not None
                else Count("dossier_id", filter=Q(**c.fact) if c.fact else None)
            )
            for c in counts
        }
        qs = facts.filter(**{f"{event.column}__gte": a, f"{event.column}__lt": b}).filter(
            event_q(name)
        )
        # prefixed: some counters share a name with a fact column (digitised, payable, ...)
        for r in qs.values(*keys).annotate(**{f"s_{k}": v for k, v in aggs.items()}).order_by():
            yield (r[col] if col else None), r["level"], {k: r[f"s_{k}"] for k in aggs}
    for (first, last), events in lists.items():  # one read per span (both lists share one)
        columns_read = [column for column, _counts in events]
        needed = sorted({k.partition("__")[0] for _c, cs in events for c in cs for k in c.fact})
        tests = [[(c.column, fact_test(c.fact)) for c in counts] for _column, counts in events]
        rows = facts.filter(**{f"{first}__lt": b, f"{last}__gte": a}).values_list(
            *keys, *columns_read, *needed
        )
        k = len(keys)
        for row in rows:
            fact = SimpleNamespace(**dict(zip(needed, row[k + len(events) :], strict=True)))
            found: dict[str, int] = {}
            for i, tested in enumerate(tests):
                n = sum(1 for us in row[k + i] if lo <= us < hi)
                for column, test in tested:
                    found[column] = n if test is None or test(fact) else 0
            yield (row[0] if col else None), row[k - 1], found


def event_q(name: str) -> Q:
    """The facts that count at the event ``name`` toward at least one counter (as
    :func:`fact_events` skips an event that adds to none): the registry's conditions OR-ed."""
    counts = [c for c in registry.COUNTS if c.event == name]
    if any(c.value is not None or not c.fact for c in counts):
        return Q()
    return reduce(or_, (Q(**c.fact) for c in counts))


def in_progress_counts(
    filters: Filters, moment: datetime, group: str | None
) -> list[tuple[Any, int, int]]:
    from django.db.models import Count

    qs = open_facts(filters, moment)
    late = Count("dossier_id", filter=Q(due_at__lt=moment))
    if group is None:
        r = qs.aggregate(n=Count("dossier_id"), late=late)
        return [(None, r["n"], r["late"])]
    col = {"agency": "agency_id", "sector": "sector_id", "procedure": "procedure_id"}[group]
    return [
        (r[col], r["n"], r["late"])
        for r in qs.values(col).annotate(n=Count("dossier_id"), late=late).order_by()
    ]


def figures(filters: Filters, *, now: datetime | None = None) -> Figures:
    return collect(filters, None, now=now).get(None) or collect_empty()


def collect_empty() -> Figures:
    fig = new_figures()
    fig.rating_counts = dict.fromkeys(RATINGS, 0)
    return fig
