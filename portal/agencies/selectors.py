"""Public reads of the agency tree (the directory of agencies and their one-stop counters)."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from .models import Agency

_PUBLISHED = Q(procedures__state="published")


def agency_directory() -> QuerySet[Agency]:
    """Every active agency in tree order (by materialised path), with ``procedure_count``."""
    return Agency.objects.active().annotate(procedure_count=Count("procedures", filter=_PUBLISHED)).order_by("path")


def agency_get_public(*, code: str) -> Agency:
    """An active agency by its official code, with its parent. Raises ``Agency.DoesNotExist``."""
    return Agency.objects.active().select_related("parent").get(code=code)


def agency_children(agency: Agency) -> QuerySet[Agency]:
    return agency_directory().filter(parent=agency)
