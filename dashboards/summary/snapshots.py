"""Month bounds and the month-end in-progress snapshots kept on the monthly rows."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Q, Sum
from django.utils import timezone

from .. import registry
from ..figures import (
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
    StatCounters,
    SummaryState,
)
from .facts import fact_events, month_of
from .scope import open_at

# --- refresh ----------------------------------------------------------------------------------


def window_q(a: datetime, b: datetime) -> Q:
    """Facts with at least one event in [a, b) (of the registry's :data:`~dashboards.registry.
    EVENTS`: a list event by the span of its moments)."""
    parts: list[Q] = []
    spans = set()
    for event in registry.EVENTS.values():
        if event.span is None:
            parts.append(Q(**{f"{event.column}__gte": a, f"{event.column}__lt": b}))
        elif event.span not in spans:
            spans.add(event.span)
            first, last = event.span
            parts.append(Q(**{f"{first}__lt": b, f"{last}__gte": a}))
    return reduce(or_, parts)


def month_bounds(month: date) -> tuple[datetime, datetime]:
    return Filters(start=month, end=last_day_of_month(month)).bounds()


def fact_keys(f: Any, through: date | None = None) -> set[tuple[int, date]]:
    """The (agency, month) counters a fact adds to: the months of its events and, up to
    ``through``, the months at whose end it was in progress (their ``open_at_end``)."""
    keys = {(f.agency_id, month_of(at)) for at, _c, _h in fact_events(f)}
    return keys | {(f.agency_id, m) for m in open_months(f.received_at, f.exit_at, through)}


def month_end(month: date) -> datetime:
    """The moment ``month`` ends: the next month's first 00:00 in the portal's time zone."""
    return month_bounds(month)[1]


def open_months(
    received_at: datetime | None, exit_at: datetime | None, through: date | None
) -> list[date]:
    """The months up to ``through`` at whose end a fact with this open interval was in progress:
    received before the end and not exited before it (``received_at < end <= exit_at``)."""
    if received_at is None or through is None:
        return []
    out = []
    m = month_of(received_at)
    while m <= through:
        end = month_end(m)
        if exit_at is not None and exit_at < end:
            break
        if received_at < end:
            out.append(m)
        m = add_months(m, 1)
    return out


def open_ends_through() -> date | None:
    """The last month whose month-end snapshot is kept (None: none kept yet)."""
    return SummaryState.objects.filter(pk=1).values_list("open_ends_through", flat=True).first()


def last_ended_month(now: datetime | None = None) -> date:
    return add_months(month_of(now or timezone.now()), -1)


#: The unique key of each monthly table, for the month-end snapshot's upsert.
OPEN_KEYS: dict[type[StatCounters], list[str]] = {
    ProcedureMonthStat: ["agency_id", "procedure_id", "month"],
    SectorMonthStat: ["agency_id", "sector_id", "level", "month"],
    AgencyMonthStat: ["agency_id", "level", "month"],
}
OPEN_FIELDS = ["open_at_end", "overdue_at_end"]
STORED = [*COUNTER_FIELDS, *OPEN_FIELDS]


def store_open_ends(month: date, agency_ids: Iterable[int] | None = None) -> int:
    """Set the month-end snapshot of ``month`` (every agency, or these) in the three monthly
    tables from the facts open at its end: one grouped probe of the open interval's index, then an
    upsert (a group with dossiers open at the end but no event that month gets a row of its own).
    Rows that only carried a snapshot are removed first, the others' snapshot zeroed."""
    scope = Q(month=month)
    if agency_ids is not None:
        agency_ids = list(agency_ids)
        scope &= Q(agency_id__in=agency_ids)
    only_open = Q(**{k: 0 for k in COUNTER_FIELDS})
    for table in OPEN_KEYS:
        table._default_manager.filter(scope & only_open).delete()
        table._default_manager.filter(scope).exclude(open_at_end=0, overdue_at_end=0).update(
            open_at_end=0, overdue_at_end=0
        )
    groups = open_groups(month, agency_ids)
    per: dict[Any, dict[tuple[Any, ...], list[int]]] = {table: {} for table in OPEN_KEYS}
    for agency_id, path, sector_id, level, procedure_id, n, late in groups:
        base = (agency_id, path, level)
        for table, key in (
            (ProcedureMonthStat, (*base, sector_id, procedure_id)),
            (SectorMonthStat, (*base, sector_id)),
            (AgencyMonthStat, base),
        ):
            acc = per[table].setdefault(key, [0, 0])
            acc[0] += n
            acc[1] += late
    for table, rows in per.items():
        objs = []
        for row_key, (n, late) in rows.items():
            values = {
                "agency_id": row_key[0],
                "agency_path": row_key[1],
                "level": row_key[2],
                "month": month,
                "open_at_end": n,
                "overdue_at_end": late,
            }
            if table is not AgencyMonthStat:
                values["sector_id"] = row_key[3]
            if table is ProcedureMonthStat:
                values["procedure_id"] = row_key[4]
            objs.append(table(**values))
        table.objects.bulk_create(
            objs,
            batch_size=5000,
            update_conflicts=True,
            unique_fields=OPEN_KEYS[table],
            update_fields=OPEN_FIELDS,
        )
    return len(groups)


def open_groups(
    month: date, agency_ids: list[int] | None = None
) -> list[tuple[int, str, int, int, int, int, int]]:
    """(agency, path, sector, level, procedure, open, overdue) of the facts in progress at the end
    of ``month`` (of these agencies): one grouped probe of the open interval's index."""
    from django.db.models import Count

    moment = month_end(month)
    facts = (
        DossierFact.objects.all()
        if agency_ids is None
        else DossierFact.objects.filter(agency_id__in=agency_ids)
    )
    return list(
        open_at(facts, moment)
        .values_list("agency_id", "agency_path", "sector_id", "level", "procedure_id")
        .annotate(n=Count("dossier_id"), late=Count("dossier_id", filter=Q(due_at__lt=moment)))
        .order_by()
    )


def advance_open_ends(now: datetime | None = None, *, province: bool = True) -> date:
    """Keep the month-end snapshots of every month that has ended (called by each refresh: a
    no-op but for the first refresh after a month ends, which adds that month's)."""
    target = last_ended_month(now)
    state = SummaryState.objects.filter(pk=1).first()
    through = state.open_ends_through if state is not None else None
    if through is not None and through >= target:
        if (
            through > target
        ):  # the clock went back (tests travel in time): months after now are not kept
            SummaryState.objects.filter(pk=1).update(open_ends_through=target)
        return target
    if through is None:
        first = (
            DossierFact.objects.exclude(received_at=None)
            .order_by("received_at")
            .values_list("received_at", flat=True)
            .first()
        )
        month = month_of(first) if first is not None else target
    else:
        month = add_months(through, 1)
    stored = []
    while month <= target:
        store_open_ends(month)
        stored.append(month)
        month = add_months(month, 1)
    if province:
        rebuild_province_months(stored)
    SummaryState.objects.update_or_create(pk=1, defaults={"open_ends_through": target})
    return target


def rebuild_province_months(months: Iterable[date] | None = None) -> int:
    """Recompute the province-wide rows of these months (None: all) from the sector rows, after
    those changed (counters or month-end snapshots)."""
    fields = STORED
    rows, target = SectorMonthStat.objects.all(), ProvinceMonthStat.objects.all()
    if months is not None:
        months = sorted(set(months))
        if not months:
            return 0
        rows, target = rows.filter(month__in=months), target.filter(month__in=months)
    target.delete()
    sums = (
        rows.values("sector_id", "level", "month")
        .annotate(**{f"s_{k}": Sum(k) for k in fields})
        .order_by()
    )
    objs = [
        ProvinceMonthStat(
            sector_id=r["sector_id"],
            level=r["level"],
            month=r["month"],
            **{k: r[f"s_{k}"] or 0 for k in fields},
        )
        for r in sums
    ]
    ProvinceMonthStat.objects.bulk_create(objs, batch_size=5000)
    return len(objs)
