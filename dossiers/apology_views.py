"""The leader's queue of drafted apologies (form 04): review, edit, approve.

The deadline scan drafts an apology when a dossier becomes late
(:mod:`dossiers.reminders`); nothing reaches the applicant until a leader approves it
here through :func:`dossiers.services.dossier_approve_apology`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.accounts.constants import Role

from .exceptions import DossierError
from .forms import ApologyForm
from .selectors import apology_drafts_for
from .services import dossier_approve_apology

if TYPE_CHECKING:
    from portal.accounts.typed import AuthenticatedHttpRequest


def _require_leader(request: AuthenticatedHttpRequest) -> None:
    user = request.user
    if not getattr(user, "is_staff_member", False) or not user.has_role(Role.LEADER):
        raise PermissionDenied(_("Only leaders approve apologies."))


def _form(apology, data=None) -> ApologyForm:  # type: ignore[no-untyped-def]
    initial = {
        "reason": apology.reason,
        "new_due_at": timezone.localtime(apology.new_due_at).strftime("%Y-%m-%dT%H:%M"),
    }
    return ApologyForm(data, prefix=f"apology-{apology.pk}", initial=initial)


@login_required
def apology_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_leader(request)
    drafts = list(apology_drafts_for(request.user))
    rows = [(apology, _form(apology)) for apology in drafts]
    return render(
        request,
        "notifications/apology_queue.html",
        {"rows": rows, "title": _("Apologies to approve")},
    )


@login_required
@require_POST
def apology_approve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require_leader(request)
    apology = apology_drafts_for(request.user).filter(pk=pk).first()
    if apology is None:
        raise Http404(_("No such apology waiting for approval."))
    form = _form(apology, request.POST)
    if form.is_valid():
        try:
            dossier_approve_apology(
                apology=apology,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                new_due_at=form.cleaned_data["new_due_at"],
            )
        except DossierError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("The apology for dossier %(code)s has been sent to the applicant.")
                % {"code": apology.dossier.code},
            )
            return redirect("notifications:apology_queue")
    drafts = list(apology_drafts_for(request.user))
    rows = [(a, form if a.pk == apology.pk else _form(a)) for a in drafts]
    return render(
        request,
        "notifications/apology_queue.html",
        {"rows": rows, "title": _("Apologies to approve")},
        status=400,
    )
