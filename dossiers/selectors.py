"""Reads of dossiers, scoped by who asks. Pages and API both use these, so another's dossier is a
404 everywhere.

* applicants see their own dossiers (drafts included);
* staff see the dossiers received by, or being processed in, the agencies of their scope
  (:func:`portal.accounts.selectors.agencies_in_scope`: provincial staff and administrators see
  all), never drafts;
* anonymous users see nothing, except the non-personal tracking view (:func:`track_public`,
  :func:`track_by_token`).
"""

from __future__ import annotations

import hmac
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeAlias, TypedDict

from django.contrib.auth import get_user_model
from django.db.models import BooleanField, Case, Prefetch, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext

from portal.accounts.constants import AccountKind, Role
from portal.accounts.selectors import agencies_in_scope

from .constants import NATIONAL_STATUS_NAMES, OPEN_STATUSES, DossierStatus, Stage, Visibility
from .models import Apology, Dossier, DossierEvent, DossierStep, SupplementRequest

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    from portal.accounts.models import User
    from portal.accounts.typed import Actor
    from portal.agencies.models import Agency

    class DeadlineFlags(TypedDict):
        """The two columns :func:`with_deadline_flags` adds to a dossier queryset."""

        is_overdue: bool
        is_due_soon: bool

    #: Dossiers with the deadline flags (the type checker then accepts filters on them).
    FlaggedDossiers: TypeAlias = QuerySet[WithAnnotations[Dossier, DeadlineFlags]]


#: A dossier is "due soon" when its appointment date is within this window.
DUE_SOON = timedelta(hours=24)
MAX_SEARCH = 100


def dossiers_visible_to(user: Actor) -> QuerySet[Dossier]:
    """Every dossier ``user`` may see (see the module docstring)."""
    qs = Dossier.objects.select_related(
        "procedure", "receiving_agency", "handling_department", "assigned_to"
    )
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if getattr(user, "is_applicant", False):
        return qs.filter(applicant=user)
    if not getattr(user, "is_staff_member", False) and not user.is_superuser:
        return qs.none()
    qs = qs.exclude(status=DossierStatus.DRAFT)
    if user.is_superuser or user.has_role(Role.PROVINCIAL, Role.ADMIN):
        return qs
    scope = agencies_in_scope(user)
    return qs.filter(Q(receiving_agency__in=scope) | Q(handling_department__in=scope))


