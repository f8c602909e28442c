"""One gapless counter for every official sequence of the portal.

* dossier codes: one sequence per receiving agency and day (:mod:`dossiers.codes`);
* the agencies' books: outgoing and incoming documents and the one-stop forms 01–07, one sequence
  per agency, book and year (Decree 30/2020/NĐ-CP: numbered from 01 on 1 January to 31 December,
  :mod:`documents.numbering`);
* fee receipts: one sequence per year (:mod:`dossiers.payments.services`).

A number is taken inside the transaction that records it, from the sequence's counter row locked
with ``SELECT … FOR UPDATE``: concurrent takers queue on the row, and a transaction that rolls back
rolls its increment back with it, so a sequence has no gaps and no duplicates. Each sequence keeps
its own table (its key differs: a day, a year and a book, a year); the rule is written once, here.
"""

from __future__ import annotations

from typing import Any

from django.db import models, transaction


def next_value(model: type[models.Model], **key: Any) -> int:
    """The next value of the sequence ``key`` in ``model`` (a table with a unique ``key`` and a
    ``last_value`` field). Must run inside the caller's transaction, which also records the number.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(
            f"a {model.__name__} number must be taken inside the transaction that records it"
        )
    # get_or_create creates the row in a savepoint and, if a concurrent transaction created it
    # first (unique constraint), reads that one instead; the locked read then waits for its commit.
    model._default_manager.get_or_create(**key)
    # any model with a ``last_value`` integer field: the attribute is not on models.Model
    counter: Any = model._default_manager.select_for_update().get(**key)
    counter.last_value += 1
    counter.save(update_fields=["last_value"])
    last_value: int = counter.last_value
    return last_value
