"""The printable PDF report of the dashboard, rendered by a worker.

A province-wide report is several A4 pages of tables, and WeasyPrint lays out about a page per
second: far too long for a web request (a busy machine would reach the web server's timeout). The
request only records what was asked (:func:`request_report`, in one transaction with its outbox
message); the worker renders it (:func:`render_report`) with the requester's scope checked again,
and the page polls until it is ready. Only the requester can download it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.accounts.permissions import user_has_any_role
from portal.core.filehash import sha256_of
from portal.core.outbox import outbox_enqueue
from portal.dbrouting import replica_reads

from . import exports, reports
from .forms import FilterResult, default_agency_ids, filters_from_query, period_label
from .models import DashboardReport

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from portal.accounts.models import User

logger = logging.getLogger(__name__)

RENDER_TASK = "dashboards.tasks.render_report"
#: Reports one user may have waiting at once (each costs a worker seconds of CPU).
MAX_PENDING_PER_USER = 3
State = DashboardReport.State

TOO_MANY = _(
    "You already have {n} reports being prepared; please wait for them before asking for more."
)
FAILED = _("The report could not be prepared; please ask for it again.")
NOT_ALLOWED = _("This account may no longer see these figures.")


class ReportRefused(Exception):
    """The request cannot be taken; the message is bilingual, for the user."""


def pinned_query(parsed: FilterResult) -> str:
    """The filters as a query string with the period resolved ("this month" → year and month):
    the worker renders what the user saw, even if it runs after midnight on the 1st."""
    data = parsed.form.cleaned_data
    query = QueryDict(mutable=True)
    for name in ("period", "year", "month", "quarter", "start", "end", "level"):
        value: Any = data.get(name)
        if value not in (None, ""):
            query[name] = value.isoformat() if hasattr(value, "isoformat") else str(value)
    for name in ("agency", "sector", "procedure"):
        if data.get(name) is not None:
            query[name] = str(data[name].pk)
    return query.urlencode()


def scope_label(parsed: FilterResult, user: User) -> str:
    agency = parsed.form.cleaned_data.get("agency")
    if agency is not None:
        return agency.name
    if default_agency_ids(user) is None:
        return "Toàn tỉnh"
    assert user.agency is not None  # default_agency_ids() is this agency's subtree
    return user.agency.name


def request_report(*, user: User, parsed: FilterResult, roles: tuple[str, ...]) -> DashboardReport:
    """Record a report request and its render task in one transaction."""
    if parsed.filters is None:
        raise ValueError("request_report needs valid filters")
    with transaction.atomic():
        # One user's requests queue on their own row lock, so the pending count cannot be raced.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        pending = DashboardReport.objects.filter(requested_by=user, state=State.PENDING).count()
        if pending >= MAX_PENDING_PER_USER:
            raise ReportRefused(str(TOO_MANY).format(n=pending))
        if not user_has_any_role(user, roles):
            raise ReportRefused(str(NOT_ALLOWED))
        report = DashboardReport.objects.create(
            requested_by=user,
            query=pinned_query(parsed),
            title=f"{scope_label(parsed, user)} — {period_label(parsed.filters)}",
        )
        outbox_enqueue(
            RENDER_TASK, kwargs={"report_id": report.pk}, dedupe_key=f"dashboard-report:{report.pk}"
        )
    return report


def render_report(*, report_id: int, roles: tuple[str, ...]) -> DashboardReport | None:
    """Render and store one report; idempotent (a ready report is left alone). None if it is gone."""
    report = DashboardReport.objects.select_related("requested_by").filter(pk=report_id).first()
    if report is None or report.state == State.READY:
        return report
    user = report.requested_by
    if not user_has_any_role(user, roles):
        mark_failed(report_id=report.pk, error=NOT_ALLOWED)
        return DashboardReport.objects.get(pk=report.pk)
    parsed = filters_from_query(QueryDict(report.query), user)
    if parsed.filters is None:  # e.g. the agency left the user's scope since the request
        mark_failed(report_id=report.pk, error=" ".join(parsed.errors))
        return DashboardReport.objects.get(pk=report.pk)
    with replica_reads():  # figures that may lag a few seconds (issue 19)
        data = reports.build(parsed.filters)
    pdf, pages = exports.pdf_document(
        data, scope=scope_label(parsed, user), period=period_label(parsed.filters)
    )
    storage = report.file.storage
    name = storage.save(
        report.file.field.generate_filename(report, "bao-cao.pdf"), ContentFile(pdf)
    )
    with transaction.atomic():
        locked = DashboardReport.objects.select_for_update().get(pk=report.pk)
        if locked.state == State.READY:  # a duplicate delivery finished first
            transaction.on_commit(lambda: storage.delete(name))
            return locked
        locked.file.name = name
        locked.pages = pages
        locked.sha256 = sha256_of(pdf)
        locked.state = State.READY
        locked.error = ""
        locked.rendered_at = timezone.now()
        locked.save(update_fields=["file", "sha256", "pages", "state", "error", "rendered_at"])
    logger.info(
        "dashboard_report.rendered",
        extra={"report_id": report.pk, "bytes": len(pdf), "pages": pages},
    )
    return locked


def mark_failed(*, report_id: int, error: StrOrPromise) -> None:
    DashboardReport.objects.filter(pk=report_id).exclude(state=State.READY).update(
        state=State.FAILED, error=str(error)[:2000]
    )


def reports_of(user: User, *, limit: int = 10) -> list[DashboardReport]:
    return list(DashboardReport.objects.filter(requested_by=user)[:limit])
