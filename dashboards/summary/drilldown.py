"""Drill-down pages: the dossiers behind one number, keyset-paginated over the indexed facts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Q
from django.utils.translation import gettext as _

from dossiers.models import Dossier

from .. import registry
from ..figures import (
    Filters,
)
from ..models import (
    DossierFact,
)
from .read import collect, in_progress_counts
from .scope import open_facts, scope_q, scope_sql

# --- drill-down pages -------------------------------------------------------------------------


def open_keys(
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
    where, params = scope_sql(filters)
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
    rows: list[dict[str, Any]]
    next_cursor: str | None
    total: int


ROW_VALUES = (
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
METRIC_COUNTER = registry.METRIC_COUNTER


def metric_total(filters: Filters, metric: str, *, now: datetime | None = None) -> int:
    """One figure alone (what a drill-down page shows as its total), without the others."""
    if metric.startswith("in_progress"):
        _k, n, late = in_progress_counts(filters, filters.snapshot_moment(now), None)[0]
        return {"in_progress": n, "in_progress_overdue": late, "in_progress_on_time": n - late}[
            metric
        ]
    fig = collect(filters, None, with_in_progress=False, now=now, only=METRIC_COUNTER[metric]).get(
        None
    )
    return getattr(fig, metric) if fig is not None else 0


#: The fact date columns a drill-down pages through (supplement requests and apologies are lists
#: of moments: their pages come from the dossiers, see drilldown_page).
_DATED = ("received_at", "finished_at", "returned_at", "closed_at", "rated_at")


def fact_metric(
    filters: Filters, metric: str, now: datetime | None = None
) -> tuple[Any, str] | None:
    """The facts behind a metric and the date column they are ordered by (None: not from facts)."""
    a, b = filters.bounds()
    facts = DossierFact.objects.filter(scope_q(filters))
    entry = registry.BY_NAME.get(metric)
    table: dict[str, tuple[Any, str]] = {}
    if entry is not None and entry.event in _DATED and entry.source == "counters":
        event = entry.event
        rows = facts.filter(**{f"{event}__gte": a, f"{event}__lt": b}, **entry.fact)
        table[metric] = (rows, event)
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
    from ..figures import DRILLDOWN_METRICS, drilldown

    if metric not in DRILLDOWN_METRICS:
        raise ValueError(_("Unknown metric: %(metric)s.") % {"metric": metric})
    limit = max(1, min(int(limit), 500))
    total = metric_total(filters, metric, now=now)
    found = fact_metric(filters, metric, now)
    cursor_at, cursor_id = None, None
    if after:
        try:
            stamp, _sep, pk = after.rpartition("|")
            cursor_at, cursor_id = datetime.fromisoformat(stamp), int(pk)
        except ValueError as exc:
            raise ValueError(_("Invalid page cursor.")) from exc
    if found is None:
        qs = drilldown(filters, metric)
        if cursor_at is not None:
            qs = qs.filter(
                Q(received_at__lt=cursor_at) | Q(received_at=cursor_at, pk__lt=cursor_id)
            )
        rows = list(qs.values(*ROW_VALUES)[: limit + 1])
        more = len(rows) > limit
        rows = rows[:limit]
        nxt = f"{rows[-1]['received_at'].isoformat()}|{rows[-1]['id']}" if more and rows else None
        return DrilldownPage(rows, nxt, total)
    qs, col = found
    if metric.startswith("in_progress") and connection.vendor == "postgresql":
        keys = open_keys(
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
        r["id"]: r for r in Dossier.objects.filter(pk__in=[k for k, _ in keys]).values(*ROW_VALUES)
    }
    rows = [by_id[k] for k, _ in keys if k in by_id]
    nxt = f"{keys[-1][1].isoformat()}|{keys[-1][0]}" if more and keys else None
    return DrilldownPage(rows, nxt, total)
