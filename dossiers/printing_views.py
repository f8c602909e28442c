"""Pages of the printed forms: a dossier's forms (list, polling partial, download, re-render of
06) and the tracking book (07) of an agency and a period. Thin: the selectors decide who sees
what (another's dossier is a 404), :mod:`dossiers.printing` does the work."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from portal.accounts.selectors import agencies_in_scope
from portal.core.uploads import attachment_response
from portal.core.widgets import DateInput

from . import form_numbers, printing, selectors
from .exceptions import DossierError
from .models import PrintedForm

if TYPE_CHECKING:
    from portal.accounts.typed import Actor, AuthenticatedHttpRequest
    from portal.agencies.models import Agency


#: Seconds between two polls of a page that waits for a form.
POLL_SECONDS = 3


def _file_response(form: PrintedForm, name: str) -> HttpResponseBase:
    if not form.file:
        raise Http404(_("The form is being prepared."))
    return attachment_response(form.file, name, "application/pdf")


def forms_context(request: HttpRequest, dossier: Any) -> dict[str, Any]:
    """What the ``dossiers/_printed_forms.html`` partial needs (the detail page includes it)."""
    rows = printing.forms_of(dossier)
    for row in rows:  # "Số 12/TNHS-STP": the number printed on the form (issued by the receiver)
        issuer = dossier.receiving_agency
        row.reference = form_numbers.reference(row, issuer) if issuer is not None else ""
    return {
        "dossier": dossier,
        "printed_forms": rows,
        "forms_pending": any(f.state == PrintedForm.State.PENDING for f in rows),
        "is_staff": getattr(request.user, "is_staff_member", False),
        "can_print_control": getattr(request.user, "is_staff_member", False) and bool(dossier.code),
        "poll_seconds": POLL_SECONDS,
    }


@login_required
def dossier_forms(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The list of a dossier's forms alone: what the detail page polls (htmx) while one is pending."""
    dossier = selectors.get_dossier_for(request.user, pk)
    return render(request, "dossiers/_printed_forms.html", forms_context(request, dossier))


@login_required
def form_download(request: AuthenticatedHttpRequest, pk: int, form_pk: int) -> HttpResponseBase:
    """One form of a dossier the user may see (applicant or staff in scope); others get a 404."""
    dossier = selectors.get_dossier_for(request.user, pk)
    form = get_object_or_404(PrintedForm, pk=form_pk, dossier=dossier)
    return _file_response(form, printing.form_file_name(form, dossier))


@login_required
@require_POST
def control_slip(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Staff print the process-control slip (06) again, now."""
    dossier = selectors.get_dossier_for(request.user, pk)
    if not getattr(request.user, "is_staff_member", False):
        raise DjangoPermissionDenied(_("Only staff may print the process-control slip."))
    try:
        printing.request_control_slip(dossier=dossier, actor=request.user)
        messages.success(request, _("The process-control slip is being prepared."))
    except DossierError as exc:
        messages.error(request, exc.message)
    return redirect("dossiers:detail", pk=dossier.pk)


@login_required
@require_POST
def form_rerender(request: AuthenticatedHttpRequest, pk: int, form_pk: int) -> HttpResponse:
    """Staff print one of the dossier's forms again (a failed one, or after a correction)."""
    dossier = selectors.get_dossier_for(request.user, pk)
    form = get_object_or_404(PrintedForm, pk=form_pk, dossier=dossier)
    if not getattr(request.user, "is_staff_member", False):
        raise DjangoPermissionDenied(_("Only staff may print a form again."))
    printing.rerender_form(form=form, actor=request.user)
    messages.success(request, _("The form is being prepared."))
    return redirect("dossiers:detail", pk=dossier.pk)


class TrackingBookForm(forms.Form):
    agency: forms.ModelChoiceField[Agency] = forms.ModelChoiceField(
        queryset=None, label=gettext_lazy("Agency")
    )
    start = forms.DateField(
        label=pgettext_lazy("start of a date range", "From"), widget=DateInput()
    )
    end = forms.DateField(label=pgettext_lazy("end of a date range", "To"), widget=DateInput())

    def __init__(self, *args: Any, user: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agency = cast("forms.ModelChoiceField[Agency]", self.fields["agency"])
        agency.queryset = agencies_in_scope(user).order_by("path")
        if not self.is_bound:
            today = timezone.localdate()
            self.initial.update(agency=user.agency_id, start=today.replace(day=1), end=today)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            raise forms.ValidationError(_("The start date must come before the end date."))
        if start and end and end - start >= timedelta(days=printing.MAX_BOOK_DAYS):
            raise forms.ValidationError(
                _("One book covers at most %(days)s days.") % {"days": printing.MAX_BOOK_DAYS}
            )
        return data


def _require_staff(request: HttpRequest) -> None:
    if not getattr(request.user, "is_staff_member", False):
        raise DjangoPermissionDenied(_("This page is for one-stop staff."))


@login_required
def tracking_book(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Sổ theo dõi hồ sơ: choose an agency in scope and a period; a worker renders it; the list
    shows it pending, then a download link (polled with htmx while anything is pending)."""
    _require_staff(request)
    form = TrackingBookForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            printing.request_tracking_book(
                agency=form.cleaned_data["agency"],
                start=form.cleaned_data["start"],
                end=form.cleaned_data["end"],
                actor=request.user,
            )
            messages.success(request, _("The tracking book is being prepared."))
            return redirect("dossiers:tracking_book")
        except DossierError as exc:
            form.add_error(None, exc.message)
    books = list(printing.books_visible_to(request.user)[:30])
    context = {
        "form": form,
        "books": books,
        "books_pending": any(b.state == PrintedForm.State.PENDING for b in books),
        "poll_seconds": POLL_SECONDS,
    }
    if request.GET.get("partial"):
        return render(request, "dossiers/_tracking_books.html", context)
    return render(
        request, "dossiers/tracking_book.html", context, status=400 if form.errors else 200
    )


@login_required
def tracking_book_download(request: AuthenticatedHttpRequest, form_pk: int) -> HttpResponseBase:
    _require_staff(request)
    book = get_object_or_404(printing.books_visible_to(request.user), pk=form_pk)
    return _file_response(
        book, f"so-theo-doi-{book.period_start:%Y%m%d}-{book.period_end:%Y%m%d}.pdf"
    )
