"""A notification's latency while 500 PDF jobs are queued, with and without queues per workload.

    .venv/bin/python bench/queue_latency.py            # --forms 500 --probes 5 --db portal_scale_bench

Real parts throughout: a scratch PostgreSQL database (created afresh and migrated), Redis db 8 (REDIS_URL),
real Celery workers (prefork, 2 processes in all, as on a 2-core machine), WeasyPrint rendering
the receipt (form 01) of 500 dossiers, and the notification path of a dossier event
(``send_dossier_event`` → ``deliver``, e-mail to a file). The 500 render jobs are queued first;
then every second one dossier event is committed through the outbox and the time until its
notification's ``sent_at`` is measured.

* shared: ``bench/queue_bench_settings.py`` routes everything to one queue, one worker -c 2;
* separate: the portal's routes, one worker ``-Q pdf,reports -c 1`` and one
  ``-Q default,intake,notifications,... -c 1``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--forms", type=int, default=500)
    parser.add_argument("--probes", type=int, default=5)
    parser.add_argument("--db", default="portal_scale_bench")
    parser.add_argument("--redis", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/8"))
    parser.add_argument("--mode", choices=["shared", "separate"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.mode is None:  # each mode in its own process: publisher and workers share its settings
        for mode in ("shared", "separate"):
            subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--mode",
                    mode,
                    "--forms",
                    str(args.forms),
                    "--probes",
                    str(args.probes),
                    "--db",
                    args.db,
                    "--redis",
                    args.redis,
                ],
                check=True,
            )
        return
    var = tempfile.mkdtemp(prefix="qbench-")
    os.environ.update(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{args.db}",
        REDIS_URL=args.redis,
        PORTAL_VAR_DIR=var,
        MEDIA_ROOT=f"{var}/media",
        EMAIL_FILE_PATH=f"{var}/mail",
        CONN_MAX_AGE="60",
        DJANGO_SETTINGS_MODULE="bench.queue_bench_settings"
        if args.mode == "shared"
        else "portal.settings",
    )
    import psycopg2

    admin = psycopg2.connect("postgres://postgres@127.0.0.1:5432/postgres")
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{args.db}"')
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print(args.mode, measure(args.mode, args, var), flush=True)


def measure(mode: str, args: argparse.Namespace, var: str) -> dict:
    import redis
    from django.db import transaction

    from dossiers import printing
    from dossiers.models import PrintedForm
    from portal.core.outbox import outbox_enqueue
    from portal.notifications.models import Notification
    from portal.scaleout import ALL_QUEUES
    from tests.factories.dossiers import DossierFactory

    r = redis.Redis.from_url(args.redis)
    for q in ALL_QUEUES:
        r.delete(q)
    dossiers = [DossierFactory(received=True) for _ in range(args.forms)]
    probe = DossierFactory(received=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    celery = str(Path(sys.executable).with_name("celery"))
    # queue the PDF backlog (through the outbox, as the services do), workers not yet running
    for d in dossiers:
        with transaction.atomic():
            printing.request_form(kind=PrintedForm.Kind.RECEIPT, dossier=d, source=f"bench-{mode}")
    if mode == "shared":
        commands = [["worker", "-c", "2", "-Q", "default", "-n", f"shared{os.getpid()}@%h"]]
    else:
        fast = ",".join(q for q in ALL_QUEUES if q not in ("pdf", "reports"))
        commands = [
            ["worker", "-c", "1", "-Q", "pdf,reports", "-n", f"pdf{os.getpid()}@%h"],
            ["worker", "-c", "1", "-Q", fast, "-n", f"fast{os.getpid()}@%h"],
        ]
    procs = []
    for c in commands:
        log = open(Path(var) / f"{mode}-{c[-1].split('@')[0]}.log", "w")  # noqa: SIM115
        procs.append(
            subprocess.Popen(
                [
                    celery,
                    "-A",
                    "portal",
                    *c,
                    "-P",
                    "prefork",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    "-l",
                    "WARNING",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
    try:
        time.sleep(3)  # workers up and busy with the backlog
        latencies = []
        for i in range(args.probes):
            key = f"bench-{mode}-{i}"
            with transaction.atomic():
                outbox_enqueue(
                    "portal.notifications.tasks.send_dossier_event",
                    kwargs={"dossier_id": probe.pk, "event": "received", "key": key},
                )
            started = time.monotonic()
            while not Notification.objects.filter(
                event_key__startswith=key, sent_at__isnull=False
            ).exists():
                if time.monotonic() - started > 300:
                    break
                time.sleep(0.05)
            latencies.append(time.monotonic() - started)
            time.sleep(1)
        left = sum(r.llen(q) for q in ALL_QUEUES)
        rendered = PrintedForm.objects.filter(source=f"bench-{mode}", state="ready").count()
    finally:
        for p in procs:
            os.killpg(p.pid, 15)
        for p in procs:
            p.wait(timeout=60)
    latencies.sort()
    return {
        "median_s": round(latencies[len(latencies) // 2], 2),
        "max_s": round(latencies[-1], 2),
        "pdf_rendered_meanwhile": rendered,
        "messages_left": left,
    }


if __name__ == "__main__":
    main()
