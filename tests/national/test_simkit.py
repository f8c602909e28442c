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


class _Counter:
    """A simulator whose only change is journalled (built lazily: the import stays at the top)."""

    @staticmethod
    def make(path):
        from national.simkit import Simulator

        class Counter(Simulator):
            def initial_state(self) -> dict:
                return {"n": 0}

            def replay(self, entry: dict) -> None:
                self.state["n"] += entry["add"]

        return Counter(path)


def test_the_journal_replays_what_a_killed_simulator_acknowledged(tmp_path):
    state_file = tmp_path / "counter.json"
    sim = _Counter.make(state_file)
    for _ in range(3):
        sim.state["n"] += 1
        sim.commit({"add": 1})
    assert not state_file.exists()  # no rewrite of the whole state per change
    # "killed": a new process reads the (absent) snapshot and replays the journal, then compacts
    again = _Counter.make(state_file)
    assert (
        again.state["n"] == 3
        and state_file.exists()
        and not state_file.with_suffix(".journal").exists()
    )
    # a line the snapshot already holds (killed between snapshot and truncation) and a torn last
    # line (killed while writing: never answered) are not applied
    state_file.with_suffix(".journal").write_text(
        '{"n": 3, "add": 1}\n{"n": 4, "add": 5}\n{"n": 5, "ad', "utf-8"
    )
    assert _Counter.make(state_file).state["n"] == 8
