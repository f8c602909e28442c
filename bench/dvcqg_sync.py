"""Benchmark: dossier changes out to the simulated DVCQG through real Celery workers (issue 17).

Usage (from the project root)::

    .venv/bin/python bench/dvcqg_sync.py [--db portal_bench_dvcqg] [--redis redis://127.0.0.1:6379/14]
        [--n 1000] [--backlog 10000] [--concurrency 3] [--drivers 2] [--fault-rate 0.1]

The scratch database is dropped and created again, migrated, and the demo province loaded. The
DVCQG simulator runs as its own process on a free loopback port; the sync runs in real
``celery worker`` processes (prefork, ``--concurrency``) with an embedded beat (outbox relay, the
adapter's sweep), on a queue of their own (``bench/dvcqg_bench_settings.py``). Three figures:

(a) **whole lives under faults** – ``--n`` online dossiers go through submit → receive → assign →
    forward → approve (with a result PDF) → return via the dossier services, in ``--drivers``
    processes, while the simulator answers ``--fault-rate`` of its calls (login included) with a
    random fault (timeout longer than ``DVCQG_TIMEOUT``, HTTP 500/503, ``error_code`` 99, an expired
    session, a dropped connection, an applied call whose answer is lost) and is killed (SIGKILL)
    and restarted once half-way. Then the simulator's records are compared with our history (lost
    steps, steps recorded twice) and the nightly reconciliation runs (differences);
(b) **sync lag** of those changes: history row committed (``event_at``) → acknowledged by DVCQG
    (``sent_at``), p50 / p95 / max, faults included; back-off as in production (5 s doubling);
(c) **backlog drain** – with the workers stopped, enough dossiers are driven through their lives
    to leave ``--backlog`` changes (and their tasks) waiting; then the workers start and the rate
    of acknowledged changes is measured (first to last acknowledgement), no faults.

Targets (issue 17): (a) 0 lost, 0 duplicated, reconciliation difference 0; (b) p95 ≤ 60 s;
(c) ≥ 200 updates/s on the 2-core machine. The load average is printed beside each figure.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

PROCEDURE = "1.001193"  # Đăng ký khai sinh, level 4, at communes
COMMUNE = "000.00.52.H18"  # UBND phường Mường Thanh
CLERK, SPECIALIST, LEADER, CITIZEN = (
    "motcua.muongthanh",
    "chuyenvien.muongthanh",
    "lanhdao.muongthanh",
    "congdan",
)
FAULT_KINDS = [
    "timeout",
    "http_500",
    "http_503",
    "error_code",
    "expire_session",
    "drop",
    "ack_lost",
]


def load() -> str:
    a, b, c = os.getloadavg()
    return f"load average {a:.1f} {b:.1f} {c:.1f}"


def recreate_database(name: str) -> None:
    import psycopg2

    conn = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        )
        cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def _pdf() -> bytes:
    from tests.dossiers.conftest import PDF

    return PDF


def drive(first: int, count: int, seed: int) -> list[int]:
    """Whole lives of ``count`` dossiers through the dossier services (one driver process)."""
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connections

    from dossiers import services
    from portal.agencies.models import Agency
    from procedures.models import Procedure

    connections.close_all()
    users = {
        u.username: u
        for u in get_user_model().objects.filter(username__in=[CLERK, SPECIALIST, LEADER, CITIZEN])
    }
    procedure = Procedure.objects.get(code=PROCEDURE)
    agency = Agency.objects.get(code=COMMUNE)
    rng = random.Random(seed)
    ids = []
    for _ in range(count):
        draft = services.dossier_save_draft(
            actor=users[CITIZEN], procedure=procedure, agency=agency, form_data={}
        )
        for doc in draft.procedure_version.snapshot["documents"]:
            if doc.get("is_required"):
                services.dossier_add_file(
                    dossier=draft,
                    actor=users[CITIZEN],
                    uploaded_file=SimpleUploadedFile("giay-to.pdf", _pdf()),
                    document_id=doc["id"],
                )
        d = services.dossier_submit(dossier=draft, actor=users[CITIZEN])
        d = services.dossier_receive(dossier=d, actor=users[CLERK])
        d = services.dossier_assign(
            dossier=d, actor=users[CLERK], department=agency, assignee=users[SPECIALIST]
        )
        d = services.dossier_forward_for_approval(
            dossier=d, actor=users[SPECIALIST], leader=users[LEADER]
        )
        d = services.dossier_approve(
            dossier=d, actor=users[LEADER], result_file=SimpleUploadedFile("kq.pdf", _pdf())
        )
        d = services.dossier_return_result(
            dossier=d, actor=users[CLERK], delivery=rng.choice(["counter", "online"])
        )
        ids.append(d.pk)
    connections.close_all()
    return ids


def drive_parallel(total: int, drivers: int, seed: int) -> list[int]:
    from django.db import connections

    connections.close_all()
    share = math.ceil(total / drivers)
    jobs = [
        (i * share, min(share, total - i * share), seed + i)
        for i in range(drivers)
        if total - i * share > 0
    ]
    with multiprocessing.get_context("fork").Pool(len(jobs)) as pool:
        parts = pool.starmap(drive, jobs)
    return [pk for part in parts for pk in part]


class Workers:
    """``celery worker -Q dvcqg -c N -B`` in its own process group, logging to a temp file."""

    def __init__(self, env: dict[str, str], concurrency: int) -> None:
        self.log = Path(tempfile.mkstemp(prefix="dvcqg-bench-worker-", suffix=".log")[1])
        schedule = Path(tempfile.mkdtemp()) / "beat-schedule"
        self.proc = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("celery")),
                "-A",
                "portal",
                "worker",
                "-Q",
                "dvcqg",
                "-P",
                "prefork",
                "-c",
                str(concurrency),
                "-l",
                "WARNING",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-B",
                "-s",
                str(schedule),
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)


def cpu_seconds(*, pgid: int | None = None, pid: int | None = None) -> float:
    """CPU time (user + system) of a live process, or of every live process of a process group."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if (pid is not None and int(stat.parent.name) == pid) or (
            pgid is not None and int(fields[2]) == pgid
        ):
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def purge(queues: list[str]) -> None:
    from portal.celery import app

    with app.connection_for_write() as conn:
        for q in queues:
            try:
                conn.default_channel.queue_purge(q)
            except Exception:  # noqa: BLE001 - a queue that does not exist yet
                pass
        conn.default_channel.client.delete("unacked", "unacked_index")


