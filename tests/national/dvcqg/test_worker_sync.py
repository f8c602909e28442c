"""Changes out through a REAL Celery worker (issue 17, "Changes out"; docs/tech-facts.md
"Celery and Redis").

The whole path runs as in production: a dossier service commits a history row → the outbox row of
the "dossier changed" subscriber (dossiers.events) → the quick relay (or beat's) publishes it to
this run's Redis → a prefork worker runs ``national.dvcqg.tasks.dossier_changed`` → the adapter
sends the dossier's batch to the simulated DVCQG, a separate process on loopback. The simulator
injects faults on every service and on the login (timeouts longer than ``DVCQG_TIMEOUT``, HTTP
500/503, ``error_code`` 99, expired sessions, lost acknowledgements) and is killed (SIGKILL) and
started again while changes are in flight. The oracle is the simulator's own state: each dossier's
progress steps exactly once, in the order of our history, status 10, and its counters
(``out_of_order`` 0; ``duplicates`` = resent steps it recognised and did not record twice).
"""

from __future__ import annotations

import time

import pytest

from dossiers import services as dossier_services
from dossiers.models import DossierEvent
from national.dvcqg.models import ChangeState, DossierSync, OutboundChange
from tests.celery_support import celery_worker, purge_queue, wait_for

pytestmark = [pytest.mark.celery, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
DOSSIERS = 6
RANDOM_FAULTS = {
    "rate": 0.25,
    "kinds": ["timeout", "http_500", "http_503", "error_code", "expire_session", "ack_lost"],
    "seed": 17,
    "delay": 3,
}


def _env(sim) -> dict[str, str]:
    return {
        "DVCQG_URL": sim.url,
        "DVCQG_USERNAME": "tinh",
        "DVCQG_PASSWORD": "demo-dvcqg-password",
        "DVCQG_DSTCODE": "H18",
        "DVCQG_MADONVI": "000.00.00.H18",
        "DVCQG_TIMEOUT": "2",
        "DVCQG_RETRY_BACKOFF": "1",
        "DVCQG_RETRY_BACKOFF_MAX": "4",
        "DVCQG_SWEEP_INTERVAL": "3",
        "DVCQG_POLL_INTERVAL": "3600",
    }


def _plan(sim) -> None:
    # planned faults first (each happens for sure), then random ones on every call
    sim.faults(
        [
            {"match": "CapNhatTienDoHoSoMC", "kind": "ack_lost", "count": 2},
            {"match": "DongBoHoSoMC", "kind": "expire_session", "count": 1},
            {"match": "login", "kind": "http_500", "count": 1},
        ],
        random_plan=RANDOM_FAULTS,
    )


def _all_acknowledged(dossiers) -> bool:
    ids = [d.pk for d in dossiers]
    counts = {d: DossierEvent.objects.filter(dossier_id=d).count() for d in ids}
    acked = dict(
        DossierSync.objects.filter(dossier_id__in=ids).values_list("dossier_id", "acked_seq")
    )
    return all(acked.get(d) == n for d, n in counts.items())


def test_the_worker_delivers_every_change_once_in_order_through_faults_and_a_restart(world, dvcqg):
    purge_queue()
    _plan(dvcqg)
    dossiers = [world.submitted() for _ in range(DOSSIERS)]
    steps = [
        lambda d: dossier_services.dossier_receive(dossier=d, actor=world.clerk),
        lambda d: dossier_services.dossier_assign(
            dossier=d, actor=world.clerk, department=world.division, assignee=world.specialist
        ),
        lambda d: dossier_services.dossier_forward_for_approval(
            dossier=d, actor=world.specialist, leader=world.leader
        ),
        lambda d: dossier_services.dossier_approve(dossier=d, actor=world.leader),
        lambda d: dossier_services.dossier_return_result(dossier=d, actor=world.clerk),
    ]
    with celery_worker(env=_env(dvcqg), beat=True, concurrency=3, timeout=90) as worker:
        for number, step in enumerate(steps):
            dossiers = [step(d) for d in dossiers]
            if number == 1:
                # wait until the worker is really sending, then kill DVCQG in the middle of it
                assert wait_for(
                    lambda: dvcqg.state()["calls"].get("CapNhatTienDoHoSoMC", 0) >= 2,
                    timeout=60,
                    proc=worker,
                ), worker.log()
                dvcqg.kill()
            if number == 2:
                time.sleep(
                    3
                )  # the worker meets a dead DVCQG for a while (connection refused, back-off)
                dvcqg.restart()
                dvcqg.faults(random_plan=RANDOM_FAULTS)  # a restarted simulator forgets its plan
        assert wait_for(lambda: _all_acknowledged(dossiers), timeout=240, step=1, proc=worker), (
            worker.log()
        )
        time.sleep(4)  # a few more sweeps: a late duplicate or a stray resend would show now
        dvcqg.faults([])
        state = dvcqg.state()
    print({k: state[k] for k in ("calls", "duplicates", "out_of_order", "rejected")})

    assert (
        not OutboundChange.objects.filter(dossier__in=dossiers)
        .exclude(state=ChangeState.SENT)
        .exists()
    )
    assert state["out_of_order"] == 0
    assert state["rejected"] == 0
    # at least the two planned lost acknowledgements were resent and recognised, not recorded twice
    assert state["duplicates"] >= 2
    assert (
        state["calls"]["login"] >= 2
    )  # the session expired (planned) and the client logged in again
    assert sorted(state["dossiers"]) == sorted(d.code for d in dossiers)
    for dossier in dossiers:
        events = list(DossierEvent.objects.filter(dossier=dossier).order_by("seq"))
        record = state["dossiers"][dossier.code]
        assert record["TrangThaiHoSo"] == "10"
        got = [(p["NoiDungXuLy"].split(".")[0], p["TrangThai"]) for p in record["progress"]]
        assert got == [(str(e.seq), str(e.to_status)) for e in events], dossier.code
        keys = [
            (p["ThoiDiemXuLy"], p["TrangThai"], p["NguoiXuLy"], p["NoiDungXuLy"])
            for p in record["progress"]
        ]
        assert len(keys) == len(set(keys)) == 6
    purge_queue()
