"""Dashboards at the scale of a province: selectors, drill-downs and one incremental refresh.

    .venv/bin/python bench/dashboards.py --generate      # creates portal_bench_dash, 1,000,000 dossiers, then measures
    .venv/bin/python bench/dashboards.py                 # measures an already generated portal_bench_dash
    .venv/bin/python bench/dashboards.py --read-only     # the same without the state changes and the refresh

Everything is measured in this process against PostgreSQL (127.0.0.1:5432): the selectors' wall
time (their queries included), warm (3 calls first), median and max of ``--runs`` calls. The
incremental refresh: 100 real state changes through the services (a province-level clerk
withdraws 100 open dossiers), then one ``summary.refresh()``.
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


def ensure_database(name: str) -> None:
    import psycopg2

    conn = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cur.fetchone():
            cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def timed(fn, runs: int) -> tuple[float, float]:
    for _ in range(3):
        fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), max(times)


def state_changes(n: int) -> float:
    """Withdraw ``n`` open dossiers through the service, as a province-level clerk would."""
    from django.contrib.auth import get_user_model

    from dossiers import services
    from dossiers.constants import DossierStatus
    from dossiers.models import Dossier
    from portal.accounts.constants import AccountKind, Role
    from portal.accounts.models import StaffRole
    from portal.agencies.models import Agency

    province = Agency.objects.filter(level="province").order_by("pk").first()
    User = get_user_model()
    clerk, created = User.objects.get_or_create(
        username="bench.clerk",
        defaults={"kind": AccountKind.STAFF, "agency": province, "full_name": "Bench"},
    )
    if created:
        StaffRole.objects.create(user=clerk, role=Role.CLERK)
    ids = list(
        Dossier.objects.filter(status=DossierStatus.IN_PROGRESS)
        .order_by("-received_at")
        .values_list("pk", flat=True)[:n]
    )
    t0 = time.perf_counter()
    for pk in ids:
        services.dossier_withdraw(dossier=Dossier.objects.get(pk=pk), actor=clerk, reason="bench")
    return (time.perf_counter() - t0) * 1000


def backend_cpu_reader():
    """CPU seconds used so far by this connection's PostgreSQL backend (same machine: /proc),
    or a reader returning None where that cannot be read."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        pid = cur.fetchone()[0]
    path = Path(f"/proc/{pid}/stat")
    ticks = os.sysconf("SC_CLK_TCK")

    def read():
        try:
            fields = path.read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / ticks  # utime + stime

    return read


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="portal_bench_dash")
    parser.add_argument("--generate", action="store_true")
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument(
        "--read-only",
        action="store_true",
        help="skip the 100 state changes and the refresh (a shared database another bench owns)",
    )
    args = parser.parse_args()

    ensure_database(args.db)
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{args.db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("DEBUG", "0")
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from dashboards import selectors, summary
    from dashboards.models import DossierFact, ProcedureMonthStat, SectorMonthStat
    from dossiers.models import Dossier

    if args.generate:
        call_command("migrate", verbosity=0)
        backend = backend_cpu_reader()
        load0, b0 = os.getloadavg(), backend()
        t0, c0 = time.perf_counter(), time.process_time()
        call_command(
            "generate_province", dossiers=args.dossiers, years=5, agencies=300, procedures=400
        )
        wall, cpu, b1 = time.perf_counter() - t0, time.process_time() - c0, backend()
        load1 = os.getloadavg()
        print(
            f"generator: {wall:.0f} s wall, {cpu:.0f} s CPU in this process"
            + (
                f", {b1 - b0:.0f} s CPU in its PostgreSQL backend (parallel index workers not included)"
                if b0 is not None
                else ""
            )
            + f"; load average {load0[0]:.1f} before, {load1[0]:.1f} / {load1[1]:.1f} / {load1[2]:.1f} after (1 / 5 / 15 min)"
        )
    print(
        f"dossiers {Dossier.objects.count():,}  facts {DossierFact.objects.count():,}  "
        f"sector-month rows {SectorMonthStat.objects.count():,}  procedure-month rows {ProcedureMonthStat.objects.count():,}"
    )

    today = timezone.localdate()
    year = selectors.period_filters("year", today.replace(year=today.year - 1))
    this_year = selectors.period_filters("year", today)
    rows = []

    def add(label, fn):
        med, worst = timed(fn, args.runs)
        rows.append((label, med, worst))
        print(f"{label:<60} {med:8.1f} ms  (max {worst:.1f})")

    add(f"dashboard_figures province {year.start.year}", lambda: selectors.dashboard_figures(year))
    add(
        f"dashboard_figures province {year.start.year} previous year",
        lambda: selectors.dashboard_figures(year.previous()),
    )
    add(
        f"dashboard_figures province {this_year.start.year} (in progress = now)",
        lambda: selectors.dashboard_figures(this_year),
    )
    add(
        "procedure_times province year (top 20, exact p90)", lambda: selectors.procedure_times(year)
    )
    add("by_agency province year (direct sub-units)", lambda: selectors.by_agency(year))
    add(
        "by_agency province year (every agency, ranking)",
        lambda: selectors.by_agency(year, every_agency=True),
    )
    add("timeseries province year by month", lambda: selectors.timeseries(year))

    def page_set():
        selectors.dashboard_figures(year)
        selectors.dashboard_figures(year.previous())
        selectors.procedure_times(year)
        selectors.by_agency(year)
        selectors.timeseries(year)

    add("ALL of the above a page needs (figures+previous+times+agencies+series)", page_set)
    custom = selectors.Filters(
        start=today.replace(year=today.year - 1, day=10),
        end=today.replace(day=1) - __import__("datetime").timedelta(days=5),
    )
    add(
        f"dashboard_figures custom {custom.start}..{custom.end}",
        lambda: selectors.dashboard_figures(custom),
    )
    for metric in selectors.DRILLDOWN_METRICS:
        add(
            f"drilldown_page {metric} (first 50)",
            lambda m=metric: summary.drilldown_page(year, m, limit=50),
        )

    if not args.read_only:
        t_changes = state_changes(100)
        t0, c0 = time.perf_counter(), time.process_time()
        result = summary.refresh()
        t_refresh, c_refresh = (time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000
        print(
            f"100 state changes through the services: {t_changes:.0f} ms; one refresh: {t_refresh:.0f} ms wall, {c_refresh:.0f} ms CPU "
            f"({result.dossiers} dossiers, {result.months} agency-months, {result.rows} rows)"
        )
    print(f"load average {os.getloadavg()[0]:.2f}")
    print("\n| measured | median ms | max ms |\n|---|---:|---:|")
    for label, med, worst in rows:
        print(f"| {label} | {med:.1f} | {worst:.1f} |")


if __name__ == "__main__":
    main()
