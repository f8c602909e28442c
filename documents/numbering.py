"""Gapless numbers of the outgoing and incoming books (sổ văn bản đi / đến), per agency and year.

Decree 30/2020: outgoing documents are numbered from 01 on 1 January to 31 December in one
sequence per issuing agency; incoming documents get their book number in the order they arrive.
Numbers are taken inside the caller's transaction from the portal's one gapless counter
(:func:`portal.core.counters.next_value`): concurrent issues queue on it and a rolled-back issue
rolls its number back, so the book has no gaps and no duplicates.
"""

from __future__ import annotations

from portal.agencies.models import Agency
from portal.core.counters import next_value

from .models import DocumentNumberCounter


def next_number(*, agency: Agency, year: int, book: str) -> int:
    """The next number of ``book`` for ``agency`` in ``year``. Must run inside the transaction
    that records the number."""
    return next_value(DocumentNumberCounter, agency=agency, year=year, book=book)
