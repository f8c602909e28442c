"""What the dashboard shows, built once from the selectors and used by the page, the exports
(CSV, XLSX), the printable PDF and the API, so they always carry the same numbers.

Each selector is called once per report (and once more for the previous period's figures): no
per-row queries. Ratios are computed here from the counts, with ``None`` when the denominator is 0
(shown as "—", never as 0%).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from . import index766, registry, selectors
from .selectors import Filters

COUNT, PERCENT, HOURS = "count", "percent", "hours"


def ratio(num: float | int | None, den: float | int | None) -> float | None:
    if num is None or not den:
        return None
    return num / den


def on_time_rate(f: Any) -> float | None:
    return f.on_time_rate


def online_share(f: Any) -> float | None:
    return f.online_share


def satisfaction_rate(f: Any) -> float | None:
    """(satisfied + acceptable) ÷ ratings: the share the public page and cards show. The 766
    component uses its own formula (100% − late% − dislike%), see index766."""
    return f.satisfaction_rate


@dataclass(frozen=True)
class Metric:
    """One number of the dashboard: a Figures field (or a ratio of them) and its drill-down."""

    key: str
    label: Promise
    kind: str = COUNT
    drill: str | None = None  # the Figures field whose dossiers are behind the number
    higher_is_better: bool = True

    def value(self, figures: Any) -> float | int | None:
        if self.key == "on_time_rate":
            return on_time_rate(figures)
        if self.key == "online_share":
            return online_share(figures)
        if self.key == "satisfaction_rate":
            return satisfaction_rate(figures)
        return getattr(figures, self.key, None)


#: The KPI cards, in the order shown; every one links to its drill-down list.
KPIS: tuple[Metric, ...] = (
    Metric("received", _("Dossiers received"), drill="received"),
    Metric("resolved", _("Dossiers resolved"), drill="resolved"),
    Metric("on_time_rate", _("Resolved early or on time"), PERCENT, drill="resolved_late"),
    Metric("in_progress", _("In progress"), drill="in_progress"),
    Metric(
        "in_progress_overdue",
        _("In progress, overdue"),
        drill="in_progress_overdue",
        higher_is_better=False,
    ),
    Metric("online_share", _("Submitted online"), PERCENT, drill="received_online"),
    Metric("satisfaction_rate", _("Satisfaction"), PERCENT, drill="rated"),
    Metric(
        "supplement_requests",
        _("Supplement requests"),
        drill="supplement_requests",
        higher_is_better=False,
    ),
    Metric("apologies", _("Apologies sent"), drill="apologies", higher_is_better=False),
)

#: The full list of figures (the table under the cards, the exports and the PDF report): one row
#: per registry entry, in its order, then the ratios.
FIGURE_ROWS: tuple[Metric, ...] = (
    *(
        Metric(
            m.name,
            m.label,
            drill=m.name if m.drill else None,
            higher_is_better=m.higher_is_better,
        )
        for m in registry.METRICS
    ),
    Metric("on_time_rate", _("On-time rate"), PERCENT),
    Metric("online_share", _("Online share"), PERCENT),
    Metric("satisfaction_rate", _("Satisfaction rate"), PERCENT),
)

#: The metric names a drill-down accepts (the Figures fields with dossiers behind them).
DRILL_METRICS: frozenset[str] = frozenset(selectors.DRILLDOWN_METRICS)


@dataclass
class Kpi:
    metric: Metric
    value: float | int | None
    previous: float | int | None
    note: str = ""  # why the figure is 0 / not counted yet (the selectors' Figures.notes)

    @property
    def change(self) -> float | None:
        """Relative change against the previous period, in % (None when it cannot be said)."""
        if self.value is None or self.previous is None:
            return None
        if self.metric.kind == PERCENT:
            return 100 * (self.value - self.previous)  # percentage points
        if not self.previous:
            return None
        return 100 * (self.value - self.previous) / self.previous

    @property
    def arrow(self) -> str:
        c = self.change
        if c is None or abs(c) < 0.05:
            return ""
        return "▲" if c > 0 else "▼"

    @property
    def good(self) -> bool | None:
        c = self.change
        if c is None or abs(c) < 0.05:
            return None
        return (c > 0) == self.metric.higher_is_better


@dataclass
class Dashboard:
    filters: Filters
    previous_filters: Filters
    figures: Any
    previous: Any
    kpis: list[Kpi]
    rows: list[Kpi]
    series: list[tuple[date, Any]]
    granularity: str
    agencies: list[Any]
    procedures: list[Any]
    sectors: list[Any] = field(default_factory=list)


def series_filters(filters: Filters) -> tuple[Filters, str]:
    """The span and granularity of the "over time" chart: a month or a quarter is shown in the
    trend of the 12 months that end with it (monthly buckets come from the monthly summary in one
    query); a year by month; a custom range by month, or by day when it is at most 62 days."""
    kind = filters.period_kind
    if kind in ("month", "quarter"):
        start = filters.end.replace(day=1)
        start = (
            date(start.year, 1, 1)
            if start.month == 12
            else date(start.year - 1, start.month + 1, 1)
        )
        return replace(filters, start=start), "month"
    if kind == "year" or (filters.end - filters.start).days > 62:
        return filters, "month"
    return filters, "day"


def breakdown_filters(filters: Filters) -> Filters:
    """The filters of the per-agency breakdown: for the whole province, the departments and
    communes under the province's one root agency rather than the root alone."""
    if filters.agency_ids is None:
        from portal.agencies.models import Agency

        roots = list(Agency.objects.filter(parent__isnull=True).values_list("pk", flat=True)[:2])
        if len(roots) == 1:
            return replace(filters, agency_ids=(roots[0],))
    return filters


