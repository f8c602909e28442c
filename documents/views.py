"""Document pages (văn bản đi / đến): the clerical office's books and inbox, the specialist's
draft, the leader's signature and assignment, the assignee's progress, recall and update.

Thin: parse input, call a selector (scoped by who asks: another agency's document is a 404) or a
service of :mod:`documents.services` (which checks role and state), render. Errors of the services
are one gettext message in the reader's language, shown as messages; nothing is half-written because each
service is one transaction.
"""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_POST

from portal.accounts.constants import Role
from portal.accounts.models import User
from portal.accounts.selectors import user_can_act_for
from portal.agencies.models import Agency
from portal.agencies.selectors import sorted_by_name
from portal.core.uploads import attachment_response, validate_upload

from . import forms, inputs, services, ui_services, workflow
from .constants import DocumentType, IncomingState, OutgoingState, StatusCode, Urgency
from .exceptions import DocumentError
from .models import (
    IncomingAttachment,
    IncomingDocument,
    OutgoingAttachment,
    OutgoingDocument,
)

PAGE_SIZE = 25


def _types() -> list[tuple[int, str]]:
    return [(v, str(label)) for v, label in DocumentType.choices]


def _urgencies() -> list[tuple[int, str]]:
    return [(v, str(label)) for v, label in Urgency.choices]


def _page(request: HttpRequest, qs: Any) -> tuple[Any, str]:
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


def _has(user: Any, *roles: str) -> bool:
    return bool(getattr(user, "is_staff_member", False) and user.has_role(*roles))


# --- landing page --------------------------------------------------------------------------------


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """ "Văn bản": what waits for this user, by role. The văn thư: arrived envelopes to register,
    signed drafts to number and send; the leader: drafts to sign, documents to assign, recall
    requests; the specialist: documents assigned to him and his drafts."""
    user = request.user
    ui_services.require_roles(user, *ui_services.DOCUMENT_ROLES)
    sections = []
    if _has(user, Role.CLERICAL):
        sections += [
            {
                "key": "arrived",
                "title": _("Arrived from the exchange, to register"),
                "kind": "incoming",
                "rows": ui_services.inbox(user)[:100],
            },
            {
                "key": "to_issue",
                "title": _("Signed, to number and send"),
                "kind": "outgoing",
                "rows": ui_services.to_issue(user)[:100],
            },
        ]
    if _has(user, Role.LEADER):
        sections += [
            {
                "key": "to_sign",
                "title": _("Drafts waiting for my signature"),
                "kind": "outgoing",
                "rows": ui_services.to_sign(user)[:100],
            },
            {
                "key": "to_assign",
                "title": _("Registered, to assign"),
                "kind": "incoming",
                "rows": ui_services.to_assign(user)[:100],
            },
            {
                "key": "recalls",
                "title": _("Recall or update requests"),
                "kind": "incoming",
                "rows": ui_services.recall_requests(user)[:100],
            },
        ]
    if _has(user, Role.SPECIALIST, Role.LEADER, Role.CLERICAL):
        sections += [
            {
                "key": "assigned",
                "title": _("Assigned to me"),
                "kind": "incoming",
                "rows": ui_services.assigned_to_me(user)[:100],
            },
            {
                "key": "drafts",
                "title": _("My drafts"),
                "kind": "outgoing",
                "rows": ui_services.my_drafts(user)[:100],
            },
        ]
    return render(
        request,
        "documents/inbox.html",
        {
            "sections": sections,
            "can_draft": _has(user, Role.SPECIALIST, Role.LEADER, Role.CLERICAL),
            "can_register": _has(user, Role.CLERICAL),
            "can_see_books": ui_services.user_has_any_role(user, ui_services.BOOK_ROLES),
        },
    )


# --- books ---------------------------------------------------------------------------------------


#: The most rows one CSV export of a book holds (a year of a busy agency).
EXPORT_LIMIT = 20_000


def _cell(value: Any) -> str:
    """Text of one CSV cell; a leading = + - @ tab CR (a formula for spreadsheet programs: text
    from another organ could carry one) is neutralised with a quote (portal.core.spreadsheet)."""
    from portal.core.spreadsheet import safe_cell

    return safe_cell("" if value is None else str(value))


