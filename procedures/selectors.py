"""Reads of the catalogue. The public only ever sees published procedures."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from portal.agencies.models import Agency
from portal.core.text import fold

from .constants import PublicationState
from .models import Procedure, ProcedureStep, RequiredDocument, Sector

#: Longest search text we look at; longer input is cut (no one types 200 characters into a search box).
MAX_QUERY_LENGTH = 200


#: Long texts a result list never shows; not fetched for lists.
_LIST_DEFERRED = (
    "search_text",
    "description",
    "conditions",
    "legal_basis",
    "result",
    "form_fields",
    "applicant_types",
)


def published_procedures() -> QuerySet[Procedure]:
    return Procedure.objects.filter(state=PublicationState.PUBLISHED)


def search_tokens(q: str) -> list[str]:
    """Folded words of a search text: "Đăng ký KHAI sinh" → ["dang", "ky", "khai", "sinh"]."""
    text = "".join(ch if ch.isprintable() else " " for ch in (q or "")[:MAX_QUERY_LENGTH])
    return [t for t in fold(text).split(" ") if t][:10]


def procedure_search(
    *,
    q: str = "",
    sector: Sector | None = None,
    agency: Agency | None = None,
    level: int | None = None,
) -> QuerySet[Procedure]:
    """Published procedures matching every word of ``q`` (diacritics and case ignored), in
    ``sector``, implemented by ``agency`` and at online ``level``.

    Each word is a ``search_text LIKE '%word%'``; on PostgreSQL the trigram GIN index
    (migration 0002) serves it.
    """
    qs = published_procedures()
    for token in search_tokens(q):
        qs = qs.filter(search_text__contains=token)
    if sector is not None:
        qs = qs.filter(sector=sector)
    if agency is not None:
        qs = qs.filter(agencies=agency)
    if level is not None:
        qs = qs.filter(level=level)
    return (
        qs.select_related("sector")
        .defer(*_LIST_DEFERRED)
        .order_by("sector__ordering", "name", "id")
    )


def procedure_get_published(*, code: str) -> Procedure:
    """One published procedure with everything its detail page shows.

    Raises ``Procedure.DoesNotExist`` for an unknown or unpublished code.
    """
    return (
        published_procedures()
        .select_related("sector")
        .prefetch_related(
            Prefetch("agencies", queryset=Agency.objects.order_by("path")),
            "fees",
            Prefetch("documents", queryset=RequiredDocument.objects.order_by("order", "id")),
            Prefetch("steps", queryset=ProcedureStep.objects.order_by("order")),
        )
        .get(code=code)
    )


def procedure_document_template(*, code: str, document_id: int) -> RequiredDocument:
    """A published procedure's required document that has a form template.

    Raises ``RequiredDocument.DoesNotExist`` otherwise.
    """
    return (
        RequiredDocument.objects.select_related("procedure")
        .exclude(template="")
        .get(pk=document_id, procedure__code=code, procedure__state=PublicationState.PUBLISHED)
    )


def sectors_with_counts() -> QuerySet[Sector]:
    """Sectors that hold at least one published procedure, with that count as ``n``."""
    return (
        Sector.objects.annotate(
            n=Count("procedures", filter=Q(procedures__state=PublicationState.PUBLISHED))
        )
        .filter(n__gt=0)
        .order_by("ordering", "name")
    )


def catalogue_agencies() -> QuerySet[Agency]:
    """Agencies that implement at least one published procedure (the search filter's choices)."""
    implemented = Procedure.agencies.through.objects.filter(
        agency_id=OuterRef("pk"), procedure__state=PublicationState.PUBLISHED
    )
    return (
        Agency.objects.active()
        .filter(Exists(implemented))
        .only("id", "code", "name", "path", "level", "parent_id")
        .order_by("path")
    )


def home_page_context() -> dict[str, Any]:
    sectors = list(sectors_with_counts())
    level_counts = {
        row["level"]: row["n"]
        for row in published_procedures().order_by().values("level").annotate(n=Count("id"))
    }
    return {
        "sectors": sectors,
        "procedure_count": sum(level_counts.values()),
        "level_counts": [(level, level_counts.get(level, 0)) for level in (2, 3, 4)],
        "featured": list(
            published_procedures()
            .filter(level__in=[3, 4])
            .select_related("sector")
            .order_by("sector__ordering", "name")[:6]
        ),
    }


def implementing_agencies(procedure: Procedure) -> QuerySet[Agency]:
    """The agencies that take this procedure's dossiers (cơ quan thực hiện), sorted by name.

    A procedure names its implementing agencies, and the levels it applies to narrow them
    (a department's procedure is not offered at a commune); one that names none is implemented by
    every agency at its levels (a commune-level procedure such as birth registration, Decree
    123/2015 art. 3, at every commune). Issue 14 found every department offered and accepted for a
    procedure of one department: the levels widened the list instead of narrowing it.
    """
    levels = list(procedure.agency_levels or [])
    named = procedure.agencies.all()
    if named.exists():
        qs = Agency.objects.filter(pk__in=named.values("pk"))
        if levels:
            qs = qs.filter(level__in=levels)
    else:
        qs = Agency.objects.filter(level__in=levels) if levels else Agency.objects.none()
    return qs.order_by("name")