def acked_all(ids: list[int]) -> tuple[int, int]:
    """(changes acknowledged, changes in our history, drafts excluded) for these dossiers."""
    from django.db.models import Count

    from dossiers.models import DossierEvent
    from national.dvcqg.models import ChangeState, OutboundChange

    total = (
        DossierEvent.objects.filter(dossier_id__in=ids)
        .exclude(to_status=0)
        .aggregate(n=Count("id"))["n"]
    )
    sent = OutboundChange.objects.filter(dossier_id__in=ids, state=ChangeState.SENT).count()
    return sent, total


def wait_acked(ids: list[int], timeout: float, workers: Workers) -> float:
    started = time.monotonic()
    last = -1
    while time.monotonic() - started < timeout:
        sent, total = acked_all(ids)
        if sent == total:
            return time.monotonic() - started
        if workers.proc.poll() is not None:
            raise SystemExit(f"worker exited: {workers.log.read_text()[-3000:]}")
        if sent != last:
            print(f"  … {sent:,}/{total:,} acknowledged ({load()})", flush=True)
            last = sent
        time.sleep(5)
    raise SystemExit(
        f"not all acknowledged after {timeout} s: {acked_all(ids)}; worker log {workers.log}"
    )


def compare(sim_state: dict, ids: list[int]) -> tuple[int, int, int]:
    """(lost steps, steps recorded twice, out-of-order steps) of these dossiers on DVCQG."""
    from dossiers.models import Dossier, DossierEvent

    codes = dict(Dossier.objects.filter(pk__in=ids).values_list("pk", "code"))
    expected: dict[int, list[str]] = {}
    for dossier_id, seq in (
        DossierEvent.objects.filter(dossier_id__in=ids)
        .exclude(to_status=0)
        .values_list("dossier_id", "seq")
    ):
        expected.setdefault(dossier_id, []).append(str(seq))
    lost = doubled = disorder = 0
    for pk, seqs in expected.items():
        record = sim_state["dossiers"].get(codes[pk])
        got = [p["NoiDungXuLy"].split(".")[0] for p in (record or {}).get("progress", [])]
        lost += len(set(seqs) - set(got))
        doubled += len(got) - len(set(got))
        disorder += int(got != sorted(got, key=int))
    return lost, doubled, disorder


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, max(0, math.ceil(q * len(values)) - 1))]