def _csv(name: str, header: list[str], rows: Any) -> StreamingHttpResponse:
    """A book as CSV (UTF-8 with BOM so spreadsheet programs read the Vietnamese), streamed."""

    class _Echo:
        def write(self, value: str) -> str:
            return value

    writer = csv.writer(_Echo())

    def lines() -> Any:
        yield "\ufeff" + writer.writerow(header)
        for row in rows:
            yield writer.writerow([_cell(v) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{name}-{timezone.localdate():%Y%m%d}.csv"'
    )
    return response


def _outgoing_csv(qs: Any) -> StreamingHttpResponse:
    def rows() -> Any:
        for d in qs[:EXPORT_LIMIT]:
            recipients = "; ".join(
                f"{r.organ_name or r.organ_code} ({r.get_status_code_display() if r.status_code else _('not delivered yet')})"
                for r in d.recipients.all()
            )
            yield [
                d.code,
                d.promulgation_date and d.promulgation_date.strftime("%d/%m/%Y"),
                d.get_document_type_display(),
                d.subject,
                d.signer_name,
                d.get_urgency_display(),
                recipients,
            ]

    header = [
        _("Number and notation"),
        _("Date"),
        _("Type"),
        _("Subject"),
        _("Signer"),
        _("Urgency"),
        _("Recipients"),
    ]
    return _csv("so-van-ban-di", [str(h) for h in header], rows())


def _incoming_csv(qs: Any) -> StreamingHttpResponse:
    def rows() -> Any:
        for d in qs[:EXPORT_LIMIT]:
            yield [
                f"{d.book_number}/{d.book_year}",
                timezone.localtime(d.received_at).strftime("%d/%m/%Y %H:%M"),
                d.from_organ_name,
                d.code,
                d.promulgation_date and d.promulgation_date.strftime("%d/%m/%Y"),
                d.get_document_type_display(),
                d.subject,
                d.assigned_to.full_name if d.assigned_to else "",
                d.get_state_display(),
            ]

    header = [
        _("Book no."),
        _("Arrived"),
        pgettext("sender of a document", "From"),
        _("Number and notation"),
        _("Date"),
        _("Type"),
        _("Subject"),
        _("Handled by"),
        _("Status"),
    ]
    return _csv("so-van-ban-den", [str(h) for h in header], rows())


@login_required
def outgoing_book(request: HttpRequest) -> HttpResponse:
    """Sổ văn bản đi: number, notation, date, type, subject, signer, recipients with their latest
    status. ``?xuat=csv`` exports the filtered book."""
    ui_services.require_roles(request.user, *ui_services.BOOK_ROLES)
    form = forms.BookFilterForm(
        request.GET or None, types=_types(), statuses=StatusCode.choices, urgencies=_urgencies()
    )
    if request.GET.get("xuat") == "csv":
        return _outgoing_csv(ui_services.outgoing_book(request.user, form.filters()))
    page, query = _page(request, ui_services.outgoing_book(request.user, form.filters()))
    return render(
        request,
        "documents/outgoing_book.html",
        {"form": form, "page_obj": page, "query_string": query},
    )


@login_required
def incoming_book(request: HttpRequest) -> HttpResponse:
    """Sổ văn bản đến: book number, arrival, sender, their number and date, subject, who handles
    it. ``?xuat=csv`` exports the filtered book."""
    ui_services.require_roles(request.user, *ui_services.BOOK_ROLES)
    form = forms.BookFilterForm(
        request.GET or None, types=_types(), statuses=IncomingState.choices, urgencies=_urgencies()
    )
    if request.GET.get("xuat") == "csv":
        return _incoming_csv(ui_services.incoming_book(request.user, form.filters()))
    page, query = _page(request, ui_services.incoming_book(request.user, form.filters()))
    return render(
        request,
        "documents/incoming_book.html",
        {"form": form, "page_obj": page, "query_string": query},
    )


# --- downloads -----------------------------------------------------------------------------------


def _attachment(item: Any) -> FileResponse:
    return attachment_response(
        item.file, item.name, item.content_type or "application/octet-stream"
    )


@login_required
def outgoing_file(request: HttpRequest, pk: int, file_pk: int) -> FileResponse:
    document = ui_services.get_outgoing_for(request.user, pk)
    return _attachment(get_object_or_404(OutgoingAttachment, pk=file_pk, document=document))


@login_required
def incoming_file(request: HttpRequest, pk: int, file_pk: int) -> FileResponse:
    document = ui_services.get_incoming_for(request.user, pk)
    return _attachment(get_object_or_404(IncomingAttachment, pk=file_pk, document=document))


# --- helpers for the forms -----------------------------------------------------------------------


def recipient_choices(user: Any) -> list[tuple[str, list[tuple[str, str]]]]:
    """Agencies of this portal (not the user's own), then the external organs we know: the exact
    codes of the exchange peers, and organs that have sent us documents and are reachable through
    a peer. Any other reachable organ can be typed by its code (``other_organs``)."""
    from . import exchange

    own = user.agency_id
    local = dict(Agency.objects.filter(is_active=True).values_list("code", "name"))
    agencies = [
        (a.code, f"{a.name} ({a.code})")
        for a in sorted_by_name(Agency.objects.filter(is_active=True).exclude(pk=own))
    ]
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


def answerable_choices(user: Any) -> list[tuple[int, str]]:
    docs = (
        ui_services.incoming_visible_to(user)
        .filter(book_number__isnull=False)
        .exclude(state=IncomingState.RECALLED)
        .order_by("-received_at")[:200]
    )
    return [
        (d.pk, f"{d.code or d.book_number} · {d.from_organ_name} · {d.subject[:80]}") for d in docs
    ]


def assign_choices(user: Any, document: IncomingDocument) -> tuple[list, list]:
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


# --- outgoing: draft, detail, actions ---------------------------------------------------------------


def _read(upload: Any) -> bytes:
    upload.seek(0)
    return b"".join(upload.chunks()) if hasattr(upload, "chunks") else upload.read()


@login_required
def draft_new(request: HttpRequest) -> HttpResponse:
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
        types=_types(),
        urgencies=_urgencies(),
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
                main_file=(d["main_file"].name, _read(d["main_file"])),
                appendices=[
                    (f.name, validate_upload(f).content_type, _read(f)) for f in d["attachments"]
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
def draft_edit(request: HttpRequest, pk: int) -> HttpResponse:
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
        types=_types(),
        urgencies=_urgencies(),
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
                main_file=(d["main_file"].name, _read(d["main_file"]))
                if d.get("main_file")
                else None,
                appendices=[
                    (f.name, validate_upload(f).content_type, _read(f)) for f in d["attachments"]
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


def _outgoing_actions(user: Any, document: OutgoingDocument) -> list[str]:
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
    request: HttpRequest, document: OutgoingDocument, bound: tuple[str, Any] | None = None
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
def outgoing_detail(request: HttpRequest, pk: int) -> HttpResponse:
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


def _page_input(table: Any, action: str, cleaned: dict) -> dict:
    """The page form's cleaned data, limited to the fields of the row's declared input."""
    spec = inputs.input_of(table, action)
    fields = spec.form.base_fields if spec.form is not None else {}
    return {k: v for k, v in cleaned.items() if k in fields}


def _run_outgoing(action: str, document: OutgoingDocument, user: Any, d: dict) -> str:
    """The one dispatcher (documents/inputs.py, shared with the API), then the page's message."""
    if action not in OUTGOING_FORMS:
        raise Http404
    data = _page_input(workflow.OUTGOING, action, d)
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
def outgoing_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
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


# --- incoming: register, detail, actions ------------------------------------------------------------


@login_required
def register_paper(request: HttpRequest) -> HttpResponse:
    """The văn thư enters a paper document in the incoming book (numbered at once)."""
    user = request.user
    ui_services.require_roles(user, Role.CLERICAL)
    if user.agency_id is None:
        raise DjangoPermissionDenied(_("Your account belongs to no agency."))
    form = forms.PaperRegisterForm(
        request.POST or None,
        request.FILES or None,
        types=_types(),
        urgencies=_urgencies(),
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
                files=[(f.name, validate_upload(f).content_type, _read(f)) for f in d["scans"]],
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


def _incoming_actions(user: Any, document: IncomingDocument) -> list[str]:
    """The incoming table's ``allowed_actions`` (documents/workflow.py)."""
    return [a for a in workflow.INCOMING.allowed(document, user) if a in INCOMING_LABELS]


INCOMING_LABELS = workflow.INCOMING_LABELS


def _incoming_form(action: str, document: IncomingDocument, user: Any, data: Any = None) -> Any:
    if action == "assign":
        departments, staff = assign_choices(user, document)
        return forms.AssignForm(data, prefix=action, departments=departments, staff=staff)
    cls = {"reject": forms.ReasonForm, "recall_refuse": forms.ReasonForm}.get(
        action, forms.CommentForm
    )
    return cls(data, prefix=action)


def _incoming_context(
    request: HttpRequest, document: IncomingDocument, bound: tuple[str, Any] | None = None
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
        and _has(request.user, *services.DRAFTERS)
        and user_can_act_for(request.user, document.agency, agency_wide=True),
    }


@login_required
def incoming_detail(request: HttpRequest, pk: int) -> HttpResponse:
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


def _run_incoming(action: str, document: IncomingDocument, user: Any, d: dict) -> str:
    """The one dispatcher (documents/inputs.py, shared with the API), then the page's message."""
    if action not in INCOMING_LABELS:
        raise Http404
    data = _page_input(workflow.INCOMING, action, d)
    done = inputs.dispatch_incoming(action, document=document, actor=user, data=data)
    if action == "register":
        return _("Registered in the incoming book as number %(n)s.") % {"n": done.book_number}
    return str(INCOMING_DONE[action])


@login_required
@require_POST
def incoming_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
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
