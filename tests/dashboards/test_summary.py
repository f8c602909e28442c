"""The summary tables follow the dossiers incrementally: a state change marks the dossier dirty in
its own transaction (and queues a refresh through the outbox); the refresh rebuilds that dossier's
fact and recomputes only the (agency, month) counters it touches."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from dashboards import selectors, summary
from dashboards.metrics import FastCalendar
from dashboards.models import DirtyDossier, DossierFact, ProcedureMonthStat, SectorMonthStat
from dossiers import services
from portal.core.models import OutboxMessage
from portal.workcalendar import services as workcalendar
from tests.dashboards.test_selectors import Province, at

VN = ZoneInfo("Asia/Ho_Chi_Minh")
pytestmark = pytest.mark.django_db


def test_a_state_change_marks_the_dossier_dirty_and_queues_a_refresh():
    p = Province()
    with at(6, 1, 9):
        d = p.receive(p.a, p.proc_a, p.clerk_a)
    assert DirtyDossier.objects.filter(dossier_id=d.pk).exists()
    assert OutboxMessage.objects.filter(task_name="dashboards.tasks.refresh_summaries").exists()
    result = summary.refresh()
    assert result.dossiers == 1 and not DirtyDossier.objects.exists()
    assert DossierFact.objects.get(dossier_id=d.pk).received_at == datetime(
        2026, 6, 1, 9, tzinfo=VN
    )
    assert summary.refresh().dossiers == 0  # nothing left: a no-op


def test_refresh_recomputes_only_the_touched_agency_months():
    p = Province()
    with at(5, 4, 9):
        old_a = p.receive(p.a, p.proc_a, p.clerk_a)
        old_b = p.receive(p.b, p.proc_b, p.clerk_b)
    with at(6, 1, 9):
        d = p.receive(p.a, p.proc_a, p.clerk_a)
    with at(
        6, 1, 10
    ):  # refreshed in June: May has ended (its month-end snapshot is kept), June has not
        summary.refresh()
    untouched = {
        r.pk: r.received
        for r in ProcedureMonthStat.objects.exclude(agency_id=p.a.pk, month="2026-06-01")
    }
    assert len(untouched) == 2  # (A, May) and (B, May)
    with at(6, 2, 10):
        d = services.dossier_assign(
            dossier=d, actor=p.clerk_a, department=p.division, assignee=p.specialist_a
        )
        d = services.dossier_forward_for_approval(
            dossier=d, actor=p.specialist_a, leader=p.leader_a
        )
        services.dossier_approve(dossier=d, actor=p.leader_a)
    assert list(DirtyDossier.objects.values_list("dossier_id", flat=True)) == [d.pk]
    with at(6, 2, 11):
        result = summary.refresh()
    assert (result.dossiers, result.months) == (1, 1)  # received and approved in June at A
    # the other keys' rows were not rewritten (same primary keys, same numbers)
    assert {
        r.pk: r.received
        for r in ProcedureMonthStat.objects.exclude(agency_id=p.a.pk, month="2026-06-01")
    } == untouched
    june = SectorMonthStat.objects.get(agency_id=p.a.pk, month="2026-06-01")
    assert (june.received, june.resolved, june.early) == (1, 1, 1)
    assert old_a.pk != old_b.pk
    with time_machine.travel(datetime(2026, 6, 30, 12, tzinfo=VN), tick=False):
        f = selectors.period_filters("month", date(2026, 6, 1))
        assert (
            selectors.dashboard_figures(f).comparable() == selectors.direct_figures(f).comparable()
        )


def test_a_payment_marks_the_dossier_dirty():
    from decimal import Decimal

    from dossiers.payments.models import Payment

    p = Province()
    with at(6, 1, 9):
        d = p.receive(p.b, p.proc_b, p.clerk_b, fee=20000)
    summary.refresh()
    Payment.objects.create(
        dossier=d,
        reference="T-1",
        amount=Decimal(20000),
        method="online",
        status="paid",
        created_by=p.citizen,
        paid_at=datetime(2026, 6, 1, 10, tzinfo=VN),
        receipt_number="BL-T-1",
    )
    assert DirtyDossier.objects.filter(dossier_id=d.pk).exists()
    summary.refresh()
    assert DossierFact.objects.get(dossier_id=d.pk).online_paid


def test_rebuild_all_gives_the_same_tables_as_the_incremental_refreshes():
    p = Province()
    with at(6, 1, 9):
        d = p.receive(p.a, p.proc_a, p.clerk_a)
        p.receive(p.b, p.proc_b, p.clerk_b)
    with at(6, 3, 9):
        services.dossier_withdraw(dossier=d, actor=p.citizen)
    with at(
        8, 3, 9
    ):  # June and July have ended: B's dossier, still open, is in both month-end snapshots
        summary.refresh()

    def snapshot():
        fields = ["agency_id", "procedure_id", "month", "received", "withdrawn", "open_at_end"]
        return sorted(
            tuple(getattr(r, f) for f in fields) for r in ProcedureMonthStat.objects.all()
        )

    before = snapshot()
    with at(8, 3, 9):
        summary.rebuild_all()
    assert snapshot() == before and len(before) == 3
    assert [(r[2].month, r[5]) for r in before if r[0] == p.b.pk] == [(6, 1), (7, 1)]


def test_the_fast_working_time_equals_the_calendar():
    model = workcalendar.get_calendar(None)
    fast = FastCalendar(model)
    rng = random.Random(7)
    base = datetime(2024, 1, 1, tzinfo=VN)
    for _ in range(400):
        a = base + timedelta(
            seconds=rng.randrange(0, 3 * 365 * 86400), microseconds=rng.randrange(10**6)
        )
        b = a + timedelta(seconds=rng.randrange(0, 60 * 86400))
        assert fast.working_seconds_between(a, b) == workcalendar.working_seconds_between(
            a, b, calendar=model
        )
        n = rng.randrange(1, 30 * 28800)
        assert fast.add_working_seconds(a, n) == workcalendar.add_working_seconds(
            a, n, calendar=model
        )
        days = rng.choice([1, 5, 20])
        assert fast.due_at_working_days(a, days) == workcalendar.due_at(
            a, days, "working_days", calendar=model
        )


def test_a_change_during_a_refresh_is_not_lost():
    """A dossier re-marked after the refresh read its mark keeps its new mark."""
    from django.utils import timezone

    p = Province()
    with at(6, 1, 9):
        d = p.receive(p.a, p.proc_a, p.clerk_a)
    claimed = list(DirtyDossier.objects.values_list("dossier_id", "marked_at"))
    summary.mark_dirty([d.pk])  # a change commits while the refresh works
    summary.unmark(claimed)
    assert DirtyDossier.objects.filter(dossier_id=d.pk, marked_at__gt=claimed[0][1]).exists()
    summary.unmark(list(DirtyDossier.objects.values_list("dossier_id", "marked_at")))
    assert not DirtyDossier.objects.exists() and timezone.now()
