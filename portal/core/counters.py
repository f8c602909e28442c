"""One gapless counter for every official sequence of the portal.

* dossier codes: one sequence per receiving agency and day (:mod:`dossiers.codes`);
* the agencies' books: outgoing and incoming documents and the one-stop forms 01–07, one sequence
  per agency, book and year (Decree 30/2020/NĐ-CP: numbered from 01 on 1 January to 31 December,
  :mod:`documents.numbering`);
* fee receipts: one sequence per year (:mod:`dossiers.payments.services`).

A number is taken inside the transaction that records it, from the sequence's counter row locked
by the increment (``UPDATE``): concurrent takers queue on the row, and a transaction that rolls back
rolls its increment back with it, so a sequence has no gaps and no duplicates. Each sequence keeps
its own table (its key differs: a day, a year and a book, a year); the rule is written once, here.
"""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.db.models import F


def next_value(model: type[models.Model], **key: Any) -> int:
    """The next value of the sequence ``key`` in ``model`` (a table with a unique ``key`` and a
    ``last_value`` field). Must run inside the caller's transaction, which also records the number.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(
            f"a {model.__name__} number must be taken inside the transaction that records it"
        )
    rows = model._default_manager.filter(**key)
    # The increment takes the row lock (concurrent takers wait for this transaction, then see its
    # value) and reads back our own write: two statements where get_or_create, SELECT … FOR UPDATE
    # and UPDATE took three (issue 19: a reception takes a code and a book number).
    if not rows.update(last_value=F("last_value") + 1):
        # The sequence's first number: get_or_create creates the row in a savepoint and, if a
        # concurrent transaction created it first (unique constraint), reads that one instead; the
        # increment then waits for its commit.
        model._default_manager.get_or_create(**key)
        rows.update(last_value=F("last_value") + 1)
    last_value: int = rows.values_list("last_value", flat=True).get()
    return last_value
