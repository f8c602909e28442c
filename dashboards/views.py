"""Dashboard pages. Thin: parse the filters (scoped to who asks), call the selectors through
:mod:`dashboards.reports`, render or export.

Who sees what: provincial staff see every agency; an agency's leaders see their agency and its
sub-units (``agencies_in_scope``); other staff and applicants get 403, anonymous users the login
page. An agency outside the scope in the filters is refused with a clear message (400), never
silently widened or narrowed. The public transparency page shows aggregates only.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from dossiers.constants import Channel, DossierStatus
from portal.accounts.constants import Role
from portal.accounts.permissions import role_required
from portal.core.uploads import attachment_response
from portal.dbrouting import lag_tolerant
from portal.workcalendar.constants import Timeliness
from procedures.constants import ServiceLevel

from . import exports, index766, report_files, reports, selectors, summary
from .forms import (
    DashboardFilterForm,
    FilterResult,
    default_agency_ids,
    filters_from_query,
    period_label,
)
from .models import DashboardReport

if TYPE_CHECKING:
    from collections.abc import Sequence

    from django.http.response import HttpResponseBase
    from django_stubs_ext import StrOrPromise

    from portal.accounts.typed import AuthenticatedHttpRequest

#: Roles that watch dashboards: provincial staff (all agencies) and agency leaders (their subtree).
DASHBOARD_ROLES = (Role.PROVINCIAL, Role.LEADER)
DRILLDOWN_PAGE_SIZE = 50
#: Seconds between two polls of the reports page while a report is being prepared.
REPORT_POLL_SECONDS = 3
PUBLIC_CACHE_SECONDS = 600
BAD_METRIC = gettext_lazy("Unknown figure.")
BAD_FORMAT = gettext_lazy("Unknown export format.")
BAD_PAGE = gettext_lazy("The page is not valid.")


def _parse(request: AuthenticatedHttpRequest) -> FilterResult:
    if default_agency_ids(request.user) == ():
        raise PermissionDenied(_("Your account is not attached to an agency."))
    return filters_from_query(request.GET, request.user)


def _bad_request(
    request: HttpRequest,
    form: DashboardFilterForm | None,
    errors: Sequence[StrOrPromise],
    *,
    title: str,
) -> HttpResponse:
    return render(
        request,
        "dashboards/bad_filters.html",
        {"title": title, "form": form, "errors": errors},
        status=400,
    )


def _query_without(request: HttpRequest, *names: str) -> str:
    q = request.GET.copy()
    for n in names:
        q.pop(n, None)
    return q.urlencode()


@role_required(*DASHBOARD_ROLES)
@lag_tolerant  # replica reads (issue 19)
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    """/thong-ke/: KPI cards with the previous period, charts, tables, every number a drill-down link."""
    parsed = _parse(request)
    if parsed.filters is None:
        return _bad_request(request, parsed.form, parsed.errors, title=_("Dashboard"))
    data = reports.build(parsed.filters)
    query = _query_without(request, "metric", "page")
    return render(
        request,
        "dashboards/dashboard.html",
        {
            "title": _("Dashboard"),
            "form": parsed.form,
            "d": data,
            "period": period_label(parsed.filters),
            "previous_period": period_label(data.previous_filters),
            "agency_rows": reports.agency_table(data.agencies),
            "sector_rows": data.sectors,
            "level_rows": [
                {"level": lv, "label": label, "count": data.figures.received_by_level.get(lv, 0)}
                for lv, label in ServiceLevel.choices
            ],
            "charts": (charts := reports.charts(data)),
            "agency_chart_caption": reports.agency_chart_caption(charts["agencies"]["total"]),
            "query": query,
            "drill_url": reverse("dashboards:drilldown"),
        },
    )


def _labelled(rows: list[dict]) -> list[dict]:
    """Drill-down rows (plain values from the summary's keyset page) with their labels, local
    times and links made here once (per-row template filters and ``{% url %}`` cost more than the
    queries of the page)."""
    channels = {v: str(label) for v, label in Channel.choices}
    statuses = {v: str(label) for v, label in DossierStatus.choices}
    timeliness = {v: str(label) for v, label in Timeliness.choices}
    detail = reverse("dossiers:detail", args=[0])[:-2]  # "/ho-so/"

    def local(moment: Any) -> str:
        return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M") if moment else ""

    for r in rows:
        r["url"] = f"{detail}{r['id']}/"
        r["channel_label"] = channels.get(r["channel"], r["channel"])
        r["status_label"] = statuses.get(r["status"], r["status"])
        r["timeliness_label"] = timeliness.get(r["timeliness"], "")
        r["received"], r["due"], r["finished"] = (
            local(r["received_at"]),
            local(r["due_at"]),
            local(r["finished_at"]),
        )
    return rows


@role_required(*DASHBOARD_ROLES)
@lag_tolerant  # replica reads (issue 19)
def drilldown(request: AuthenticatedHttpRequest) -> HttpResponse:
    """/thong-ke/ho-so/?metric=…: the dossiers behind a number, newest first, each linked to its
    page. Keyset pages (``after`` = the cursor of the page before) over the summary's indexed facts,
    so a page costs the same on the millionth dossier as on the first."""
    parsed = _parse(request)
    metric = request.GET.get("metric", "")
    errors: list[StrOrPromise] = list(parsed.errors)
    if metric not in reports.DRILL_METRICS:
        errors.append(BAD_METRIC)
    if errors or parsed.filters is None:
        return _bad_request(request, parsed.form, errors, title=_("Dossiers behind a figure"))
    try:
        page = summary.drilldown_page(
            parsed.filters,
            metric,
            after=request.GET.get("after") or None,
            limit=DRILLDOWN_PAGE_SIZE,
        )
    except ValueError:
        return _bad_request(request, parsed.form, [BAD_PAGE], title=_("Dossiers behind a figure"))
    label = next((m.label for m in reports.FIGURE_ROWS if m.drill == metric), metric)
    return render(
        request,
        "dashboards/drilldown.html",
        {
            "title": _("Dossiers behind a figure"),
            "metric": metric,
            "metric_label": label,
            "form": parsed.form,
            "rows": _labelled(page.rows),
            "total": page.total,
            "next_query": _query_without(request, "after")
            + "&"
            + urlencode({"after": page.next_cursor})
            if page.next_cursor
            else "",
            "first_query": _query_without(request, "after") if request.GET.get("after") else "",
            "period": period_label(parsed.filters),
            "query": _query_without(request, "after"),
            "filters_query": _query_without(request, "metric", "after"),
        },
    )


@role_required(*DASHBOARD_ROLES)
@lag_tolerant  # replica reads (issue 19)
def export(request: AuthenticatedHttpRequest, fmt: str) -> HttpResponse:
    """The dashboard's tables as CSV or XLSX, or the printable A4 PDF report."""
    if fmt not in ("csv", "xlsx", "pdf"):
        return _bad_request(request, None, [BAD_FORMAT], title=_("Export"))
    parsed = _parse(request)
    if parsed.filters is None:
        return _bad_request(request, parsed.form, parsed.errors, title=_("Export"))
    if fmt == "pdf":  # laid out by a worker: the reports page asks for it (POST) and waits
        return redirect(reverse("dashboards:reports") + "?" + request.GET.urlencode())
    data = reports.build(parsed.filters)
    name = f"thong-ke-{parsed.filters.start:%Y%m%d}-{parsed.filters.end:%Y%m%d}"
    tables = exports.dashboard_tables(data)
    return (
        exports.csv_response(tables, name) if fmt == "csv" else exports.xlsx_response(tables, name)
    )


@role_required(*DASHBOARD_ROLES)
@lag_tolerant  # replica reads (issue 19)
def drilldown_export(request: AuthenticatedHttpRequest, fmt: str) -> HttpResponse:
    """A drill-down list as CSV or XLSX (at most ``exports.MAX_EXPORT_ROWS`` rows, said in the file)."""
    if fmt not in ("csv", "xlsx"):
        return _bad_request(request, None, [BAD_FORMAT], title=_("Export"))
    parsed = _parse(request)
    metric = request.GET.get("metric", "")
    errors: list[StrOrPromise] = list(parsed.errors)
    if metric not in reports.DRILL_METRICS:
        errors.append(BAD_METRIC)
    if errors or parsed.filters is None:
        return _bad_request(request, parsed.form, errors, title=_("Export"))
    qs = selectors.drilldown(parsed.filters, metric).select_related("procedure", "receiving_agency")
    table = exports.dossier_table(qs)
    name = f"ho-so-{metric}-{parsed.filters.start:%Y%m%d}-{parsed.filters.end:%Y%m%d}"
    return (
        exports.csv_response([table], name)
        if fmt == "csv"
        else exports.xlsx_response([table], name)
    )


@role_required(*DASHBOARD_ROLES)
@require_http_methods(["GET", "POST"])
def report_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """/thong-ke/bao-cao/: the user's printable reports. GET with the dashboard's filters offers to
    prepare one (no side effect); POST asks a worker for it; the list polls until it is ready."""
    partial = request.GET.get("partial") == "1" or bool(request.headers.get("HX-Request"))
    parsed = (
        _parse(request) if not partial else None
    )  # no filters = the dashboard's default (this month)
    if parsed is not None and parsed.filters is None:
        return _bad_request(request, parsed.form, parsed.errors, title=_("PDF report"))
    if request.method == "POST" and parsed is not None:
        try:
            report = report_files.request_report(
                user=request.user, parsed=parsed, roles=DASHBOARD_ROLES
            )
        except report_files.ReportRefused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                _(
                    "The report “%(title)s” is being prepared; it will appear below in a few seconds."
                )
                % {"title": report.title},
            )
        return redirect("dashboards:reports")
    items = report_files.reports_of(request.user)
    context = {
        "title": _("PDF reports"),
        "reports": items,
        "pending": any(r.state == DashboardReport.State.PENDING for r in items),
        "poll_seconds": REPORT_POLL_SECONDS,
        "offer": (
            report_files.scope_label(parsed, request.user) + " — " + period_label(parsed.filters)
        )
        if parsed is not None and parsed.filters is not None
        else "",
        "query": request.GET.urlencode(),
    }
    if partial:
        return render(request, "dashboards/_reports.html", context)
    return render(request, "dashboards/reports.html", context)