def measure_drain(backlog: list[int], sim, worker_env: dict, args) -> None:
    """(c): start the workers on the waiting backlog and time it until every change is acknowledged."""
    from national.dvcqg.models import OutboundChange

    OutboundChange.objects.filter(dossier_id__in=backlog).update(sent_at=None)
    workers = Workers(worker_env, args.concurrency)
    sim_cpu = cpu_seconds(pid=sim.process.pid)
    wall = wait_acked(backlog, 1800, workers)
    worker_cpu = cpu_seconds(pgid=workers.proc.pid)
    sim_cpu = cpu_seconds(pid=sim.process.pid) - sim_cpu
    workers.stop()
    times = sorted(
        OutboundChange.objects.filter(dossier_id__in=backlog, sent_at__isnull=False).values_list(
            "sent_at", flat=True
        )
    )
    window = (times[-1] - times[0]).total_seconds()
    state = sim.state()
    lost, doubled, disorder = compare(state, backlog)
    print(
        f"(c) drained {len(times):,} changes: {len(times) / window:.0f} updates/s between the first and last acknowledgement "
        f"({window:.1f} s), {len(times) / wall:.0f}/s from the workers' start ({wall:.1f} s); lost {lost}, twice {doubled}, "
        f"out of order {disorder} ({load()})",
        flush=True,
    )
    print(
        f"(c) CPU: workers {worker_cpu:.1f} s, simulator {sim_cpu:.1f} s = {1000 * (worker_cpu + sim_cpu) / len(times):.2f} ms per change "
        f"(PostgreSQL not counted): {len(times) / (worker_cpu + sim_cpu):.0f} changes per CPU-second",
        flush=True,
    )


