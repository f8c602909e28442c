"""A PostgreSQL streaming replica for reads that may lag (issue 19), on real clusters.

The pair is built by ``pg_createcluster`` + ``pg_basebackup -R -X stream`` on free ports
(Debian PostgreSQL 15) and dropped with ``pg_dropcluster --stop``. The scenario runs in its own
process (the replica alias is a setting read at start-up) through the real middleware and
router; see ``tests/scale/replica_scenario.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.scale.servers import PgPair

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.scale


def test_replica_reads_read_your_writes_lag_and_failure_fallback():
    with PgPair() as pair, tempfile.TemporaryDirectory() as var:
        env = {
            **os.environ,
            "DATABASE_URL": pair.url("primary"),
            "DATABASE_REPLICA_URL": pair.url("replica"),
            "REPLICA_PIN_SECONDS": "3",
            "REPLICA_CHECK_INTERVAL": "0.2",
            "REPLICA_MAX_LAG": "30",
            "PORTAL_VAR_DIR": var,
            "MEDIA_ROOT": f"{var}/media",
            "CONN_MAX_AGE": "60",
            "SCALE_REPLICA_CLUSTER": pair.replica_name,
            "SCALE_REPLICA_PORT": str(pair.replica_port),
        }
        done = subprocess.run(
            [sys.executable, "tests/scale/replica_scenario.py"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=240,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        obs = json.loads(done.stdout.strip().splitlines()[-1])
        print(json.dumps(obs))  # the figures, for the record (pytest -s)
    n = obs["before"]["count"]
    assert obs["before"]["db"] == "replica"
    assert obs["write"] == 200
    # read-your-writes: the writer sees his dossier at once, from the primary
    assert obs["a_after_write"] == {"count": n + 1, "db": "default"}
    # another user reads the replica, which has not replayed the write yet (replay paused)
    assert obs["b_after_write"] == {"count": n, "db": "replica"}
    assert obs["b_dashboard"] == 200
    # lag past REPLICA_MAX_LAG: back to the primary
    assert obs["b_lagging"] == {"count": n + 1, "db": "default"}
    assert obs["b_resumed"] == {"count": n + 1, "db": "replica"}
    assert obs["a_pin_expired"]["db"] == "replica"
    assert obs["own_write_stale_reads"] == 0
    # the replica stopped under dashboard load: every page answered, none slower than 5 s
    load = obs["load"]
    assert load["before_stop"] > 0 and load["requests"] > load["before_stop"]
    assert load["statuses"] == ["200"], load
    assert load["max_s"] < 5, load
    assert obs["after_stop"] == {"count": n + 51, "db": "default"}
