"""The simulator kit: a separate process on loopback, faults on demand, state that survives a kill."""

import json
import urllib.error
import urllib.request

import pytest

from national.simkit import start_simulator

TARGET = "tests.national.echo_sim:EchoSimulator"


@pytest.fixture
def sim(tmp_path):
    s = start_simulator(TARGET, state_dir=tmp_path)
    yield s
    s.stop()


def _post(url, payload, timeout=5):
    req = urllib.request.Request(url, data=json.dumps(payload).encode(), method="POST")
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return json.loads(r.read())


def test_planned_fault_then_normal_answer(sim):
    sim.faults([{"match": "echo", "kind": "http_503", "count": 1}])
    with pytest.raises(urllib.error.HTTPError) as err:
        _post(sim.url + "/echo", {"n": 1})
    assert err.value.code == 503
    assert _post(sim.url + "/echo", {"n": 2}) == {"echo": {"n": 2}, "count": 1}


def test_state_survives_a_kill(sim):
    _post(sim.url + "/echo", {"n": 1})
    sim.kill()
    sim.restart()
    assert sim.state()["count"] == 1
    assert _post(sim.url + "/echo", {"n": 2})["count"] == 2


def test_drop_closes_without_answer(sim):
    sim.faults([{"match": "echo", "kind": "drop"}])
    with pytest.raises((urllib.error.URLError, ConnectionError)):
        _post(sim.url + "/echo", {"n": 1})
