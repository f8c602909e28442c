"""Gapless numbers of the outgoing and incoming books (sổ văn bản đi / đến), per agency and year.

Decree 30/2020: outgoing documents are numbered from 01 on 1 January to 31 December in one
sequence per issuing agency; incoming documents get their book number in the order they arrive.
Numbers are taken inside the caller's transaction from a counter row locked with ``SELECT … FOR
UPDATE``: concurrent issues queue on it and a rolled-back issue rolls its number back, so the book
has no gaps and no duplicates (same pattern as :mod:`dossiers.codes`).
"""

from __future__ import annotations

from django.db import transaction

from portal.agencies.models import Agency

from .models import DocumentNumberCounter


def next_number(*, agency: Agency, year: int, book: str) -> int:
    """The next number of ``book`` for ``agency`` in ``year``. Must run inside the transaction
    that records the number."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_number must run inside the issuing transaction")
    DocumentNumberCounter.objects.get_or_create(agency=agency, year=year, book=book)
    counter = DocumentNumberCounter.objects.select_for_update().get(agency=agency, year=year, book=book)
    counter.last_value += 1
    counter.save(update_fields=["last_value"])
    return counter.last_value
