"""Dashboard p95 from the streaming replica while the primary takes intakes (issue 19).

    .venv/bin/python bench/replica_dashboard.py            # --rate 50 --seconds 20 --dossiers 3000

Builds a real PostgreSQL 15 primary + streaming replica (pg_createcluster + pg_basebackup, on free
ports; dropped at the end), migrates, loads ``--dossiers`` received dossiers and refreshes the
dashboard summaries, prepares the submitted dossiers to take in, then for ``--seconds``:
``--processes`` intake processes (the web workers of production: one GIL each), each with four
threads, take dossiers in at the counter (``dossier_receive``) on the primary, together paced to
``--rate`` per second, while one client loads the province dashboard (``/thong-ke/``) as
provincial staff through Django's test client, ``--dashboard-rate`` requests a second (0: back
to back, a closed loop that takes all the CPU it gets). Run twice: reads on the replica
(``DATABASE_REPLICA_URL`` set), and on the primary alone. Prints achieved intake rate, dashboard
p50/p95 and the replica's lag.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=50)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--dossiers", type=int, default=3000)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--dashboard-rate", type=float, default=0)
    parser.add_argument("--shard", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--child", choices=["replica", "primary"], help=argparse.SUPPRESS)
    parser.add_argument("--setup", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--intakes", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child or args.setup or args.intakes:
        child(args)
        return
    from tests.scale.servers import PgPair

    with PgPair() as pair, tempfile.TemporaryDirectory() as var:
        env = {
            **os.environ,
            "DATABASE_URL": pair.url("primary"),
            "PORTAL_VAR_DIR": var,
            "MEDIA_ROOT": f"{var}/media",
            "CONN_MAX_AGE": "600",
            "REPLICA_CHECK_INTERVAL": "1",
            "REPLICA_MAX_LAG": "5",
            "DEBUG": "0",
            "BENCH_REPLICA_URL": pair.url("replica"),
        }
        base = _command(args)
        subprocess.run([*base, "--setup"], env=env, check=True, cwd=ROOT)
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        for mode in ("replica", "primary"):
            e = dict(env, DATABASE_REPLICA_URL=pair.url("replica") if mode == "replica" else "")
            out = subprocess.run(
                [*base, "--child", mode], env=e, cwd=ROOT, capture_output=True, text=True
            )
            if out.returncode:
                sys.exit(out.stderr[-3000:])
            print(mode, out.stdout.strip().splitlines()[-1])


def _command(args: argparse.Namespace) -> list[str]:
    """This script again, with the run's options (for the setup, the two modes and the feeders)."""
    return [
        sys.executable,
        __file__,
        *("--rate", str(args.rate), "--seconds", str(args.seconds)),
        *("--dossiers", str(args.dossiers), "--processes", str(args.processes)),
        *("--dashboard-rate", str(args.dashboard_rate)),
    ]


def child(args: argparse.Namespace) -> None:
    import threading
    import time

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    if not os.environ.get("DATABASE_REPLICA_URL"):
        os.environ.pop("DATABASE_REPLICA_URL", None)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections
    from django.test import Client

    from dossiers import services
    from dossiers.constants import DossierStatus
    from dossiers.models import Dossier
    from portal.accounts.constants import Role
    from tests.factories.accounts import StaffFactory
    from tests.factories.agencies import AgencyFactory
    from tests.factories.dossiers import DossierFactory, ProcedureFactory

    need = int(args.rate * args.seconds * 1.2)
    if args.setup:
        call_command("migrate", verbosity=0)
        agency = AgencyFactory(name="Sở Tư pháp")
        procedure = ProcedureFactory(agency=agency)
        StaffFactory(username="bench-clerk", agency=agency, roles=[Role.CLERK])
        StaffFactory(username="bench-province", roles=[Role.PROVINCIAL])
        for _ in range(args.dossiers // 2):
            DossierFactory(received=True, procedure=procedure, agency=agency)
        for _ in range(args.dossiers - args.dossiers // 2):
            DossierFactory(processed=True, procedure=procedure, agency=agency)
        for _ in range(2 * need):
            DossierFactory(submitted=True, procedure=procedure, agency=agency)
        from dashboards.tasks import refresh_summaries

        refresh_summaries()
        return
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    clerk, province = users.get(username="bench-clerk"), users.get(username="bench-province")
    if args.intakes:
        todo = list(
            Dossier.objects.filter(status=DossierStatus.NEW)
            .order_by("pk")
            .values_list("pk", flat=True)[:need]
        )[args.shard :: args.processes]  # this process's share: no two take the same dossier
        rate = args.rate / args.processes
        lock = threading.Lock()
        done: list[int] = []
        started, cpu_started = time.monotonic(), time.process_time()

        def intake() -> None:
            while time.monotonic() - started < args.seconds:
                with lock:
                    if not todo:
                        break
                    pk = todo.pop()
                    slot = started + len(done) / rate
                    done.append(pk)
                delay = slot - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                services.dossier_receive(dossier=Dossier.objects.get(pk=pk), actor=clerk)
            connections.close_all()

        threads = [threading.Thread(target=intake) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started
        print(
            json.dumps(
                {
                    "intakes": len(done),
                    "elapsed_s": elapsed,
                    "cpu_s": time.process_time() - cpu_started,
                    # what limits the rate: the CPU one intake costs in this process, and the
                    # share of one core this process got (4 threads, one GIL)
                }
            )
        )
        return
    env = dict(os.environ)
    env.pop("DATABASE_REPLICA_URL", None)
    feeders = [
        subprocess.Popen(
            [*_command(args), "--shard", str(shard), "--intakes"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        for shard in range(args.processes)
    ]
    started, cpu_started = time.monotonic(), time.process_time()
    client = Client()
    client.force_login(province)
    client.get("/thong-ke/")
    timings = []
    next_at = time.monotonic()
    # for as long as the intakes run
    while any(f.poll() is None for f in feeders) or len(timings) < 5:
        if args.dashboard_rate:
            next_at += 1 / args.dashboard_rate
            time.sleep(max(0.0, next_at - time.monotonic()))
        t0 = time.perf_counter()
        assert client.get("/thong-ke/").status_code == 200
        timings.append((time.perf_counter() - t0) * 1000)
    client_cores = round((time.process_time() - cpu_started) / (time.monotonic() - started), 2)
    shares = [json.loads(f.communicate(timeout=600)[0].strip().splitlines()[-1]) for f in feeders]
    intakes = sum(s["intakes"] for s in shares)
    cpu = sum(s["cpu_s"] for s in shares)
    fed = {
        "intake_processes": args.processes,
        "intakes_per_s": round(intakes / max(s["elapsed_s"] for s in shares), 1),
        # what limits the rate: the CPU one intake costs in its process, and the cores the
        # intake processes got together (four threads and one GIL each)
        "intake_cpu_ms": round(cpu / max(intakes, 1) * 1000, 1),
        "intake_processes_cores": round(cpu / max(s["elapsed_s"] for s in shares), 2),
    }
    lag = None
    if "replica" in connections.databases:
        from portal.dbrouting import replica_lag

        lag = round(replica_lag() * 1000, 1)
    timings.sort()
    print(
        json.dumps(
            {
                **fed,
                "dashboard_client_cores": client_cores,
                "dashboard_requests": len(timings),
                "p50_ms": round(timings[len(timings) // 2], 1),
                "p95_ms": round(timings[int(len(timings) * 0.95)], 1),
                "lag_ms_at_end": lag,
            }
        )
    )


if __name__ == "__main__":
    main()
