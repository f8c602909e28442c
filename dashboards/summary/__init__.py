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

from .drilldown import (  # noqa: F401
    METRIC_COUNTER,
    ROW_VALUES,
    DrilldownPage,
    drilldown_page,
    fact_metric,
    metric_total,
    open_keys,
)
from .facts import (  # noqa: F401
    CLOSING,
    EPOCH,
    FACT_FIELDS,
    LOCK_KEY,
    RATINGS,
    RECORD_FACT_FIELDS,
    ROW_FIELDS,
    STORED_FACT_FIELDS,
    Acc,
    FactRow,
    build_fact_rows,
    build_facts,
    compile_rule,
    fact_events,
    fact_test,
    fact_values,
    from_us,
    month_of,
    rule_source,
    to_us,
)
from .groups import (  # noqa: F401
    buckets,
    by_agency,
    by_group,
    figures_from_series,
    in_progress_at,
    merge,
    procedure_times,
    scope_agencies,
    timeseries,
)
from .read import (  # noqa: F401
    apply,
    apply_all,
    collect,
    collect_empty,
    edge_counters,
    figures,
    group_value,
    in_progress_counts,
    month_windows,
    new_figures,
    split_period,
    stored_open_month,
)
from .rebuild_sql import (  # noqa: F401
    BUCKET_SQL,
    GROUP_COLUMNS,
    MONTH_TABLES,
    event_aggregates,
    lit,
    local_session_time_zone,
    month_sql,
    rebuild_months_sql,
)
from .refresh import (  # noqa: F401
    RefreshResult,
    as_row,
    bucket_rows,
    lock_refreshes,
    mark_dirty,
    rebuild_all,
    rebuild_months,
    rebuild_months_python,
    rebuild_procedure_times,
    rebuild_snapshots,
    recompute_months,
    refresh,
    store_facts,
    unmark,
    write_months,
)
from .scope import (  # noqa: F401
    agency_paths,
    open_at,
    open_facts,
    scope_q,
    scope_sql,
)
from .snapshots import (  # noqa: F401
    OPEN_FIELDS,
    OPEN_KEYS,
    STORED,
    advance_open_ends,
    fact_keys,
    last_ended_month,
    month_bounds,
    month_end,
    open_ends_through,
    open_groups,
    open_months,
    rebuild_province_months,
    store_open_ends,
    window_q,
)

#: What the module offers (its own names and the re-exported ones), for strict importers.
__all__ = [
    "Acc",
    "BUCKET_SQL",
    "CLOSING",
    "DrilldownPage",
    "EPOCH",
    "FACT_FIELDS",
    "FactRow",
    "GROUP_COLUMNS",
    "LOCK_KEY",
    "METRIC_COUNTER",
    "MONTH_TABLES",
    "OPEN_FIELDS",
    "OPEN_KEYS",
    "RATINGS",
    "RECORD_FACT_FIELDS",
    "ROW_FIELDS",
    "ROW_VALUES",
    "RefreshResult",
    "STORED",
    "STORED_FACT_FIELDS",
    "advance_open_ends",
    "agency_paths",
    "apply",
    "apply_all",
    "as_row",
    "bucket_rows",
    "buckets",
    "build_fact_rows",
    "build_facts",
    "by_agency",
    "by_group",
    "collect",
    "collect_empty",
    "compile_rule",
    "drilldown_page",
    "edge_counters",
    "event_aggregates",
    "fact_events",
    "fact_keys",
    "fact_metric",
    "fact_test",
    "fact_values",
    "figures",
    "figures_from_series",
    "from_us",
    "group_value",
    "in_progress_at",
    "in_progress_counts",
    "last_ended_month",
    "lit",
    "local_session_time_zone",
    "lock_refreshes",
    "mark_dirty",
    "merge",
    "metric_total",
    "month_bounds",
    "month_end",
    "month_of",
    "month_sql",
    "month_windows",
    "new_figures",
    "open_at",
    "open_ends_through",
    "open_facts",
    "open_groups",
    "open_keys",
    "open_months",
    "procedure_times",
    "rebuild_all",
    "rebuild_months",
    "rebuild_months_python",
    "rebuild_months_sql",
    "rebuild_procedure_times",
    "rebuild_province_months",
    "rebuild_snapshots",
    "recompute_months",
    "refresh",
    "rule_source",
    "scope_agencies",
    "scope_q",
    "scope_sql",
    "split_period",
    "store_facts",
    "store_open_ends",
    "stored_open_month",
    "timeseries",
    "to_us",
    "unmark",
    "window_q",
    "write_months",
]
