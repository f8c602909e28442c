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
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Q, QuerySet

from portal.core.outbox import outbox_enqueue

from .constants import Role
from .models import DataAccess, DataAccessKind, User

if TYPE_CHECKING:
    from .typed import Actor


#: The worker task that e-mails the province's administrators about one flagged access.
FLAG_TASK = "portal.accounts.tasks.data_access_flagged"

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
    with transaction.atomic():
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
            # one e-mail per flag, at once (flags are rare and each is a question to the official)
            outbox_enqueue(
                FLAG_TASK, kwargs={"access_id": row.pk}, dedupe_key=f"data-access-flag:{row.pk}"
            )
    if row.flagged:
        log.warning(
            "access_log.flagged",
            extra={"staff_id": staff.pk, "citizen_id": citizen.pk, "kind": kind},
        )
    return row


def accesses_of(user: Actor) -> QuerySet[DataAccess]:
    """The citizen's own list (newest first); nobody else's."""
    if not getattr(user, "is_applicant", False):
        return DataAccess.objects.none()
    return DataAccess.objects.filter(citizen=user).select_related("staff")


def flagged_accesses(user: Actor) -> QuerySet[DataAccess]:
    """Accesses with no dossier behind them, for the province's administrators only."""
    if not (getattr(user, "is_portal_admin", False)):
        return DataAccess.objects.none()
    return DataAccess.objects.filter(flagged=True).select_related("staff", "citizen")


def administrators() -> QuerySet[User]:
    """The province's administrators: active superusers and holders of the administrator role."""
    return (
        User.objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(roles__role=Role.ADMIN))
        .distinct()
        .order_by("pk")
    )


def notify_flagged(*, access_id: int) -> int:
    """E-mail (or text, as each chose) every administrator about one flagged access; the number of
    messages sent. Keyed on the access and the administrator, so a task delivered twice sends
    nothing new (the notifications' atomic claim)."""
    from django.conf import settings

    from portal.notifications import services as notifications

    row = DataAccess.objects.select_related("staff", "citizen").filter(pk=access_id).first()
    if row is None or not row.flagged:
        return 0
    context = {
        "site_url": settings.SITE_URL.rstrip("/"),
        "province": settings.PROVINCE_NAME,
        "staff_name": row.staff.full_name or row.staff.get_username(),
        "staff_agency": row.staff_agency_name,
        "citizen_name": row.citizen.full_name or row.citizen.get_username(),
        "kind": row.kind,
        "at": row.at,
        "access_id": row.pk,
    }
    ids: list[int] = []
    for admin in administrators():
        if admin.pk == row.staff_id:
            continue  # an administrator's own look is listed for the others
        ids += notifications.queue_for_user(
            user=admin,
            event="data_access_flagged",
            key=f"data-access-flag:{row.pk}:admin:{admin.pk}",
            context={**context, "recipient_name": admin.full_name or admin.get_username()},
        )
    return notifications.deliver_many(ids)


__all__ = [
    "accesses_of",
    "administrators",
    "flagged_accesses",
    "notify_flagged",
    "record_access",
]
