"""Reads of the catalogue."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from .constants import PublicationState
from .models import Procedure, Sector


def published_procedures() -> QuerySet[Procedure]:
    return Procedure.objects.filter(state=PublicationState.PUBLISHED)


def home_page_context() -> dict:
    sectors = Sector.objects.annotate(
        n=Count("procedures", filter=Q(procedures__state=PublicationState.PUBLISHED))
    ).filter(n__gt=0)
    return {"sectors": sectors, "procedure_count": published_procedures().count()}
