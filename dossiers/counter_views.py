"""Counter intake (the clerk records a dossier handed in at the one-stop counter, Decree
118/2025): finding the procedure and the checklist with one scan slot per document. Split from
:mod:`dossiers.views` (issue 16), which re-exports every name here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from portal.accounts.constants import Role
from procedures.models import Procedure
from procedures.selectors import implementing_agencies, procedure_search, published_procedures
from procedures.services import procedure_current_version

from . import forms, services
from .exceptions import DossierError
from .staff_views import require_staff

if TYPE_CHECKING:
    from portal.accounts.typed import AuthenticatedHttpRequest


#: Most procedures the counter's search lists at once.
COUNTER_SEARCH_RESULTS = 20


def counter_procedures(agency: Any, q: str) -> list[Procedure]:
    """Published procedures whose code or name matches every word of ``q`` (diacritics and case
    ignored: "khai sinh" finds "Đăng ký khai sinh", on PostgreSQL and SQLite alike, through the
    folded ``search_text`` of ``procedures.selectors.procedure_search``) that ``agency`` takes."""
    if agency is None or not q.strip():
        return []
    found = []
    for procedure in procedure_search(q=q)[:200]:
        if implementing_agencies(procedure).filter(pk=agency.pk).exists():
            found.append(procedure)
            if len(found) == COUNTER_SEARCH_RESULTS:
                break
    return found


@login_required
def counter_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Counter intake: find the procedure by its name (or code), then the checklist of its
    documents with one scan slot each; the dossier is recorded (status 1, with its code) and the
    clerk receives it on its page (the ``receive`` transition prints form 01)."""
    require_staff(request, Role.CLERK)
    q = (request.GET.get("q") or "").strip()[:200]
    code = (request.POST.get("procedure_code") or request.GET.get("procedure") or "").strip()
    procedure = (
        published_procedures().filter(code=code).select_related("sector").first() if code else None
    )
    version = procedure_current_version(procedure) if procedure is not None else None
    checklist = services.counter_checklist(version.snapshot) if version is not None else []
    form = forms.CounterIntakeForm(
        request.POST or None,
        request.FILES or None,
        checklist=checklist,
        initial={"procedure_code": procedure.code if procedure else ""},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if procedure is None or version is None:
            form.add_error(None, _("Choose the procedure first (search above)."))
        else:
            try:
                dossier = services.dossier_create_at_counter(
                    actor=request.user,
                    procedure=procedure,
                    channel=d["channel"],
                    comment=d["comment"],
                    applicant={
                        "name": d["applicant_name"],
                        "citizen_id": d["applicant_citizen_id"],
                        "phone": d["applicant_phone"],
                        "email": d["applicant_email"],
                        "address": d["applicant_address"],
                        "delivery": d["result_delivery"],
                        "delivery_address": d["delivery_address"],
                    },
                    papers=form.papers(),
                )
                messages.success(
                    request,
                    _(
                        "Dossier recorded. Check it and receive it, ask for supplements or refuse it."
                    ),
                )
                return redirect("dossiers:detail", pk=dossier.pk)
            except DossierError as exc:
                form.add_error(None, exc.message)
    return render(
        request,
        "dossiers/counter_new.html",
        {
            "form": form,
            "q": q,
            "results": counter_procedures(request.user.agency, q) if q else None,
            "procedure": procedure,
        },
    )
