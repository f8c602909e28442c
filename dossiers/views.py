"""Dossier pages. Thin: parse input, call a selector (scoped by who asks: another's dossier is a
404) or a service (which checks role and state: a wrong role is a 403), render."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.accounts.selectors import can_submit_dossiers
from portal.agencies.selectors import sorted_by_name
from portal.core.uploads import attachment_response
from procedures import fees
from procedures.models import Procedure
from procedures.selectors import implementing_agencies

from . import access_log, forms, inputs, selectors, services, submission, tracking_cache, workflow
from . import eforms as dossier_eforms
from .constants import Action, DossierStatus
from .counter_views import (  # noqa: F401  (re-exported: split by job, issue 16)
    COUNTER_SEARCH_RESULTS,
    counter_new,
    counter_procedures,
)
from .document_store import reusable_files_for, store_suggestions
from .exceptions import DossierError
from .models import Dossier, DossierFile
from .staff_views import (  # noqa: F401  (re-exported: split by job, issue 16)
    approval_queue,
    department_queue,
    intake_queue,
    my_queue,
)
from .tracking_cache import cached_tracking_page
from .tracking_guard import guard_page

if TYPE_CHECKING:
    from portal.accounts.typed import Actor, AuthenticatedHttpRequest


# --- applicant ----------------------------------------------------------------------------------


def _agencies_for(procedure: Procedure) -> Any:
    return sorted_by_name(implementing_agencies(procedure))  # "Đ" after "D" (issue 14)


@login_required
def submit(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """Online submission (channel 2): fill, attach, save a draft and come back, submit."""
    procedure = get_object_or_404(Procedure.objects.select_related("sector"), code=code)
    if not can_submit_dossiers(request.user):
        raise DjangoPermissionDenied(
            _("Online submission needs an applicant account with a verified e-mail address.")
        )
    draft = None
    draft_pk = request.GET.get("ho_so") or request.POST.get("draft")
    if draft_pk:
        draft = selectors.get_dossier_for(request.user, draft_pk)
        if draft.status != DossierStatus.DRAFT or draft.procedure_id != procedure.pk:
            return redirect("dossiers:detail", pk=draft.pk)
    snapshot = (
        draft.procedure_version.snapshot
        if draft
        else procedure.versions.order_by("-version").values_list("snapshot", flat=True).first()
    )
    if not snapshot or procedure.level not in (3, 4):
        raise Http404(_("This procedure cannot be submitted online."))
    user = request.user
    gate = dossier_eforms.assurance_redirect(request, procedure)  # level 4: VNeID level 2
    if gate is not None:
        return gate
    eform = dossier_eforms.EFormBinding.for_submission(
        snapshot=snapshot,
        user=user,
        draft=draft,
        post=request.POST if request.method == "POST" else None,
    )
    initial: dict[str, Any] = {
        "applicant_name": user.organisation_name or user.full_name,
        "applicant_citizen_id": user.citizen_id,
        "applicant_phone": user.phone,
        "applicant_address": user.address,
    }
    if draft:
        initial.update(
            result_delivery=draft.registered_delivery, delivery_address=draft.delivery_address
        )
        initial.update(
            agency=draft.receiving_agency_id,
            applicant_name=draft.applicant_name,
            applicant_citizen_id=draft.applicant_citizen_id,
            applicant_phone=draft.applicant_phone,
            applicant_address=draft.applicant_address,
        )
        initial.update({f"f_{k}": v for k, v in (draft.form_data or {}).items()})
        choice = draft.fee_choice or {}
        initial.update(fee_case=choice.get("case"), fee_copies=choice.get("copies") or 1)
    agencies = _agencies_for(procedure)
    if not draft and len(agencies) == 1:  # one implementing agency: nothing to choose
        initial["agency"] = agencies[0].pk
    reusable = list(reusable_files_for(user, exclude_dossier=draft)[:50])
    form = forms.SubmissionForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        procedure=procedure,
        snapshot=snapshot,
        agencies=agencies,
        reusable=reusable,
    )
    if request.method == "POST":
        final = "submit" in request.POST
        attached = {f.document_id: f for f in draft.files.all()} if draft else {}
        form_ok = form.is_valid()
        eform_ok = eform is None or eform.is_valid(final=final)
        if final:  # every error of the submission at once (GOV.UK error summary), not one
            generated = (
                dossier_eforms.declaration_document_of(snapshot, eform.defn)[0] if eform else None
            )
            form_ok = form.check_complete(attached, request.POST, generated=generated) and form_ok
        if form_ok and eform_ok:
            try:
                with transaction.atomic():  # a refused submission leaves no half-saved draft
                    saved = submission.save_submission(request, form, eform, procedure, draft)
                    if final:
                        if eform is not None:
                            dossier_eforms.attach_declaration(dossier=saved, actor=user)
                        services.dossier_submit(dossier=saved, actor=user)
                draft = saved
                if final:
                    return redirect("dossiers:submitted", pk=draft.pk)
                messages.success(
                    request, _("Draft saved. You can come back to it from “My dossiers”.")
                )
                return redirect(
                    f"{reverse('dossiers:submit', kwargs={'code': procedure.code})}?ho_so={draft.pk}"
                )
            except DossierError as exc:
                form.add_error(None, exc.message)
        # An error: the valid files chosen are kept as the draft's attachments (shown as already
        # attached, with a remove option), so the applicant never chooses them again (issue 14).
        draft = submission.keep_valid_files(request, form, procedure, draft)
    files = {f.document_id: f for f in draft.files.all()} if draft else {}
    documents = [
        (doc, form[up], form[reuse], files.get(doc["id"]))
        for doc, up, reuse in form.document_fields
    ]
    quote = fees.fee_quote(snapshot)
    try:
        quote = fees.fee_quote(
            snapshot,
            case=form.data.get("fee_case") if form.is_bound else form.initial.get("fee_case"),
            copies=(
                (eform.data.get("copies") if eform is not None else None)
                if forms.eform_copies(snapshot)
                else (
                    form.data.get("fee_copies") if form.is_bound else form.initial.get("fee_copies")
                )
            ),
        )
    except fees.FeeChoiceError:
        pass
    return render(
        request,
        "dossiers/submit.html",
        {
            "procedure": procedure,
            "form": form,
            "draft": draft,
            "documents": documents,
            "own_fields": [form[n] for n in form.form_field_names],
            "fees": snapshot.get("fees", []),
            "fee_quote": quote,
            "fee_lines_data": [{**f, "amount": str(f["amount"])} for f in fees.fee_lines(snapshot)],
            "error_summary": submission.error_summary(form, eform),
            "eform_html": eform.render() if eform else "",
            "store": store_suggestions(user, snapshot.get("documents", [])),
        },
    )


@login_required
def submitted(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    dossier = selectors.get_dossier_for(request.user, pk)
    return render(request, "dossiers/submitted.html", {"dossier": dossier})


@login_required
def my_dossiers(request: AuthenticatedHttpRequest) -> HttpResponse:
    """ "Hồ sơ của tôi": every dossier of the applicant, pending supplement requests first."""
    if not getattr(request.user, "is_applicant", False):
        raise DjangoPermissionDenied(_("This page is for applicants."))
    return render(
        request,
        "dossiers/my.html",
        {
            "dossiers": selectors.applicant_dossiers(request.user)[:200],
            "pending": selectors.pending_supplement_requests(request.user),
        },
    )


# --- one dossier ---------------------------------------------------------------------------------

#: The actions with a form on the dossier page's action list (``dossiers:act``); submission has
#: its own page, signing, the draft result and issuing their own forms (dossiers/signing_views.py).
PAGE_ACTIONS: tuple[str, ...] = tuple(
    a
    for a in workflow.DOSSIER.actions()
    if a not in (Action.SUBMIT, Action.SIGN_APPROVE, Action.ISSUE_RESULT, Action.ATTACH_DRAFT)
)
ACTION_FORMS = {a: inputs.input_of(a).form for a in PAGE_ACTIONS}  # kept for callers and tests


def _action_form(action: str, dossier: Dossier, data: Any = None, files: Any = None) -> Any:
    return inputs.page_form(action, dossier, data, files)


def _run_action(action: str, dossier: Dossier, user: Actor, d: dict) -> Any:
    """One dispatcher for every action (the row's input goes to its effect unchanged)."""
    return inputs.dispatch(action, dossier=dossier, actor=user, data=d)


def _detail_context(
    request: AuthenticatedHttpRequest, dossier: Dossier, *, bound: tuple[str, Any] | None = None
) -> dict:
    user = request.user
    actions = workflow.allowed_actions(dossier, user)
    is_owner = getattr(user, "is_applicant", False) and dossier.applicant_id == user.pk
    action_forms = []
    for action in actions:
        if action not in ACTION_FORMS:
            continue
        if action == Action.CONFIRM_PAYMENT and is_owner:
            continue  # the applicant pays online (button below), the clerk records a counter payment
        form = bound[1] if bound and bound[0] == action else _action_form(action, dossier)
        action_forms.append((action, Action(action).label, form))
    from dossiers.payments.selectors import dossier_payments

    may_attach = services.may_attach_files(dossier, user)
    slots = _supplement_slots(dossier) if may_attach else []
    return {
        "dossier": dossier,
        "is_owner": is_owner,
        "is_staff": getattr(user, "is_staff_member", False),
        "actions": actions,
        "action_forms": action_forms,
        "history": selectors.dossier_history(dossier, viewer=user),
        "files": dossier.files.all(),
        "steps": dossier.steps.all(),
        "supplements": dossier.supplement_requests.order_by("-requested_at"),
        "payments": dossier_payments(dossier),
        "can_pay_online": is_owner and Action.CONFIRM_PAYMENT in actions,
        "upload_form": forms.UploadForm(dossier=dossier) if may_attach and not slots else None,
        "supplement_slots": slots,
    }


def _supplement_slots(dossier: Dossier) -> list[dict]:
    """One upload slot per item of the open supplement request, with the files already in it."""
    from .effects import open_supplement_request

    request = open_supplement_request(dossier)
    if request is None or dossier.status != DossierStatus.SUPPLEMENT_REQUESTED:
        return []
    files = list(
        dossier.files.filter(is_supplement=True, uploaded_at__gte=request.requested_at).order_by(
            "pk"
        )
    )
    return [
        {
            "index": i,
            "document": item.get("document", ""),
            "reason": item.get("reason", ""),
            "files": [f for f in files if f.document_name == str(item.get("document", ""))[:500]],
        }
        for i, item in enumerate(request.items)
    ]


@login_required
def detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One dossier: status, steps, history (process-control slip), files, allowed actions."""
    dossier = selectors.get_dossier_for(request.user, pk)
    access_log.dossier_opened(dossier=dossier, staff=request.user)  # the citizen sees who looked
    return render(request, "dossiers/detail.html", _detail_context(request, dossier))


@login_required
@require_POST
def act(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    """Run one workflow action through its service. Bad input re-renders with the message; a
    wrong role is a 403 (raised by the service), another's dossier a 404."""
    dossier = selectors.get_dossier_for(request.user, pk)
    if action not in ACTION_FORMS:
        raise Http404
    try:
        # State first (a clear message), then role (a 403), before looking at the input.
        workflow.check_transition(dossier, request.user, action)
        inputs.check_entry(action, request.user)
        form = _action_form(action, dossier, request.POST, request.FILES)
        if not form.is_valid():
            return render(
                request,
                "dossiers/detail.html",
                _detail_context(request, dossier, bound=(action, form)),
                status=400,
            )
        _run_action(action, dossier, request.user, form.cleaned_data)
    except DossierError as exc:
        messages.error(request, exc.message)
        return redirect("dossiers:detail", pk=dossier.pk)
    messages.success(request, _("Done: %(action)s.") % {"action": Action(action).label})
    return redirect("dossiers:detail", pk=dossier.pk)


@login_required
@require_POST
def upload(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Attach one more file: the applicant answering a supplement request, the clerk's scans."""
    dossier = selectors.get_dossier_for(request.user, pk)
    if not services.may_attach_files(dossier, request.user):
        raise DjangoPermissionDenied(_("Files cannot be attached to this dossier now."))
    form = forms.UploadForm(request.POST, request.FILES, dossier=dossier)
    if form.is_valid():
        try:
            services.dossier_add_file(
                dossier=dossier,
                actor=request.user,
                uploaded_file=form.cleaned_data["file"],
                document_id=form.cleaned_data["document_id"],
                is_digitised=getattr(request.user, "is_staff_member", False),
                supplement_item=form.cleaned_data["supplement_item"],
            )
            messages.success(request, _("File attached."))
        except DossierError as exc:
            messages.error(request, exc.message)
    else:
        for errors in form.errors.values():
            for e in errors:  # an ErrorList yields its messages as text
                messages.error(request, str(e))
    return redirect("dossiers:detail", pk=dossier.pk)


@login_required
def file_download(request: AuthenticatedHttpRequest, pk: int, file_pk: int) -> HttpResponseBase:
    dossier = selectors.get_dossier_for(request.user, pk)
    item = get_object_or_404(DossierFile, pk=file_pk, dossier=dossier)
    access_log.file_opened(dossier=dossier, staff=request.user, name=item.original_name)
    return attachment_response(item.file, item.original_name, item.content_type)


@login_required
def result_download(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    dossier = selectors.get_dossier_for(request.user, pk)
    if not dossier.result_file or dossier.status not in (
        DossierStatus.PROCESSED,
        DossierStatus.RETURNED,
    ):
        raise Http404(_("No electronic result yet."))
    if getattr(request.user, "is_applicant", False) and dossier.status != DossierStatus.RETURNED:
        raise Http404(_("No electronic result yet."))
    access_log.file_opened(dossier=dossier, staff=request.user, name="result")
    return attachment_response(
        dossier.result_file,
        f"ket-qua-{dossier.code}.pdf" if dossier.code else "ket-qua.pdf",
        "application/pdf",
    )


# --- public tracking ----------------------------------------------------------------------------


@guard_page
def track(request: HttpRequest) -> HttpResponse:
    """Tra cứu hồ sơ: code + last 4 digits of the ID number or phone. No personal data shown."""
    raw_code, raw_factor = request.GET.get("code", ""), request.GET.get("second_factor", "")
    if len(raw_factor) == 4 and 0 < len(raw_code) <= 40:
        hit = tracking_cache.micro_hit(
            request, kind="code", lookup=raw_code.strip().upper(), factor=raw_factor
        )
        if hit is not None:
            return hit
    form = forms.TrackForm(request.GET or None)
    if not (form.is_bound and form.is_valid()):
        return render(
            request, "dossiers/track.html", {"form": form, "result": None, "searched": False}
        )
    code, factor = form.cleaned_data["code"].strip().upper(), form.cleaned_data["second_factor"]

    def render_page() -> tuple[HttpResponse, bool]:
        result = selectors.track_public(code, factor)
        context = {"form": form, "result": result, "searched": True}
        return render(
            request, "dossiers/track.html", context, status=200 if result else 404
        ), result is not None

    return cached_tracking_page(
        request, kind="code", lookup=code, factor=factor, render_page=render_page
    )


@guard_page
def track_token(request: HttpRequest, token: str) -> HttpResponse:
    """Tracking through the QR code printed on the receipt (form 01)."""

    def render_page() -> tuple[HttpResponse, bool]:
        result = selectors.track_by_token(token)
        if result is None:
            raise Http404(_("No dossier matches this link."))
        return render(
            request,
            "dossiers/track.html",
            {"form": forms.TrackForm(), "result": result, "searched": True},
        ), True

    return cached_tracking_page(
        request, kind="token", lookup=token[:32], factor="", render_page=render_page
    )
