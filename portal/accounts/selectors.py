"""Who may see what. Views and API both ask here, so the answer is the same everywhere."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy

from portal.agencies.models import Agency

from .constants import Role
from .models import User

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from .typed import Actor


def agencies_in_scope(user: User) -> QuerySet[Agency]:
    """Agencies whose data a staff user may see: provincial staff and administrators see all,
    others see their own agency and its sub-units; applicants and anonymous users see none."""
    if not user.is_authenticated or not getattr(user, "is_staff_member", False):
        return Agency.objects.none()
    if user.is_superuser or user.has_role(Role.PROVINCIAL, Role.ADMIN):
        return Agency.objects.all()
    if user.agency is None:
        return Agency.objects.none()
    return Agency.objects.subtree_of(user.agency)


def user_can_act_for(
    user: Actor, unit: Agency | None, *roles: str, agency_wide: bool = False
) -> bool:
    """The one access rule "acts for this unit" of dossiers and documents: ``user`` is an active
    staff member holding one of ``roles`` (any role when none is named) whose agency contains
    ``unit``; a staff member attached to a department acts only for units inside that department
    (Decree 118/2025 art. 19: the specialist handles the dossiers of his own department).

    ``agency_wide``: the business belongs to the agency as a whole, not to one department — the
    one-stop counter (dossier scope "receiving"), the agency's outgoing and incoming documents,
    which any of its staff with the role drafts or handles (Decree 30/2020 art. 8)."""
    if (
        unit is None
        or not getattr(user, "is_authenticated", False)
        or not getattr(user, "is_staff_member", False)
    ):
        return False
    if not user.is_active or user.agency_id is None:
        return False
    if roles and not user.has_role(*roles):
        return False
    agency = user.agency
    if agency is None or not unit.is_within(agency):
        return False
    if agency_wide or user.department_id is None:
        return True
    department = user.department
    return department is not None and unit.is_within(department)


def can_submit_dossiers(user: User) -> bool:
    """Applicants submit dossiers online only once their e-mail address is verified.

    Staff take dossiers in at the counter through their own pages, not through this check.
    """
    return bool(
        user.is_authenticated
        and user.is_active
        and getattr(user, "is_applicant", False)
        and (user.email_verified_at is not None or user.eid_identities.exists())
    )


def needs_email_verification(user: User) -> bool:
    """True for a logged-in applicant whose e-mail is still unverified (shown as a banner)."""
    return bool(
        user.is_authenticated
        and getattr(user, "is_applicant", False)
        and user.email_verified_at is None
    )


#: Per role, the queues of the staff workspace: (URL name, label). Pages that do not exist yet are
#: left out by :func:`workspace_sections`, so the list can name pages other apps add later.
WORKSPACE_LINKS: dict[str, list[tuple[str, StrOrPromise]]] = {
    Role.CLERK: [
        ("dossiers:intake_queue", gettext_lazy("Dossiers to receive at the one-stop counter")),
        ("dossiers:counter_new", gettext_lazy("Record a dossier brought to the counter")),
        ("dossiers:tracking_book", gettext_lazy("Dossier tracking book (form 07)")),
    ],
    Role.SPECIALIST: [
        ("dossiers:my_queue", gettext_lazy("Dossiers assigned to me")),
        ("dossiers:department_queue", gettext_lazy("Dossiers to examine in my department")),
        ("documents:inbox", gettext_lazy("Inter-agency documents")),
    ],
    Role.LEADER: [
        ("dossiers:approval_queue", gettext_lazy("Dossiers awaiting my approval and signature")),
        ("notifications:apology_queue", gettext_lazy("Apologies for late dossiers to approve")),
        ("signatures:sign", gettext_lazy("Sign results digitally")),
        ("documents:inbox", gettext_lazy("Inter-agency documents")),
        ("dashboards:province", gettext_lazy("Dashboard of my agency")),
        ("dossiers:tracking_book", gettext_lazy("Dossier tracking book (form 07)")),
    ],
    Role.CLERICAL: [
        ("documents:inbox", gettext_lazy("Incoming and outgoing documents")),
        ("documents:outgoing_book", gettext_lazy("Outgoing document book")),
        ("documents:incoming_book", gettext_lazy("Incoming document book")),
        ("dossiers:issue_queue", gettext_lazy("Signed results to issue")),
        ("signatures:sign", gettext_lazy("Sign results digitally")),
    ],
    Role.PROVINCIAL: [
        ("dashboards:province", gettext_lazy("Provincial dashboard")),
        ("dashboards:index766", gettext_lazy("Service index (Decision 766)")),
    ],
    Role.ADMIN: [
        ("admin:index", gettext_lazy("Administration: catalogue, agencies, users and roles")),
        ("signatures:certificates", gettext_lazy("Officials' signing certificates")),
        (
            "admin:accounts_dataaccess_changelist",
            gettext_lazy("Accesses to citizens' data (flagged ones first)"),
        ),
    ],
}


def workspace_sections(user: User) -> list[dict[str, Any]]:
    """For each role ``user`` holds (in the order of :class:`Role`), the links that exist now."""
    roles = set(user.role_set)
    if user.is_superuser:
        roles.add(Role.ADMIN)
    sections = []
    for role in Role:
        if role not in roles:
            continue
        links = []
        for url_name, label in WORKSPACE_LINKS.get(role, []):
            try:
                links.append({"url": reverse(url_name), "label": label, "name": url_name})
            except NoReverseMatch:
                continue
        sections.append({"role": role.value, "label": role.label, "links": links})
    return sections


def verified_facts(user: Actor) -> dict[str, Any]:
    """Claim name → value of what the national e-ID vouched for about this account (newest wins)."""
    from .models import VerifiedFact

    if not getattr(user, "pk", None):
        return {}
    return {f.name: f.value for f in VerifiedFact.objects.filter(user=user).order_by("verified_at")}