def get_dossier_for(user: Actor, pk: int | str) -> Dossier:
    """The dossier ``pk`` if ``user`` may see it; 404 alike for missing and forbidden."""
    try:
        return dossiers_visible_to(user).get(pk=int(pk))
    except (Dossier.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404(gettext("Dossier not found.")) from None


def with_deadline_flags(qs: QuerySet[Dossier], now: datetime | None = None) -> FlaggedDossiers:
    """Annotate ``is_overdue`` (open and past the appointment date) and ``is_due_soon``."""
    now = now or timezone.now()
    open_ = Q(status__in=list(OPEN_STATUSES))
    return qs.annotate(
        is_overdue=Case(
            When(open_ & Q(due_at__lt=now), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        is_due_soon=Case(
            When(open_ & Q(due_at__gte=now, due_at__lt=now + DUE_SOON), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
    )


def filter_worklist(
    qs: QuerySet[Dossier],
    *,
    status: int | None = None,
    procedure: int | None = None,
    overdue: bool | None = None,
    due_soon: bool | None = None,
    q: str = "",
) -> QuerySet[Dossier]:
    """Filters of every worklist; ``q`` searches the code, the applicant's name and ID number."""
    qs = with_deadline_flags(qs)
    if status is not None:
        qs = qs.filter(status=status)
    if procedure is not None:
        qs = qs.filter(procedure_id=procedure)
    if overdue:
        qs = qs.filter(is_overdue=True)
    if due_soon:
        qs = qs.filter(is_due_soon=True)
    q = (q or "").replace("\x00", "").strip()[:MAX_SEARCH]
    if q:
        qs = qs.filter(
            Q(code__iexact=q)
            | Q(code__icontains=q)
            | Q(applicant_name__icontains=q)
            | Q(applicant_citizen_id=q)
            | Q(applicant_tax_code=q)
            | Q(applicant_phone=q)
        )
    return qs


def intake_queue(user: Actor, **filters: Any) -> QuerySet[Dossier]:
    """The one-stop clerk's queue: new dossiers to check, supplements awaited at intake, and
    results to hand back, in the agencies he receives for."""
    if (
        not getattr(user, "is_authenticated", False)
        or not user.has_role(Role.CLERK)
        or user.agency is None
    ):
        return Dossier.objects.none()
    from portal.agencies.models import Agency

    qs = (
        dossiers_visible_to(user)
        .filter(receiving_agency__in=Agency.objects.subtree_of(user.agency))
        .filter(
            Q(status__in=[DossierStatus.NEW, DossierStatus.RECEIVED, DossierStatus.PROCESSED])
            | Q(status=DossierStatus.SUPPLEMENT_REQUESTED, resume_status=DossierStatus.NEW)
        )
    )
    return filter_worklist(qs, **filters).order_by("submitted_at", "pk")


def _unit_scope(user: Actor) -> QuerySet[Agency]:
    """The user's department and its sub-units, or his agency's when he has no department (the
    callers have checked that he has an agency)."""
    from portal.agencies.models import Agency

    unit = user.department if user.department_id else user.agency
    if unit is None:
        return Agency.objects.none()
    return Agency.objects.subtree_of(unit)


def department_queue(user: Actor, **filters: Any) -> QuerySet[Dossier]:
    """Dossiers being processed in the user's department (or agency) — the leader distributes
    them, specialists see what their unit has."""
    if (
        not getattr(user, "is_authenticated", False)
        or not user.has_role(Role.LEADER, Role.SPECIALIST)
        or user.agency_id is None
    ):
        return Dossier.objects.none()
    qs = dossiers_visible_to(user).filter(
        handling_department__in=_unit_scope(user),
        status__in=[
            DossierStatus.IN_PROGRESS,
            DossierStatus.SUPPLEMENT_REQUESTED,
            DossierStatus.FINANCIAL_OBLIGATION,
        ],
    )
    return filter_worklist(qs, **filters).order_by("due_at", "pk")


def my_queue(user: Actor, **filters: Any) -> QuerySet[Dossier]:
    """Dossiers assigned to the user personally."""
    if not getattr(user, "is_staff_member", False):
        return Dossier.objects.none()
    qs = dossiers_visible_to(user).filter(assigned_to=user, status__in=list(OPEN_STATUSES))
    return filter_worklist(qs, **filters).order_by("due_at", "pk")


def approval_queue(user: Actor, **filters: Any) -> QuerySet[Dossier]:
    """Dossiers waiting for this leader's approval: forwarded to him, or to his unit."""
    if (
        not getattr(user, "is_authenticated", False)
        or not user.has_role(Role.LEADER)
        or user.agency_id is None
    ):
        return Dossier.objects.none()
    qs = (
        dossiers_visible_to(user)
        .filter(
            status=DossierStatus.IN_PROGRESS,
            stage=Stage.APPROVAL,
            handling_department__in=_unit_scope(user),
        )
        .filter(Q(assigned_to=user) | Q(assigned_to__isnull=True))
    )
    return filter_worklist(qs, **filters).order_by("due_at", "pk")


def overdue_dossiers(user: Actor) -> QuerySet[Dossier]:
    """Open dossiers past their appointment date, within what ``user`` sees (apology candidates)."""
    return with_deadline_flags(dossiers_visible_to(user)).filter(is_overdue=True).order_by("due_at")


def applicant_dossiers(user: Actor) -> QuerySet[Dossier]:
    """ "My dossiers" of a logged-in applicant, newest first."""
    if not getattr(user, "is_applicant", False):
        return Dossier.objects.none()
    return with_deadline_flags(dossiers_visible_to(user)).order_by("-created_at")


def pending_supplement_requests(user: Actor) -> QuerySet[SupplementRequest]:
    """Supplement requests the applicant still has to answer."""
    return SupplementRequest.objects.filter(
        dossier__in=applicant_dossiers(user).filter(status=DossierStatus.SUPPLEMENT_REQUESTED),
        answered_at__isnull=True,
    ).select_related("dossier")


def dossier_history(dossier: Dossier, viewer: Any = None) -> QuerySet[DossierEvent]:
    """The history rows (form 06/07 source), for a dossier the caller already may see. A
    ``viewer`` who is not staff (the applicant) sees the public rows only: an internal row (a
    leader's send-back note to the specialist, the draft result) is for staff."""
    rows = dossier.events.select_related(
        "actor", "from_user", "to_user", "from_agency", "to_agency"
    ).order_by("seq")
    if viewer is not None and not getattr(viewer, "is_staff_member", False):
        rows = rows.filter(visibility=Visibility.PUBLIC)
    return rows


# --- public tracking --------------------------------------------------------------------------


def _public_view(dossier: Dossier) -> dict[str, Any]:
    """What anyone holding the code and second factor (or the QR token) may see: no names, ID
    numbers, addresses, comments or files; nor the internal workflow (who did which action, each
    step's timeliness): the applicant needs the status, its changes and the dates."""
    events = list(dossier.events.all())
    return {
        "code": dossier.code,
        "procedure": dossier.procedure.name,
        "receiving_agency": dossier.receiving_agency.name,
        "status": dossier.status,
        "status_name": NATIONAL_STATUS_NAMES.get(dossier.status, ""),
        "channel": dossier.channel,
        "submitted_at": dossier.submitted_at,
        "received_at": dossier.received_at,
        "due_at": dossier.due_at,
        "rescheduled_due_at": dossier.rescheduled_due_at,
        "finished_at": dossier.finished_at,
        "returned_at": dossier.returned_at,
        "steps": [
            {
                "order": s.order,
                "name": s.name,
                "due_at": s.due_at,
                "started_at": s.started_at,
                "finished_at": s.finished_at,
            }
            for s in dossier.steps.all()
        ],
        "timeline": [
            {
                "status": e.to_status,
                "status_name": NATIONAL_STATUS_NAMES.get(e.to_status or 0, ""),
                "at": e.created_at,
            }
            for i, e in enumerate(events)
            if i == 0 or e.to_status != events[i - 1].to_status
        ],
    }


def _tracking_qs() -> QuerySet[Dossier]:
    return (
        Dossier.objects.select_related("procedure", "receiving_agency")
        .prefetch_related(
            Prefetch("steps", queryset=DossierStep.objects.order_by("order")),
            Prefetch(
                "events",
                queryset=DossierEvent.objects.filter(visibility=Visibility.PUBLIC)
                .only("dossier_id", "seq", "action", "to_status", "created_at")
                .order_by("seq"),
            ),
        )
        .exclude(code__isnull=True)
    )


def _last4(value: str) -> str:
    digits = "".join(ch for ch in value or "" if ch.isdigit())
    return digits[-4:] if len(digits) >= 4 else ""


#: Compared against when the code is unknown, so that both failures do the same work.
_NO_CANDIDATES = ("\uffff" * 4, "\uffff" * 4, "\uffff" * 4)


def track_public(code: str, second_factor: str) -> dict[str, Any] | None:
    """Public tracking by code plus the last 4 digits of the applicant's ID number (CCCD or tax
    code) or phone. ``None`` alike for an unknown code and a wrong second factor, after the same
    work: one query for the factor's fields and three constant-time comparisons either way; the
    dossier's view is loaded only once the digits matched (issue 13: the timing told the two apart)."""
    code = (code or "").replace("\x00", "").strip().upper()[:40]
    factor = (second_factor or "").strip()
    if not code or len(factor) != 4 or not (factor.isascii() and factor.isdigit()):
        return None
    row = (
        Dossier.objects.exclude(code__isnull=True)
        .filter(code=code)
        .values_list("pk", "applicant_citizen_id", "applicant_tax_code", "applicant_phone")
        .first()
    )
    candidates = [_last4(v) for v in row[1:]] if row else list(_NO_CANDIDATES)
    matched = False
    for candidate in candidates:
        matched |= bool(candidate) and hmac.compare_digest(candidate.encode(), factor.encode())
    if row is None or not matched:
        return None
    return _public_view(_tracking_qs().get(pk=row[0]))


def track_by_token(token: str) -> dict[str, Any] | None:
    """Tracking through the QR code printed on the receipt (form 01)."""
    token = (token or "").strip()
    if not token or len(token) > 32 or "\x00" in token:
        return None
    dossier = _tracking_qs().filter(tracking_token=token).first()
    return _public_view(dossier) if dossier else None


def leaders_of(dossier: Dossier) -> QuerySet[User]:
    """Active leaders of the unit processing ``dossier`` (``workflow.acts_in_unit`` for LEADER): who
    drafts an apology when no one is assigned, and who approves it (:mod:`dossiers.reminders`)."""
    from . import workflow

    unit = workflow.unit_of(dossier)
    ids = [int(p) for p in unit.path.split("/") if p.isdigit()]
    candidates = (
        get_user_model()
        .objects.filter(
            is_active=True, kind=AccountKind.STAFF, roles__role=Role.LEADER, agency_id__in=ids
        )
        .filter(Q(department__isnull=True) | Q(department_id__in=ids))
    )
    return candidates.distinct().order_by("pk")


def apology_drafts_for(user: Actor) -> QuerySet[Apology]:
    """Drafted apologies (form 04) a leader may approve: not yet sent, on dossiers he sees."""
    if not getattr(user, "is_staff_member", False) or not user.has_role(Role.LEADER):
        return Apology.objects.none()
    return (
        Apology.objects.filter(sent_at__isnull=True, dossier__in=dossiers_visible_to(user))
        .select_related("dossier", "dossier__procedure", "dossier__assigned_to", "created_by")
        .order_by("dossier__due_at", "pk")
    )
