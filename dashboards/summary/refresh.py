"""The incremental refresh: dirty dossiers' facts rebuilt, their (agency, month) counters recomputed; the full rebuild."""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from dossiers.constants import DossierStatus
from dossiers.models import Dossier

from ..metrics import CalendarCache
from ..models import (
    AgencyMonthStat,
    DirtyDossier,
    DossierFact,
    ProcedureMonthStat,
    ProcedureTimeMonth,
    ProvinceMonthStat,
    SectorMonthStat,
    SummaryState,
)
from .facts import (
    LOCK_KEY,
    ROW_FIELDS,
    STORED_FACT_FIELDS,
    Acc,
    FactRow,
    build_fact_rows,
    build_facts,
    fact_events,
    month_of,
)
from .rebuild_sql import rebuild_months_sql
from .snapshots import (
    STORED,
    advance_open_ends,
    fact_keys,
    month_bounds,
    open_ends_through,
    open_groups,
    rebuild_province_months,
    window_q,
)

logger = logging.getLogger("dashboards.summary")


def as_row(values: Any) -> FactRow:
    if isinstance(values, DossierFact):
        return FactRow(*(getattr(values, n) for n in ROW_FIELDS))
    return FactRow(*values)


def recompute_months(keys: Iterable[tuple[int, date]]) -> int:
    """Rebuild the monthly counters of these (agency, month) keys from the facts (then their
    month-end snapshots, the province's rows of those months and the procedures' times).

    Month by month: one read of the facts with an event that month at any of its agencies, one
    delete per table for all the keys and one insert per table (per key, the ~6 statements and
    their compiling cost more than the counting)."""
    by_month: dict[date, set[int]] = defaultdict(set)
    for agency_id, month in keys:
        by_month[month].add(agency_id)
    if not by_month:
        return 0
    through = open_ends_through()
    groups: dict[tuple[Any, ...], Acc] = {}
    where = Q(pk__in=[])
    for month, agencies in sorted(by_month.items()):
        a, b = month_bounds(month)
        facts = DossierFact.objects.filter(
            window_q(a, b), agency_id__in=sorted(agencies)
        ).values_list(*ROW_FIELDS)
        groups.update(
            bucket_rows((as_row(v) for v in facts), lambda at, a=a, b=b: a <= at < b, month)
        )
        if through is not None and month <= through:  # the month-end snapshot goes in the same rows
            for agency_id, path, sector_id, level, procedure_id, n, late in open_groups(
                month, sorted(agencies)
            ):
                acc = groups.get((agency_id, path, sector_id, level, procedure_id, month))
                if acc is None:
                    acc = groups[(agency_id, path, sector_id, level, procedure_id, month)] = Acc()
                acc.c["open_at_end"] += n
                acc.c["overdue_at_end"] += late
        where |= Q(month=month, agency_id__in=sorted(agencies))
    touched = set(ProcedureMonthStat.objects.filter(where).values_list("procedure_id", "month"))
    for table in (SectorMonthStat, AgencyMonthStat, ProcedureMonthStat):
        table.objects.filter(where).delete()
    written = write_months(groups)
    touched |= {(k[4], k[5]) for k in groups}
    rebuild_province_months(by_month)
    rebuild_procedure_times(touched)
    return written


def rebuild_procedure_times(keys: set[tuple[int, date]] | None = None) -> None:
    """Recompute the province-wide (procedure, month) processing times from the per-agency rows
    (all of them, or those of the given keys' procedures and months: a few more pairs than asked,
    each recomputed whole, instead of one OR-ed condition per pair)."""
    rows = ProcedureMonthStat.objects.filter(resolved__gt=0)
    target = ProcedureTimeMonth.objects.all()
    if keys is not None:
        if not keys:
            return
        q = Q(
            procedure_id__in=sorted({pid for pid, _m in keys}),
            month__in=sorted({m for _pid, m in keys}),
        )
        rows, target = rows.filter(q), target.filter(q)
    target.delete()
    acc: dict[tuple[int, date], list[Any]] = {}
    for pid, sid, level, month, n, secs, hist in rows.values_list(
        "procedure_id",
        "sector_id",
        "level",
        "month",
        "resolved",
        "processing_seconds",
        "hours_histogram",
    ).iterator(chunk_size=20000):
        a = acc.setdefault((pid, month), [sid, level, 0, 0, Counter()])
        a[2] += n
        a[3] += secs
        for k, v in hist.items():
            a[4][int(k)] += v
    ProcedureTimeMonth.objects.bulk_create(
        [
            ProcedureTimeMonth(
                procedure_id=pid,
                month=month,
                sector_id=a[0],
                level=a[1],
                resolved=a[2],
                processing_seconds=a[3],
                hours_histogram={str(k): v for k, v in sorted(a[4].items())},
            )
            for (pid, month), a in acc.items()
        ],
        batch_size=5000,
    )


