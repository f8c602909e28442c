"""Summary tables: building the facts, refreshing the monthly counters, and reading them.

How the numbers stay exact and cheap:

* every state change writes a :class:`~dashboards.models.DirtyDossier` row in its own
  transaction (signals on the history row and on payments, :mod:`dashboards.signals`);
* :func:`refresh` (Celery task on beat every minute and right after changes, via the outbox)
  rebuilds those dossiers' facts and recomputes the monthly counters of every (agency, month) the
  old or new fact touches (its events' months, and the months at whose end it was open) — nothing
  else;
* readers sum the monthly counters for the whole months of a period and add the facts of the
  partial months at its edges (custom periods), so any period is exact; the in-progress snapshot
  at a moment reads the facts open at that moment (GiST index on their open interval), except at
  the end of a month that has ended: each monthly row keeps how many of its group's dossiers were
  open (and overdue) then, refreshed with the row and added by the first refresh after the month
  ends (:func:`advance_open_ends`), so past periods and the chart's months read no facts at all;
* the counters are kept per (agency, sector, level, month) and per (agency, procedure, month),
  rolled up per (agency, level, month) and, over the whole province, per (sector, level, month):
  each reader sums the smallest table its filters and grouping allow.

Each counter follows one rule, :func:`fact_events`, used both to fill the tables and to read the
edges, and defined like :func:`dashboards.selectors.direct_figures` (the agreement test checks).
"""

from __future__ import annotations

import logging
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from dossiers.constants import DossierStatus, Rating, Timeliness
from dossiers.models import Apology, Dossier, DossierEvent, DossierFile, SupplementRequest
from portal.agencies.models import Agency

from .figures import (
    Figures,
    Filters,
    GroupRow,
    ProcedureTime,
    add_months,
    hours_bucket,
    last_day_of_month,
    procedure_times_from,
)
from .metrics import CalendarCache, processing_seconds
from .models import (
    COUNTER_FIELDS,
    AgencyMonthStat,
    DirtyDossier,
    DossierFact,
    ProcedureMonthStat,
    ProcedureTimeMonth,
    ProvinceMonthStat,
    SectorMonthStat,
    SummaryState,
)

logger = logging.getLogger(__name__)

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_CLOSING = (DossierStatus.NOT_RECEIVED, DossierStatus.WITHDRAWN, DossierStatus.STOPPED)
_CLOSED_FIELD = {
    DossierStatus.NOT_RECEIVED: "refused",
    DossierStatus.WITHDRAWN: "withdrawn",
    DossierStatus.STOPPED: "stopped",
}
_TIMELINESS_FIELD = {
    Timeliness.EARLY: "early",
    Timeliness.ON_TIME: "on_time",
    Timeliness.LATE: "late",
}
_RATING_FIELD = {
    Rating.SATISFIED: "rated_satisfied",
    Rating.ACCEPTABLE: "rated_acceptable",
    Rating.NOT_SATISFIED: "rated_not_satisfied",
}
#: ``Rating.values`` once (Django computes the property on every access: ~30 us, per figure).
_RATINGS = tuple(Rating.values)
#: Serialises refreshes (two workers recomputing the same month would collide).
_LOCK_KEY = 766_0001


def to_us(moment: datetime) -> int:
    return (moment - EPOCH) // timedelta(microseconds=1)


def from_us(us: int) -> datetime:
    return EPOCH + timedelta(microseconds=us)


def month_of(moment: datetime) -> date:
    return timezone.localtime(moment).date().replace(day=1)


# --- facts ------------------------------------------------------------------------------------


def fact_values(
    *,
    dossier_id: int,
    agency_id: int,
    agency_path: str,
    sector_id: int,
    procedure_id: int,
    level: int,
    channel: int,
    status: int,
    received_at: datetime | None,
    counting_start: datetime | None,
    due_at: datetime | None,
    finished_at: datetime | None,
    timeliness: str,
    returned_at: datetime | None,
    rating: str,
    rated_at: datetime | None,
    result_file: str,
    fee_total: Any,
    closed_at: datetime | None,
    closed_status: int | None,
    supplement_ats: list[int],
    pauses: list[tuple[datetime, datetime]],
    apology_ats: list[int],
    digitised: bool,
    paid_online: bool,
    calendar: Any,
) -> tuple:
    """The fact of one dossier as a tuple in :data:`FACT_FIELDS` order: the one rule, used by
    :func:`build_facts` (from the database) and by the province generator (from the values it has
    just written, so a million facts need no read-back). ``closed_*``: the last history row that
    brought status 3 / 7 / 8; ``supplement_ats`` / ``apology_ats``: epoch microseconds of the
    requests and of the sent apologies; ``pauses``: the answered requests made during processing."""
    exit_at = None
    if received_at is not None:
        if finished_at is not None:
            exit_at = finished_at
        elif closed_status in (DossierStatus.WITHDRAWN, DossierStatus.STOPPED):
            exit_at = closed_at
        if exit_at is not None and exit_at < received_at:
            exit_at = received_at  # keeps the open interval valid (the index needs lower <= upper)
    proc = None
    if finished_at is not None:
        proc = processing_seconds(counting_start, finished_at, pauses, calendar)
    sups = sorted(supplement_ats) if len(supplement_ats) > 1 else list(supplement_ats)
    apos = sorted(apology_ats) if len(apology_ats) > 1 else list(apology_ats)
    if sups or apos:
        extra = sups + apos
        first_at, last_at = from_us(min(extra)), from_us(max(extra))
    else:
        first_at = last_at = None
    payable = (fee_total or 0) > 0
    return (
        dossier_id,
        agency_id,
        agency_path,
        sector_id,
        procedure_id,
        level,
        channel,
        status,
        received_at,
        due_at,
        finished_at,
        exit_at,
        timeliness or "",
        proc,
        returned_at,
        closed_at,
        closed_status,
        rating or "",
        rated_at if rating else None,
        sups,
        apos,
        first_at,
        last_at,
        digitised,
        bool(result_file),
        payable,
        payable and paid_online,
    )


