"""Profile of one intake as ``replica_dashboard.py`` drives it: committed transactions, after-commit
outbox relay included (issue 19).

    PORTAL_DEMO=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/<scratch db> \\
      REDIS_URL=redis://127.0.0.1:6379/<n> .venv/bin/python bench/intake_profile.py --n 200 --recreate

``--recreate`` drops and creates the database ``DATABASE_URL`` names first (a scratch database:
the factories' sequences start again in each run). The database is migrated and filled with ``--n`` submitted dossiers (plus one for the query count),
then each is taken in at the counter, one after the other, exactly as the bench's intake threads do
(``Dossier.objects.get`` then ``dossier_receive`` in its own transaction, which commits and runs the
outbox's quick relay). Prints the wall time (median / p90), the CPU one intake costs in this process
(``time.process_time``) and in its PostgreSQL backend (``/proc/<backend pid>/stat``, the server runs
on this machine), and the SQL statements of one intake. The CPU figures are what a shared machine
cannot hide: they do not grow with the load average the way wall times do. ``--profile`` adds the
cProfile entries with the most time of their own and the most cumulative time.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def backend_cpu(pid: int) -> float:
    """Seconds of CPU (user + system) PostgreSQL backend ``pid`` has used."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def recreate(url: str) -> None:
    """Drop and create the database ``url`` names (through the server's ``postgres`` database)."""
    from urllib.parse import urlsplit

    import psycopg2

    name = urlsplit(url).path.lstrip("/")
    admin = psycopg2.connect(urlsplit(url)._replace(path="/postgres").geturl())
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--recreate", action="store_true")
    args = parser.parse_args()
    if args.recreate:
        recreate(os.environ["DATABASE_URL"])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dossiers import services
    from dossiers.models import Dossier
    from portal.accounts.constants import Role
    from tests.factories.accounts import StaffFactory
    from tests.factories.agencies import AgencyFactory
    from tests.factories.dossiers import DossierFactory, ProcedureFactory

    call_command("migrate", verbosity=0)
    agency = AgencyFactory(name="Sở Tư pháp")
    procedure = ProcedureFactory(agency=agency)
    clerk = StaffFactory(agency=agency, roles=[Role.CLERK])
    todo = [
        DossierFactory(submitted=True, procedure=procedure, agency=agency).pk
        for _ in range(args.n + 3)
    ]
    # warm up (imports, the calendar's first read), then count one intake's statements
    services.dossier_receive(dossier=Dossier.objects.get(pk=todo.pop()), actor=clerk)
    services.dossier_receive(dossier=Dossier.objects.get(pk=todo.pop()), actor=clerk)
    with CaptureQueriesContext(connection) as queries:
        services.dossier_receive(dossier=Dossier.objects.get(pk=todo.pop()), actor=clerk)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    # CPU time, not wall time: waiting for the server (or for a loaded machine) is not counted
    profile = cProfile.Profile(time.process_time) if args.profile else None
    walls, cpus = [], []
    server_started, client_started = backend_cpu(backend), time.process_time()
    for pk in todo:
        t0, c0 = time.perf_counter(), time.process_time()
        if profile:
            profile.enable()
        services.dossier_receive(dossier=Dossier.objects.get(pk=pk), actor=clerk)
        if profile:
            profile.disable()
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    client = time.process_time() - client_started
    server = backend_cpu(backend) - server_started
    walls.sort()
    n = len(todo)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(
        f"BENCH intake (n={n}, committed): wall median {statistics.median(walls) * 1000:.1f} ms, "
        f"p90 {walls[int(n * 0.9)] * 1000:.1f} ms; CPU per intake: this process "
        f"{client / n * 1000:.1f} ms (median {statistics.median(cpus) * 1000:.1f}), "
        f"PostgreSQL backend {server / n * 1000:.1f} ms; {len(queries)} statements"
    )
    for i, q in enumerate(queries.captured_queries, start=1):
        print(f"  {i:2d} {q['sql'][:150]}")
    if profile:
        if os.environ.get("BENCH_PROFILE_OUT"):
            profile.dump_stats(os.environ["BENCH_PROFILE_OUT"])
        for key in ("tottime", "cumulative"):
            out = io.StringIO()
            pstats.Stats(profile, stream=out).strip_dirs().sort_stats(key).print_stats(args.top)
            print(out.getvalue())


if __name__ == "__main__":
    main()
