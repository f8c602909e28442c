"""The incoming document pages: registering a paper document, the detail page and its
actions, the files."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from portal.accounts.constants import Role
from portal.accounts.models import User
from portal.accounts.selectors import user_can_act_for
from portal.agencies.models import Agency
from portal.agencies.selectors import sorted_by_name
from portal.core.uploads import validate_upload

from .. import forms, inputs, services, ui_services, workflow
from ..constants import DocumentType, IncomingState, Urgency
from ..exceptions import DocumentError
from ..models import (
    IncomingAttachment,
    IncomingDocument,
)
from .common import (
    page_input,
    read_form,
    serve_attachment,
    staff_has_role,
    type_choices,
    urgency_choices,
)

if TYPE_CHECKING:
    from portal.accounts.typed import Actor, AuthenticatedHttpRequest


@login_required
def incoming_file(request: AuthenticatedHttpRequest, pk: int, file_pk: int) -> HttpResponseBase:
    document = ui_services.get_incoming_for(request.user, pk)
    return serve_attachment(get_object_or_404(IncomingAttachment, pk=file_pk, document=document))


def assign_choices(user: Actor, document: IncomingDocument) -> tuple[list, list]:
    agency = document.agency
    departments = [
        (a.pk, a.name) for a in sorted_by_name(Agency.objects.filter(parent=agency, is_active=True))
    ]
    staff = [
        (u.pk, f"{u.full_name}{' · ' + u.position if u.position else ''}")
        for u in User.objects.filter(
            agency=agency,
            is_active=True,
            kind="staff",
            roles__role__in=[Role.SPECIALIST, Role.LEADER, Role.CLERICAL],
        )
        .distinct()
        .order_by("full_name")
    ]
    return departments, staff


# --- incoming: register, detail, actions ------------------------------------------------------------


@login_required
def register_paper(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The văn thư enters a paper document in the incoming book (numbered at once)."""
    user = request.user
    ui_services.require_roles(user, Role.CLERICAL)
    if user.agency is None:
        raise DjangoPermissionDenied(_("Your account belongs to no agency."))
    form = forms.PaperRegisterForm(
        request.POST or None,
        request.FILES or None,
        types=type_choices(),
        urgencies=urgency_choices(),
        initial={"urgency": Urgency.NORMAL, "document_type": DocumentType.OFFICIAL_LETTER},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            document = services.incoming_register_manual(
                agency=user.agency,
                actor=user,
                from_organ_name=d["from_organ_name"],
                from_organ_code=d["from_organ_code"],
                subject=d["subject"],
                code_number=d["code_number"],
                code_notation=d["code_notation"],
                promulgation_date=d["promulgation_date"],
                document_type=d["document_type"],
                urgency=d["urgency"],
                due_date=d["due_date"],
                files=[(f.name, validate_upload(f).content_type, read_form(f)) for f in d["scans"]],
            )
        except DocumentError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("Registered in the incoming book as number %(n)s.") % {"n": document.book_number},
            )
            return redirect("documents:incoming_detail", pk=document.pk)
    return render(
        request,
        "documents/register_paper.html",
        {"form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


def _incoming_actions(user: Actor, document: IncomingDocument) -> list[str]:
    """The incoming table's ``allowed_actions`` (documents/workflow.py)."""
    return [a for a in workflow.INCOMING.allowed(document, user) if a in INCOMING_LABELS]


INCOMING_LABELS = workflow.INCOMING_LABELS


def _incoming_form(action: str, document: IncomingDocument, user: Actor, data: Any = None) -> Any:
    if action == "assign":
        departments, staff = assign_choices(user, document)
        return forms.AssignForm(data, prefix=action, departments=departments, staff=staff)
    cls = {"reject": forms.ReasonForm, "recall_refuse": forms.ReasonForm}.get(
        action, forms.CommentForm
    )
    return cls(data, prefix=action)


def _incoming_context(
    request: AuthenticatedHttpRequest,
    document: IncomingDocument,
    bound: tuple[str, Any] | None = None,
) -> dict:
    actions = _incoming_actions(request.user, document)
    action_forms = [
        (
            a,
            INCOMING_LABELS[a],
            bound[1] if bound and bound[0] == a else _incoming_form(a, document, request.user),
        )
        for a in actions
    ]
    return {
        "document": document,
        "attachments": document.attachments.all(),
        "events": document.events.select_related("actor"),
        "action_forms": action_forms,
        "replies": ui_services.outgoing_visible_to(request.user).filter(in_reply_to=document),
        "can_reply": document.state
        in (IncomingState.ASSIGNED, IncomingState.IN_PROGRESS, IncomingState.DONE)
        and staff_has_role(request.user, *services.DRAFTERS)
        and user_can_act_for(request.user, document.agency, agency_wide=True),
    }


@login_required
def incoming_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    document = ui_services.get_incoming_for(request.user, pk)
    return render(request, "documents/incoming_detail.html", _incoming_context(request, document))


#: What the page says after each incoming action.
INCOMING_DONE = {
    "reject": gettext_lazy("Refused; the sender is told why."),
    "assign": gettext_lazy("Assigned."),
    "start": gettext_lazy("Processing started."),
    "complete": gettext_lazy("Marked as done."),
    "recall_accept": gettext_lazy("Answer sent to the sender."),
    "recall_refuse": gettext_lazy("Answer sent to the sender."),
}


def _run_incoming(action: str, document: IncomingDocument, user: Actor, d: dict) -> str:
    """The one dispatcher (documents/inputs.py, shared with the API), then the page's message."""
    if action not in INCOMING_LABELS:
        raise Http404
    data = page_input(workflow.INCOMING, action, d)
    done = inputs.dispatch_incoming(action, document=document, actor=user, data=data)
    if action == "register":
        return _("Registered in the incoming book as number %(n)s.") % {"n": done.book_number}
    return str(INCOMING_DONE[action])


@login_required
@require_POST
def incoming_act(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    document = ui_services.get_incoming_for(request.user, pk)
    if action not in INCOMING_LABELS:
        raise Http404
    form = _incoming_form(action, document, request.user, request.POST)
    if not form.is_valid():
        return render(
            request,
            "documents/incoming_detail.html",
            _incoming_context(request, document, bound=(action, form)),
            status=400,
        )
    try:
        done = _run_incoming(action, document, request.user, form.cleaned_data)
    except DocumentError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("documents:incoming_detail", pk=document.pk)