def drain_only(sim, resent_share: float) -> list[int]:
    """The backlog of (c) without driving lives again, on the dossiers a previous run left: DVCQG
    comes back empty; the first ``resent_share`` of them are resent in full (the sync page's full
    resend: one ``flush_dossier`` task each, through the outbox), the others are made "never sent"
    (their sync rows and changes deleted) and get one ``dossier_changed`` task per history row,
    published as the outbox relay publishes them — the same two kinds of work as (c)."""
    from dossiers.models import Dossier, DossierEvent
    from national.dvcqg.models import DossierSync, OutboundChange
    from national.dvcqg.services import resend
    from portal.celery import app

    purge(["celery", "dvcqg"])
    started = time.monotonic()
    ids = list(
        Dossier.objects.filter(dvcqg_sync__isnull=False).order_by("pk").values_list("pk", flat=True)
    )
    cut = round(len(ids) * resent_share)
    resent, fresh = ids[:cut], ids[cut:]
    sim.call("POST", "/_sim/reset")
    for pk in resent:
        resend(dossier_id=pk, full=True)
    OutboundChange.objects.filter(dossier_id__in=fresh).delete()
    DossierSync.objects.filter(dossier_id__in=fresh).delete()
    events = (
        DossierEvent.objects.filter(dossier_id__in=fresh)
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
    sent, total = acked_all(ids)
    print(
        f"(c) backlog (--drain-only): {total - sent:,} changes of {len(ids):,} dossiers waiting "
        f"({len(resent):,} resent in full, {len(fresh):,} one task per change), made in "
        f"{time.monotonic() - started:.0f} s ({load()})",
        flush=True,
    )
    return ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="portal_bench_dvcqg")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--backlog", type=int, default=10000)
    parser.add_argument("--concurrency", type=int, default=3)
    parser.add_argument("--drivers", type=int, default=2)
    parser.add_argument("--fault-rate", type=float, default=0.1)
    parser.add_argument(
        "--no-restart", action="store_true", help="do not kill and restart the simulator in (a)"
    )
    parser.add_argument(
        "--drain-only",
        action="store_true",
        help="(c) only, on the dossiers a previous run left in --db (no lives driven): see drain_only()",
    )
    parser.add_argument(
        "--resent-share",
        type=float,
        default=0.6,
        help="--drain-only: share of the dossiers resent in full (one task), the rest one task per change",
    )
    args = parser.parse_args()

    from national.simkit import start_simulator

    state_dir = Path(tempfile.mkdtemp(prefix="dvcqg-bench-sim-"))
    sim = start_simulator("national.dvcqg.simulator:DvcqgSimulator", state_dir=state_dir)
    if not args.drain_only:
        recreate_database(args.db)
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
        "DVCQG_SWEEP_INTERVAL": "15",
        "DVCQG_POLL_INTERVAL": "3600",
        "DVCQG_RECONCILE_HOUR": "4",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    os.environ.update(env)
    worker_env = {**os.environ, "CONN_MAX_AGE": "600"}
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from national.dvcqg.models import OutboundChange
    from national.dvcqg.reconcile import reconcile_all
    from national.dvcqg.services import resend
    from portal.accounts.demo import seed_users
    from portal.agencies.demo import seed_agencies
    from procedures.demo import seed_procedures

    if not args.drain_only:
        call_command("migrate", verbosity=0)
        seed_agencies(), seed_procedures(), seed_users()
    purge(["celery", "dvcqg"])
    print(
        f"PostgreSQL {connection.cursor().connection.info.server_version}; simulator {sim.url}; {load()}",
        flush=True,
    )
    try:
        if args.drain_only:
            backlog = drain_only(sim, args.resent_share)
            measure_drain(backlog, sim, worker_env, args)
            return
        # (a) + (b) -------------------------------------------------------------------------------
        sim.faults(
            random_plan={"rate": args.fault_rate, "kinds": FAULT_KINDS, "seed": 17, "delay": 3}
        )
        workers = Workers(worker_env, args.concurrency)
        started = time.monotonic()
        during: list[int] = []
        if args.no_restart:
            ids = drive_parallel(args.n, args.drivers, seed=1)
        else:
            ids = drive_parallel(args.n // 2, args.drivers, seed=1)
            sim.kill()
            print(f"  simulator killed after {len(ids)} dossiers ({load()})", flush=True)
            during = drive_parallel(args.n // 4, args.drivers, seed=2)
            ids += during
            sim.restart()
            sim.faults(
                random_plan={"rate": args.fault_rate, "kinds": FAULT_KINDS, "seed": 18, "delay": 3}
            )
            ids += drive_parallel(args.n - len(ids), args.drivers, seed=3)
        driven = time.monotonic() - started
        print(
            f"(a) {len(ids):,} dossiers driven through their lives in {driven:.0f} s ({load()})",
            flush=True,
        )
        wait_acked(ids, 1800, workers)
        workers.stop()
        sim.faults()
        state = sim.state()
        lost, doubled, disorder = compare(state, ids)
        changes = OutboundChange.objects.filter(dossier_id__in=ids)
        lags = [
            (c.sent_at - c.event_at).total_seconds() for c in changes.only("sent_at", "event_at")
        ]
        outage = set(during)
        random_only = [
            (c.sent_at - c.event_at).total_seconds()
            for c in changes.exclude(dossier_id__in=outage).only("sent_at", "event_at")
        ]
        report = reconcile_all()
        print(
            f"(a) changes {len(lags):,}; simulator calls {state['calls']}; duplicates recognised {state['duplicates']}, "
            f"out of order {state['out_of_order']}, rejected {state['rejected']}"
        )
        print(
            f"(a) lost {lost}, recorded twice {doubled}, dossiers out of order {disorder}; reconciliation {report} ({load()})"
        )
        print(
            f"(b) lag p50 {statistics.median(lags):.1f} s, p95 {percentile(lags, 0.95):.1f} s, max {max(lags):.1f} s ({load()})",
            flush=True,
        )
        if during:
            print(
                f"(b) without the {len(during)} dossiers driven while the simulator was down (random faults only): "
                f"{len(random_only):,} changes, p50 {statistics.median(random_only):.1f} s, p95 {percentile(random_only, 0.95):.1f} s, "
                f"max {max(random_only):.1f} s",
                flush=True,
            )

        if args.backlog <= 0:
            return
        # (c) ----------------------------------------------------------------------------------------
        purge(["celery", "dvcqg"])
        # The backlog: DVCQG comes back empty (restored) and every dossier of (a) is resent in full
        # (the sync page's "full resend", one flush task per dossier), and, while no worker runs,
        # more dossiers live their lives (six "dossier changed" tasks each) up to --backlog changes.
        started = time.monotonic()
        sim.call("POST", "/_sim/reset")
        for pk in ids:
            resend(dossier_id=pk, full=True)
        extra = max(0, math.ceil((args.backlog - 6 * len(ids)) / 6))
        backlog = ids + (drive_parallel(extra, args.drivers, seed=4) if extra else [])
        sent, total = acked_all(backlog)
        print(
            f"(c) backlog: {total - sent:,} changes of {len(backlog):,} dossiers waiting ({len(ids):,} resent in full, {extra:,} new), "
            f"made in {time.monotonic() - started:.0f} s ({load()})",
            flush=True,
        )
        measure_drain(backlog, sim, worker_env, args)
    finally:
        purge(["celery", "dvcqg"])
        sim.stop()


if __name__ == "__main__":
    main()