@role_required(*DASHBOARD_ROLES)
@require_GET
def report_download(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    """The requester's own report; anyone else's is a 404 (its existence is not revealed)."""
    report = get_object_or_404(DashboardReport, pk=pk, requested_by=request.user)
    if report.state != DashboardReport.State.READY or not report.file:
        raise Http404(_("The report is being prepared."))
    return attachment_response(report.file, f"bao-cao-thong-ke-{report.pk}.pdf", "application/pdf")


@role_required(*DASHBOARD_ROLES)
@lag_tolerant  # replica reads (issue 19)
def index_766(request: AuthenticatedHttpRequest) -> HttpResponse:
    """/thong-ke/chi-so-766/: the Decision 766 index with its groups, components and the ranking."""
    parsed = _parse(request)
    if parsed.filters is None:
        return _bad_request(
            request, parsed.form, parsed.errors, title=_("Service index (Decision 766)")
        )
    score = index766.index_for(parsed.filters)
    ranking = reports.index_ranking(parsed.filters)
    return render(
        request,
        "dashboards/index766.html",
        {
            "title": _("Service index (Decision 766/QĐ-TTg)"),
            "form": parsed.form,
            "score": score,
            "ranking": ranking,
            "period": period_label(parsed.filters),
            "query": _query_without(request, "page"),
        },
    )


@lag_tolerant  # replica reads (issue 19)
def public(request: HttpRequest) -> HttpResponse:
    """/thong-ke/cong-khai/: the province's aggregate figures for everyone (no personal data).

    The figures (not the HTML: the page carries the visitor's own menu and CSRF token) are cached
    for ``PUBLIC_CACHE_SECONDS``, so a crowd of visitors costs two selector calls per period.
    """
    today = timezone.localdate()
    raw_year = request.GET.get("year", "")
    year = (
        int(raw_year) if raw_year.isdigit() and 2000 <= int(raw_year) <= today.year else today.year
    )
    key = f"dashboards:public:v1:{year}:{today.isoformat()}"
    data = cache.get(key)
    if data is None:
        filters = selectors.Filters(start=date(year, 1, 1), end=min(date(year, 12, 31), today))
        f = selectors.dashboard_figures(filters)
        data = {
            "period": period_label(filters),
            "figures": {k: getattr(f, k) for k in PUBLIC_FIGURES},
            "on_time_rate": reports.on_time_rate(f),
            "online_share": reports.online_share(f),
            "satisfaction_rate": reports.satisfaction_rate(f),
            "rows": reports.agency_table(
                list(selectors.by_agency(reports.breakdown_filters(filters)))
            ),
            "generated_at": timezone.localtime(),
        }
        cache.set(key, data, PUBLIC_CACHE_SECONDS)
    return render(
        request,
        "dashboards/public.html",
        {
            "title": _("Transparency: how the province serves its people"),
            "year": year,
            "years": list(range(today.year, today.year - 5, -1)),
            **data,
        },
    )


#: Aggregates the public page shows (counts only: nothing about a person).
PUBLIC_FIGURES = (
    "received",
    "received_online",
    "resolved",
    "resolved_early",
    "resolved_on_time",
    "resolved_late",
    "in_progress",
    "in_progress_overdue",
    "rated",
)
