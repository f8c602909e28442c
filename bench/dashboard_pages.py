"""Benchmark: server time of the dashboard pages (issue 7) on a generated province.

Usage (from the project root), after ``manage.py generate_province`` filled a scratch database::

    .venv/bin/python bench/dashboard_pages.py [--db portal_bench_dash] [--runs 20]

Read-only: nothing is written to the database. Each page is rendered by its view function
(``dashboards.views``) with a ``RequestFactory`` request carrying an unsaved staff user whose
roles are set in memory (a provincial user, then the leader of the busiest department), so URL
routing and middleware (about a millisecond) are not in the figures; templates, selectors, queries
and rendering are. For each page: the first call (cold: PostgreSQL's and Django's caches as they
are) and the median / p90 of ``--runs`` calls after two warm-up calls (warm). Targets: dashboard
≤ 300 ms warm, drill-down list ≤ 200 ms warm.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="portal_bench_dash")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument(
        "--profile",
        metavar="LABEL",
        help="profile (CPU clock) --runs calls of the first page whose label contains LABEL",
    )
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{args.db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("PORTAL_DEBUG", "0")
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/8")

    import django

    django.setup()
    from django.contrib.auth.models import AnonymousUser
    from django.core.cache import cache
    from django.db import connection
    from django.db.models import Count
    from django.test import RequestFactory
    from django.utils import timezone, translation

    from dashboards import views
    from dashboards.models import DossierFact
    from portal.accounts.constants import AccountKind, Role
    from portal.accounts.models import User
    from portal.agencies.models import Agency

    translation.activate("vi")
    rf = RequestFactory()
    root = Agency.objects.filter(parent__isnull=True).first()
    busiest = (
        DossierFact.objects.values("agency_id").annotate(n=Count("pk")).order_by("-n").first() or {}
    ).get("agency_id")
    dept = Agency.objects.get(pk=busiest) if busiest else root
    while dept.parent_id and dept.parent_id != root.pk:
        dept = dept.parent

    def user(role: str, agency: Agency) -> User:
        u = User(
            username=f"bench-{role}",
            kind=AccountKind.STAFF,
            is_active=True,
            agency=agency,
            full_name="Bench",
        )
        u._role_cache = frozenset({role})
        return u

    provincial, leader = user(Role.PROVINCIAL, root), user(Role.LEADER, dept)
    today = timezone.localdate()
    last_month = today.replace(day=1) - timezone.timedelta(days=1)
    month = f"period=month&year={last_month.year}&month={last_month.month}"
    cursor_page = None

    def call(view, query: str, u: User, *a):
        request = rf.get("/thong-ke/?" + query)
        request.user = u
        request.session = {}
        response = view(request, *a)
        assert response.status_code == 200, (query, response.status_code, response.content[:300])
        return response

    def pdf_report_worker(
        request,
    ):  # what dashboards.tasks.render_report does (no longer in a request)
        from django.http import HttpResponse

        from dashboards import exports, reports
        from dashboards.forms import filters_from_query, period_label

        parsed = filters_from_query(request.GET, request.user)
        exports.pdf_document(
            reports.build(parsed.filters), scope="Toàn tỉnh", period=period_label(parsed.filters)
        )
        return HttpResponse()

    # a second drill-down page: the cursor of the first
    first = call(views.drilldown, f"metric=received&{month}", provincial)
    import re

    m = re.search(rb'id="next-page" href="\?([^"]+)"', first.content)
    cursor_page = m.group(1).decode().replace("&amp;", "&") if m else None

    pages = [
        ("dashboard, province, last month", views.dashboard, month, provincial, ()),
        (
            "dashboard, province, this year",
            views.dashboard,
            f"period=year&year={today.year}",
            provincial,
            (),
        ),
        (
            "dashboard, province, a quarter by sector",
            views.dashboard,
            f"period=quarter&year={last_month.year}&quarter={(last_month.month - 1) // 3 + 1}&sector=1",
            provincial,
            (),
        ),
        (f"dashboard, leader of {dept.name[:30]}", views.dashboard, month, leader, ()),
        (
            "drill-down: received, page 1",
            views.drilldown,
            f"metric=received&{month}",
            provincial,
            (),
        ),
        (
            "drill-down: received, page 2 (cursor)",
            views.drilldown,
            cursor_page or f"metric=received&{month}",
            provincial,
            (),
        ),
        (
            "drill-down: resolved late, year",
            views.drilldown,
            f"metric=resolved_late&period=year&year={today.year}",
            provincial,
            (),
        ),
        (
            "drill-down: in progress overdue",
            views.drilldown,
            f"metric=in_progress_overdue&{month}",
            provincial,
            (),
        ),
        ("index 766 with the ranking, last month", views.index_766, month, provincial, ()),
        ("export CSV, last month", views.export, month, provincial, ("csv",)),
        ("export XLSX, last month", views.export, month, provincial, ("xlsx",)),
        ("PDF report, last month (the worker's work)", pdf_report_worker, month, provincial, ()),
    ]
    if args.profile:
        import cProfile
        import pstats

        label, view, query, u, extra = next(p for p in pages if args.profile in p[0])
        for _ in range(3):
            call(view, query, u, *extra)
        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
        for _ in range(args.runs):
            call(view, query, u, *extra)
        profiler.disable()
        print(f"{label}: {args.runs} calls, CPU clock")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
        return
    print(
        f"database {args.db}: {DossierFact.objects.count():,} dossier facts, {Agency.objects.count()} agencies; "
        f"PostgreSQL {connection.pg_version}"
    )
    print(f"load average at start {os.getloadavg()[0]:.2f}")
    print("| page | cold ms | warm median ms | warm p90 ms | warm median CPU ms | queries |")
    print("|---|---:|---:|---:|---:|---:|")
    from django.test.utils import CaptureQueriesContext

    for label, view, query, u, extra in pages:
        t = time.perf_counter()
        call(view, query, u, *extra)
        cold = (time.perf_counter() - t) * 1000
        for _ in range(2):
            call(view, query, u, *extra)
        times, cpu = [], []
        for _ in range(args.runs):
            t, c = time.perf_counter(), time.process_time()
            call(view, query, u, *extra)
            times.append((time.perf_counter() - t) * 1000)
            cpu.append(
                (time.process_time() - c) * 1000
            )  # this process only: PostgreSQL's work is not in it
        with CaptureQueriesContext(connection) as q:
            call(view, query, u, *extra)
        times.sort()
        p90 = times[max(0, int(round(0.9 * len(times))) - 1)]
        print(
            f"| {label} | {cold:.0f} | {statistics.median(times):.0f} | {p90:.0f} | {statistics.median(cpu):.0f} | {len(q)} |"
        )

    cache.clear()  # the benchmark's own Redis database (REDIS_URL)
    anon = AnonymousUser()
    t = time.perf_counter()
    call(views.public, "", anon)
    cold = (time.perf_counter() - t) * 1000
    times = []
    for _ in range(args.runs):
        t = time.perf_counter()
        call(views.public, "", anon)
        times.append((time.perf_counter() - t) * 1000)
    print(
        f"| public transparency page (figures cached) | {cold:.0f} | {statistics.median(times):.0f} | {sorted(times)[int(0.9 * len(times)) - 1]:.0f} | — | — |"
    )
    print(f"load average at end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
