"""Dossier codes (mã hồ sơ): ``<receiving-unit code>-<YYYYMMDD>-<7-digit sequence>``, e.g.
``G09.20-20260609-0092637``.

A code is issued inside the reception transaction from the (agency, day) sequence of the portal's
one gapless counter (:func:`portal.core.counters.next_value`): concurrent receptions queue on it;
if the reception rolls back, the increment rolls back with it. Codes are therefore unique, never
reused and gap-free.
"""

from __future__ import annotations

from datetime import date

from portal.agencies.models import Agency
from portal.core.counters import next_value

from .models import DossierCodeCounter


def format_code(prefix: str, day: date, sequence: int) -> str:
    return f"{prefix}-{day:%Y%m%d}-{sequence:07d}"


def issue_code(*, agency: Agency, day: date) -> str:
    """Next code of ``agency`` for ``day``. Must run inside the caller's transaction."""
    return format_code(
        agency.dossier_code_prefix, day, next_value(DossierCodeCounter, agency=agency, date=day)
    )
