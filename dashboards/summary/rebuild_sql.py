"""The full rebuild of the monthly counters, set-based in PostgreSQL (:func:`fact_events` as SQL)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection
from django.utils import timezone

from .. import registry
from ..models import (
    COUNTER_FIELDS,
)

GROUP_COLUMNS = ("agency_id", "agency_path", "sector_id", "level", "procedure_id")


def lit(value: Any) -> str:
    """A code constant (a status, a choice value, the time zone's name) as an SQL literal."""
    if isinstance(value, int):
        return str(int(value))
    if not re.fullmatch(r"[A-Za-z0-9_/+-]+", str(value)):
        raise ValueError(f"not a plain constant: {value!r}")
    return f"'{value}'"


def month_sql(moment: str) -> str:
    """The local month (date of its first day) of a timestamptz expression, like :func:`month_of`,
    in the session's time zone, which :func:`local_session_time_zone` sets to the portal's
    (``AT TIME ZONE 'name'`` looks the zone up again for every row: ~4x the cost)."""
    return f"date_trunc('month', {moment})::date"


@contextmanager
def local_session_time_zone() -> Iterator[None]:
    """The portal's time zone as the session's for the statements inside (Django keeps UTC)."""
    with connection.cursor() as cur:
        cur.execute("SELECT current_setting('TimeZone')")
        previous = cur.fetchone()[0]
        cur.execute(f"SET LOCAL TIME ZONE {lit(timezone.get_current_timezone_name())}")
    yield  # on an error the transaction is aborted: nothing to restore (and no statement would run)
    with connection.cursor() as cur:
        cur.execute(f"SET LOCAL TIME ZONE {lit(previous)}")


#: Whole working hours rounded up (:func:`~dashboards.selectors.hours_bucket`) of an approval.
BUCKET_SQL = "GREATEST(0, CEIL(COALESCE(f.processing_seconds, 0) / 3600.0))::int"
MONTH_TABLES = [
    "dashboards_proceduremonthstat",
    "dashboards_sectormonthstat",
    "dashboards_agencymonthstat",
    "dashboards_proceduretimemonth",
]


def _fact_sql(fact: dict[str, Any]) -> str:
    """A registry condition on the fact (:class:`~dashboards.registry.Count`) as SQL over the
    alias ``f`` ("" for none)."""
    ops = {"gt": ">", "lt": "<", "exact": "="}
    parts = []
    for key, value in fact.items():
        column, _sep, op = key.partition("__")
        if op not in ("", *registry.LOOKUPS):
            raise ValueError(f"lookup {key!r} is not one of {registry.LOOKUPS}")
        if value is True or value is False:
            parts.append(f"{'' if value else 'NOT '}f.{column}")
        elif op == "in":
            parts.append(f"f.{column} IN ({', '.join(_literal(v) for v in value)})")
        else:
            parts.append(f"f.{column} {ops[op or 'exact']} {_literal(value)}")
    return " AND ".join(parts)


def _literal(value: Any) -> str:
    return "''" if value == "" else lit(value)


def _n(cond: str = "") -> str:
    # int, not count's bigint: the final sums then keep an int8 state per group, not int128 / numeric
    return f"(count(*) FILTER (WHERE {cond}))::int" if cond else "count(*)::int"


def count_sql(c: registry.Count) -> str:
    """One counter's aggregate over the facts ``f`` of its event: a count or a sum."""
    if c.value is not None:
        return f"sum(COALESCE(f.{c.value}, 0))::bigint"
    return _n(_fact_sql(c.fact))


def event_where(name: str, counts: list[registry.Count]) -> str:
    """The facts that have the event ``name`` and count at it toward at least one counter (as
    :func:`fact_events` skips an event that adds to none)."""
    event = registry.EVENTS[name]
    present = f"f.{event.span[0] if event.span else event.column} IS NOT NULL"
    conds = [_fact_sql(c.fact) for c in counts if c.value is None]
    if len(conds) < len(counts) or not all(conds):
        return present
    return f"{present} AND ({' OR '.join(f'({x})' for x in conds)})"


def counts_at(name: str) -> list[registry.Count]:
    return [c for c in registry.COUNTS if c.event == name]


def _hours_event() -> str:
    (name,) = [n for n, e in registry.EVENTS.items() if e.hours]
    return name


def approvals_sql() -> str:
    """The temporary table ``_approvals``: the approvals (the registry's event with the working
    hours) per group, local month and whole working hours, with the count ``n`` (the
    histograms, the processing times) and each counter counted at that event."""
    name = _hours_event()
    counts = counts_at(name)
    moment = f"f.{registry.EVENTS[name].column}"
    return (
        f"CREATE TEMPORARY TABLE _approvals ON COMMIT DROP AS SELECT {', '.join('f.' + g for g in GROUP_COLUMNS)}, "
        f"{month_sql(moment)} AS month, {BUCKET_SQL} AS bucket, count(*)::int AS n, "
        + ", ".join(f"{count_sql(c)} AS {c.column}" for c in counts)
        + f" FROM dashboards_dossierfact f WHERE {event_where(name, counts)} "
        f"GROUP BY {', '.join(str(i + 1) for i in range(len(GROUP_COLUMNS) + 2))}"
    )


def event_aggregates() -> list[str]:
    """:func:`fact_events` as SQL, generated from the registry's counts (:data:`registry.
    COUNTS`): per kind of event, its counters summed per group and local month (0 for the
    counters that kind never adds). Aggregating each kind apart keeps every GROUP BY to the few
    sums its events touch and to at most one row per fact (a list event: one per element).
    The approvals come pre-aggregated per working hour from the temporary table ``_approvals``
    (:func:`approvals_sql`; the histograms need that level). The test that compares the two
    rebuilds table for table checks the generated SQL against the Python rule."""
    from_us_sql = "(TIMESTAMPTZ 'epoch' + x.us::bigint * INTERVAL '1 microsecond')"
    keys = ", ".join(
        str(i + 1) for i in range(len(GROUP_COLUMNS) + 1)
    )  # the group and the month, by position
    selects = []
    for name, event in registry.EVENTS.items():
        counts = counts_at(name)
        if not counts:
            continue
        if event.hours:
            sums = {
                c.column: f"sum(a.{c.column})::{'bigint' if c.value else 'int'}" for c in counts
            }
            selects.append(
                f"SELECT {', '.join('a.' + g for g in GROUP_COLUMNS)}, a.month, "
                f"{', '.join(sums.get(k, '0') + ' AS ' + k for k in COUNTER_FIELDS)} "
                f"FROM _approvals a GROUP BY {keys}"
            )
            continue
        if event.many:
            moment = from_us_sql
            join = f"CROSS JOIN LATERAL jsonb_array_elements_text(f.{event.column}) AS x(us)"
        else:
            moment, join = f"f.{event.column}", ""
        counters = {c.column: count_sql(c) for c in counts}
        selects.append(
            f"SELECT {', '.join('f.' + g for g in GROUP_COLUMNS)}, {month_sql(moment)} AS month, "
            f"{', '.join(counters.get(k, '0') + ' AS ' + k for k in COUNTER_FIELDS)} "
            f"FROM dashboards_dossierfact f {join} WHERE {event_where(name, counts)} GROUP BY {keys}"
        )
    return selects


def rebuild_months_sql(*, exclusive: bool = False, progress: Any = None) -> int:
    """Every monthly counter, the processing-time histograms and the rollups, set-based in
    PostgreSQL (a few GROUP BYs over the facts instead of a Python pass and a million ORM
    objects): :func:`fact_events`' rule, table for table the same rows as
    :func:`rebuild_months_python`. ``exclusive`` (a bulk load nobody reads yet): TRUNCATE and
    rebuild the tables' indexes after filling them, instead of DELETE and index maintenance,
    which keep the old rows readable until the commit.

    The intermediate results go through two analysed temporary tables: with the row estimates
    of a single statement (a JSON array expands to 100 rows for the planner) PostgreSQL sorted
    millions of rows on disk where a hash of ~200,000 groups does."""
    from .bulk import indexes_set_aside, tune_session_for_load

    tune_session_for_load()
    group = ", ".join(GROUP_COLUMNS)
    sums = ", ".join(f"sum({k}) AS {k}" for k in COUNTER_FIELDS)
    counters = ", ".join(COUNTER_FIELDS)
    steps = iter(range(1, 9))

    def step() -> None:
        if progress:
            progress(next(steps), 8)

    if progress:
        progress(0, 8)
    with local_session_time_zone(), connection.cursor() as cur:
        if exclusive:
            cur.execute(f"TRUNCATE {', '.join(MONTH_TABLES)}")
        else:
            for table in MONTH_TABLES:
                cur.execute(f"DELETE FROM {table}")
        # approvals per group, month and whole working hours: the histograms and the resolved counters
        cur.execute(
            "DROP TABLE IF EXISTS _approvals, _month_events"
        )  # a rebuild earlier in this transaction
        step()
        cur.execute(approvals_sql())
        step()
        cur.execute(
            f"CREATE TEMPORARY TABLE _month_events ON COMMIT DROP AS {' UNION ALL '.join(event_aggregates())}"
        )
        cur.execute("ANALYZE _approvals")
        cur.execute("ANALYZE _month_events")
        step()
        with indexes_set_aside(MONTH_TABLES, enabled=exclusive):
            cur.execute(
                f"INSERT INTO dashboards_proceduremonthstat ({group}, month, {counters}, hours_histogram) "
                f"SELECT {', '.join('ev.' + g for g in GROUP_COLUMNS)}, ev.month, {', '.join('ev.' + k for k in COUNTER_FIELDS)}, "
                "COALESCE(h.hist, '{}'::jsonb) "
                f"FROM (SELECT {group}, month, {sums} FROM _month_events GROUP BY {group}, month) ev LEFT JOIN ("
                f"  SELECT {group}, month, jsonb_object_agg(bucket::text, n) AS hist FROM _approvals GROUP BY {group}, month"
                f") h USING ({group}, month)"
            )
            written = int(cur.rowcount)
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
                "  SELECT procedure_id, month, bucket, min(sector_id) AS sector_id, min(level) AS level, sum(n) AS n, sum(processing_seconds) AS secs "
                "  FROM _approvals GROUP BY procedure_id, month, bucket"
                ") b GROUP BY procedure_id, month"
            )
            step()
        step()  # the tables' indexes, when they were set aside
        cur.execute("DROP TABLE _approvals, _month_events")
    return written
