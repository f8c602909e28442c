"""Fixtures of the DVCQG adapter tests: the simulator as a separate process on loopback, the
portal configured for it, and the dossier world of tests/dossiers."""

from __future__ import annotations

import pytest

from national.dvcqg import client as client_module
from national.simkit import start_simulator
from tests.dossiers.conftest import PDF, pdf, working_morning, world  # noqa: F401 - fixtures reused

TARGET = "national.dvcqg.simulator:DvcqgSimulator"


@pytest.fixture
def dvcqg(tmp_path, settings):
    sim = start_simulator(TARGET, state_dir=tmp_path / "sim")
    settings.DVCQG_URL = sim.url
    settings.DVCQG_USERNAME = "tinh"
    settings.DVCQG_PASSWORD = "demo-dvcqg-password"
    settings.DVCQG_DSTCODE = "H18"
    settings.DVCQG_MADONVI = "000.00.00.H18"
    settings.DVCQG_TIMEOUT = 2
    settings.DVCQG_RETRY_BACKOFF = 0
    key = tmp_path / "dvcqg-public.pem"
    with __import__("urllib.request").request.urlopen(sim.url + "/_sim/public-key", timeout=5) as r:  # noqa: S310 - loopback
        key.write_bytes(r.read())
    settings.DVCQG_PUSH_PUBLIC_KEY = str(key)
    client_module._sessions.clear()
    yield sim
    sim.stop()
    client_module._sessions.clear()
