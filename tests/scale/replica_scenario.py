"""The read-replica scenario, run as its own process against a real primary + streaming replica.

Started by ``tests/scale/test_replica.py`` with DATABASE_URL (primary) and DATABASE_REPLICA_URL
(replica) in its environment; prints one JSON object of observations on its last line. Steps:
pause the replica's replay, write as user A, read as A (fresh, pinned to the primary) and as B
(the replica's older figure), let the lag pass the threshold (B falls back), resume, let A's pin
expire, then stop the replica while four threads load the province dashboard.
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

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client, override_settings  # noqa: E402

from portal.accounts.constants import Role  # noqa: E402
from portal.dbrouting import health  # noqa: E402
from tests.factories.accounts import StaffFactory  # noqa: E402
from tests.scale.servers import PgPair  # noqa: E402


def main() -> None:
    pair = PgPair.__new__(PgPair)  # the running pair's names come from the environment
    pair.replica_name = os.environ["SCALE_REPLICA_CLUSTER"]
    pair.replica_port = int(os.environ["SCALE_REPLICA_PORT"])
    t0 = time.monotonic()
    call_command("migrate", verbosity=0)
    obs: dict = {"migrate_s": round(time.monotonic() - t0, 1)}
    a = StaffFactory(roles=[Role.PROVINCIAL])
    b = StaffFactory(roles=[Role.PROVINCIAL])
    ca, cb = Client(), Client()
    ca.force_login(a)
    cb.force_login(b)
    time.sleep(0.5)  # the logins' rows reach the replica

    def count(client: Client) -> dict:
        return client.get("/_scale/count/").json()

    def settle() -> None:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and count(Client())["db"] != "replica":
            time.sleep(0.1)
        time.sleep(0.3)

    with override_settings(ROOT_URLCONF="tests.scale.replica_urls"):
        settle()
        obs["before"] = count(cb)
        pair.pause_replay(True)
        obs["write"] = ca.post("/_scale/write/").status_code
        obs["a_after_write"] = count(ca)
        obs["b_after_write"] = count(cb)
        obs["b_dashboard"] = cb.get("/thong-ke/").status_code
        with override_settings(REPLICA_MAX_LAG=1.0):
            time.sleep(1.6)
            health.checked_at = -1e9
            obs["b_lagging"] = count(cb)
        pair.pause_replay(False)
        time.sleep(0.5)
        health.checked_at = -1e9
        obs["b_resumed"] = count(cb)
        time.sleep(settings.REPLICA_PIN_SECONDS + 0.5)
        obs["a_pin_expired"] = count(ca)
        # fifty writes, each read back at once by the writer: none may miss its own write
        stale = 0
        for _ in range(50):
            expected = count(ca)["count"] + 1
            ca.post("/_scale/write/")
            stale += count(ca)["count"] < expected
        obs["own_write_stale_reads"] = stale

        # the replica stops under dashboard load; the cached "healthy" verdict is kept long,
        # so the first failing reads exercise the fallback inside the view, not the check
        timings: list[tuple[float, int]] = []
        stop = threading.Event()

        def load() -> None:
            client = Client()
            client.force_login(b)
            while not stop.is_set():
                started = time.monotonic()
                try:
                    status = client.get("/thong-ke/").status_code
                except Exception as exc:  # noqa: BLE001 - a 500 raised by the test client
                    status = repr(exc)[:80]
                timings.append((time.monotonic() - started, status))
            from django.db import connections

            connections.close_all()

        with override_settings(REPLICA_CHECK_INTERVAL=600.0):
            health.checked_at = -1e9
            threads = [threading.Thread(target=load) for _ in range(4)]
            for t in threads:
                t.start()
            time.sleep(2)
            before_stop = len(timings)
            pair.stop_replica("immediate")
            time.sleep(4)
            stop.set()
            for t in threads:
                t.join()
            obs["after_stop"] = count(cb)
        obs["load"] = {
            "requests": len(timings),
            "before_stop": before_stop,
            "statuses": sorted({str(s) for _, s in timings}),
            "max_s": round(max(d for d, _ in timings), 3),
        }
    print(json.dumps(obs))


if __name__ == "__main__":
    main()
