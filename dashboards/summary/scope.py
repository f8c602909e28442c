"""The filters as conditions on the facts (ORM and SQL), and the facts open at a moment."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Q

from portal.agencies.models import Agency

from ..figures import (
    Filters,
)
from ..models import (
    DossierFact,
)


def scope_sql(filters: Filters) -> tuple[str, list[Any]]:
    parts, params = [], []
    if filters.agency_ids is not None:
        ors = ["FALSE"]
        for pk, path in agency_paths(filters.agency_ids).items():
            ors.append("(f.agency_id = %s OR f.agency_path LIKE %s)")
            params += [pk, path + "/%"]  # paths are digits and slashes
        parts.append("(" + " OR ".join(ors) + ")")
    for col, value in (
        ("sector_id", filters.sector_id),
        ("level", filters.level),
        ("procedure_id", filters.procedure_id),
    ):
        if value is not None:
            parts.append(f"f.{col} = %s")
            params.append(value)
    return (" AND " + " AND ".join(parts)) if parts else "", params


def agency_paths(agency_ids: Iterable[int]) -> dict[int, str]:
    return dict(Agency.objects.filter(pk__in=list(agency_ids)).values_list("pk", "path"))


def scope_q(filters: Filters) -> Q:
    q = Q()
    if filters.agency_ids is not None:
        aq = Q(pk__in=[])
        for pk, path in agency_paths(filters.agency_ids).items():
            aq |= Q(agency_id=pk) | Q(agency_path__startswith=path + "/")
        q &= aq
    if filters.sector_id is not None:
        q &= Q(sector_id=filters.sector_id)
    if filters.level is not None:
        q &= Q(level=filters.level)
    if filters.procedure_id is not None:
        q &= Q(procedure_id=filters.procedure_id)
    return q


def open_facts(filters: Filters, moment: datetime) -> Any:
    """Facts of the dossiers in progress at ``moment`` (received before it, not yet approved,
    withdrawn or stopped)."""
    return open_at(DossierFact.objects.filter(scope_q(filters)), moment)


def open_at(facts: Any, moment: datetime) -> Any:
    if connection.vendor == "postgresql":
        return facts.filter(received_at__isnull=False).extra(
            where=["tstzrange(received_at, exit_at, '(]') @> %s::timestamptz"], params=[moment]
        )
    return facts.filter(received_at__lt=moment).filter(
        Q(exit_at__isnull=True) | Q(exit_at__gte=moment)
    )
