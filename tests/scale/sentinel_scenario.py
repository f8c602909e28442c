"""The Sentinel failover scenario, run as its own process (issue 19).

Starts Redis (master + replica) with three Sentinels on free ports, points the portal's broker
and cache at them (REDIS_SENTINELS, read at settings import), then takes 200 dossiers in at the
counter (``dossier_receive``: history row + outbox in one transaction, a quick publish after the
commit, a cache read and write) and SIGKILLs the master after the 60th. Afterwards the relay
publishes what the failover held back. Prints one JSON line: the slowest intake, the outbox rows
left undispatched, and for each dispatched row how many messages the new master holds.
"""

from __future__ import annotations

import json
import os
import sys
import time

sys.path.insert(0, os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

from tests.scale.servers import RedisSentinel  # noqa: E402

INTAKES, KILL_AT = 200, 60


def main() -> None:
    with RedisSentinel() as rs:
        os.environ.update(rs.env(db=0))
        import django

        django.setup()
        from django.core.cache import cache
        from django.core.files.uploadedfile import SimpleUploadedFile

        from dossiers import services
        from portal.accounts.constants import Role
        from portal.core.models import OutboxMessage
        from portal.core.outbox import relay_outbox
        from portal.scaleout import ALL_QUEUES
        from tests.dossiers.conftest import PDF
        from tests.factories.accounts import StaffFactory
        from tests.factories.agencies import AgencyFactory
        from tests.factories.dossiers import CitizenFactory, ProcedureFactory

        agency = AgencyFactory(name="Sở Tư pháp")
        clerk = StaffFactory(agency=agency, roles=[Role.CLERK])
        procedure = ProcedureFactory(agency=agency)
        citizen = CitizenFactory()
        submitted = []
        for _ in range(INTAKES):
            d = services.dossier_save_draft(
                actor=citizen, procedure=procedure, agency=agency, form_data={"note": "x"}
            )
            doc = d.procedure_version.snapshot["documents"][0]["id"]
            services.dossier_add_file(
                dossier=d,
                actor=citizen,
                uploaded_file=SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf"),
                document_id=doc,
            )
            submitted.append(services.dossier_submit(dossier=d, actor=citizen))
        first_id = OutboxMessage.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        durations, errors = [], []
        killed_at = None
        for i, d in enumerate(submitted):
            if i == KILL_AT:
                rs.kill_master()
                killed_at = time.monotonic()
            started = time.monotonic()
            try:
                services.dossier_receive(dossier=d, actor=clerk)
                cache.get(f"scale:{d.pk}")
                cache.set(f"scale:{d.pk}", d.pk, 60)
            except Exception as exc:  # noqa: BLE001 - recorded and asserted on by the test
                errors.append(repr(exc)[:200])
            durations.append(time.monotonic() - started)
        failover_s = None
        old = rs.redis_ports
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                port = rs.master_port()
                if port in old and rs.procs[port].poll() is None:
                    failover_s = time.monotonic() - killed_at
                    break
            except Exception:  # noqa: BLE001
                pass
            time.sleep(0.1)
        rows = OutboxMessage.objects.filter(pk__gt=first_id)
        deadline = time.monotonic() + 60
        while rows.exclude(status="dispatched").exists() and time.monotonic() < deadline:
            relay_outbox(batch=500)
            time.sleep(0.5)
        import redis

        new_master = redis.Redis(port=rs.master_port())
        seen: dict[str, int] = {}
        for q in ALL_QUEUES:
            for raw in new_master.lrange(q, 0, -1):
                task_id = json.loads(raw)["headers"]["id"]
                seen[task_id] = seen.get(task_id, 0) + 1
        expected = [f"outbox-{pk}" for pk in rows.values_list("pk", flat=True)]
        print(
            json.dumps(
                {
                    "intakes": len(submitted),
                    "errors": errors,
                    "max_s": round(max(durations), 3),
                    "p50_s": round(sorted(durations)[len(durations) // 2], 4),
                    "failover_s": failover_s and round(failover_s, 2),
                    "received": sum(
                        1
                        for d in submitted
                        if d.__class__.objects.filter(pk=d.pk, status=2).exists()
                    ),
                    "outbox_rows": len(expected),
                    "undispatched": rows.exclude(status="dispatched").count(),
                    "lost": sum(1 for t in expected if t not in seen),
                    "duplicates": sum(1 for t in expected if seen.get(t, 0) > 1),
                }
            )
        )


if __name__ == "__main__":
    main()