def bucket_rows(
    rows: Iterable[FactRow], keep: Any, month: date | None
) -> dict[tuple[Any, ...], Acc]:
    """Accumulate facts' events into (agency, path, sector, level, procedure, month) groups;
    ``month`` None: the event's own month."""
    groups: dict[tuple[Any, ...], Acc] = {}
    for f in rows:
        for at, counters, hours in fact_events(f):
            if not keep(at):
                continue
            key = (
                f.agency_id,
                f.agency_path,
                f.sector_id,
                f.level,
                f.procedure_id,
                month or month_of(at),
            )
            acc = groups.get(key)
            if acc is None:
                acc = groups[key] = Acc()
            acc.add(counters, hours)
    return groups


def write_months(groups: dict[tuple[Any, ...], Acc], batch: int = 5000) -> int:
    """Insert the rows of these (agency, path, sector, level, procedure, month) groups in the
    three tables (counters, and the month-end snapshot when the groups carry it)."""
    sectors: dict[tuple[Any, ...], Acc] = {}
    procs = []
    for (agency_id, path, sector_id, level, procedure_id, month), acc in groups.items():
        procs.append(
            ProcedureMonthStat(
                agency_id=agency_id,
                agency_path=path,
                sector_id=sector_id,
                level=level,
                procedure_id=procedure_id,
                month=month,
                hours_histogram={str(k): v for k, v in sorted(acc.hist.items())},
                **{k: acc.c.get(k, 0) for k in STORED},
            )
        )
        s = sectors.setdefault((agency_id, path, sector_id, level, month), Acc())
        s.c.update(acc.c)
    ProcedureMonthStat.objects.bulk_create(procs, batch_size=batch)
    SectorMonthStat.objects.bulk_create(
        [
            SectorMonthStat(
                agency_id=a,
                agency_path=p,
                sector_id=s,
                level=lv,
                month=m,
                **{k: acc.c.get(k, 0) for k in STORED},
            )
            for (a, p, s, lv, m), acc in sectors.items()
        ],
        batch_size=batch,
    )
    agencies: dict[tuple[Any, ...], Counter[Any]] = {}
    for (a, p, _s, lv, m), acc in sectors.items():
        agencies.setdefault((a, p, lv, m), Counter()).update(acc.c)
    AgencyMonthStat.objects.bulk_create(
        [
            AgencyMonthStat(
                agency_id=a, agency_path=p, level=lv, month=m, **{k: c.get(k, 0) for k in STORED}
            )
            for (a, p, lv, m), c in agencies.items()
        ],
        batch_size=batch,
    )
    return len(procs)


