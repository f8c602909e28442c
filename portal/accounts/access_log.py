"""Who looked at my data (nhật ký truy cập dữ liệu cá nhân): record and read staff accesses.

Decree 13/2023/NĐ-CP on personal data protection, Điều 9 (the data subject's right to know how
his data is processed) and Điều 27 (a log of processing): every time a staff member opens a
citizen's dossier, its files or his verified identity data, :func:`record_access` writes who,
when, what and the dossier it was for. Without a dossier of the citizen behind it, the access is
flagged for the province's administrator (:func:`flagged_accesses`). Modelled on Estonia's Data
Tracker (andmejälgija), which shows each citizen the officials' queries about him.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db.models import QuerySet

from .models import DataAccess, DataAccessKind

log = logging.getLogger("portal.access_log")


def record_access(
    *,
    staff: Any,
    citizen: Any,
    kind: str,
    dossier_id: int | None = None,
    dossier_code: str = "",
    detail: str = "",
) -> DataAccess | None:
    """Write one access; ``None`` when there is nothing to record (not staff, no citizen account,
    a staff member looking at his own data)."""
    if (
        not getattr(staff, "is_staff_member", False)
        or citizen is None
        or not getattr(citizen, "pk", None)
    ):
        return None
    if citizen.pk == staff.pk or not getattr(citizen, "is_applicant", False):
        return None
    if kind not in DataAccessKind.values:
        raise ValueError(kind)
    row = DataAccess.objects.create(
        citizen_id=citizen.pk,
        staff=staff,
        staff_agency_name=getattr(getattr(staff, "agency", None), "name", "")[:255],
        kind=kind,
        dossier_id=dossier_id,
        dossier_code=dossier_code[:40],
        detail=detail[:255],
        flagged=dossier_id is None,
    )
    if row.flagged:
        log.warning(
            "access_log.flagged",
            extra={"staff_id": staff.pk, "citizen_id": citizen.pk, "kind": kind},
        )
    return row


def accesses_of(user: Any) -> QuerySet[DataAccess]:
    """The citizen's own list (newest first); nobody else's."""
    if not getattr(user, "is_applicant", False):
        return DataAccess.objects.none()
    return DataAccess.objects.filter(citizen=user).select_related("staff")


def flagged_accesses(user: Any) -> QuerySet[DataAccess]:
    """Accesses with no dossier behind them, for the province's administrators only."""
    if not (getattr(user, "is_portal_admin", False)):
        return DataAccess.objects.none()
    return DataAccess.objects.filter(flagged=True).select_related("staff", "citizen")


__all__ = ["accesses_of", "flagged_accesses", "record_access"]