def build(filters: Filters) -> Dashboard:
    """Every number the dashboard page shows, one call per selector."""
    previous_filters = filters.previous()
    span, gran = series_filters(filters)
    series = list(selectors.timeseries(span, gran))
    # a month or quarter and the one before lie inside the chart's 12 months, a year is its 12
    figures = selectors.figures_from_series(
        series, span, gran, filters
    ) or selectors.dashboard_figures(filters)
    previous = selectors.figures_from_series(
        series, span, gran, previous_filters
    ) or selectors.dashboard_figures(previous_filters)
    return Dashboard(
        filters=filters,
        previous_filters=previous_filters,
        figures=figures,
        previous=previous,
        kpis=[Kpi(m, m.value(figures), m.value(previous)) for m in KPIS],
        rows=[
            Kpi(m, m.value(figures), m.value(previous), figures.notes.get(m.key, ""))
            for m in FIGURE_ROWS
        ],
        series=series,
        granularity=gran,
        agencies=list(selectors.by_agency(breakdown_filters(filters))),
        procedures=list(selectors.procedure_times(filters)),
        sectors=list(selectors.by_sector(filters)),
    )


def row_figures(row: selectors.GroupRow) -> selectors.Figures:
    return row.figures


def agency_table(rows: list[Any]) -> list[dict[str, Any]]:
    out = []
    for r in rows:
        f = row_figures(r)
        out.append(
            {
                "agency_id": r.key,
                "code": r.code,
                "name": r.name,
                "received": f.received,
                "received_online": f.received_online,
                "resolved": f.resolved,
                "resolved_late": f.resolved_late,
                "in_progress_overdue": f.in_progress_overdue,
                "on_time_rate": on_time_rate(f),
                "online_share": online_share(f),
            }
        )
    return out


def charts(d: Dashboard) -> dict[str, Any]:
    """The data the page's Chart.js charts draw (embedded with json_script, no extra request)."""
    fmt = "%m/%Y" if d.granularity == "month" else "%d/%m"
    f = d.figures
    table = agency_table(d.agencies)
    return {
        "series": {
            "labels": [p.strftime(fmt) for p, _f in d.series],
            "received": [s.received for _p, s in d.series],
            "resolved": [s.resolved for _p, s in d.series],
            "received_label": str(_("Received")),
            "resolved_label": str(_("Resolved")),
        },
        "timeliness": {
            "labels": [str(_("Early")), str(_("On time")), str(_("Late"))],
            "values": [f.resolved_early, f.resolved_on_time, f.resolved_late],
        },
        "online": {
            "labels": [str(_("Online")), str(_("Counter and post"))],
            "values": [f.received_online, max(0, f.received - f.received_online)],
        },
        "agencies": agency_chart(table),
    }


#: Agencies the "by agency" chart draws; the others are in the table under it.
CHART_AGENCIES = 15


def agency_chart(table: list[dict[str, Any]], top: int = CHART_AGENCIES) -> dict[str, Any]:
    """The busiest ``top`` agencies of the table (by dossiers received, then resolved) as
    horizontal bars: 60 and more agencies in one plot cannot be read, and every agency keeps its
    row in the table."""
    busiest = sorted(table, key=lambda r: (-r["received"], -r["resolved"], r["name"]))[:top]
    return {
        "labels": [r["name"] for r in busiest],
        "received": [r["received"] for r in busiest],
        "resolved": [r["resolved"] for r in busiest],
        "received_label": str(_("Received")),
        "resolved_label": str(_("Resolved")),
        "shown": len(busiest),
        "total": len(table),
    }


def agency_chart_caption(total: int, top: int = CHART_AGENCIES) -> str:
    """The line under the chart when it leaves agencies out."""
    if total <= top:
        return ""
    return str(
        _("The %(top)d agencies that received most; all %(total)d are in the table below.")
        % {"top": top, "total": total}
    )


# --- the 766 index ------------------------------------------------------------------------------


@dataclass
class RankedAgency:
    rank: int
    agency_id: int
    name: str
    score: index766.Score


def index_ranking(filters: Filters) -> list[RankedAgency]:
    """Agencies ranked by their index (percent of the points available), one selector call.

    Each agency is scored on its own dossiers and its own procedures (not its sub-units'), so a
    department and its divisions are ranked side by side without counting anything twice.
    Agencies with nothing to score (no dossier, no procedure) are left out."""
    from portal.agencies.models import Agency

    rows = list(selectors.by_agency(filters, every_agency=True))
    agencies = list(Agency.objects.filter(pk__in=[r.key for r in rows]).only("pk", "path"))
    catalogue = index766.catalogue_by_agency(filters, agencies)
    progress = index766.progress_by_agency(filters)  # > 1 supplement request = late (QĐ 766)
    scored = [
        (
            r,
            index766.compute(
                index766.IndexInputs(
                    row_figures(r),
                    catalogue.get(r.key, index766.CatalogueFigures()),
                    progress.get(r.key, index766.ProgressFigures()),
                )
            ),
        )
        for r in rows
    ]
    scored = [(r, s) for r, s in scored if s.max_available]
    scored.sort(key=lambda rs: (-(rs[1].percent or 0), rs[0].name))
    return [RankedAgency(i, r.key, r.name, s) for i, (r, s) in enumerate(scored, start=1)]
