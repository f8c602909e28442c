"""The drain (issue 17, "a backlog of 10,000 changes drains at ≥ 200 updates/s"): several dossiers
per ``DongBoHoSoMC`` / ``CapNhatTienDoHoSoMC`` call, against the simulated DVCQG process, with the
guarantees of the one-dossier send kept per dossier: in order, once, back-off on an outage, and a
dossier refused for its data not charged to the others of its batch."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from dossiers.models import Dossier, DossierEvent
from national.dvcqg import services
from national.dvcqg.models import ChangeState, DossierSync, OutboundChange

pytestmark = pytest.mark.django_db


def _record_all(dossier):
    for event in DossierEvent.objects.filter(dossier=dossier).order_by("seq"):
        services.record_change(dossier_id=dossier.pk, event_id=event.pk)


def _steps(state, dossier):
    return [p["NoiDungXuLy"].split(".")[0] for p in state["dossiers"][dossier.code]["progress"]]


def test_several_dossiers_go_in_one_call_each_in_order(world, dvcqg):
    dossiers = [world.examining() for _ in range(4)] + [world.returned()]
    for d in dossiers:
        _record_all(d)
    result = services.drain()
    state = dvcqg.state()
    total = sum(d.events.count() for d in dossiers)
    assert (result.sent, result.dossiers, result.calls) == (total, 5, 2)
    assert state["calls"]["DongBoHoSoMC"] == 1 and state["calls"]["CapNhatTienDoHoSoMC"] == 1
    for d in dossiers:
        events = list(d.events.order_by("seq"))
        assert _steps(state, d) == [str(e.seq) for e in events]
        assert DossierSync.objects.get(pk=d.pk).acked_seq == events[-1].seq
    assert state["dossiers"][dossiers[-1].code]["TrangThaiHoSo"] == "10"
    assert (state["duplicates"], state["out_of_order"], state["rejected"]) == (0, 0, 0)
    assert not OutboundChange.objects.exclude(state=ChangeState.SENT).exists()
    assert services.drain().sent == 0  # nothing left, nothing called
    assert dvcqg.state()["calls"]["DongBoHoSoMC"] == 1


def test_the_batch_size_setting_splits_the_calls(world, dvcqg, settings):
    settings.DVCQG_BATCH_DOSSIERS = 2
    dossiers = [world.received() for _ in range(5)]
    for d in dossiers:
        _record_all(d)
    result = services.drain()
    assert result.dossiers == 5 and dvcqg.state()["calls"]["CapNhatTienDoHoSoMC"] == 3


def test_changes_recorded_from_the_history_fill_the_gaps(world, dvcqg):
    # only the last event's task ran: the drain records the earlier rows and sends them first
    dossiers = [world.examining() for _ in range(3)]
    for d in dossiers:
        last = d.events.order_by("seq").last()
        assert services.record_change(dossier_id=d.pk, event_id=last.pk)
    services.drain()
    state = dvcqg.state()
    for d in dossiers:
        assert _steps(state, d) == [str(e.seq) for e in d.events.order_by("seq")]
    # the earlier events' tasks run late: nothing to record, nothing sent twice
    for d in dossiers:
        first = d.events.order_by("seq").first()
        assert services.record_change(dossier_id=d.pk, event_id=first.pk) is False
    assert services.drain().sent == 0


def test_an_outage_backs_off_the_batch_and_loses_nothing(world, dvcqg):
    dossiers = [world.examining() for _ in range(3)]
    for d in dossiers:
        _record_all(d)
    dvcqg.faults([{"match": "CapNhatTienDoHoSoMC", "kind": "http_503"}])
    result = services.drain()
    assert result.sent == 0 and result.retries
    assert sorted(result.retries[0][0]) == sorted(d.pk for d in dossiers)
    for d in dossiers:
        sync = DossierSync.objects.get(pk=d.pk)
        assert sync.acked_seq == 0 and sync.attempts == 1 and sync.last_error.startswith("HTTP 5")
        assert sync.lease_until is None
    # backing off: a drain now takes none of them
    DossierSync.objects.update(next_attempt_at=timezone.now() + timedelta(minutes=5))
    assert services.drain().sent == 0
    DossierSync.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert services.drain().dossiers == 3
    state = dvcqg.state()
    for d in dossiers:
        assert _steps(state, d) == [str(e.seq) for e in d.events.order_by("seq")]
        assert DossierSync.objects.get(pk=d.pk).attempts == 0
    assert state["out_of_order"] == 0


def test_a_lost_answer_is_resent_without_duplicates(world, dvcqg):
    dossiers = [world.examining() for _ in range(3)]
    for d in dossiers:
        _record_all(d)
    dvcqg.faults([{"match": "CapNhatTienDoHoSoMC", "kind": "ack_lost"}])
    assert services.drain().sent == 0
    DossierSync.objects.update(next_attempt_at=None)
    assert services.drain().dossiers == 3
    state = dvcqg.state()
    steps = sum(d.events.count() for d in dossiers)
    assert state["duplicates"] == steps  # DVCQG saw every step again and kept one of each
    for d in dossiers:
        assert len(state["dossiers"][d.code]["progress"]) == d.events.count()


def test_a_refusal_of_data_is_not_charged_to_the_whole_batch(world, dvcqg):
    dossiers = [world.received() for _ in range(3)]
    for d in dossiers:
        _record_all(d)
    # the batch call is refused once (error_code, as for one dossier's bad data): the drain sends
    # the dossiers one by one, the first of them meets a second refusal and backs off alone
    dvcqg.faults([{"match": "DongBoHoSoMC", "kind": "error_code", "code": "08", "count": 2}])
    result = services.drain()
    assert result.sent == 2 * 2
    refused = DossierSync.objects.get(pk=dossiers[0].pk)
    assert refused.attempts == 1 and refused.acked_seq == 0 and "08" in refused.last_error
    assert result.retries == [([dossiers[0].pk], pytest.approx(0, abs=1))]
    for d in dossiers[1:]:
        assert DossierSync.objects.get(pk=d.pk).acked_seq == 2


def test_a_dossier_without_code_waits_and_does_not_block_the_others(world, dvcqg):
    waiting, ready = world.submitted(), world.received()
    Dossier.objects.filter(pk=waiting.pk).update(code=None)
    for d in (waiting, ready):
        _record_all(d)
    result = services.drain()
    assert result.dossiers == 1
    assert list(dvcqg.state()["dossiers"]) == [ready.code]
    assert DossierSync.objects.get(pk=waiting.pk).lease_until is None


def test_a_dossier_leased_by_another_sender_is_left_to_it(world, dvcqg):
    busy, free = world.received(), world.received()
    for d in (busy, free):
        _record_all(d)
    DossierSync.objects.filter(pk=busy.pk).update(
        lease_until=timezone.now() + timedelta(seconds=60)
    )
    assert services.drain().dossiers == 1
    assert busy.code not in dvcqg.state()["dossiers"]
