"""On a generated province the summary tables give exactly the numbers computed straight from the
dossiers, for the province, an agency subtree, a sector, a procedure, a level, and month /
quarter / year / custom periods (with their previous periods)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from dashboards import reports, selectors, summary
from dashboards.selectors import Filters, period_filters
from dossiers.models import Dossier
from portal.agencies.models import Agency

pytestmark = pytest.mark.django_db(transaction=True)


def test_summary_agrees_with_direct_computation():
    call_command("generate_province", dossiers=5000, years=2, agencies=30, procedures=40, seed=11)
    today = timezone.localdate()
    busiest = (
        Dossier.objects.values("procedure_id", "procedure__sector_id")
        .annotate(n=Count("pk"))
        .order_by("-n")[0]
    )
    commune = Agency.objects.filter(level="commune").order_by("pk")[3]
    province = Agency.objects.filter(level="province").get()
    year = period_filters("year", today - timedelta(days=365))
    filters = [
        period_filters("year", today),
        year,
        year.previous(),
        period_filters("quarter", today - timedelta(days=100)),
        period_filters("month", today - timedelta(days=45)),
        period_filters("month", today),
        Filters(
            start=today - timedelta(days=400), end=today - timedelta(days=13)
        ),  # custom, partial months at both ends
        Filters(start=year.start, end=year.end, agency_ids=(commune.pk,)),
        Filters(start=year.start, end=year.end, agency_ids=(province.pk,)),
        Filters(start=year.start, end=year.end, sector_id=busiest["procedure__sector_id"]),
        Filters(start=year.start, end=year.end, procedure_id=busiest["procedure_id"]),
        Filters(start=today - timedelta(days=200), end=today - timedelta(days=3), level=4),
    ]
    for f in filters:
        fast, direct = selectors.dashboard_figures(f), selectors.direct_figures(f)
        assert fast.comparable() == direct.comparable(), f
    assert selectors.dashboard_figures(filters[0]).received > 500
    assert selectors.procedure_times(year) == selectors.direct_procedure_times(year)
    for scoped in (filters[7], filters[9]):  # a commune (per-agency rows), a sector (province rows)
        assert selectors.procedure_times(scoped) == selectors.direct_procedure_times(scoped), scoped
    custom = filters[6]
    assert selectors.procedure_times(custom) == selectors.direct_procedure_times(custom)
    # breakdowns add up to the whole
    whole = selectors.dashboard_figures(year)
    assert (
        sum(r.figures.received for r in selectors.by_agency(year, every_agency=True))
        == whole.received
    )
    assert sum(r.figures.resolved for r in selectors.by_sector(year)) == whole.resolved
    assert sum(f.received for _s, f in selectors.timeseries(year)) == whole.received
    # the page's figures and its previous period's, added up from the chart's months when they
    # lie inside them (month, quarter, year), are the same numbers
    for f in (filters[0], year, filters[3], filters[4], filters[5]):
        page = reports.build(f)
        assert page.figures.comparable() == selectors.direct_figures(f).comparable(), f
        assert page.previous.comparable() == selectors.direct_figures(f.previous()).comparable(), f
        span, gran = reports.series_filters(f)
        added = [
            selectors.figures_from_series(page.series, span, gran, p) is not None
            for p in (f, f.previous())
        ]
        assert added == [True, f.period_kind != "year"], f  # read from the chart, not queried again
    span, gran = reports.series_filters(filters[6])
    assert (
        selectors.figures_from_series(selectors.timeseries(span, gran), span, gran, filters[6])
        is None
    )  # custom: queried
    # drill-down pages: keyset pages cover the number exactly
    month = filters[4]
    seen, cursor = [], None
    while True:
        page = summary.drilldown_page(month, "resolved", after=cursor, limit=100)
        seen += [r["id"] for r in page.rows]
        cursor = page.next_cursor
        if not cursor:
            break
    assert (
        len(seen) == len(set(seen)) == page.total == selectors.drilldown(month, "resolved").count()
    )
