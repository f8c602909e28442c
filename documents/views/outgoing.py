"""The outgoing document pages: the draft form, the detail page and its actions, the files."""

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

from portal.accounts.selectors import user_can_act_for
from portal.agencies.models import Agency
from portal.agencies.selectors import sorted_by_name
from portal.core.uploads import validate_upload

from .. import forms, inputs, services, ui_services, workflow
from ..constants import DocumentType, IncomingState, OutgoingState, Urgency
from ..exceptions import DocumentError
from ..models import (
    OutgoingAttachment,
    OutgoingDocument,
)
from .common import page_input, read_form, serve_attachment, type_choices, urgency_choices

if TYPE_CHECKING:
    from portal.accounts.typed import Actor, AuthenticatedHttpRequest


@login_required
def outgoing_file(request: AuthenticatedHttpRequest, pk: int, file_pk: int) -> HttpResponseBase:
    document = ui_services.get_outgoing_for(request.user, pk)
    return serve_attachment(get_object_or_404(OutgoingAttachment, pk=file_pk, document=document))


# --- helpers for the forms -----------------------------------------------------------------------


def recipient_choices(user: Actor) -> list[tuple[str, list[tuple[str, str]]]]:
    """Agencies of this portal (not the user's own), then the external organs we know: the exact
    codes of the exchange peers, and organs that have sent us documents and are reachable through
    a peer. Any other reachable organ can be typed by its code (``other_organs``)."""
    from .. import exchange

    own = user.agency_id
    local = dict(Agency.objects.filter(is_active=True).values_list("code", "name"))
    others = Agency.objects.filter(is_active=True)
    if own is not None:
        others = others.exclude(pk=own)
    agencies = [(a.code, f"{a.name} ({a.code})") for a in sorted_by_name(others)]
    external: dict[str, str] = {}
    for peer in exchange.peers():
        if (
            "*" not in peer.organ_code
            and "?" not in peer.organ_code
            and peer.organ_code not in local
        ):
            external[peer.organ_code] = peer.name
    senders = (
        ui_services.incoming_visible_to(user)
        .exclude(from_organ_code="")
        .values_list("from_organ_code", "from_organ_name")
        .distinct()[:500]
    )
    for code, name in senders:
        if code not in local and code not in external and exchange.peer_for(code) is not None:
            external[code] = name
    groups = [(_("Agencies of this portal"), agencies)]
    if external:
        groups.append(
            (
                _("External organs"),
                sorted(((c, f"{n} ({c})") for c, n in external.items()), key=lambda x: x[1]),
            )
        )
    return groups


def answerable_choices(user: Actor) -> list[tuple[int, str]]:
    docs = (
        ui_services.incoming_visible_to(user)
        .filter(book_number__isnull=False)
        .exclude(state=IncomingState.RECALLED)
        .order_by("-received_at")[:200]
    )
    return [
        (d.pk, f"{d.code or d.book_number} · {d.from_organ_name} · {d.subject[:80]}") for d in docs
    ]


@login_required
def draft_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A specialist (or văn thư, leader) drafts an outgoing document with its main PDF; ``?tra_loi=<pk>``
    starts the reply to an incoming document."""
    user = request.user
    ui_services.require_roles(user, *services.DRAFTERS)
    if user.agency_id is None:
        raise DjangoPermissionDenied(_("Your account belongs to no agency."))
    answerable = answerable_choices(user)
    initial: dict[str, Any] = {
        "urgency": Urgency.NORMAL,
        "document_type": DocumentType.OFFICIAL_LETTER,
    }
    reply_to = request.GET.get("tra_loi", "")
    if reply_to.isdigit():
        original = ui_services.get_incoming_for(user, reply_to)
        initial.update(
            answers=original.pk,
            subject=f"V/v trả lời văn bản {original.code}".strip(),
            recipients=[original.from_organ_code] if original.from_organ_code else [],
        )
    form = forms.DraftForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        types=type_choices(),
        urgencies=urgency_choices(),
        recipients=recipient_choices(user),
        answerable=answerable,
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        in_reply_to = (
            ui_services.incoming_visible_to(user).filter(pk=d["answers"]).first()
            if d.get("answers")
            else None
        )
        try:
            document = ui_services.outgoing_draft_with_files(
                agency=user.agency,
                actor=user,
                recipients=list(d["recipients"]) + d["other_organs"],
                fields={
                    "subject": d["subject"],
                    "document_type": d["document_type"],
                    "content": d["content"],
                    "urgency": d["urgency"],
                    "due_date": d["due_date"],
                    "in_reply_to": in_reply_to,
                },
                main_file=(d["main_file"].name, read_form(d["main_file"])),
                appendices=[
                    (f.name, validate_upload(f).content_type, read_form(f))
                    for f in d["attachments"]
                ],
            )
        except DocumentError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, _("Draft saved. Check it and submit it to the leader for signature.")
            )
            return redirect("documents:outgoing_detail", pk=document.pk)
    return render(
        request,
        "documents/draft_form.html",
        {"form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
def draft_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Edit a draft until the leader signs it: its data, recipients, a new main text, more appendices."""
    user = request.user
    document = ui_services.get_outgoing_for(user, pk)
    if not user_can_act_for(user, document.agency, *services.DRAFTERS, agency_wide=True):
        raise DjangoPermissionDenied(_("Only the agency's drafters edit its drafts."))
    if document.state not in (OutgoingState.DRAFT, OutgoingState.SUBMITTED):
        messages.error(request, _("Only a draft can be edited; this document is already signed."))
        return redirect("documents:outgoing_detail", pk=document.pk)
    initial = {
        "document_type": document.document_type,
        "subject": document.subject,
        "content": document.content,
        "urgency": document.urgency,
        "due_date": document.due_date,
        "answers": document.in_reply_to_id,
        "recipients": list(document.recipients.values_list("organ_code", flat=True)),
    }
    form = forms.DraftForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        types=type_choices(),
        urgencies=urgency_choices(),
        recipients=recipient_choices(user),
        answerable=answerable_choices(user),
    )
    form.fields["main_file"].required = False
    form.fields["main_file"].help_text = _("Leave empty to keep the current main text.")
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        in_reply_to = (
            ui_services.incoming_visible_to(user).filter(pk=d["answers"]).first()
            if d.get("answers")
            else None
        )
        try:
            ui_services.outgoing_edit_draft(
                document=document,
                actor=user,
                recipients=list(d["recipients"]) + d["other_organs"],
                fields={
                    "subject": d["subject"],
                    "document_type": d["document_type"],
                    "content": d["content"],
                    "urgency": d["urgency"],
                    "due_date": d["due_date"],
                    "in_reply_to": in_reply_to,
                },
                main_file=(d["main_file"].name, read_form(d["main_file"]))
                if d.get("main_file")
                else None,
                appendices=[
                    (f.name, validate_upload(f).content_type, read_form(f))
                    for f in d["attachments"]
                ],
            )
        except DocumentError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Draft saved."))
            return redirect("documents:outgoing_detail", pk=document.pk)
    return render(
        request,
        "documents/draft_form.html",
        {"form": form, "document": document},
        status=400 if form.is_bound and form.errors else 200,
    )


