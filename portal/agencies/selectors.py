"""Public reads of the agency tree (the directory of agencies and their one-stop counters)."""

from __future__ import annotations

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When

from portal.core.text import vn_sort_key

from .models import Agency

_PUBLISHED = Q(procedures__state="published")


def agency_directory() -> QuerySet[Agency]:
    """Every active agency in tree order (by materialised path), with ``procedure_count``."""
    return (
        Agency.objects.active()
        .annotate(procedure_count=Count("procedures", filter=_PUBLISHED))
        .order_by("path")
    )


def agency_get_public(*, code: str) -> Agency:
    """An active agency by its official code, with its parent. Raises ``Agency.DoesNotExist``."""
    return Agency.objects.active().select_related("parent").get(code=code)


def agency_children(agency: Agency) -> QuerySet[Agency]:
    return agency_directory().filter(parent=agency)


_COMMUNES: tuple[float, list[tuple[str, str, str]]] = (0.0, [])
COMMUNE_CACHE_SECONDS = 60


def commune_choices() -> list[tuple[str, str, str]]:
    """(code, name, province name) of every active commune/ward of the agency tree, for the
    address pickers of e-forms. Kept a minute in the process: e-forms read it for each field."""
    import time

    global _COMMUNES
    at, rows = _COMMUNES
    if time.monotonic() - at < COMMUNE_CACHE_SECONDS and rows:
        return rows
    from .constants import AgencyLevel

    rows = []
    for a in (
        Agency.objects.active()
        .filter(level=AgencyLevel.COMMUNE)
        .select_related("parent", "parent__parent")
        .order_by("name")
    ):
        province = a.parent
        while province is not None and province.level != AgencyLevel.PROVINCE:
            province = province.parent
        rows.append((a.code, a.name, province.name if province else ""))
    _COMMUNES = (time.monotonic(), rows)
    return rows


def sorted_by_name(agencies: QuerySet[Agency]) -> QuerySet[Agency]:
    """``agencies`` ordered by name in Vietnamese alphabetical order (``vn_sort_key``: "Đ" after
    "D"), still a queryset (for the pickers' ModelChoiceField), on PostgreSQL and SQLite alike
    whatever the database's collation (issue 14: every agency picker sorted)."""
    rows = sorted(agencies.values_list("pk", "name"), key=lambda row: vn_sort_key(row[1]))
    if not rows:
        return agencies
    ids = [pk for pk, _name in rows]
    return Agency.objects.filter(pk__in=ids).order_by(  # a plain query: safe after distinct()
        Case(
            *[When(pk=pk, then=Value(i)) for i, (pk, _name) in enumerate(rows)],
            default=Value(len(rows)),
            output_field=IntegerField(),
        )
    )
