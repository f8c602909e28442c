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
from .facts import CLOSED_FIELD, RATING_FIELD, TIMELINESS_FIELD

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
    """A registry entry's condition on the fact as SQL over the alias ``f`` ("" for none)."""
    ops = {"gt": ">", "lt": "<"}
    parts = []
    for key, value in fact.items():
        column, _sep, op = key.partition("__")
        if value is True or value is False:
            parts.append(f"{'' if value else 'NOT '}f.{column}")
        else:
            literal = "''" if value == "" else lit(value)
            parts.append(f"f.{column} {ops[op] if op else '='} {literal}")
    return " AND ".join(parts)


def event_aggregates() -> list[str]:
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

    def registered(event: str) -> dict[str, str]:
        """The counters of the registry's metrics counted at ``event``, each with its condition
        on the fact (:mod:`dashboards.registry`)."""
        return {
            m.counters[0]: n(_fact_sql(m.fact))
            for m in registry.METRICS
            if m.source == "counters" and m.event == event
        }

    kinds: list[tuple[str, str, str, dict[str, str]]] = [
        (
            "f.received_at",
            "",
            "f.received_at IS NOT NULL",
            {
                **{f"received_c{ch}": n(f"f.channel = {ch}") for ch in (1, 2, 3)},
                **registered("received_at"),
            },
        ),
        (
            "f.returned_at",
            "",
            "f.returned_at IS NOT NULL",
            registered("returned_at"),
        ),
        (
            "f.closed_at",
            "",
            f"f.closed_at IS NOT NULL AND f.closed_status IN ({', '.join(lit(st) for st in CLOSED_FIELD)})",
            registered("closed_at"),
        ),
        (
            "f.rated_at",
            "",
            "f.rated_at IS NOT NULL AND f.rating <> ''",
            {
                **registered("rated_at"),
                **{name: n(f"f.rating = {lit(r)}") for r, name in RATING_FIELD.items()},
            },
        ),
        (
            from_us_sql,
            "CROSS JOIN LATERAL jsonb_array_elements_text(f.supplement_ats) AS x(us)",
            "f.extra_first_at IS NOT NULL",
            registered("supplement_ats"),
        ),
        (
            from_us_sql,
            "CROSS JOIN LATERAL jsonb_array_elements_text(f.apology_ats) AS x(us)",
            "f.extra_first_at IS NOT NULL",
            registered("apology_ats"),
        ),
    ]
    keys = ", ".join(
        str(i + 1) for i in range(len(GROUP_COLUMNS) + 1)
    )  # the group and the month, by position
    selects = [
        f"SELECT {', '.join('f.' + g for g in GROUP_COLUMNS)}, {month_sql(moment)} AS month, "
        f"{', '.join(counters.get(k, '0') + ' AS ' + k for k in COUNTER_FIELDS)} "
        f"FROM dashboards_dossierfact f {join} WHERE {where} GROUP BY {keys}"
        for moment, join, where, counters in kinds
    ]
    approvals = {
        "resolved": "sum(a.n)::int",
        "processing_seconds": "sum(a.secs)::bigint",
        **{name: f"sum(a.{name})::int" for name in TIMELINESS_FIELD.values()},
    }
    selects.append(
        f"SELECT {', '.join('a.' + g for g in GROUP_COLUMNS)}, a.month, {', '.join(approvals.get(k, '0') + ' AS ' + k for k in COUNTER_FIELDS)} "
        f"FROM _approvals a GROUP BY {keys}"
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
        cur.execute(
            f"CREATE TEMPORARY TABLE _approvals ON COMMIT DROP AS SELECT {', '.join('f.' + g for g in GROUP_COLUMNS)}, "
            f"{month_sql('f.finished_at')} AS month, {BUCKET_SQL} AS bucket, count(*)::int AS n, "
            "sum(COALESCE(f.processing_seconds, 0))::bigint AS secs, "
            + ", ".join(
                f"(count(*) FILTER (WHERE f.timeliness = {lit(t)}))::int AS {name}"
                for t, name in TIMELINESS_FIELD.items()
            )
            + f" FROM dashboards_dossierfact f WHERE f.finished_at IS NOT NULL GROUP BY {', '.join(str(i + 1) for i in range(len(GROUP_COLUMNS) + 2))}"
        )
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
