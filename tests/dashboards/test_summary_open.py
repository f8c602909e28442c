"""In-progress figures on a generated province: the drill-down pages of the dossiers open at a
moment list exactly the dossiers the direct definition gives, in the same order, for the province,
a department and a sector, and for past and current periods."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from dashboards import selectors, summary
from dashboards.models import (
    AgencyMonthStat,
    DossierFact,
    ProcedureMonthStat,
    ProcedureTimeMonth,
    ProvinceMonthStat,
    SectorMonthStat,
)
from dashboards.selectors import period_filters
from dossiers.models import Dossier
from portal.agencies.models import Agency

pytestmark = pytest.mark.django_db(transaction=True)

IN_PROGRESS = ("in_progress", "in_progress_on_time", "in_progress_overdue")


def _walk(filters: selectors.Filters, metric: str, limit: int) -> tuple[list[int], int]:
    ids, cursor = [], None
    while True:
        page = summary.drilldown_page(filters, metric, after=cursor, limit=limit)
        ids += [r["id"] for r in page.rows]
        cursor = page.next_cursor
        if not cursor:
            return ids, page.total


def test_in_progress_drilldowns_page_through_exactly_the_open_dossiers():
    call_command("generate_province", dossiers=3000, years=2, agencies=30, procedures=40, seed=5)
    today = timezone.localdate()
    last_month = period_filters("month", today.replace(day=1) - timedelta(days=1))
    last_year = period_filters("year", today.replace(year=today.year - 1))
    this_year = period_filters("year", today)
    department = (
        Agency.objects.filter(level="department")
        .annotate(n=Count("received_dossiers"))
        .order_by("-n")[0]
    )
    sector = (
        Dossier.objects.values("procedure__sector_id")
        .annotate(n=Count("pk"))
        .order_by("-n")[0]["procedure__sector_id"]
    )
    seen = 0
    for f in (
        last_month,
        last_year,
        this_year,
        replace(last_year, agency_ids=(department.pk,)),
        replace(this_year, sector_id=sector),
    ):
        for metric in IN_PROGRESS:
            ids, total = _walk(f, metric, limit=7)
            direct = list(selectors.drilldown(f, metric).values_list("pk", flat=True))
            assert ids == direct, (f, metric)
            assert total == len(direct), (f, metric)
            seen += len(direct)
    assert seen > 50


def _tables() -> dict[str, list[tuple]]:
    out = {}
    for model in (
        ProcedureMonthStat,
        SectorMonthStat,
        AgencyMonthStat,
        ProvinceMonthStat,
        ProcedureTimeMonth,
    ):
        names = [f.attname for f in model._meta.concrete_fields if f.attname != "id"]
        out[model.__name__] = sorted(model.objects.values_list(*names), key=repr)
    return out


def test_an_incremental_refresh_writes_what_a_full_rebuild_writes():
    """Dossiers of every age refreshed again give row for row the tables a rebuild gave: counters,
    month-end snapshots (rows that only carry one included), rollups and procedure times."""
    call_command("generate_province", dossiers=3000, years=2, agencies=30, procedures=40, seed=9)
    before = _tables()
    assert (
        sum(r[-1] for r in before["AgencyMonthStat"]) > 0
    )  # overdue_at_end: there are month-end snapshots
    ids = list(DossierFact.objects.order_by("dossier_id").values_list("dossier_id", flat=True))[::7]
    summary.mark_dirty(ids)
    result = summary.refresh()
    assert result.dossiers == len(ids) and result.months > 100
    assert _tables() == before
