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
    _ROW_VALUES,
    METRIC_COUNTER,
    DrilldownPage,
    _fact_metric,
    _open_keys,
    drilldown_page,
    metric_total,
)
from .facts import (  # noqa: F401
    _CLOSED_FIELD,
    _CLOSING,
    _LOCK_KEY,
    _RATING_FIELD,
    _RATINGS,
    _TIMELINESS_FIELD,
    EPOCH,
    FACT_FIELDS,
    ROW_FIELDS,
    Acc,
    FactRow,
    build_fact_rows,
    build_facts,
    fact_events,
    fact_values,
    from_us,
    month_of,
    to_us,
)
from .groups import (  # noqa: F401
    _in_progress_at,
    _merge,
    _scope_agencies,
    buckets,
    by_agency,
    by_group,
    figures_from_series,
    procedure_times,
    timeseries,
)
from .read import (  # noqa: F401
    _apply,
    _apply_all,
    _collect,
    _collect_empty,
    _edge_counters,
    _group_value,
    _in_progress,
    _month_windows,
    _new_figures,
    _split,
    _stored_open_month,
    figures,
)
from .rebuild_sql import (  # noqa: F401
    _BUCKET_SQL,
    _GROUP,
    _MONTH_TABLES,
    _event_aggregates,
    _lit,
    _local_session_time_zone,
    _month_sql,
    _rebuild_months_sql,
)
from .refresh import (  # noqa: F401
    RefreshResult,
    _as_row,
    _bucket,
    _store_facts,
    _unmark,
    _write_months,
    lock_refreshes,
    mark_dirty,
    rebuild_all,
    rebuild_months,
    rebuild_months_python,
    rebuild_procedure_times,
    rebuild_snapshots,
    recompute_months,
    refresh,
)
from .scope import (  # noqa: F401
    _open_at,
    _paths,
    _scope_q,
    _scope_sql,
    open_facts,
)
from .snapshots import (  # noqa: F401
    _OPEN_KEYS,
    _STORED,
    OPEN_FIELDS,
    _fact_keys,
    _month_bounds,
    _open_groups,
    _window_q,
    advance_open_ends,
    last_ended_month,
    month_end,
    open_ends_through,
    open_months,
    rebuild_province_months,
    store_open_ends,
)
