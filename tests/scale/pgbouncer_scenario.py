"""PgBouncer in transaction mode in front of PostgreSQL (issue 19), run as its own process.

DATABASE_URL points at PgBouncer (pool_mode = transaction, default_pool_size = 8) and
DISABLE_SERVER_SIDE_CURSORS=1. Twelve threads take dossiers in at the counter at once (locks,
history rows, outbox), then ``QuerySet.iterator()`` walks every dossier. Prints one JSON line:
errors, intakes done, rows iterated, and the most server connections PostgreSQL saw.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time

sys.path.insert(0, os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

import psycopg2  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.db import connections  # noqa: E402

from dossiers import services  # noqa: E402
from dossiers.models import Dossier  # noqa: E402
from portal.accounts.constants import Role  # noqa: E402
from tests.dossiers.conftest import PDF  # noqa: E402
from tests.factories.accounts import StaffFactory  # noqa: E402
from tests.factories.agencies import AgencyFactory  # noqa: E402
from tests.factories.dossiers import CitizenFactory, ProcedureFactory  # noqa: E402

THREADS, EACH = 12, 5


def main() -> None:
    agency = AgencyFactory(name="Sở Tư pháp")
    clerk = StaffFactory(agency=agency, roles=[Role.CLERK])
    procedure = ProcedureFactory(agency=agency)
    citizen = CitizenFactory()
    submitted = []
    for _ in range(THREADS * EACH):
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
    errors: list[str] = []
    backend = os.environ["SCALE_BACKEND_URL"]
    peak = [0]
    stop = threading.Event()

    def watch() -> None:
        with psycopg2.connect(backend) as c:
            c.autocommit = True
            while not stop.is_set():
                with c.cursor() as cur:
                    cur.execute(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                    peak[0] = max(peak[0], cur.fetchone()[0])
                time.sleep(0.02)

    def work(chunk: list) -> None:
        try:
            for d in chunk:
                services.dossier_receive(dossier=d, actor=clerk)
                sum(1 for _ in Dossier.objects.filter(pk__lte=d.pk).iterator(chunk_size=5))
        except Exception as exc:  # noqa: BLE001 - recorded, asserted on by the test
            errors.append(repr(exc)[:300])
        finally:
            connections.close_all()

    watcher = threading.Thread(target=watch)
    watcher.start()
    threads = [threading.Thread(target=work, args=(submitted[i::THREADS],)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stop.set()
    watcher.join()
    iterated = sum(
        1 for _ in Dossier.objects.filter(pk__in=[d.pk for d in submitted]).iterator(chunk_size=7)
    )
    print(
        json.dumps(
            {
                "errors": errors,
                "received": Dossier.objects.filter(
                    pk__in=[d.pk for d in submitted], status=2
                ).count(),
                "iterated": iterated,
                "peak_server_connections": peak[0],
                "clients": THREADS,
            }
        )
    )


if __name__ == "__main__":
    main()
