"""Redis through Sentinel for the broker and the cache (issue 19): the master is killed during
200 counter intakes; no intake fails or waits more than 5 s, no task is lost or doubled.
The scenario runs in its own process (``tests/scale/sentinel_scenario.py``)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.celery_support import worker_env
from tests.scale.test_replica import ROOT

pytestmark = pytest.mark.scale


@pytest.mark.django_db(transaction=True)
def test_master_killed_during_200_intakes():
    env = worker_env({"REDIS_URL": "", "CONN_MAX_AGE": "60"})
    done = subprocess.run(
        [sys.executable, "tests/scale/sentinel_scenario.py"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    obs = json.loads(done.stdout.strip().splitlines()[-1])
    print(json.dumps(obs))
    assert obs["errors"] == []
    assert obs["received"] == 200
    assert obs["failover_s"] is not None
    assert obs["max_s"] < 5, obs
    assert obs["outbox_rows"] >= 200
    assert obs["undispatched"] == 0
    assert obs["lost"] == 0 and obs["duplicates"] == 0, obs
