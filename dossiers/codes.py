"""Dossier codes (mã hồ sơ): ``<receiving-unit code>-<YYYYMMDD>-<7-digit sequence>``, e.g.
``G09.20-20260609-0092637``.

A code is issued inside the reception transaction: the (agency, day) counter row is locked with
``SELECT ... FOR UPDATE``, so concurrent receptions queue on it; if the reception rolls back, the
increment rolls back with it. Codes are therefore unique, never reused and gap-free.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction

from portal.agencies.models import Agency

from .models import DossierCodeCounter


def format_code(prefix: str, day: date, sequence: int) -> str:
    return f"{prefix}-{day:%Y%m%d}-{sequence:07d}"


def issue_code(*, agency: Agency, day: date) -> str:
    """Next code of ``agency`` for ``day``. Must run inside the caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("issue_code must run inside the reception transaction")
    # get_or_create creates the row in a savepoint and, if a concurrent transaction created it
    # first (unique constraint), reads that one instead.
    DossierCodeCounter.objects.get_or_create(agency=agency, date=day)
    counter = DossierCodeCounter.objects.select_for_update().get(agency=agency, date=day)
    counter.last_value += 1
    counter.save(update_fields=["last_value"])
    return format_code(agency.dossier_code_prefix, day, counter.last_value)
