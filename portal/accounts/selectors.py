"""Who may see what. Views and API both ask here, so the answer is the same everywhere."""

from __future__ import annotations

from django.db.models import QuerySet

from portal.agencies.models import Agency

from .constants import Role
from .models import User


def agencies_in_scope(user: User) -> QuerySet[Agency]:
    """Agencies whose data a staff user may see: provincial staff and administrators see all,
    others see their own agency and its sub-units; applicants and anonymous users see none."""
    if not user.is_authenticated or not getattr(user, "is_staff_member", False):
        return Agency.objects.none()
    if user.is_superuser or user.has_role(Role.PROVINCIAL, Role.ADMIN):
        return Agency.objects.all()
    if user.agency_id is None:
        return Agency.objects.none()
    return Agency.objects.subtree_of(user.agency)


def user_can_act_for(user: User, agency: Agency, *roles: str) -> bool:
    """True when ``user`` holds one of ``roles`` in ``agency`` (its own agency or a parent of it)."""
    if not user.is_authenticated or not user.is_staff_member or user.agency_id is None:
        return False
    if roles and not user.has_role(*roles):
        return False
    return agency.is_within(user.agency)