def lock_refreshes() -> None:
    """One refresh or rebuild at a time (an advisory lock held to the end of the transaction)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


@dataclass
class RefreshResult:
    dossiers: int
    months: int
    rows: int


def refresh(limit: int = 5000) -> RefreshResult:
    """Bring the summary tables up to date for the dossiers marked dirty (at most ``limit`` per
    call; the beat task calls again). Idempotent; one refresh at a time."""
    with transaction.atomic():
        lock_refreshes()
        through = advance_open_ends()
        claimed = list(
            DirtyDossier.objects.order_by("marked_at").values_list("dossier_id", "marked_at")[
                :limit
            ]
        )
        if not claimed:
            return RefreshResult(0, 0, 0)
        ids = [pk for pk, _at in claimed]
        old = {f.dossier_id: f for f in DossierFact.objects.filter(dossier_id__in=ids)}
        new = build_facts(ids)
        keys: set[tuple[int, date]] = set()
        for f in old.values():
            keys |= fact_keys(f, through)
        for f in new:
            keys |= fact_keys(f, through)
        DossierFact.objects.filter(dossier_id__in=ids).delete()
        DossierFact.objects.bulk_create(new)
        unmark(claimed)
        rows = recompute_months(keys)
    logger.info("dashboards.refreshed", extra={"dossiers": len(ids), "months": len(keys)})
    return RefreshResult(len(ids), len(keys), rows)


def mark_dirty(dossier_ids: Iterable[int]) -> None:
    """Mark dossiers for the next refresh (inside the caller's transaction). A dossier already
    marked gets a new mark time, so a refresh that read the older mark leaves it for the next run."""
    now = timezone.now()
    DirtyDossier.objects.bulk_create(
        [DirtyDossier(dossier_id=i, marked_at=now) for i in set(dossier_ids)],
        update_conflicts=True,
        unique_fields=["dossier_id"],
        update_fields=["marked_at"],
    )


def unmark(claimed: list[tuple[int, datetime]]) -> None:
    """Remove the marks this refresh handled, unless a change re-marked the dossier meanwhile."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(
                "DELETE FROM dashboards_dirtydossier d USING unnest(%s::bigint[], %s::timestamptz[]) AS c(id, at) "
                "WHERE d.dossier_id = c.id AND d.marked_at = c.at",
                [[pk for pk, _ in claimed], [at for _, at in claimed]],
            )
        return
    for pk, at in claimed:
        DirtyDossier.objects.filter(dossier_id=pk, marked_at=at).delete()


def rebuild_all(*, batch: int = 20000, progress: Any = None) -> int:
    """Rebuild every fact and every monthly counter (after a bulk load or an agency move).
    Readers keep the old tables until the commit."""
    with transaction.atomic():
        lock_refreshes()
        if connection.vendor == "postgresql":
            from .bulk import tune_session_for_load

            tune_session_for_load()
        DossierFact.objects.all().delete()
        ids = list(
            Dossier.objects.exclude(status=DossierStatus.DRAFT)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        cals = (
            CalendarCache()
        )  # one calendar look-up per agency for the whole rebuild, not per batch
        for i in range(0, len(ids), batch):
            store_facts(build_fact_rows(ids[i : i + batch], cals))
            if progress:
                progress(min(i + batch, len(ids)), len(ids))
        if progress and not ids:
            progress(0, 0)
        DirtyDossier.objects.all().delete()
        return rebuild_months()


def store_facts(rows: list[tuple[Any, ...]]) -> None:
    if connection.vendor != "postgresql":
        DossierFact.objects.bulk_create(
            [DossierFact(**dict(zip(STORED_FACT_FIELDS, r, strict=True))) for r in rows],
            batch_size=2000,
        )
        return
    from .bulk import copy_rows

    copy_rows(DossierFact._meta.db_table, STORED_FACT_FIELDS, rows)


def rebuild_months(*, exclusive: bool = False, progress: Any = None) -> int:
    """Recompute every monthly counter from the facts: on PostgreSQL set-based in SQL
    (:func:`rebuild_months_sql`; ``exclusive``: for a bulk load, see there), elsewhere in one
    Python pass (:func:`rebuild_months_python`); then every ended month's in-progress snapshot
    and the province-wide rollup. Returns the number of (agency, procedure, month) rows."""
    if connection.vendor == "postgresql":
        written = rebuild_months_sql(exclusive=exclusive, progress=progress)
    else:
        written = rebuild_months_python()
        if progress:
            progress(1, 1)
    rebuild_snapshots(analyze=exclusive)
    return written


def rebuild_snapshots(*, analyze: bool = False) -> None:
    """After the counters were rebuilt: every ended month's in-progress snapshot (from the first
    fact's month) and the province-wide rollup. ``analyze``: a bulk load just wrote the facts, so
    the planner learns their size before the month-end probes use their index."""
    if analyze and connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(f"ANALYZE {DossierFact._meta.db_table}")
    SummaryState.objects.filter(pk=1).delete()
    advance_open_ends(province=False)
    rebuild_province_months()


def rebuild_months_python() -> int:
    """The monthly counters by :func:`fact_events`, the rule itself, one fact at a time."""
    for table in (SectorMonthStat, AgencyMonthStat, ProvinceMonthStat, ProcedureMonthStat):
        table.objects.all().delete()
    rows = (
        FactRow(*v) for v in DossierFact.objects.values_list(*ROW_FIELDS).iterator(chunk_size=20000)
    )
    written = write_months(bucket_rows(rows, lambda at: True, None))
    rebuild_procedure_times()
    return written