def build_fact_rows(dossier_ids: Iterable[int], cals: CalendarCache | None = None) -> list[tuple]:
    """The current facts of these dossiers as :data:`FACT_FIELDS` tuples (drafts have none);
    ``cals``: the agencies' calendars, shared between batches."""
    ids = list(dossier_ids)
    if not ids:
        return []
    dossiers = list(
        Dossier.objects.filter(pk__in=ids)
        .exclude(status=DossierStatus.DRAFT)
        .values_list(
            "pk",
            "receiving_agency_id",
            "receiving_agency__path",
            "procedure__sector_id",
            "procedure_id",
            "procedure__level",
            "channel",
            "status",
            "received_at",
            "counting_start",
            "due_at",
            "finished_at",
            "timeliness",
            "returned_at",
            "rating",
            "rated_at",
            "result_file",
            "fee_total",
        )
    )
    ids = [d[0] for d in dossiers]
    closing: dict[int, tuple[datetime, int]] = {}
    for dossier_id, at, status in (
        DossierEvent.objects.filter(dossier_id__in=ids, to_status__in=_CLOSING)
        .exclude(from_status=F("to_status"))
        .order_by("dossier_id", "seq")
        .values_list("dossier_id", "created_at", "to_status")
    ):
        closing[dossier_id] = (at, status)
    supplements: dict[int, list[int]] = defaultdict(list)
    pauses: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    for dossier_id, at, during, answered in SupplementRequest.objects.filter(
        dossier_id__in=ids
    ).values_list("dossier_id", "requested_at", "during_processing", "answered_at"):
        supplements[dossier_id].append(to_us(at))
        if during and answered is not None:
            pauses[dossier_id].append((at, answered))
    apologies: dict[int, list[int]] = defaultdict(list)
    for dossier_id, at in Apology.objects.filter(
        dossier_id__in=ids, sent_at__isnull=False
    ).values_list("dossier_id", "sent_at"):
        apologies[dossier_id].append(to_us(at))
    digitised = set(
        DossierFile.objects.filter(dossier_id__in=ids, is_digitised=True).values_list(
            "dossier_id", flat=True
        )
    )
    from dossiers.payments.constants import PaymentMethod, PaymentStatus
    from dossiers.payments.models import Payment

    paid_online = set(
        Payment.objects.filter(
            dossier_id__in=ids, method=PaymentMethod.ONLINE, status=PaymentStatus.PAID
        ).values_list("dossier_id", flat=True)
    )
    cals = cals or CalendarCache()
    rows = []
    for (
        pk,
        agency_id,
        path,
        sector_id,
        procedure_id,
        level,
        channel,
        status,
        received_at,
        counting_start,
        due_at,
        finished_at,
        timeliness,
        returned_at,
        rating,
        rated_at,
        result_file,
        fee_total,
    ) in dossiers:
        closed_at, closed_status = closing.get(pk, (None, None))
        rows.append(
            fact_values(
                dossier_id=pk,
                agency_id=agency_id,
                agency_path=path,
                sector_id=sector_id,
                procedure_id=procedure_id,
                level=level,
                channel=channel,
                status=status,
                received_at=received_at,
                counting_start=counting_start,
                due_at=due_at,
                finished_at=finished_at,
                timeliness=timeliness,
                returned_at=returned_at,
                rating=rating,
                rated_at=rated_at,
                result_file=result_file,
                fee_total=fee_total,
                closed_at=closed_at,
                closed_status=closed_status,
                supplement_ats=supplements.get(pk, []),
                pauses=pauses.get(pk, []),
                apology_ats=apologies.get(pk, []),
                digitised=pk in digitised,
                paid_online=pk in paid_online,
                calendar=cals(agency_id),
            )
        )
    return rows


def build_facts(dossier_ids: Iterable[int]) -> list[DossierFact]:
    """The current facts of these dossiers (drafts have none)."""
    return [
        DossierFact(**dict(zip(FACT_FIELDS, row, strict=True)))
        for row in build_fact_rows(dossier_ids)
    ]


FACT_FIELDS = [
    "dossier_id",
    "agency_id",
    "agency_path",
    "sector_id",
    "procedure_id",
    "level",
    "channel",
    "status",
    "received_at",
    "due_at",
    "finished_at",
    "exit_at",
    "timeliness",
    "processing_seconds",
    "returned_at",
    "closed_at",
    "closed_status",
    "rating",
    "rated_at",
    "supplement_ats",
    "apology_ats",
    "extra_first_at",
    "extra_last_at",
    "digitised",
    "e_result",
    "payable",
    "online_paid",
]


@dataclass(frozen=True)
class FactRow:
    """The fields of a fact the counters read (a light tuple, not a model instance)."""

    agency_id: int
    agency_path: str
    sector_id: int
    procedure_id: int
    level: int
    channel: int
    received_at: datetime | None
    finished_at: datetime | None
    timeliness: str
    processing_seconds: int | None
    returned_at: datetime | None
    closed_at: datetime | None
    closed_status: int | None
    rating: str
    rated_at: datetime | None
    supplement_ats: list
    apology_ats: list
    digitised: bool
    e_result: bool
    payable: bool
    online_paid: bool


ROW_FIELDS = list(FactRow.__dataclass_fields__)


def fact_events(f: FactRow) -> Iterator[tuple[datetime, dict[str, int], int | None]]:
    """Each dated event of a fact with the counters it adds (and, for an approval, the whole
    working hours for the histogram). The one rule behind every counter."""
    if f.received_at is not None:
        c = {"received": 1, f"received_c{f.channel}": 1}
        if f.digitised:
            c["digitised"] = 1
        if f.payable:
            c["payable"] = 1
            if f.online_paid:
                c["online_paid"] = 1
        yield f.received_at, c, None
    if f.finished_at is not None:
        c = {"resolved": 1, "processing_seconds": f.processing_seconds or 0}
        if f.timeliness in _TIMELINESS_FIELD:
            c[_TIMELINESS_FIELD[f.timeliness]] = 1
        yield f.finished_at, c, hours_bucket(f.processing_seconds or 0)
    if f.returned_at is not None:
        yield (
            f.returned_at,
            ({"returned": 1, "e_results": 1} if f.e_result else {"returned": 1}),
            None,
        )
    if f.closed_at is not None and f.closed_status in _CLOSED_FIELD:
        yield f.closed_at, {_CLOSED_FIELD[f.closed_status]: 1}, None
    if f.rated_at is not None and f.rating:
        yield f.rated_at, {"rated": 1, _RATING_FIELD[f.rating]: 1}, None
    for us in f.supplement_ats:
        yield from_us(us), {"supplement_requests": 1}, None
    for us in f.apology_ats:
        yield from_us(us), {"apologies": 1}, None


class Acc:
    """Counters plus a working-hours histogram."""

    __slots__ = ("c", "hist")

    def __init__(self) -> None:
        self.c: Counter[str] = Counter()
        self.hist: Counter[int] = Counter()

    def add(self, counters: dict[str, int], hours: int | None) -> None:
        self.c.update(counters)
        if hours is not None:
            self.hist[hours] += 1


# --- refresh ----------------------------------------------------------------------------------


def _window_q(a: datetime, b: datetime) -> Q:
    """Facts with at least one event in [a, b)."""
    return (
        Q(received_at__gte=a, received_at__lt=b)
        | Q(finished_at__gte=a, finished_at__lt=b)
        | Q(returned_at__gte=a, returned_at__lt=b)
        | Q(closed_at__gte=a, closed_at__lt=b)
        | Q(rated_at__gte=a, rated_at__lt=b)
        | Q(extra_first_at__lt=b, extra_last_at__gte=a)
    )


def _month_bounds(month: date) -> tuple[datetime, datetime]:
    return Filters(start=month, end=last_day_of_month(month)).bounds()


