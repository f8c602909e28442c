"""Record staff accesses to a citizen's dossier, files and verified identity data, with the
dossier as the reason (:mod:`portal.accounts.access_log` keeps the log and the citizen reads it).

Called by the dossier pages after the access selector let the staff member in (so the dossier
is one his role and agency may open): such an access has a dossier behind it and is not flagged.
"""

from __future__ import annotations

from typing import Any

from portal.accounts.access_log import record_access
from portal.accounts.models import DataAccessKind

from .models import Dossier


def dossier_opened(*, dossier: Dossier, staff: Any) -> None:
    record_access(
        staff=staff,
        citizen=dossier.applicant,
        kind=DataAccessKind.DOSSIER,
        dossier_id=dossier.pk,
        dossier_code=dossier.code or "",
    )


def file_opened(*, dossier: Dossier, staff: Any, name: str) -> None:
    record_access(
        staff=staff,
        citizen=dossier.applicant,
        kind=DataAccessKind.FILE,
        dossier_id=dossier.pk,
        dossier_code=dossier.code or "",
        detail=name,
    )
