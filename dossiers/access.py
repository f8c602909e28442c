"""Who a workflow actor scope is, for dossiers (used by the table in :mod:`dossiers.workflow`).

Who may act is a pair (role, scope):

* ``("applicant", "owner")`` – the applicant account the dossier belongs to;
* ``(role, "receiving")`` – a staff member with ``role`` in the receiving agency (or a parent);
* ``(role, "handling")`` – a staff member with ``role`` in the unit processing the dossier now
  (``handling_department``, else the receiving agency); a staff member attached to a department
  acts only for that department (:func:`portal.accounts.selectors.user_can_act_for`);
* ``(role, "assignee")`` – the person the dossier is assigned to, holding ``role``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils import timezone

from portal.accounts.selectors import user_can_act_for

from .models import Dossier

if TYPE_CHECKING:
    from portal.accounts.typed import Actor


APPLICANT = "applicant"
OWNER, RECEIVING, HANDLING, ASSIGNEE = "owner", "receiving", "handling", "assignee"


def is_late(dossier: Dossier, now: Any = None) -> bool:
    """The dossier is past its appointment date (finished late, or still open after it)."""
    if dossier.due_at is None:
        return False
    moment = dossier.finished_at or now or timezone.now()
    return moment > dossier.due_at


def unit_of(dossier: Dossier) -> Any:
    """The unit processing the dossier now."""
    return dossier.handling_department or dossier.receiving_agency


def acts_in_unit(user: Actor, unit: Any, role: str) -> bool:
    """``user`` holds ``role`` in ``unit`` (department-aware): the portal's one rule."""
    return user_can_act_for(user, unit, role)


def actor_matches(dossier: Dossier, user: Actor, role: str, scope: str) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if scope == OWNER:
        return bool(getattr(user, "is_applicant", False) and dossier.applicant_id == user.pk)
    if scope == RECEIVING:
        # The one-stop counter belongs to the agency, not to one of its departments.
        return user_can_act_for(user, dossier.receiving_agency, role, agency_wide=True)
    if scope == HANDLING:
        return acts_in_unit(user, unit_of(dossier), role)
    if scope == ASSIGNEE:
        return dossier.assigned_to_id == user.pk and user.has_role(role)
    return False
