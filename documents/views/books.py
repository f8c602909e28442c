"""The inbox and the two books (outgoing and incoming), on screen and as a CSV export."""

from __future__ import annotations

import csv
from typing import TYPE_CHECKING, Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from portal.accounts.constants import Role

from .. import forms, ui_services
from ..constants import IncomingState, StatusCode
from .common import paginate, staff_has_role, type_choices, urgency_choices

if TYPE_CHECKING:
    from portal.accounts.typed import AuthenticatedHttpRequest


# --- landing page --------------------------------------------------------------------------------


@login_required
def inbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    """ "Văn bản": what waits for this user, by role. The văn thư: arrived envelopes to register,
    signed drafts to number and send; the leader: drafts to sign, documents to assign, recall
    requests; the specialist: documents assigned to him and his drafts."""
    user = request.user
    ui_services.require_roles(user, *ui_services.DOCUMENT_ROLES)
    sections = []
    if staff_has_role(user, Role.CLERICAL):
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
    if staff_has_role(user, Role.LEADER):
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
    if staff_has_role(user, Role.SPECIALIST, Role.LEADER, Role.CLERICAL):
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
            "can_draft": staff_has_role(user, Role.SPECIALIST, Role.LEADER, Role.CLERICAL),
            "can_register": staff_has_role(user, Role.CLERICAL),
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
def outgoing_book(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    """Sổ văn bản đi: number, notation, date, type, subject, signer, recipients with their latest
    status. ``?xuat=csv`` exports the filtered book."""
    ui_services.require_roles(request.user, *ui_services.BOOK_ROLES)
    form = forms.BookFilterForm(
        request.GET or None,
        types=type_choices(),
        statuses=StatusCode.choices,
        urgencies=urgency_choices(),
    )
    if request.GET.get("xuat") == "csv":
        return _outgoing_csv(ui_services.outgoing_book(request.user, form.filters()))
    page, query = paginate(request, ui_services.outgoing_book(request.user, form.filters()))
    return render(
        request,
        "documents/outgoing_book.html",
        {"form": form, "page_obj": page, "query_string": query},
    )


@login_required
def incoming_book(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    """Sổ văn bản đến: book number, arrival, sender, their number and date, subject, who handles
    it. ``?xuat=csv`` exports the filtered book."""
    ui_services.require_roles(request.user, *ui_services.BOOK_ROLES)
    form = forms.BookFilterForm(
        request.GET or None,
        types=type_choices(),
        statuses=IncomingState.choices,
        urgencies=urgency_choices(),
    )
    if request.GET.get("xuat") == "csv":
        return _incoming_csv(ui_services.incoming_book(request.user, form.filters()))
    page, query = paginate(request, ui_services.incoming_book(request.user, form.filters()))
    return render(
        request,
        "documents/incoming_book.html",
        {"form": form, "page_obj": page, "query_string": query},
    )
