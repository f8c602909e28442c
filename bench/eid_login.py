#!/usr/bin/env python
"""National e-ID login round trip against the local VNeID simulator (target ≤ 300 ms).

    .venv/bin/python bench/eid_login.py [--runs 30]

Starts the simulator (national/vneid_simulator, a separate process on a free loopback port) and
the portal in this process on a throwaway SQLite database; each run is one whole login:
the portal's ``/tai-khoan/vneid/dang-nhap/`` (state, nonce, PKCE) → the provider's authorize →
its login page and the password POST → the redirect with the code → the portal's callback
(token exchange over HTTP, id_token verified against the cached JWKS, userinfo over HTTP, account
linked, verified facts written, session started). The portal side runs through Django's test
client (no socket to the portal; ``BENCH_DATABASE_URL`` names a scratch PostgreSQL database,
else a throwaway SQLite one); the provider side over real HTTP with ``requests``. Prints the
median and p95 of the whole round trip and of the portal's callback alone.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="bench-eid-")
    # BENCH_DATABASE_URL: a scratch PostgreSQL database (created empty beforehand); else SQLite.
    db = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp}/portal.sqlite3"
    os.environ.update(DATABASE_URL=db, PORTAL_VAR_DIR=tmp, DEBUG="0", REDIS_URL="")
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    call_command("migrate", verbosity=0)
    from national.vneid_simulator.identities import DEMO_PASSWORD
    from portal.accounts.models import User
    from tests.eid_support import provider_login, start_simulator

    sim = start_simulator("http://testserver")
    try:
        settings.VNEID_ISSUER, settings.VNEID_CLIENT_ID, settings.VNEID_CLIENT_SECRET = (
            sim.issuer,
            sim.client_id,
            sim.client_secret,
        )
        settings.ALLOWED_HOSTS = ["testserver"]
        whole, callback, cpu = [], [], []

        def sim_cpu() -> float:  # utime + stime of the simulator process, ms
            fields = Path(f"/proc/{sim.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")

        for i in range(args.runs + 3):
            client = Client()
            c0, s0 = time.process_time(), sim_cpu()
            t0 = time.perf_counter()
            authorize = client.get("/tai-khoan/vneid/dang-nhap/")["Location"]
            back = provider_login(authorize, "011090001234", DEMO_PASSWORD)
            t1 = time.perf_counter()
            parts = urlsplit(back)
            resp = client.get(f"{parts.path}?{parts.query}")
            t2 = time.perf_counter()
            assert resp.status_code == 302 and "_auth_user_id" in client.session, resp.content[:300]
            if i >= 3:  # warm-up: discovery and JWKS fetched once, connections opened
                whole.append((t2 - t0) * 1000)
                callback.append((t2 - t1) * 1000)
                cpu.append(((time.process_time() - c0) * 1000, sim_cpu() - s0))
        assert User.objects.filter(citizen_id="011090001234").count() == 1

        def p95(xs: list[float]) -> float:
            return sorted(xs)[int(len(xs) * 0.95) - 1]

        print(f"runs={args.runs} load={os.getloadavg()[0]:.2f}")
        print(
            f"whole login round trip: median {statistics.median(whole):.1f} ms, p95 {p95(whole):.1f} ms"
        )
        print(
            f"portal callback (token + id_token + userinfo + account + session): median {statistics.median(callback):.1f} ms, p95 {p95(callback):.1f} ms"
        )
        portal_cpu, provider_cpu = (
            statistics.median(c for c, _ in cpu),
            statistics.median(p for _, p in cpu),
        )
        print(
            f"CPU per login (median): portal process {portal_cpu:.1f} ms (the citizen's browser steps driven from it included), "
            f"provider process {provider_cpu:.1f} ms; PostgreSQL's own CPU not counted"
        )
    finally:
        sim.stop()


if __name__ == "__main__":
    main()
