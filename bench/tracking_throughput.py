"""Benchmark: throughput and p99 latency of the public tracking page vs a bare Django view.

Usage (from the project root)::

    .venv/bin/python bench/tracking_throughput.py [--db portal_bench_track] [--n 3000] [--workers 2] [--seconds 10]

Creates (or reuses) the scratch database ``portal_bench_track`` on 127.0.0.1:5432, migrates it,
seeds the demo province and catalogue and ``--n`` received dossiers (each with its processing steps
and two history rows), then starts gunicorn (sync workers, 127.0.0.1 only, ``DEBUG=0``, persistent
DB connections) and drives it with ``wrk`` (Debian package ``wrk``): the bare view ``/bench-bare/``
(same process, same middleware) and ``/ho-so/tra-cuu/?code=…&second_factor=…`` over 500 different
dossiers, interleaved twice, ``--seconds`` each; then the first look-up of each of the other
dossiers (nothing cached). Target (issue 3): tracking/bare ≥ 0.5.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def ensure_database(name: str) -> None:
    import psycopg2

    conn = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cur.fetchone():
            cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def populate(n: int) -> list[tuple[str, str]]:
    """``n`` received dossiers at the demo communes; returns (code, last 4 digits) pairs."""
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from dossiers.constants import Action, Channel, DossierStatus, Stage
    from dossiers.history import append_event
    from dossiers.models import Dossier, DossierStep
    from portal.accounts.demo import seed_users
    from portal.agencies.demo import seed_agencies
    from procedures.demo import seed_procedures
    from procedures.models import Procedure

    existing = Dossier.objects.filter(code__startswith="BENCH-").count()
    if existing < n:
        seed_agencies()
        seed_users()
        seed_procedures()
        procedures = list(
            Procedure.objects.filter(level__in=[3, 4]).prefetch_related("agencies", "versions")[:20]
        )
        rng = random.Random(7)
        now = timezone.now()
        with transaction.atomic():
            for i in range(existing, n):
                proc = procedures[i % len(procedures)]
                agency = proc.agencies.all()[i % proc.agencies.count()]
                d = Dossier.objects.create(
                    code=f"BENCH-{timezone.localdate():%Y%m%d}-{i + 1:07d}",
                    procedure=proc,
                    procedure_version=proc.versions.order_by("-version").first(),
                    receiving_agency=agency,
                    applicant_name=f"Người nộp {i}",
                    applicant_citizen_id=f"0112{rng.randrange(10**8):08d}",
                    applicant_phone=f"09{rng.randrange(10**8):08d}",
                    channel=Channel.ONLINE,
                    status=DossierStatus.RECEIVED,
                    stage=Stage.ASSIGNMENT,
                    submitted_at=now - timedelta(hours=3),
                    received_at=now - timedelta(hours=2),
                    counting_start=now,
                    due_at=now + timedelta(days=5),
                )
                for order, name in enumerate(
                    ["Tiếp nhận hồ sơ", "Thẩm định hồ sơ", "Phê duyệt", "Trả kết quả"], start=1
                ):
                    DossierStep.objects.create(
                        dossier=d,
                        order=order,
                        name=name,
                        role="clerk",
                        due_at=now + timedelta(days=order),
                    )
                d.status = DossierStatus.NEW
                append_event(
                    d,
                    action=Action.SUBMIT,
                    actor=None,
                    from_status=DossierStatus.DRAFT,
                    to_status=DossierStatus.NEW,
                )
                d.status = DossierStatus.RECEIVED
                append_event(
                    d,
                    action=Action.RECEIVE,
                    actor=None,
                    from_status=DossierStatus.NEW,
                    to_status=DossierStatus.RECEIVED,
                )
    return [
        (code, cid[-4:])
        for code, cid in Dossier.objects.filter(code__startswith="BENCH-").values_list(
            "code", "applicant_citizen_id"
        )[:n]
    ]


def wrk(
    url: str, seconds: int, script: str | None = None, connections: int = 4
) -> tuple[float, float]:
    """Requests/s and p99 (ms) from one wrk run."""
    cmd = (
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency"]
        + (["-s", script] if script else [])
        + [url]
    )
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", out).groups()
    p99 = float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        raise SystemExit(f"{url}: {non2xx.group(1)} error responses\n{out}")
    return rps, p99


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="portal_bench_track")
    parser.add_argument("--n", type=int, default=3000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--redis",
        default="redis://127.0.0.1:6379/15",
        help="cache (Redis database) as in production",
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install -y wrk")

    ensure_database(args.db)
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{args.db}",
        PORTAL_VAR_DIR=str(ROOT / "var" / "bench"),
        DJANGO_SETTINGS_MODULE="tracking_bench_settings",
        LOG_LEVEL="WARNING",
        DEBUG="0",
        PYTHONPATH=os.pathsep.join([str(ROOT), str(ROOT / "bench")]),
        REDIS_URL=args.redis,
    )
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    pairs = populate(args.n)
    with connection.cursor() as cur:
        cur.execute("SELECT version()")
        pg = cur.fetchone()[0].split(",")[0]
    connection.close()

    rng = random.Random(11)
    shuffled = rng.sample(pairs, len(pairs))
    hot, cold = shuffled[:500], shuffled[500:]

    def lua_script(sample: list[tuple[str, str]]) -> str:
        f = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
        f.write(
            "paths = {"
            + ",".join(f'"/ho-so/tra-cuu/?code={c}&second_factor={d}"' for c, d in sample)
            + "}\n"
        )
        f.write(
            "i = 0\nrequest = function()\n  i = i % #paths + 1\n  return wrk.format('GET', paths[i])\nend\n"
        )
        f.close()
        return f.name

    hot_lua, cold_lua = lua_script(hot), lua_script(cold)
    from django.core.cache import cache

    cache.clear()  # the bench's own Redis database (--redis)

    base = f"http://127.0.0.1:{args.port}"
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "portal.wsgi",
            "-b",
            f"127.0.0.1:{args.port}",
            "-w",
            str(args.workers),
            "-k",
            "sync",
            "--access-logfile",
            "/dev/null",
            "--error-logfile",
            "-",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/bench-bare/", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        code, factor = hot[0]
        page = (
            urllib.request.urlopen(
                f"{base}/ho-so/tra-cuu/?code={code}&second_factor={factor}", timeout=5
            )
            .read()
            .decode()
        )
        assert code in page and "Được tiếp nhận" in page, (
            "the tracking page did not show the dossier"
        )
        print(
            f"{len(pairs)} dossiers; {pg}; gunicorn sync x{args.workers}; wrk 1 thread, 4 connections, {args.seconds}s per run; "
            f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs"
        )
        wrk(base + "/bench-bare/", 3)
        wrk(base + "/ho-so/tra-cuu/", 3, hot_lua)
        results: dict[str, list[tuple[float, float]]] = {"bare": [], "tracking": []}
        for _ in range(2):
            results["bare"].append(wrk(base + "/bench-bare/", args.seconds))
            results["tracking"].append(wrk(base + "/ho-so/tra-cuu/", args.seconds, hot_lua))
        # every request a dossier not looked up before: no cache helps (render, queries, store)
        results["tracking, first look-up of each dossier"] = [
            wrk(base + "/ho-so/tra-cuu/", min(args.seconds, 5), cold_lua)
        ]
        print("| view | requests/s | p99 ms | ratio to bare |\n|---|---:|---:|---:|")
        bare_rps = sum(r for r, _ in results["bare"]) / len(results["bare"])
        for name, runs in results.items():
            rps = sum(r for r, _ in runs) / len(runs)
            p99 = max(p for _, p in runs)
            print(f"| {name} | {rps:.0f} | {p99:.1f} | {rps / bare_rps:.2f} |")
        print(f"load average after: {os.getloadavg()[0]:.2f}")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)
        os.unlink(hot_lua)
        os.unlink(cold_lua)


if __name__ == "__main__":
    main()
