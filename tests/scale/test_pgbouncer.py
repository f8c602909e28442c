"""Connection pooling through PgBouncer in transaction mode (issue 19; the README's choice: the
stack is psycopg2, so Django's own pool, which needs psycopg 3, is not available).

Twelve concurrent clients share at most eight server connections; every intake commits and
``iterator()`` works because DISABLE_SERVER_SIDE_CURSORS is set (Django docs, "Transaction
pooling and server-side cursors")."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from django.db import connection

from tests.celery_support import worker_env
from tests.scale.servers import PgBouncer
from tests.scale.test_replica import ROOT

pytestmark = pytest.mark.scale


def _scenario(config: str | None = None) -> dict:
    db = connection.settings_dict
    with PgBouncer(int(db["PORT"] or 5432), db["NAME"], config=config) as bouncer:
        env = worker_env(
            {
                "DATABASE_URL": bouncer.url(),
                "DISABLE_SERVER_SIDE_CURSORS": "1",
                "CONN_MAX_AGE": "600",
                "SCALE_BACKEND_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            }
        )
        done = subprocess.run(
            [sys.executable, "tests/scale/pgbouncer_scenario.py"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=240,
        )
    assert done.returncode == 0, done.stderr[-3000:]
    obs = json.loads(done.stdout.strip().splitlines()[-1])
    print(json.dumps(obs))
    return obs


@pytest.mark.django_db(transaction=True)
def test_intakes_through_pgbouncer_transaction_pooling():
    obs = _scenario()
    assert obs["errors"] == []
    assert obs["received"] == 60 and obs["iterated"] == 60
    # twelve clients, at most the pool's eight server connections (plus none of our own)
    assert 0 < obs["peak_server_connections"] <= 8, obs


@pytest.mark.django_db(transaction=True)
def test_the_compose_pgbouncer_config_pools_the_same_intakes():
    """docker-compose's own docker/pgbouncer/pgbouncer.ini (only its addresses and authentication
    rewritten for loopback): transaction pooling with the portal's start-up parameters accepted,
    so the web and the workers that compose points at it work as the job above proved."""
    config = (ROOT / "docker/pgbouncer/pgbouncer.ini").read_text(encoding="utf-8")
    obs = _scenario(config)
    assert obs["errors"] == []
    assert obs["received"] == 60 and obs["iterated"] == 60
    # twelve clients through a pool of 20: never more server connections than clients
    assert 0 < obs["peak_server_connections"] <= 12, obs