def _outgoing_actions(user: Actor, document: OutgoingDocument) -> list[str]:
    """What the page offers: the outgoing table's ``allowed_actions`` (documents/workflow.py); the
    services decide again (a forged POST for another action gets their answer)."""
    return [a for a in workflow.OUTGOING.allowed(document, user) if a in OUTGOING_FORMS]


OUTGOING_FORMS: dict[str, Any] = {
    "submit": forms.CommentForm,
    "sign": forms.SignForm,
    "issue": forms.IssueForm,
    "send": forms.CommentForm,
    "recall": forms.RecallForm,
    "attach": forms.AttachForm,
    "send_back": forms.ReasonForm,
}
OUTGOING_LABELS = workflow.OUTGOING_LABELS


def _outgoing_context(
    request: AuthenticatedHttpRequest,
    document: OutgoingDocument,
    bound: tuple[str, Any] | None = None,
) -> dict:
    actions = _outgoing_actions(request.user, document)
    action_forms = [
        (
            a,
            OUTGOING_LABELS[a],
            bound[1] if bound and bound[0] == a else OUTGOING_FORMS[a](prefix=a),
        )
        for a in actions
    ]
    recipients = document.recipients.prefetch_related("statuses").select_related("agency")
    return {
        "document": document,
        "recipients": recipients,
        "attachments": document.attachments.all(),
        "events": document.events.select_related("actor"),
        "action_forms": action_forms,
        "submitted": ui_services.is_submitted(document),
        "answered_by": document.answered_by.all(),
        "can_edit": document.state in (OutgoingState.DRAFT, OutgoingState.SUBMITTED)
        and user_can_act_for(request.user, document.agency, *services.DRAFTERS, agency_wide=True),
    }


@login_required
def outgoing_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One outgoing document: its data, files, each recipient's status history (01…16), the actions."""
    document = ui_services.get_outgoing_for(request.user, pk)
    return render(request, "documents/outgoing_detail.html", _outgoing_context(request, document))


#: What the page says after each outgoing action.
OUTGOING_DONE = {
    "submit": gettext_lazy("Submitted to the leader for signature."),
    "send_back": gettext_lazy("Sent back to the drafter."),
    "sign": gettext_lazy("Signed. The clerical office can now issue and send it."),
    "send": gettext_lazy("Sent. Each recipient's status appears below as it reports it."),
    "recall": gettext_lazy("Recall/update request sent to the recipients."),
    "attach": gettext_lazy("File attached."),
}


def _run_outgoing(action: str, document: OutgoingDocument, user: Actor, d: dict) -> str:
    """The one dispatcher (documents/inputs.py, shared with the API), then the page's message."""
    if action not in OUTGOING_FORMS:
        raise Http404
    data = page_input(workflow.OUTGOING, action, d)
    if action == "attach":
        data = {"file": d["file"], "description": d.get("description", "")}
    done = inputs.dispatch_outgoing(action, document=document, actor=user, data=data)
    if action == "issue":
        if d.get("send_now"):
            return _("Issued as %(code)s and sent.") % {"code": done.code}
        return _("Issued as %(code)s.") % {"code": done.code}
    return str(OUTGOING_DONE[action])


@login_required
@require_POST
def outgoing_act(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    document = ui_services.get_outgoing_for(request.user, pk)
    if action not in OUTGOING_FORMS:
        raise Http404
    form = OUTGOING_FORMS[action](request.POST, request.FILES, prefix=action)
    if not form.is_valid():
        return render(
            request,
            "documents/outgoing_detail.html",
            _outgoing_context(request, document, bound=(action, form)),
            status=400,
        )
    try:
        done = _run_outgoing(action, document, request.user, form.cleaned_data)
    except DocumentError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("documents:outgoing_detail", pk=document.pk)
