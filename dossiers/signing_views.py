"""Pages of the result signing (issue 5): the leader's "Ký số và phê duyệt" for one dossier or a
batch from the approval queue, the specialist's draft result, the clerical office's issuing.

Signing runs in the request (at most ``MAX_BATCH`` = 20 dossiers, 0.15–1 s each) and the page is streamed: the
rows and the progress bar arrive as each dossier is signed and approved. The PIN is used while the
leader waits and is never queued, stored or sent to a broker.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import chain
from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.accounts.constants import Role

from . import selectors, services, workflow
from .constants import Action
from .exceptions import DossierError, PermissionDenied
from .result_signing import (
    MAX_BATCH,
    SignOutcome,
    iter_sign_and_approve,
    may_attach_draft,
    may_issue,
    results_to_issue,
)
from .signing_forms import DraftResultForm, IssueForm, SignApproveForm

if TYPE_CHECKING:
    from portal.accounts.typed import AuthenticatedHttpRequest


def _form_errors(request: HttpRequest, form) -> None:  # type: ignore[no-untyped-def]
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


@login_required
@require_POST
def sign_approve_batch(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    """The approval queue's selected dossiers, signed after one PIN entry, then approved."""
    user = request.user
    if not getattr(user, "is_staff_member", False) or not user.has_role(Role.LEADER):
        raise DjangoPermissionDenied(_("This page is for leaders."))
    ids = list(dict.fromkeys(i for i in request.POST.getlist("dossier") if i.isdigit()))[
        : MAX_BATCH + 1
    ]
    form = SignApproveForm(request.POST, prefix="sign")
    if not ids:
        messages.error(request, _("Select the dossiers to sign."))
        return redirect("dossiers:approval_queue")
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("dossiers:approval_queue")
    queue = selectors.approval_queue(user)
    dossiers = list(queue.filter(pk__in=ids))
    if len(dossiers) != len(ids):
        raise Http404
    order = {int(pk): n for n, pk in enumerate(ids)}
    dossiers.sort(key=lambda d: order[d.pk])
    try:
        steps = iter_sign_and_approve(
            dossiers=dossiers,
            actor=user,
            pin=form.cleaned_data["pin"],
            comment=form.cleaned_data["comment"],
            level=form.cleaned_data["level"],
        )
        first = next(
            steps
        )  # the PIN is tried here: a wrong one goes back to the queue with the message
    except DossierError as exc:
        messages.error(request, exc.message)
        return redirect("dossiers:approval_queue")
    total = len(dossiers)
    page = render_to_string(
        "dossiers/sign_results.html",
        {
            "results": [],
            "total": total,
            "done": 0,
            "pct": 0,
            "signed_count": None,
            "streaming": True,
            "finished_text": _(
                "Done: %(done)s dossiers processed, %(signed)s signed and approved."
            ),
        },
        request=request,
    )
    stream = _stream_results(
        request, page, first, steps, total=total, language=translation.get_language()
    )
    return StreamingHttpResponse(stream, content_type="text/html; charset=utf-8")


def _stream_results(
    request: HttpRequest,
    page: str,
    first: SignOutcome,
    rest: Iterator[SignOutcome],
    *,
    total: int,
    language: str,
) -> Iterator[str]:
    """The results page, one row per dossier as soon as it is signed and approved, each followed by
    a progress update; the bar reaches total/total when the last one is done."""
    head, tail = page.split("<!--SIGN-ROWS-->", 1)
    yield head + " " * 1024  # past the browsers' first-paint buffering
    done = signed = 0
    try:
        for outcome in chain([first], rest):
            done += 1
            signed += outcome.ok
            with translation.override(language):
                row = render_to_string(
                    "signatures/_sign_result_row.html", {"r": outcome}, request=request
                )
            yield f"{row}{_tick(done, total, signed, finished=False)}\n"
    finally:
        rest.close()  # type: ignore[attr-defined]
    yield _tick(done, total, signed, finished=True) + tail


def _tick(done: int, total: int, signed: int, *, finished: bool) -> str:
    """A progress marker static/js/sign-progress.js reacts to (no inline script: the CSP)."""
    return f'<template class="sign-tick" data-done="{done}" data-total="{total}" data-signed="{signed}" data-finished="{int(finished)}"></template>'


@login_required
@require_POST
def sign_approve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Sign and approve one dossier from its page."""
    dossier = selectors.get_dossier_for(request.user, pk)
    try:  # the state first (a message), then the role (a 403), before looking at the input
        workflow.check_transition(dossier, request.user, Action.SIGN_APPROVE)
    except DossierError as exc:
        messages.error(request, exc.message)
        return redirect("dossiers:detail", pk=dossier.pk)
    form = SignApproveForm(request.POST, prefix="sign")
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("dossiers:detail", pk=dossier.pk)
    try:
        services.dossier_sign_and_approve(
            dossier=dossier,
            actor=request.user,
            pin=form.cleaned_data["pin"],
            comment=form.cleaned_data["comment"],
            level=form.cleaned_data["level"],
        )
    except DossierError as exc:
        messages.error(request, exc.message)
        return redirect("dossiers:detail", pk=dossier.pk)
    messages.success(request, _("The result was signed and the dossier approved."))
    return redirect("dossiers:detail", pk=dossier.pk)


@login_required
@require_POST
def draft_result(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The specialist (or the approving leader) attaches the draft result to be signed."""
    dossier = selectors.get_dossier_for(request.user, pk)
    if not may_attach_draft(dossier, request.user):
        raise PermissionDenied()
    form = DraftResultForm(request.POST, request.FILES, prefix="draft")
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("dossiers:detail", pk=dossier.pk)
    try:
        services.dossier_attach_draft_result(
            dossier=dossier, actor=request.user, uploaded_file=form.cleaned_data["file"]
        )
    except DossierError as exc:
        messages.error(request, exc.message)
        return redirect("dossiers:detail", pk=dossier.pk)
    messages.success(request, _("Draft result attached."))
    return redirect("dossiers:detail", pk=dossier.pk)


@login_required
@require_POST
def issue_result(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The clerical office's issuing signature with the number and date."""
    dossier = selectors.get_dossier_for(request.user, pk)
    if not may_issue(dossier, request.user):
        raise PermissionDenied()
    form = IssueForm(request.POST, prefix="issue")
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("dossiers:detail", pk=dossier.pk)
    try:
        services.dossier_issue_result(
            dossier=dossier,
            actor=request.user,
            pin=form.cleaned_data["pin"],
            number=form.cleaned_data["number"],
        )
    except DossierError as exc:
        messages.error(request, exc.message)
        return redirect("dossiers:detail", pk=dossier.pk)
    messages.success(request, _("The result was issued."))
    return redirect("dossiers:detail", pk=dossier.pk)


@login_required
def issue_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The clerical office's list: signed results waiting for the number and the issuing signature."""
    user = request.user
    if not getattr(user, "is_staff_member", False) or not user.has_role(Role.CLERICAL):
        raise DjangoPermissionDenied(_("This page is for the clerical office."))
    rows = list(results_to_issue(user)[:200])
    return render(request, "dossiers/issue_queue.html", {"rows": rows})
