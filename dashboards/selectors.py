"""What the dashboard pages and API read, for one set of filters: the summary tables
(:mod:`dashboards.summary`); the definitions of every number, the types and the direct computation
from the dossiers are :mod:`dashboards.figures` (re-exported here for the callers).
"""

from __future__ import annotations

from datetime import date

from . import linked, summary
from .direct import direct_figures, direct_procedure_times  # noqa: F401 - public names
from .figures import (  # noqa: F401 - the selectors' public names
    DRILLDOWN_METRICS,
    Figures,
    Filters,
    GroupRow,
    ProcedureTime,
    add_months,
    agency_q,
    drilldown,
    hours_bucket,
    last_day_of_month,
    p90_from_histogram,
    period_filters,
    procedure_times_from,
    scoped_dossiers,
)

# --- the dashboard API (summary tables once they exist) ---------------------------------------


def dashboard_figures(filters: Filters) -> Figures:
    """Every figure of the dashboard for ``filters``, from the summary tables (the exchanged
    documents from their own records: :mod:`dashboards.linked`)."""
    return linked.add_linked(summary.figures(filters), filters)


def procedure_times(filters: Filters, limit: int = 20) -> list[ProcedureTime]:
    return summary.procedure_times(filters, limit)


def by_agency(filters: Filters, *, every_agency: bool = False) -> list[GroupRow]:
    """One row per direct sub-unit of the scope (per root agency when the scope is the whole
    province), or, with ``every_agency``, per agency of the scope (for the ranking)."""
    return summary.by_agency(filters, every_agency=every_agency)


def by_sector(filters: Filters) -> list[GroupRow]:
    return summary.by_group(filters, "sector")


def by_procedure(filters: Filters) -> list[GroupRow]:
    return summary.by_group(filters, "procedure")


def timeseries(filters: Filters, granularity: str = "month") -> list[tuple[date, Figures]]:
    """Figures for each month (or quarter / year / day) of the period; the first and last
    buckets are clipped to the period."""
    return summary.timeseries(filters, granularity)


def figures_from_series(
    series: list[tuple[date, Figures]], span: Filters, granularity: str, filters: Filters
) -> Figures | None:
    """The figures of ``filters`` added up from a monthly series of ``span`` that covers it (None
    when it does not); the same numbers as :func:`dashboard_figures`, without its query."""
    fig = summary.figures_from_series(series, span, granularity, filters)
    return None if fig is None else linked.add_linked(fig, filters)


#: What the module offers (its own names and the re-exported ones), for strict importers.
__all__ = [
    "DRILLDOWN_METRICS",
    "Figures",
    "Filters",
    "GroupRow",
    "ProcedureTime",
    "add_months",
    "agency_q",
    "by_agency",
    "by_procedure",
    "by_sector",
    "dashboard_figures",
    "direct_figures",
    "direct_procedure_times",
    "drilldown",
    "figures_from_series",
    "hours_bucket",
    "last_day_of_month",
    "p90_from_histogram",
    "period_filters",
    "procedure_times",
    "procedure_times_from",
    "scoped_dossiers",
    "timeseries",
]
