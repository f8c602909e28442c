"""Benchmark: ``dossier_receive`` and the whole journey of one dossier through the services.

    TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> scripts/test.sh bench/dossier_receive.py -q -s

Runs under pytest (the real PostgreSQL, the fixtures of tests/dossiers): N dossiers are
submitted, then each is received (timed: median and p90 of ``dossier_receive``), then N more go
through submit → receive → assign → assign specialist → forward → approve → return (timed as one
journey). Printed forms are requested (outbox rows), not rendered: the render runs in a worker.
"""

from __future__ import annotations

import os
import statistics
import time

import pytest

from dossiers import services
from tests.dossiers.conftest import World, working_morning, world  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db
N = int(os.environ.get("BENCH_N", "60"))


def _ms(samples: list[float]) -> str:
    samples = sorted(samples)
    return f"median {statistics.median(samples) * 1000:.1f} ms, p90 {samples[int(len(samples) * 0.9)] * 1000:.1f} ms"


def test_bench_dossier_receive_and_journey(world: World, working_morning):  # noqa: F811
    submitted = [world.submitted() for _ in range(N)]
    receive = []
    for dossier in submitted:
        t = time.perf_counter()
        services.dossier_receive(dossier=dossier, actor=world.clerk)
        receive.append(time.perf_counter() - t)
    journey = []
    for _ in range(N):
        t = time.perf_counter()
        d = world.submitted()
        d = services.dossier_receive(dossier=d, actor=world.clerk)
        d = services.dossier_assign(dossier=d, actor=world.clerk, department=world.division)
        d = services.dossier_assign(dossier=d, actor=world.leader, assignee=world.specialist)
        d = services.dossier_forward_for_approval(
            dossier=d, actor=world.specialist, leader=world.leader
        )
        d = services.dossier_approve(dossier=d, actor=world.leader)
        services.dossier_return_result(dossier=d, actor=world.clerk)
        journey.append(time.perf_counter() - t)
    # the machine is shared and noisy: the number of SQL queries is the deterministic figure
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    d = world.submitted()
    with CaptureQueriesContext(connection) as receive_queries:
        d = services.dossier_receive(dossier=d, actor=world.clerk)
    with CaptureQueriesContext(connection) as rest_queries:
        d = services.dossier_assign(dossier=d, actor=world.clerk, department=world.division)
        d = services.dossier_assign(dossier=d, actor=world.leader, assignee=world.specialist)
        d = services.dossier_forward_for_approval(
            dossier=d, actor=world.specialist, leader=world.leader
        )
        d = services.dossier_approve(dossier=d, actor=world.leader)
        services.dossier_return_result(dossier=d, actor=world.clerk)
    print(f"\nBENCH dossier_receive (n={N}): {_ms(receive)}; {len(receive_queries)} queries")
    print(
        f"BENCH journey submit→return (n={N}): {_ms(journey)}; receive→return {len(receive_queries) + len(rest_queries)} queries"
    )
