"""The figures read from the other apps' records instead of the dossier facts: documents
exchanged between agencies (:mod:`documents`).

* **documents_sent**: outgoing documents (văn bản đi) whose ``sent_at`` is in the period, issued by
  an agency of the scope; **documents_received**: incoming documents (văn bản đến) that came over
  the electronic exchange (``source = exchange``; those registered by hand are paper) with
  ``received_at`` in the period, received by an agency of the scope (Decree 30/2020, the
  electronic exchange of documents).

They stay "linked" (counted per request) because they are not dossier events: a document has no
dossier, sector, procedure or service level, so no fact or monthly counter can carry it; with one
of those filters their counts are 0 with a note. The tables are small next to the dossiers (one
row per document), so both the pages and the direct computation count them with the same indexed
queries.

The signed results were counted here too until issue 16: they are dossier facts now (the fact's
``signed`` flag, the ``signed_results`` counter, :mod:`dashboards.registry`), refreshed when a
signed result is stored (:mod:`dashboards.signals`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from .figures import Figures, Filters

#: The figures this module fills in.
LINKED_FIELDS = ("documents_sent", "documents_received")

NOTE_DOCUMENTS_UNSPLIT = _(
    "Documents have no sector, procedure or service level: not counted here."
)


def _paths_q(paths: dict[int, str] | None, field_name: str) -> Q:
    """Rows whose ``field_name`` agency lies in one of the subtrees (``paths``: root -> path)."""
    if paths is None:
        return Q()
    q = Q(pk__in=[])
    for pk, path in paths.items():
        q |= Q(**{f"{field_name}_id": pk}) | Q(**{f"{field_name}__path__startswith": path + "/"})
    return q


def _paths(filters: Filters) -> dict[int, str] | None:
    from portal.agencies.models import Agency

    if filters.agency_ids is None:
        return None
    return dict(Agency.objects.filter(pk__in=filters.agency_ids).values_list("pk", "path"))


def _sent_qs(filters: Filters, paths: dict[int, str] | None = None) -> QuerySet[Any]:
    from documents.models import OutgoingDocument

    a, b = filters.bounds()
    paths = _paths(filters) if paths is None else paths
    return OutgoingDocument.objects.filter(
        _paths_q(paths, "agency"), sent_at__gte=a, sent_at__lt=b
    ).values("pk")


def _received_qs(filters: Filters, paths: dict[int, str] | None = None) -> QuerySet[Any]:
    from documents.constants import IncomingSource
    from documents.models import IncomingDocument

    a, b = filters.bounds()
    paths = _paths(filters) if paths is None else paths
    return IncomingDocument.objects.filter(
        _paths_q(paths, "agency"),
        source=IncomingSource.EXCHANGE,
        received_at__gte=a,
        received_at__lt=b,
    ).values("pk")


def documents_sent(filters: Filters) -> int:
    return _sent_qs(filters).count()


def documents_received(filters: Filters) -> int:
    return _received_qs(filters).count()


def _counts(querysets: list[QuerySet[Any]]) -> list[int]:
    """The row counts of several querysets in one round trip (each a scalar subquery)."""
    parts: list[str] = []
    params: list[Any] = []
    for qs in querysets:
        sql, p = qs.query.sql_with_params()
        parts.append(f"(SELECT count(*) FROM ({sql}) q)")
        params.extend(p)
    with connection.cursor() as cur:
        cur.execute("SELECT " + ", ".join(parts), params)
        return list(cur.fetchone())


def documents_apply(filters: Filters) -> bool:
    """Whether the document figures mean anything under these filters."""
    return filters.sector_id is None and filters.procedure_id is None and filters.level is None


def add_linked(fig: Figures, filters: Filters) -> Figures:
    """Fill ``fig``'s linked figures for ``filters`` (the same function for the pages and for the
    direct computation)."""
    if documents_apply(filters):
        paths = _paths(filters)
        fig.documents_sent, fig.documents_received = _counts(
            [_sent_qs(filters, paths), _received_qs(filters, paths)]
        )
    else:
        fig.documents_sent = fig.documents_received = 0
        note = str(NOTE_DOCUMENTS_UNSPLIT)
        fig.notes["documents_sent"] = fig.notes["documents_received"] = note
    return fig