def _fact_keys(f: Any, through: date | None = None) -> set[tuple[int, date]]:
    """The (agency, month) counters a fact adds to: the months of its events and, up to
    ``through``, the months at whose end it was in progress (their ``open_at_end``)."""
    keys = {(f.agency_id, month_of(at)) for at, _c, _h in fact_events(f)}
    return keys | {(f.agency_id, m) for m in open_months(f.received_at, f.exit_at, through)}


def month_end(month: date) -> datetime:
    """The moment ``month`` ends: the next month's first 00:00 in the portal's time zone."""
    return _month_bounds(month)[1]


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
_OPEN_KEYS = {
    ProcedureMonthStat: ["agency_id", "procedure_id", "month"],
    SectorMonthStat: ["agency_id", "sector_id", "level", "month"],
    AgencyMonthStat: ["agency_id", "level", "month"],
}
OPEN_FIELDS = ["open_at_end", "overdue_at_end"]
_STORED = [*COUNTER_FIELDS, *OPEN_FIELDS]


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
    for table in _OPEN_KEYS:
        table.objects.filter(scope & only_open).delete()
        table.objects.filter(scope).exclude(open_at_end=0, overdue_at_end=0).update(
            open_at_end=0, overdue_at_end=0
        )
    groups = _open_groups(month, agency_ids)
    per: dict[Any, dict[tuple, list[int]]] = {table: {} for table in _OPEN_KEYS}
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
        for key, (n, late) in rows.items():
            values = {
                "agency_id": key[0],
                "agency_path": key[1],
                "level": key[2],
                "month": month,
                "open_at_end": n,
                "overdue_at_end": late,
            }
            if table is not AgencyMonthStat:
                values["sector_id"] = key[3]
            if table is ProcedureMonthStat:
                values["procedure_id"] = key[4]
            objs.append(table(**values))
        table.objects.bulk_create(
            objs,
            batch_size=5000,
            update_conflicts=True,
            unique_fields=_OPEN_KEYS[table],
            update_fields=OPEN_FIELDS,
        )
    return len(groups)


