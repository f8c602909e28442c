"""Benchmark: one deadline-reminder pass over 100,000 open dossiers on PostgreSQL (issue 4).

Usage (from the project root)::

    .venv/bin/python bench/reminders.py [--db portal_bench_reminders] [--n 100000] [--runs 3] [--send 2000]

Creates (or reuses) the scratch database, migrates it, loads the demo province, users and
catalogue, and tops it up to ``--n`` open dossiers (status 4, each with its current step) assigned
to the demo specialists: 10% of the steps overdue, 10% due within the next working day, the rest
later; 5% of the dossiers past their appointment date (apology drafts).

It then measures :func:`dossiers.reminders.scan_deadlines`:

* **first pass**: the reminders table is empty, every due reminder is claimed (INSERT … SELECT …
  ON CONFLICT DO NOTHING, one statement per kind and work calendar);
* **steady pass**: the same scan again, as beat runs it every few minutes: nothing new to claim.

and, with ``--send``, the sender (:func:`send_pending`, batches of 200): reminders turned into
notifications and "sent" through Django's locmem e-mail backend, per second.
Target (issue 4): one pass ≤ 10 s.
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


def populate(n: int) -> int:
    """Top the database up to ``n`` open dossiers with one set-based INSERT (bulk_create of 100k
    dossiers takes minutes on a busy 2-core machine; generate_series takes seconds)."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from dossiers.models import Dossier
    from portal.accounts.constants import Role
    from portal.accounts.demo import seed_users
    from portal.agencies.demo import seed_agencies
    from procedures.demo import seed_procedures
    from procedures.models import Procedure

    seed_agencies()
    seed_procedures()
    seed_users()
    have = Dossier.objects.filter(code__startswith="BENCH-").count()
    if have >= n:
        return Dossier.objects.filter(status=4).count()
    specialists = list(
        get_user_model().objects.filter(roles__role=Role.SPECIALIST, agency__isnull=False)
    )
    procedures = [
        (p.pk, p.versions.order_by("-version").first().pk)
        for p in Procedure.objects.filter(state="published")[:20]
    ]
    templates = [
        (k, u.pk, u.agency_id, u.department_id or u.agency_id, *procedures[k % len(procedures)])
        for k, u in enumerate(specialists * len(procedures))
    ]
    values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(templates))
    params = [x for t in templates for x in t]
    with connection.cursor() as cur:
        cur.execute(
            f"""INSERT INTO dossiers_dossier (code, applicant_name, applicant_citizen_id, applicant_tax_code, applicant_phone,
                applicant_email, applicant_address, channel, status, stage, form_data, created_at, updated_at, supplement_cycles,
                paused_seconds, resume_stage, timeliness, result_file, result_delivery, fee_total, rating, rating_comment,
                tracking_token, procedure_id, procedure_version_id, receiving_agency_id, handling_department_id, assigned_to_id,
                received_at, due_at)
            SELECT 'BENCH-' || lpad(g::text, 7, '0'), 'Người nộp ' || g, '', '', '', 'nguoinop' || g || '@example.vn', '', 2, 4,
                'examination', '{{}}'::jsonb, now(), now(), 0, 0, '', '', '', '', 0, '', '', md5(g::text || random()::text),
                t.procedure_id, t.version_id, t.agency_id, t.dept_id, t.user_id, now() - interval '5 days',
                CASE WHEN g %% 20 = 0 THEN now() - interval '3 hours' ELSE now() + interval '10 days' END
            FROM generate_series(%s, %s) g
            JOIN (VALUES {values}) AS t(k, user_id, agency_id, dept_id, procedure_id, version_id) ON t.k = g %% {len(templates)}""",
            [have, n - 1, *params],
        )
        cur.execute(
            """INSERT INTO dossiers_dossierstep (dossier_id, "order", name, role, department_id, assignee_id, due_at, started_at, timeliness)
            SELECT d.id, 2, 'Thẩm định hồ sơ', 'specialist', d.handling_department_id, d.assigned_to_id,
                CASE substring(d.code from 7)::int % 10 WHEN 0 THEN now() - interval '2 hours'
                     WHEN 1 THEN now() + interval '2 hours' ELSE now() + interval '6 days' END,
                now() - interval '1 day', ''
            FROM dossiers_dossier d WHERE d.code LIKE 'BENCH-%%' AND d.current_step_id IS NULL"""
        )
        cur.execute(
            "UPDATE dossiers_dossier d SET current_step_id = s.id FROM dossiers_dossierstep s "
            "WHERE s.dossier_id = d.id AND d.current_step_id IS NULL AND d.code LIKE 'BENCH-%%'"
        )
        cur.execute("ANALYZE")
    return Dossier.objects.filter(status=4).count()


def reset_reminders() -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "TRUNCATE notifications_reminder, notifications_notification, core_outboxmessage RESTART IDENTITY"
        )
        cur.execute("DELETE FROM dossiers_apology")
        cur.execute("ANALYZE notifications_reminder")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="portal_bench_reminders")
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--send", type=int, default=2000, help="reminders to push through the sender (0: skip)"
    )
    args = parser.parse_args()

    ensure_database(args.db)
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{args.db}"
    os.environ.setdefault("PORTAL_VAR_DIR", str(ROOT / "var" / "bench"))
    os.environ.pop("REDIS_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    settings.OUTBOX_RELAY_ON_COMMIT = False  # measure the scan, not the demo broker
    call_command("migrate", verbosity=0)
    print(
        f"PostgreSQL {connection.cursor().connection.info.server_version}, load average {os.getloadavg()[0]:.1f}"
    )
    total = populate(args.n)
    print(f"open dossiers: {total:,}")

    from dossiers import reminders
    from portal.notifications.models import Reminder

    firsts, steadies = [], []
    for run in range(args.runs):
        reset_reminders()
        started = time.perf_counter()
        counts = reminders.scan_deadlines()
        first = time.perf_counter() - started
        started = time.perf_counter()
        again = reminders.scan_deadlines()
        steady = time.perf_counter() - started
        firsts.append(first)
        steadies.append(steady)
        print(
            f"run {run + 1}: first pass {first:.2f} s {counts}; steady pass {steady:.2f} s {again}"
        )
    print(f"first pass: median {statistics.median(firsts):.2f} s, max {max(firsts):.2f} s")
    print(f"steady pass: median {statistics.median(steadies):.2f} s, max {max(steadies):.2f} s")
    print(f"reminders claimed: {Reminder.objects.count():,}")

    if args.send:
        from django.core import mail

        mail.outbox = []
        started = time.perf_counter()
        done = 0
        while done < args.send:
            step = reminders.send_pending()
            if not step:
                break
            done += step
        elapsed = time.perf_counter() - started
        print(
            f"sender: {done:,} reminders → {len(mail.outbox):,} e-mails in {elapsed:.2f} s ({done / elapsed:.0f} reminders/s)"
        )
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
