"""The one-stop staff's pages: the work queues (intake, department, assigned to me, waiting for
approval) and the leader's bulk assignment. Split from :mod:`dossiers.views` (issue 16), which
re-exports every view here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from portal.accounts.constants import Role

from . import forms, selectors, services
from .exceptions import DossierError

if TYPE_CHECKING:
    from portal.accounts.typed import AuthenticatedHttpRequest


# --- helpers ------------------------------------------------------------------------------------


def require_staff(request: AuthenticatedHttpRequest, *roles: str) -> None:
    user = request.user
    if not getattr(user, "is_staff_member", False) or (roles and not user.has_role(*roles)):
        raise DjangoPermissionDenied(_("This page is for one-stop staff."))


def _worklist(
    request: AuthenticatedHttpRequest,
    selector: Any,
    *,
    title: str,
    kind: str,
    roles: tuple[str, ...],
) -> HttpResponse:
    require_staff(request, *roles)
    form = forms.WorklistFilterForm(request.GET or None)
    qs = selector(request.user, **form.filters())
    rows = list(qs[:200])
    context = {
        "title": title,
        "kind": kind,
        "form": form,
        "rows": rows,
        "total": qs.count(),
        "overdue": sum(1 for r in rows if r.is_overdue),
        "due_soon": sum(1 for r in rows if r.is_due_soon),
    }
    if kind == "department" and request.user.has_role(Role.LEADER):
        unit = request.user.department or request.user.agency
        # a leader not yet attached to a unit has no one to assign to (was a 500)
        context["specialists"] = (
            forms._staff_with_role(Role.SPECIALIST, unit) if unit is not None else []
        )
    return render(request, "dossiers/worklist.html", context)


# --- staff ---------------------------------------------------------------------------------------


@login_required
def intake_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _worklist(
        request, selectors.intake_queue, title=_("Intake queue"), kind="intake", roles=(Role.CLERK,)
    )


@login_required
def department_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _bulk_assign(request)
    return _worklist(
        request,
        selectors.department_queue,
        title=_("Department queue"),
        kind="department",
        roles=(Role.LEADER, Role.SPECIALIST),
    )


def _bulk_assign(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_staff(request, Role.LEADER)
    ids = [i for i in request.POST.getlist("dossier") if i.isdigit()][:200]
    dossiers = list(selectors.department_queue(request.user).filter(pk__in=ids))
    if len(dossiers) != len(set(ids)):
        raise Http404
    unit = request.user.department or request.user.agency
    assignee = (
        None
        if unit is None  # a leader not yet attached to a unit: nothing to assign (was a 500)
        else forms._staff_with_role(Role.SPECIALIST, unit)
        .filter(
            pk=request.POST.get("assignee")
            if str(request.POST.get("assignee", "")).isdigit()
            else None
        )
        .first()
    )
    if not dossiers or assignee is None:
        messages.error(request, _("Choose the dossiers and a specialist."))
        return redirect("dossiers:department_queue")
    try:
        services.dossiers_bulk_assign(dossiers=dossiers, actor=request.user, assignee=assignee)
    except DossierError as exc:
        messages.error(request, exc.message)
        return redirect("dossiers:department_queue")
    messages.success(
        request,
        _("%(count)d dossiers assigned to %(name)s.")
        % {"count": len(dossiers), "name": assignee.full_name},
    )
    return redirect("dossiers:department_queue")


@login_required
def my_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _worklist(request, selectors.my_queue, title=_("Assigned to me"), kind="mine", roles=())


@login_required
def approval_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _worklist(
        request,
        selectors.approval_queue,
        title=_("Waiting for my approval"),
        kind="approval",
        roles=(Role.LEADER,),
    )
