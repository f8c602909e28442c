"""Summary tables and their incremental refresh (first version: delegates to the direct
computation, so the pages can be built on the final API while the tables land)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from portal.agencies.models import Agency

from .selectors import (
    Figures,
    Filters,
    GroupRow,
    ProcedureTime,
    _add_months,
    direct_figures,
    direct_procedure_times,
)


def figures(filters: Filters) -> Figures:
    return direct_figures(filters)


def procedure_times(filters: Filters, limit: int = 20) -> list[ProcedureTime]:
    return direct_procedure_times(filters, limit)


def _scope_agencies(filters: Filters, every_agency: bool) -> list[Agency]:
    if filters.agency_ids is None:
        qs = Agency.objects.all() if every_agency else Agency.objects.filter(parent__isnull=True)
    else:
        roots = list(Agency.objects.filter(pk__in=filters.agency_ids))
        if every_agency:
            ids: set[int] = set()
            for r in roots:
                ids |= set(Agency.objects.subtree_of(r).values_list("pk", flat=True))
            qs = Agency.objects.filter(pk__in=ids)
        else:
            qs = Agency.objects.filter(parent__in=roots)
    return list(qs.order_by("path"))


def by_agency(filters: Filters, *, every_agency: bool = False) -> list[GroupRow]:
    rows = []
    for agency in _scope_agencies(filters, every_agency):
        fig = direct_figures(replace(filters, agency_ids=(agency.pk,)))  # the agency with its sub-units
        rows.append(GroupRow(agency.pk, agency.code, agency.name, fig))
    return rows


def by_group(filters: Filters, kind: str) -> list[GroupRow]:
    from procedures.models import Procedure, Sector

    from .selectors import scoped_dossiers

    if kind == "sector":
        ids = set(scoped_dossiers(filters).values_list("procedure__sector_id", flat=True).distinct())
        return [GroupRow(s.pk, s.code, s.name, direct_figures(replace(filters, sector_id=s.pk))) for s in Sector.objects.filter(pk__in=ids).order_by("code")]
    ids = set(scoped_dossiers(filters).values_list("procedure_id", flat=True).distinct())
    return [GroupRow(p.pk, p.code, p.name, direct_figures(replace(filters, procedure_id=p.pk))) for p in Procedure.objects.filter(pk__in=ids).order_by("code")]


def _buckets(filters: Filters, granularity: str) -> list[tuple[date, date]]:
    step = {"month": 1, "quarter": 3, "year": 12}.get(granularity)
    out = []
    if granularity == "day":
        d = filters.start
        while d <= filters.end:
            out.append((d, d))
            d += timedelta(days=1)
        return out
    if step is None:
        raise ValueError("Độ chi tiết không hợp lệ (day, month, quarter, year). / Invalid granularity (day, month, quarter, year).")
    if granularity == "month":
        first = filters.start.replace(day=1)
    elif granularity == "quarter":
        first = date(filters.start.year, 3 * ((filters.start.month - 1) // 3) + 1, 1)
    else:
        first = date(filters.start.year, 1, 1)
    while first <= filters.end:
        nxt = _add_months(first, step)
        out.append((max(first, filters.start), min(nxt - timedelta(days=1), filters.end)))
        first = nxt
    return out


def timeseries(filters: Filters, granularity: str = "month") -> list[tuple[date, Figures]]:
    return [(s, direct_figures(replace(filters, start=s, end=e))) for s, e in _buckets(filters, granularity)]
