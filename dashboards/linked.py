"""The figures read from the other apps' records instead of the dossier facts: results the portal
signed (:mod:`signatures`) and documents exchanged between agencies (:mod:`documents`).

* **signed_results**: dossiers resolved in the period (``finished_at``, as ``resolved``) with at
  least one signed result stored for them (a :class:`~signatures.models.SignedDocument` linked to
  the dossier whose file was written: ``sha256`` set; a reserved address whose signing failed does
  not count): the result issued as a digitally signed electronic document (Decree 30/2020 on
  electronic documents; Decision 766/QĐ-TTg's digitisation component); ``signed_share`` =
  signed_results / resolved.
* **documents_sent**: outgoing documents (văn bản đi) whose ``sent_at`` is in the period, issued by
  an agency of the scope; **documents_received**: incoming documents (văn bản đến) that came over
  the electronic exchange (``source = exchange``; those registered by hand are paper) with
  ``received_at`` in the period, received by an agency of the scope (Decree 30/2020, the
  electronic exchange of documents).

These tables are small next to the dossiers (one row per signed result or document), so both the
pages and the direct computation of the agreement tests count them with the same indexed queries.
Documents have no sector, procedure or service level: with one of those filters their counts are
0 with a note.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from .figures import Figures, Filters

#: The figures this module fills in.
LINKED_FIELDS = ("signed_results", "documents_sent", "documents_received")

NOTE_DOCUMENTS_UNSPLIT = _(
    "Documents have no sector, procedure or service level: not counted here."
)


def signed_results(filters: Filters) -> int:
    from signatures.models import SignedDocument

    from .figures import scoped_dossiers
    from .registry import _having_rows

    a, b = filters.bounds()
    # driven from the signed documents (few next to the dossiers): their dossiers by primary key,
    # not a scan of the period's resolved dossiers probing for a signature each
    signed = SignedDocument.objects.filter(dossier__isnull=False).exclude(sha256="")
    resolved = scoped_dossiers(filters).filter(finished_at__gte=a, finished_at__lt=b)
    return _having_rows(resolved, signed).count()


def _agency_scope(filters: Filters, field_name: str) -> object:
    from .figures import agency_q

    return agency_q(filters.agency_ids, field_name)


def documents_sent(filters: Filters) -> int:
    from documents.models import OutgoingDocument

    a, b = filters.bounds()
    return (
        OutgoingDocument.objects.filter(sent_at__gte=a, sent_at__lt=b)
        .filter(_agency_scope(filters, "agency"))
        .count()
    )


def documents_received(filters: Filters) -> int:
    from documents.constants import IncomingSource
    from documents.models import IncomingDocument

    a, b = filters.bounds()
    return (
        IncomingDocument.objects.filter(
            source=IncomingSource.EXCHANGE, received_at__gte=a, received_at__lt=b
        )
        .filter(_agency_scope(filters, "agency"))
        .count()
    )


def documents_apply(filters: Filters) -> bool:
    """Whether the document figures mean anything under these filters."""
    return filters.sector_id is None and filters.procedure_id is None and filters.level is None


def add_linked(fig: Figures, filters: Filters) -> Figures:
    """Fill ``fig``'s linked figures for ``filters`` (the same function for the pages and for the
    direct computation)."""
    fig.signed_results = signed_results(filters)
    if documents_apply(filters):
        fig.documents_sent = documents_sent(filters)
        fig.documents_received = documents_received(filters)
    else:
        fig.documents_sent = fig.documents_received = 0
        note = str(NOTE_DOCUMENTS_UNSPLIT)
        fig.notes["documents_sent"] = fig.notes["documents_received"] = note
    return fig
