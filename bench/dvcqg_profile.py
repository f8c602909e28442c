"""Profile of a DVCQG backlog drain in one Celery worker process (issue 17, where the time goes).

Usage (after ``bench/dvcqg_sync.py`` left its database; from the project root)::

    PORTAL_DEMO=1 .venv/bin/python bench/dvcqg_profile.py [--db portal_bench_dvcqg]
        [--redis redis://127.0.0.1:6379/14] [--dossiers 300] [--top 35]

The dossiers of the bench database are made "never sent" again (their sync rows and changes
deleted, the simulator emptied) and one ``dossier_changed`` task per history row is published,
as the outbox relay does for dossiers that lived their lives while no worker ran. Then ONE
``celery worker -P solo`` runs under :mod:`cProfile` until every change is acknowledged: the profile
holds the whole path of a task (Celery's receipt and ack, our queries, the payloads, the JSON, the
HTTP calls). Printed: wall time, the worker's and the simulator's CPU per change, the top functions
by own time and by cumulative time.
"""

from __future__ import annotations

import argparse
import os
import pstats
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from dvcqg_sync import acked_all, cpu_seconds, load, purge  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="portal_bench_dvcqg")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--dossiers", type=int, default=300)
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument("--out", default=str(Path(tempfile.gettempdir()) / "dvcqg-drain.prof"))
    args = parser.parse_args()

    from national.simkit import start_simulator

    sim = start_simulator(
        "national.dvcqg.simulator:DvcqgSimulator",
        state_dir=Path(tempfile.mkdtemp(prefix="dvcqg-prof-sim-")),
    )
    env = {
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{args.db}",
        "REDIS_URL": args.redis,
        "PORTAL_VAR_DIR": str(ROOT / "var" / "bench-dvcqg"),
        "MEDIA_ROOT": str(ROOT / "var" / "bench-dvcqg" / "media"),
        "DJANGO_SETTINGS_MODULE": "dvcqg_bench_settings",
        "LOG_LEVEL": "WARNING",
        "DEBUG": "0",
        "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'bench'}",
        "DVCQG_URL": sim.url,
        "DVCQG_USERNAME": "tinh",
        "DVCQG_PASSWORD": "demo-dvcqg-password",
        "DVCQG_DSTCODE": "H18",
        "DVCQG_TIMEOUT": "2",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    os.environ.update(env)
    import django

    django.setup()
    from dossiers.models import Dossier, DossierEvent
    from national.dvcqg.models import DossierSync, OutboundChange
    from portal.celery import app

    ids = list(
        Dossier.objects.filter(dvcqg_sync__isnull=False)
        .order_by("pk")
        .values_list("pk", flat=True)[: args.dossiers]
    )
    if not ids:
        raise SystemExit(f"no synced dossier in {args.db}: run bench/dvcqg_sync.py first")
    OutboundChange.objects.filter(dossier_id__in=ids).delete()
    DossierSync.objects.filter(dossier_id__in=ids).delete()
    purge(["celery", "dvcqg"])
    events = list(
        DossierEvent.objects.filter(dossier_id__in=ids)
        .exclude(to_status=0)
        .order_by("pk")
        .values_list("dossier_id", "pk")
    )
    for dossier_id, event_id in events:
        app.send_task(
            "national.dvcqg.tasks.dossier_changed",
            kwargs={"dossier_id": dossier_id, "event_id": event_id},
            queue="dvcqg",
        )
    print(f"{len(events):,} changes of {len(ids):,} dossiers queued ({load()})", flush=True)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cProfile",
            "-o",
            args.out,
            str(Path(sys.executable).with_name("celery")),
            "-A",
            "portal",
            "worker",
            "-Q",
            "dvcqg",
            "-P",
            "solo",
            "-l",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env={**os.environ, "CONN_MAX_AGE": "600"},
        start_new_session=True,
    )
    started = time.monotonic()
    sim_cpu = cpu_seconds(pid=sim.process.pid)
    try:
        while True:
            sent, total = acked_all(ids)
            if sent >= total:
                break
            if proc.poll() is not None or time.monotonic() - started > 1200:
                raise SystemExit(f"worker stopped or too slow: {sent}/{total}")
            time.sleep(0.5)
        wall = time.monotonic() - started
        worker_cpu = cpu_seconds(pid=proc.pid)
        sim_cpu = cpu_seconds(pid=sim.process.pid) - sim_cpu
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(60)
        purge(["celery", "dvcqg"])
        sim.stop()
    print(
        f"drained {total:,} changes in {wall:.1f} s (incl. worker start-up): worker CPU {worker_cpu:.1f} s "
        f"(profiled, so slower than unprofiled), simulator {sim_cpu:.1f} s; "
        f"{1000 * worker_cpu / total:.2f} + {1000 * sim_cpu / total:.2f} ms per change ({load()})",
        flush=True,
    )
    stats = pstats.Stats(args.out)
    stats.sort_stats("tottime").print_stats(args.top)
    stats.sort_stats("cumulative").print_stats(args.top)


if __name__ == "__main__":
    main()