def _open_groups(
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
        _open_at(facts, moment)
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
    fields = _STORED
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


def _as_row(values: Any) -> FactRow:
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
    groups: dict[tuple, Acc] = {}
    where = Q(pk__in=[])
    for month, agencies in sorted(by_month.items()):
        a, b = _month_bounds(month)
        facts = DossierFact.objects.filter(
            _window_q(a, b), agency_id__in=sorted(agencies)
        ).values_list(*ROW_FIELDS)
        groups.update(_bucket((_as_row(v) for v in facts), lambda at, a=a, b=b: a <= at < b, month))
        if through is not None and month <= through:  # the month-end snapshot goes in the same rows
            for agency_id, path, sector_id, level, procedure_id, n, late in _open_groups(
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
    written = _write_months(groups)
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
    acc: dict[tuple[int, date], list] = {}
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


def _bucket(rows: Iterable[FactRow], keep: Any, month: date | None) -> dict[tuple, Acc]:
    """Accumulate facts' events into (agency, path, sector, level, procedure, month) groups;
    ``month`` None: the event's own month."""
    groups: dict[tuple, Acc] = {}
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


def _write_months(groups: dict[tuple, Acc], batch: int = 5000) -> int:
    """Insert the rows of these (agency, path, sector, level, procedure, month) groups in the
    three tables (counters, and the month-end snapshot when the groups carry it)."""
    sectors: dict[tuple, Acc] = {}
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
                **{k: acc.c.get(k, 0) for k in _STORED},
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
                **{k: acc.c.get(k, 0) for k in _STORED},
            )
            for (a, p, s, lv, m), acc in sectors.items()
        ],
        batch_size=batch,
    )
    agencies: dict[tuple, Counter] = {}
    for (a, p, _s, lv, m), acc in sectors.items():
        agencies.setdefault((a, p, lv, m), Counter()).update(acc.c)
    AgencyMonthStat.objects.bulk_create(
        [
            AgencyMonthStat(
                agency_id=a, agency_path=p, level=lv, month=m, **{k: c.get(k, 0) for k in _STORED}
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
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])


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
            keys |= _fact_keys(f, through)
        for f in new:
            keys |= _fact_keys(f, through)
        DossierFact.objects.filter(dossier_id__in=ids).delete()
        DossierFact.objects.bulk_create(new)
        _unmark(claimed)
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


def _unmark(claimed: list[tuple[int, datetime]]) -> None:
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
            from .bulkload import tune_session_for_load

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
            _store_facts(build_fact_rows(ids[i : i + batch], cals))
            if progress:
                progress(min(i + batch, len(ids)), len(ids))
        if progress and not ids:
            progress(0, 0)
        DirtyDossier.objects.all().delete()
        return rebuild_months()


def _store_facts(rows: list[tuple]) -> None:
    if connection.vendor != "postgresql":
        DossierFact.objects.bulk_create(
            [DossierFact(**dict(zip(FACT_FIELDS, r, strict=True))) for r in rows], batch_size=2000
        )
        return
    from .bulkload import copy_rows

    copy_rows(DossierFact._meta.db_table, FACT_FIELDS, rows)


def rebuild_months(*, exclusive: bool = False, progress: Any = None) -> int:
    """Recompute every monthly counter from the facts: on PostgreSQL set-based in SQL
    (:func:`_rebuild_months_sql`; ``exclusive``: for a bulk load, see there), elsewhere in one
    Python pass (:func:`rebuild_months_python`); then every ended month's in-progress snapshot
    and the province-wide rollup. Returns the number of (agency, procedure, month) rows."""
    if connection.vendor == "postgresql":
        written = _rebuild_months_sql(exclusive=exclusive, progress=progress)
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
    written = _write_months(_bucket(rows, lambda at: True, None))
    rebuild_procedure_times()
    return written


_GROUP = ("agency_id", "agency_path", "sector_id", "level", "procedure_id")


def _lit(value: Any) -> str:
    """A code constant (a status, a choice value, the time zone's name) as an SQL literal."""
    if isinstance(value, int):
        return str(int(value))
    if not re.fullmatch(r"[A-Za-z0-9_/+-]+", str(value)):
        raise ValueError(f"not a plain constant: {value!r}")
    return f"'{value}'"


def _month_sql(moment: str) -> str:
    """The local month (date of its first day) of a timestamptz expression, like :func:`month_of`,
    in the session's time zone, which :func:`_local_session_time_zone` sets to the portal's
    (``AT TIME ZONE 'name'`` looks the zone up again for every row: ~4x the cost)."""
    return f"date_trunc('month', {moment})::date"


@contextmanager
def _local_session_time_zone() -> Iterator[None]:
    """The portal's time zone as the session's for the statements inside (Django keeps UTC)."""
    with connection.cursor() as cur:
        cur.execute("SELECT current_setting('TimeZone')")
        previous = cur.fetchone()[0]
        cur.execute(f"SET LOCAL TIME ZONE {_lit(timezone.get_current_timezone_name())}")
    yield  # on an error the transaction is aborted: nothing to restore (and no statement would run)
    with connection.cursor() as cur:
        cur.execute(f"SET LOCAL TIME ZONE {_lit(previous)}")


#: Whole working hours rounded up (:func:`~dashboards.selectors.hours_bucket`) of an approval.
_BUCKET_SQL = "GREATEST(0, CEIL(COALESCE(f.processing_seconds, 0) / 3600.0))::int"
_MONTH_TABLES = [
    "dashboards_proceduremonthstat",
    "dashboards_sectormonthstat",
    "dashboards_agencymonthstat",
    "dashboards_proceduretimemonth",
]


def _event_aggregates() -> list[str]:
    """:func:`fact_events` as SQL: per kind of event, its counters summed per group and local
    month (0 for the counters that kind never adds). Aggregating each kind apart keeps every
    GROUP BY to the few sums its events touch and to at most one row per fact. Approvals come
    pre-aggregated per working hour from the temporary table ``_approvals`` (the histograms
    need that level). Kept in step with :func:`fact_events` by the test that compares the two
    rebuilds table for table."""
    from_us_sql = "(TIMESTAMPTZ 'epoch' + x.us::bigint * INTERVAL '1 microsecond')"

    def n(cond: str = "") -> str:
        # int, not count's bigint: the final sums then keep an int8 state per group, not int128 / numeric
        return f"(count(*) FILTER (WHERE {cond}))::int" if cond else "count(*)::int"

    kinds: list[tuple[str, str, str, dict[str, str]]] = [
        (
            "f.received_at",
            "",
            "f.received_at IS NOT NULL",
            {
                "received": n(),
                **{f"received_c{ch}": n(f"f.channel = {ch}") for ch in (1, 2, 3)},
                "digitised": n("f.digitised"),
                "payable": n("f.payable"),
                "online_paid": n("f.payable AND f.online_paid"),
            },
        ),
        (
            "f.returned_at",
            "",
            "f.returned_at IS NOT NULL",
            {"returned": n(), "e_results": n("f.e_result")},
        ),
        (
            "f.closed_at",
            "",
            f"f.closed_at IS NOT NULL AND f.closed_status IN ({', '.join(_lit(st) for st in _CLOSED_FIELD)})",
            {name: n(f"f.closed_status = {_lit(st)}") for st, name in _CLOSED_FIELD.items()},
        ),
        (
            "f.rated_at",
            "",
            "f.rated_at IS NOT NULL AND f.rating <> ''",
            {
                "rated": n(),
                **{name: n(f"f.rating = {_lit(r)}") for r, name in _RATING_FIELD.items()},
            },
        ),
        (
            from_us_sql,
            "CROSS JOIN LATERAL jsonb_array_elements_text(f.supplement_ats) AS x(us)",
            "f.extra_first_at IS NOT NULL",
            {"supplement_requests": n()},
        ),
        (
            from_us_sql,
            "CROSS JOIN LATERAL jsonb_array_elements_text(f.apology_ats) AS x(us)",
            "f.extra_first_at IS NOT NULL",
            {"apologies": n()},
        ),
    ]
    keys = ", ".join(
        str(i + 1) for i in range(len(_GROUP) + 1)
    )  # the group and the month, by position
    selects = [
        f"SELECT {', '.join('f.' + g for g in _GROUP)}, {_month_sql(moment)} AS month, "
        f"{', '.join(counters.get(k, '0') + ' AS ' + k for k in COUNTER_FIELDS)} "
        f"FROM dashboards_dossierfact f {join} WHERE {where} GROUP BY {keys}"
        for moment, join, where, counters in kinds
    ]
    approvals = {
        "resolved": "sum(a.n)::int",
        "processing_seconds": "sum(a.secs)::bigint",
        **{name: f"sum(a.{name})::int" for name in _TIMELINESS_FIELD.values()},
    }
    selects.append(
        f"SELECT {', '.join('a.' + g for g in _GROUP)}, a.month, {', '.join(approvals.get(k, '0') + ' AS ' + k for k in COUNTER_FIELDS)} "
        f"FROM _approvals a GROUP BY {keys}"
    )
    return selects


def _rebuild_months_sql(*, exclusive: bool = False, progress: Any = None) -> int:
    """Every monthly counter, the processing-time histograms and the rollups, set-based in
    PostgreSQL (a few GROUP BYs over the facts instead of a Python pass and a million ORM
    objects): :func:`fact_events`' rule, table for table the same rows as
    :func:`rebuild_months_python`. ``exclusive`` (a bulk load nobody reads yet): TRUNCATE and
    rebuild the tables' indexes after filling them, instead of DELETE and index maintenance,
    which keep the old rows readable until the commit.

    The intermediate results go through two analysed temporary tables: with the row estimates
    of a single statement (a JSON array expands to 100 rows for the planner) PostgreSQL sorted
    millions of rows on disk where a hash of ~200,000 groups does."""
    from .bulkload import indexes_set_aside, tune_session_for_load

    tune_session_for_load()
    group = ", ".join(_GROUP)
    sums = ", ".join(f"sum({k}) AS {k}" for k in COUNTER_FIELDS)
    counters = ", ".join(COUNTER_FIELDS)
    steps = iter(range(1, 9))

    def step() -> None:
        if progress:
            progress(next(steps), 8)

    if progress:
        progress(0, 8)
    with _local_session_time_zone(), connection.cursor() as cur:
        if exclusive:
            cur.execute(f"TRUNCATE {', '.join(_MONTH_TABLES)}")
        else:
            for table in _MONTH_TABLES:
                cur.execute(f"DELETE FROM {table}")
        # approvals per group, month and whole working hours: the histograms and the resolved counters
        cur.execute(
            "DROP TABLE IF EXISTS _approvals, _month_events"
        )  # a rebuild earlier in this transaction
        step()
        cur.execute(
            f"CREATE TEMPORARY TABLE _approvals ON COMMIT DROP AS SELECT {', '.join('f.' + g for g in _GROUP)}, "
            f"{_month_sql('f.finished_at')} AS month, {_BUCKET_SQL} AS bucket, count(*)::int AS n, "
            "sum(COALESCE(f.processing_seconds, 0))::bigint AS secs, "
            + ", ".join(
                f"(count(*) FILTER (WHERE f.timeliness = {_lit(t)}))::int AS {name}"
                for t, name in _TIMELINESS_FIELD.items()
            )
            + f" FROM dashboards_dossierfact f WHERE f.finished_at IS NOT NULL GROUP BY {', '.join(str(i + 1) for i in range(len(_GROUP) + 2))}"
        )
        step()
        cur.execute(
            f"CREATE TEMPORARY TABLE _month_events ON COMMIT DROP AS {' UNION ALL '.join(_event_aggregates())}"
        )
        cur.execute("ANALYZE _approvals")
        cur.execute("ANALYZE _month_events")
        step()
        with indexes_set_aside(_MONTH_TABLES, enabled=exclusive):
            cur.execute(
                f"INSERT INTO dashboards_proceduremonthstat ({group}, month, {counters}, hours_histogram) "
                f"SELECT {', '.join('ev.' + g for g in _GROUP)}, ev.month, {', '.join('ev.' + k for k in COUNTER_FIELDS)}, "
                "COALESCE(h.hist, '{}'::jsonb) "
                f"FROM (SELECT {group}, month, {sums} FROM _month_events GROUP BY {group}, month) ev LEFT JOIN ("
                f"  SELECT {group}, month, jsonb_object_agg(bucket::text, n) AS hist FROM _approvals GROUP BY {group}, month"
                f") h USING ({group}, month)"
            )
            written = cur.rowcount
            step()
            cur.execute(
                f"INSERT INTO dashboards_sectormonthstat (agency_id, agency_path, sector_id, level, month, {counters}) "
                f"SELECT agency_id, agency_path, sector_id, level, month, {sums} FROM dashboards_proceduremonthstat "
                "GROUP BY agency_id, agency_path, sector_id, level, month"
            )
            step()
            cur.execute(
                f"INSERT INTO dashboards_agencymonthstat (agency_id, agency_path, level, month, {counters}) "
                f"SELECT agency_id, agency_path, level, month, {sums} FROM dashboards_sectormonthstat "
                "GROUP BY agency_id, agency_path, level, month"
            )
            step()
            # province-wide times per (procedure, month): the per-agency rows' counts, seconds and
            # histograms summed (the rows with approvals; the others add nothing)
            cur.execute(
                "INSERT INTO dashboards_proceduretimemonth (procedure_id, month, sector_id, level, resolved, processing_seconds, hours_histogram) "
                "SELECT procedure_id, month, min(sector_id), min(level), sum(n), sum(secs), jsonb_object_agg(bucket::text, n) FROM ("
                "  SELECT procedure_id, month, bucket, min(sector_id) AS sector_id, min(level) AS level, sum(n) AS n, sum(secs) AS secs "
                "  FROM _approvals GROUP BY procedure_id, month, bucket"
                ") b GROUP BY procedure_id, month"
            )
            step()
        step()  # the tables' indexes, when they were set aside
        cur.execute("DROP TABLE _approvals, _month_events")
    return written


# --- reading ----------------------------------------------------------------------------------


def _paths(agency_ids: Iterable[int]) -> dict[int, str]:
    return dict(Agency.objects.filter(pk__in=list(agency_ids)).values_list("pk", "path"))


def _scope_q(filters: Filters) -> Q:
    q = Q()
    if filters.agency_ids is not None:
        aq = Q(pk__in=[])
        for pk, path in _paths(filters.agency_ids).items():
            aq |= Q(agency_id=pk) | Q(agency_path__startswith=path + "/")
        q &= aq
    if filters.sector_id is not None:
        q &= Q(sector_id=filters.sector_id)
    if filters.level is not None:
        q &= Q(level=filters.level)
    if filters.procedure_id is not None:
        q &= Q(procedure_id=filters.procedure_id)
    return q


def _split(filters: Filters) -> tuple[tuple[date, date] | None, list[tuple[datetime, datetime]]]:
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


def _new_figures() -> Figures:
    return Figures()


def _apply(fig: Figures, c: dict[str, int], level: int | None = None) -> None:
    fig.received += c.get("received", 0) or 0
    for ch in (1, 2, 3):
        n = c.get(f"received_c{ch}", 0) or 0
        if n:
            fig.received_by_channel[ch] = fig.received_by_channel.get(ch, 0) + n
    fig.received_online = fig.received_by_channel.get(2, 0)
    if level is not None and c.get("received"):
        fig.received_by_level[level] = fig.received_by_level.get(level, 0) + c["received"]
    fig.resolved += c.get("resolved", 0) or 0
    fig.resolved_early += c.get("early", 0) or 0
    fig.resolved_on_time += c.get("on_time", 0) or 0
    fig.resolved_late += c.get("late", 0) or 0
    fig.processing_seconds += c.get("processing_seconds", 0) or 0
    for name in (
        "returned",
        "withdrawn",
        "refused",
        "stopped",
        "supplement_requests",
        "apologies",
        "rated",
        "e_results",
        "payable",
        "online_paid",
    ):
        setattr(fig, name, getattr(fig, name) + (c.get(name, 0) or 0))
    fig.digitised_dossiers += c.get("digitised", 0) or 0
    for rating, name in _RATING_FIELD.items():
        fig.rating_counts[rating] = fig.rating_counts.get(rating, 0) + (c.get(name, 0) or 0)


def _apply_all(fig: Figures, v: tuple[int, ...], level: int) -> None:
    """:func:`_apply` for a row of every counter in ``COUNTER_FIELDS`` order (the hot path of
    the pages: a few hundred rows per breakdown, read as plain tuples)."""
    (
        received,
        c1,
        c2,
        c3,
        resolved,
        early,
        on_time,
        late,
        secs,
        returned,
        withdrawn,
        refused,
        stopped,
        supplements,
        apologies,
        rated,
        satisfied,
        acceptable,
        not_satisfied,
        digitised,
        e_results,
        payable,
        online_paid,
    ) = v
    fig.received += received
    channels = fig.received_by_channel
    if c1:
        channels[1] = channels.get(1, 0) + c1
    if c2:
        channels[2] = channels.get(2, 0) + c2
    if c3:
        channels[3] = channels.get(3, 0) + c3
    fig.received_online = channels.get(2, 0)
    if received:
        fig.received_by_level[level] = fig.received_by_level.get(level, 0) + received
    fig.resolved += resolved
    fig.resolved_early += early
    fig.resolved_on_time += on_time
    fig.resolved_late += late
    fig.processing_seconds += secs
    fig.returned += returned
    fig.withdrawn += withdrawn
    fig.refused += refused
    fig.stopped += stopped
    fig.supplement_requests += supplements
    fig.apologies += apologies
    fig.rated += rated
    fig.e_results += e_results
    fig.payable += payable
    fig.online_paid += online_paid
    fig.digitised_dossiers += digitised
    ratings = fig.rating_counts
    ratings[Rating.SATISFIED] = ratings.get(Rating.SATISFIED, 0) + satisfied
    ratings[Rating.ACCEPTABLE] = ratings.get(Rating.ACCEPTABLE, 0) + acceptable
    ratings[Rating.NOT_SATISFIED] = ratings.get(Rating.NOT_SATISFIED, 0) + not_satisfied


assert (
    COUNTER_FIELDS[:4] == ["received", "received_c1", "received_c2", "received_c3"]
    and len(COUNTER_FIELDS) == 23
)
assert list(_RATING_FIELD.values()) == COUNTER_FIELDS[16:19]


def _group_value(row: Any, group: str | None, at: datetime | None = None) -> Any:
    if group is None:
        return None
    if group == "month":
        return month_of(at)
    return getattr(
        row, {"agency": "agency_id", "sector": "sector_id", "procedure": "procedure_id"}[group]
    )


def _stored_open_month(filters: Filters, now: datetime, through: date | None) -> date | None:
    """The month whose kept month-end snapshot gives the period's in-progress figures: the period
    ends with a whole month that has ended, up to ``through`` (None: probe the facts instead)."""
    if through is None or filters.end != last_day_of_month(filters.end):
        return None
    month = filters.end.replace(day=1)
    if month > through or month_end(month) > now:
        return None
    return month


def _collect(
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
    out: dict[Any, Figures] = defaultdict(_new_figures)
    months, edges = _split(filters)
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
        stored = _stored_open_month(filters, now, open_ends_through())
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
        where, params = _scope_sql(filters)
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
                _apply_all(fig, r[first : first + n], r[0])
            else:
                _apply(fig, dict(zip(columns, r[first : first + n], strict=True)), r[0])
            if len(r) > first + n:
                fig.in_progress += r[first + n] or 0
                fig.in_progress_overdue += r[first + n + 1] or 0
    scope = _scope_q(filters) if edges else None
    for a, b in edges:
        for key, level, counters in _edge_counters(scope, a, b, group, columns):
            _apply(out[key], counters, level)
    if with_in_progress and group != "month" and stored is None:
        moment = filters.snapshot_moment(now)
        for key, n, late in _in_progress(filters, moment, group):
            fig = out[key]
            fig.in_progress, fig.in_progress_overdue = n, late
    for fig in out.values():
        fig.in_progress_on_time = fig.in_progress - fig.in_progress_overdue
        fig.rating_counts = {k: fig.rating_counts.get(k, 0) for k in _RATINGS}
    return out


def _month_windows(a: datetime, b: datetime) -> list[tuple[datetime, datetime]]:
    """``[a, b)`` cut at the local month starts inside it."""
    out = []
    while a < b:
        start = timezone.localtime(a).date().replace(day=1)
        nxt = Filters(start=add_months(start, 1), end=add_months(start, 1)).bounds()[0]
        out.append((a, min(nxt, b)))
        a = nxt
    return out


def _edge_counters(
    scope: Q, a: datetime, b: datetime, group: str | None, columns: list[str]
) -> Iterator[tuple[Any, int, dict[str, int]]]:
    """The counters of the events in ``[a, b)`` per (group value, level), aggregated by the
    database over the facts' date indexes (the same rules as :func:`fact_events`). Only the
    supplement / apology timestamps (JSON lists) are counted here, from the few facts that have any
    in the window."""
    from django.db.models import Count
    from django.db.models.functions import Coalesce

    if group == "month":
        for wa, wb in _month_windows(a, b):
            month = month_of(wa)
            for _key, level, counters in _edge_counters(scope, wa, wb, None, columns):
                yield month, level, counters
        return
    col = {"agency": "agency_id", "sector": "sector_id", "procedure": "procedure_id", None: None}[
        group
    ]
    keys = [col, "level"] if col else ["level"]
    wanted = set(columns)
    facts = DossierFact.objects.filter(scope)

    def n(q: Q | None = None) -> Count:
        return Count("dossier_id", filter=q)

    plans: list[tuple[Any, dict[str, Any]]] = [
        (
            facts.filter(received_at__gte=a, received_at__lt=b),
            {
                "received": n(),
                "received_c1": n(Q(channel=1)),
                "received_c2": n(Q(channel=2)),
                "received_c3": n(Q(channel=3)),
                "digitised": n(Q(digitised=True)),
                "payable": n(Q(payable=True)),
                "online_paid": n(Q(payable=True, online_paid=True)),
            },
        ),
        (
            facts.filter(finished_at__gte=a, finished_at__lt=b),
            {
                "resolved": n(),
                "processing_seconds": Coalesce(Sum("processing_seconds"), 0),
                **{name: n(Q(timeliness=t)) for t, name in _TIMELINESS_FIELD.items()},
            },
        ),
        (
            facts.filter(returned_at__gte=a, returned_at__lt=b),
            {"returned": n(), "e_results": n(Q(e_result=True))},
        ),
        (
            facts.filter(closed_at__gte=a, closed_at__lt=b, closed_status__in=list(_CLOSED_FIELD)),
            {name: n(Q(closed_status=st)) for st, name in _CLOSED_FIELD.items()},
        ),
        (
            facts.filter(rated_at__gte=a, rated_at__lt=b).exclude(rating=""),
            {"rated": n(), **{name: n(Q(rating=r)) for r, name in _RATING_FIELD.items()}},
        ),
    ]
    for qs, aggs in plans:
        aggs = {k: v for k, v in aggs.items() if k in wanted}
        if not aggs:
            continue
        # prefixed: some counters share a name with a fact column (digitised, payable, ...)
        for r in qs.values(*keys).annotate(**{f"s_{k}": v for k, v in aggs.items()}).order_by():
            yield (r[col] if col else None), r["level"], {k: r[f"s_{k}"] for k in aggs}
    if wanted & {"supplement_requests", "apologies"}:
        lo, hi = to_us(a), to_us(b)
        extra = facts.filter(extra_first_at__lt=b, extra_last_at__gte=a)
        for *key, level, sup, apo in extra.values_list(*keys, "supplement_ats", "apology_ats"):
            counters = {
                "supplement_requests": sum(1 for us in sup if lo <= us < hi),
                "apologies": sum(1 for us in apo if lo <= us < hi),
            }
            yield (key[0] if col else None), level, counters


def open_facts(filters: Filters, moment: datetime) -> Any:
    """Facts of the dossiers in progress at ``moment`` (received before it, not yet approved,
    withdrawn or stopped)."""
    return _open_at(DossierFact.objects.filter(_scope_q(filters)), moment)


def _open_at(facts: Any, moment: datetime) -> Any:
    if connection.vendor == "postgresql":
        return facts.filter(received_at__isnull=False).extra(
            where=["tstzrange(received_at, exit_at, '(]') @> %s::timestamptz"], params=[moment]
        )
    return facts.filter(received_at__lt=moment).filter(
        Q(exit_at__isnull=True) | Q(exit_at__gte=moment)
    )


def _in_progress(
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
    return _collect(filters, None, now=now).get(None) or _collect_empty()


def _collect_empty() -> Figures:
    fig = _new_figures()
    fig.rating_counts = dict.fromkeys(_RATINGS, 0)
    return fig


def procedure_times(filters: Filters, limit: int = 20) -> list[ProcedureTime]:
    from procedures.models import Procedure

    months, edges = _split(filters)
    scope = _scope_q(filters)
    stats: dict[int, list] = {}
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
        top = list(top[: limit if not edges else None])
        for r in top:
            stats[r["procedure_id"]] = [r["n"], r["s"], Counter()]
        if connection.vendor == "postgresql" and stats:
            # the histograms merged by PostgreSQL: ~20 x 12 JSON objects of up to ~100 hours each
            # decoded and added in Python took ~15 ms of CPU for a year at 1,000,000 dossiers
            where, params = _scope_sql(filters)
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


def _scope_agencies(filters: Filters, every_agency: bool) -> list[tuple[int, str, str, str]]:
    """(pk, code, name, path) of the agencies a breakdown lists, in path order."""
    if filters.agency_ids is None:
        qs = Agency.objects.all() if every_agency else Agency.objects.filter(parent__isnull=True)
    elif every_agency:
        q = Q(pk__in=[])
        for pk, path in _paths(filters.agency_ids).items():
            q |= Q(pk=pk) | Q(path__startswith=path + "/")
        qs = Agency.objects.filter(q)
    else:
        qs = Agency.objects.filter(parent__in=list(filters.agency_ids))
    return list(qs.order_by("path").values_list("pk", "code", "name", "path"))


def by_agency(filters: Filters, *, every_agency: bool = False) -> list[GroupRow]:
    """Per direct sub-unit of the scope (its figures include its own sub-units), or per agency of
    the scope with ``every_agency`` (each agency's own dossiers, for a ranking)."""
    agencies = _scope_agencies(filters, every_agency)
    per = _collect(filters, "agency")
    if every_agency:
        return [
            GroupRow(pk, code, name, per.get(pk) or _collect_empty())
            for pk, code, name, _path in agencies
        ]
    paths = {pk: path for pk, _code, _name, path in agencies}
    missing = [k for k in per if k is not None and k not in paths]
    if missing:  # sub-units of the listed agencies
        paths.update(_paths(missing))
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
                    _merge(target[unit], f)
                else:
                    target[unit] = f
                break
    return [
        GroupRow(pk, code, name, target.get(path) or _collect_empty())
        for pk, code, name, path in agencies
    ]


def _merge(into: Figures, other: Figures) -> None:
    for name in (
        "received",
        "received_online",
        "resolved",
        "resolved_early",
        "resolved_on_time",
        "resolved_late",
        "in_progress",
        "in_progress_on_time",
        "in_progress_overdue",
        "returned",
        "withdrawn",
        "refused",
        "stopped",
        "supplement_requests",
        "apologies",
        "rated",
        "digitised_dossiers",
        "e_results",
        "online_paid",
        "payable",
        "processing_seconds",
    ):
        setattr(into, name, getattr(into, name) + getattr(other, name))
    for attr in ("received_by_channel", "received_by_level", "rating_counts"):
        target = getattr(into, attr)
        for k, v in getattr(other, attr).items():
            target[k] = target.get(k, 0) + v


def by_group(filters: Filters, kind: str) -> list[GroupRow]:
    from procedures.models import Procedure, Sector

    per = {k: v for k, v in _collect(filters, kind).items() if k is not None}
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
        raise ValueError(
            "Độ chi tiết không hợp lệ (day, month, quarter, year). / Invalid granularity (day, month, quarter, year)."
        )
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
        per = _collect(filters, "month", with_in_progress=False, now=now)
        out = [(s, per.get(s.replace(day=1)) or _collect_empty()) for s, _e in spans]
    else:
        out = [
            (
                s,
                _collect(
                    replace(filters, start=s, end=e), None, with_in_progress=False, now=now
                ).get(None)
                or _collect_empty(),
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
            and _stored_open_month(bucket, now, through) is not None
        ):
            continue
        probe.append((bucket.snapshot_moment(now), fig))  # several buckets after now share "now"
    counts = _in_progress_at(filters, list(dict.fromkeys(m for m, _fig in probe))) if probe else {}
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
    total = _collect_empty()
    for fig in picked:
        _merge(total, fig)
    last = picked[-1]
    total.in_progress, total.in_progress_on_time, total.in_progress_overdue = (
        last.in_progress,
        last.in_progress_on_time,
        last.in_progress_overdue,
    )
    return total


def _scope_sql(filters: Filters) -> tuple[str, list[Any]]:
    parts, params = [], []
    if filters.agency_ids is not None:
        ors = ["FALSE"]
        for pk, path in _paths(filters.agency_ids).items():
            ors.append("(f.agency_id = %s OR f.agency_path LIKE %s)")
            params += [pk, path + "/%"]  # paths are digits and slashes
        parts.append("(" + " OR ".join(ors) + ")")
    for col, value in (
        ("sector_id", filters.sector_id),
        ("level", filters.level),
        ("procedure_id", filters.procedure_id),
    ):
        if value is not None:
            parts.append(f"f.{col} = %s")
            params.append(value)
    return (" AND " + " AND ".join(parts)) if parts else "", params


def _in_progress_at(filters: Filters, moments: list[datetime]) -> dict[datetime, tuple[int, int]]:
    """In progress / overdue at several moments in one query (PostgreSQL: one GiST probe per
    moment); elsewhere one query per moment."""
    if connection.vendor != "postgresql" or not moments:
        return {m: _in_progress(filters, m, None)[0][1:] for m in moments}
    where, params = _scope_sql(filters)
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


# --- drill-down pages -------------------------------------------------------------------------


def _open_keys(
    filters: Filters,
    metric: str,
    moment: datetime,
    cursor_at: datetime | None,
    cursor_id: int | None,
    limit: int,
) -> list[tuple[int, datetime]]:
    """(dossier id, received_at) of one page of the facts open at ``moment``, newest receipt first.

    The open facts come from the GiST index on the open interval (as many rows as dossiers open at
    that moment in the province, a few thousand at 1,000,000 dossiers) and are sorted here. Left to
    itself PostgreSQL walked the ``received_at`` index backwards from the newest fact, testing the
    interval on each: every fact received after ``moment`` (a whole year for last year's figures)
    and, when fewer than a page are open, the whole table (175 ms at 200,000 facts for 38 overdue).
    """
    where, params = _scope_sql(filters)
    if metric == "in_progress_overdue":
        where += " AND f.due_at < %s"
        params.append(moment)
    elif metric == "in_progress_on_time":
        where += " AND (f.due_at IS NULL OR f.due_at >= %s)"
        params.append(moment)
    after, after_params = "", []
    if cursor_at is not None:
        after, after_params = (
            "WHERE (o.received_at, o.dossier_id) < (%s, %s) ",
            [cursor_at, cursor_id],
        )
    sql = (
        "WITH o AS MATERIALIZED (SELECT f.dossier_id, f.received_at FROM dashboards_dossierfact f "
        "WHERE f.received_at IS NOT NULL AND f.received_at < %s AND tstzrange(f.received_at, f.exit_at, '(]') @> %s::timestamptz"
        + where
        + ") SELECT o.dossier_id, o.received_at FROM o "
        + after
        + "ORDER BY o.received_at DESC, o.dossier_id DESC LIMIT %s"
    )
    with connection.cursor() as cur:
        cur.execute(sql, [moment, moment, *params, *after_params, limit])
        return list(cur.fetchall())


@dataclass
class DrilldownPage:
    rows: list[dict]
    next_cursor: str | None
    total: int


_ROW_VALUES = (
    "id",
    "code",
    "applicant_name",
    "procedure__code",
    "procedure__name",
    "receiving_agency__name",
    "channel",
    "status",
    "received_at",
    "due_at",
    "finished_at",
    "returned_at",
    "timeliness",
)


#: The monthly counter behind each drill-down metric (in-progress ones come from the facts).
METRIC_COUNTER = {
    "received": "received",
    "received_online": "received_c2",
    "resolved": "resolved",
    "resolved_early": "early",
    "resolved_on_time": "on_time",
    "resolved_late": "late",
    "returned": "returned",
    "withdrawn": "withdrawn",
    "refused": "refused",
    "stopped": "stopped",
    "supplement_requests": "supplement_requests",
    "apologies": "apologies",
    "rated": "rated",
    "digitised_dossiers": "digitised",
    "e_results": "e_results",
    "online_paid": "online_paid",
    "payable": "payable",
}


def metric_total(filters: Filters, metric: str, *, now: datetime | None = None) -> int:
    """One figure alone (what a drill-down page shows as its total), without the others."""
    if metric.startswith("in_progress"):
        _k, n, late = _in_progress(filters, filters.snapshot_moment(now), None)[0]
        return {"in_progress": n, "in_progress_overdue": late, "in_progress_on_time": n - late}[
            metric
        ]
    fig = _collect(filters, None, with_in_progress=False, now=now, only=METRIC_COUNTER[metric]).get(
        None
    )
    return getattr(fig, metric) if fig is not None else 0


def _fact_metric(
    filters: Filters, metric: str, now: datetime | None = None
) -> tuple[Any, str] | None:
    """The facts behind a metric and the date column they are ordered by (None: not from facts)."""
    a, b = filters.bounds()
    facts = DossierFact.objects.filter(_scope_q(filters))
    received = facts.filter(received_at__gte=a, received_at__lt=b)
    resolved = facts.filter(finished_at__gte=a, finished_at__lt=b)
    closed = facts.filter(closed_at__gte=a, closed_at__lt=b)
    table: dict[str, tuple[Any, str]] = {
        "received": (received, "received_at"),
        "received_online": (received.filter(channel=2), "received_at"),
        "digitised_dossiers": (received.filter(digitised=True), "received_at"),
        "payable": (received.filter(payable=True), "received_at"),
        "online_paid": (received.filter(online_paid=True), "received_at"),
        "resolved": (resolved, "finished_at"),
        "resolved_early": (resolved.filter(timeliness=Timeliness.EARLY), "finished_at"),
        "resolved_on_time": (resolved.filter(timeliness=Timeliness.ON_TIME), "finished_at"),
        "resolved_late": (resolved.filter(timeliness=Timeliness.LATE), "finished_at"),
        "returned": (facts.filter(returned_at__gte=a, returned_at__lt=b), "returned_at"),
        "e_results": (
            facts.filter(returned_at__gte=a, returned_at__lt=b, e_result=True),
            "returned_at",
        ),
        "withdrawn": (closed.filter(closed_status=DossierStatus.WITHDRAWN), "closed_at"),
        "refused": (closed.filter(closed_status=DossierStatus.NOT_RECEIVED), "closed_at"),
        "stopped": (closed.filter(closed_status=DossierStatus.STOPPED), "closed_at"),
        "rated": (facts.filter(rated_at__gte=a, rated_at__lt=b).exclude(rating=""), "rated_at"),
    }
    if metric.startswith("in_progress"):
        moment = filters.snapshot_moment(now)
        qs = open_facts(filters, moment)
        if metric == "in_progress_overdue":
            qs = qs.filter(due_at__lt=moment)
        elif metric == "in_progress_on_time":
            qs = qs.exclude(due_at__lt=moment)
        return qs, "received_at"
    return table.get(metric)


def drilldown_page(
    filters: Filters,
    metric: str,
    *,
    after: str | None = None,
    limit: int = 50,
    now: datetime | None = None,
) -> DrilldownPage:
    """One page of the dossiers behind a number, newest first, by keyset (``after`` = the
    previous page's ``next_cursor``); ``total`` is the dashboard's own number (no COUNT over the
    dossiers). Supplement requests and apologies are listed from the dossiers' own tables."""
    from .figures import DRILLDOWN_METRICS, drilldown

    if metric not in DRILLDOWN_METRICS:
        raise ValueError(f"Chỉ số không hợp lệ: {metric}. / Unknown metric: {metric}.")
    limit = max(1, min(int(limit), 500))
    total = metric_total(filters, metric, now=now)
    found = _fact_metric(filters, metric, now)
    cursor_at, cursor_id = None, None
    if after:
        try:
            stamp, _sep, pk = after.rpartition("|")
            cursor_at, cursor_id = datetime.fromisoformat(stamp), int(pk)
        except ValueError as exc:
            raise ValueError("Con trỏ trang không hợp lệ. / Invalid page cursor.") from exc
    if found is None:
        qs = drilldown(filters, metric)
        if cursor_at is not None:
            qs = qs.filter(
                Q(received_at__lt=cursor_at) | Q(received_at=cursor_at, pk__lt=cursor_id)
            )
        rows = list(qs.values(*_ROW_VALUES)[: limit + 1])
        more = len(rows) > limit
        rows = rows[:limit]
        nxt = f"{rows[-1]['received_at'].isoformat()}|{rows[-1]['id']}" if more and rows else None
        return DrilldownPage(rows, nxt, total)
    qs, col = found
    if metric.startswith("in_progress") and connection.vendor == "postgresql":
        keys = _open_keys(
            filters, metric, filters.snapshot_moment(now), cursor_at, cursor_id, limit + 1
        )
    else:
        if cursor_at is not None:
            qs = qs.filter(
                Q(**{f"{col}__lt": cursor_at}) | Q(**{col: cursor_at, "dossier_id__lt": cursor_id})
            )
        keys = list(
            qs.order_by(f"-{col}", "-dossier_id").values_list("dossier_id", col)[: limit + 1]
        )
    more = len(keys) > limit
    keys = keys[:limit]
    by_id = {
        r["id"]: r for r in Dossier.objects.filter(pk__in=[k for k, _ in keys]).values(*_ROW_VALUES)
    }
    rows = [by_id[k] for k, _ in keys if k in by_id]
    nxt = f"{keys[-1][1].isoformat()}|{keys[-1][0]}" if more and keys else None
    return DrilldownPage(rows, nxt, total)
