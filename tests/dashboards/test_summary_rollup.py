"""The per-agency rollup and the SQL-aggregated partial months give, per group, exactly the
numbers computed straight from the dossiers: by sub-unit, by sector and by month over a custom
period whose both ends cut a month (so every group mixes whole months and partial-month edges)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone

from dashboards import selectors, summary
from dashboards.models import AgencyMonthStat, ProvinceMonthStat, SectorMonthStat
from dashboards.selectors import Filters
from portal.agencies.models import Agency

pytestmark = pytest.mark.django_db(transaction=True)

#: Period counters (in-progress figures are snapshots, checked by the agreement test).
FIELDS = (
    "received",
    "received_by_channel",
    "received_by_level",
    "resolved",
    "resolved_early",
    "resolved_on_time",
    "resolved_late",
    "processing_seconds",
    "returned",
    "withdrawn",
    "refused",
    "stopped",
    "supplement_requests",
    "apologies",
    "rated",
    "rating_counts",
    "digitised_dossiers",
    "e_results",
    "payable",
    "online_paid",
)


def _pick(fig: selectors.Figures) -> dict:
    c = fig.comparable()
    return {k: c[k] for k in FIELDS}


def test_groups_over_a_custom_period_agree_with_direct_computation():
    call_command("generate_province", dossiers=3000, years=2, agencies=30, procedures=40, seed=7)
    today = timezone.localdate()
    custom = Filters(start=today - timedelta(days=300), end=today - timedelta(days=20))
    assert custom.start.day != 1 or custom.end.day != 1  # really partial at an end

    # the rollup is the sector rows summed per (agency, level, month)
    assert AgencyMonthStat.objects.count() > 0
    for col in (
        "received",
        "resolved",
        "supplement_requests",
        "apologies",
        "processing_seconds",
        "open_at_end",
        "overdue_at_end",
    ):
        total = SectorMonthStat.objects.aggregate(s=Sum(col))["s"]
        assert (
            AgencyMonthStat.objects.aggregate(s=Sum(col))["s"]
            == ProvinceMonthStat.objects.aggregate(s=Sum(col))["s"]
            == total
        ), col
    assert SectorMonthStat.objects.aggregate(s=Sum("open_at_end"))["s"] > 0

    [root] = selectors.by_agency(custom)  # the province as the one root, with its whole tree
    assert root.figures.comparable() == selectors.direct_figures(custom).comparable()
    rows = selectors.by_agency(
        replace(custom, agency_ids=(root.key,))
    )  # its direct sub-units, each with its subtree
    assert len(rows) > 1
    for row in rows:
        direct = selectors.direct_figures(replace(custom, agency_ids=(row.key,)))
        assert row.figures.comparable() == direct.comparable(), row.code

    leaves = [a for a in Agency.objects.filter(children__isnull=True).order_by("pk")[:5]]
    ranking = {r.key: r.figures for r in selectors.by_agency(custom, every_agency=True)}
    for leaf in leaves:
        assert _pick(ranking[leaf.pk]) == _pick(
            selectors.direct_figures(replace(custom, agency_ids=(leaf.pk,)))
        ), leaf.code

    sectors = selectors.by_sector(custom)
    for row in sectors[:4]:
        assert _pick(row.figures) == _pick(
            selectors.direct_figures(replace(custom, sector_id=row.key))
        ), row.code

    series = summary.timeseries(custom, "month")
    spans = summary.buckets(custom, "month")
    assert len(series) == len(spans) > 2
    for (start, fig), (s, e) in zip(series, spans, strict=True):
        assert start == s
        assert _pick(fig) == _pick(selectors.direct_figures(replace(custom, start=s, end=e))), s

    # in progress at each month's end, for a sector and for a department (the LATERAL probe per moment)
    for scoped in (
        replace(custom, sector_id=sectors[0].key),
        replace(custom, agency_ids=(rows[0].key,)),
    ):
        seen = 0
        for (s, e), (_start, fig) in zip(
            summary.buckets(scoped, "month"), summary.timeseries(scoped, "month"), strict=True
        ):
            direct = selectors.direct_figures(replace(scoped, start=s, end=e))
            assert (fig.in_progress, fig.in_progress_overdue) == (
                direct.in_progress,
                direct.in_progress_overdue,
            ), (scoped, s)
            seen += direct.in_progress
        assert seen > 0, scoped

    # one period inside a single month but not whole, and one crossing a month boundary
    for f in (
        Filters(
            start=today.replace(day=1) - timedelta(days=25),
            end=today.replace(day=1) - timedelta(days=5),
        ),
        Filters(
            start=today.replace(day=1) - timedelta(days=40),
            end=today.replace(day=1) - timedelta(days=20),
        ),
    ):
        assert _pick(selectors.dashboard_figures(f)) == _pick(selectors.direct_figures(f)), f
        per_month = summary.timeseries(f, "month")
        assert sum(fig.received for _s, fig in per_month) == selectors.direct_figures(f).received


def test_supplement_and_apology_drilldowns_list_exactly_the_dossiers_with_one_in_the_period():
    from dossiers.models import Apology, SupplementRequest

    call_command("generate_province", dossiers=2000, years=2, agencies=20, procedures=30, seed=5)
    today = timezone.localdate()
    period = Filters(start=today - timedelta(days=330), end=today - timedelta(days=15))
    a, b = period.bounds()
    commune = Agency.objects.filter(level="commune").order_by("pk")[2]
    for metric, rows in (
        (
            "supplement_requests",
            SupplementRequest.objects.filter(requested_at__gte=a, requested_at__lt=b),
        ),
        ("apologies", Apology.objects.filter(sent_at__gte=a, sent_at__lt=b)),
    ):
        expected = set(rows.values_list("dossier_id", flat=True))
        assert len(expected) > 5, metric
        assert set(selectors.drilldown(period, metric).values_list("pk", flat=True)) == expected
        scoped = replace(period, agency_ids=(commune.pk,))
        assert set(selectors.drilldown(scoped, metric).values_list("pk", flat=True)) == set(
            rows.filter(dossier__receiving_agency=commune).values_list("dossier_id", flat=True)
        )
        seen, cursor = [], None
        while True:
            page = summary.drilldown_page(period, metric, after=cursor, limit=40)
            seen += [r["id"] for r in page.rows]
            if not page.next_cursor:
                break
            cursor = page.next_cursor
        assert len(seen) == len(set(seen)) and set(seen) == expected
