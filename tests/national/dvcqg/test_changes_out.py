"""Changes out (issue 17): every history row reaches the simulated DVCQG once, in order, retried
through timeouts, HTTP 5xx, error codes, expired sessions, lost acknowledgements and a restart in
the middle of a batch; the fields Decision 766 reads come from the dossier's data."""

from __future__ import annotations

import pytest
from django.utils import timezone

from dossiers import services as dossier_services
from dossiers.models import DossierEvent
from dossiers.payments.constants import PaymentMethod, PaymentStatus
from dossiers.payments.models import Payment
from national.dvcqg import services
from national.dvcqg.models import ChangeState, DossierSync, OutboundChange

pytestmark = pytest.mark.django_db


def _record_all(dossier):
    for event in DossierEvent.objects.filter(dossier=dossier).order_by("seq"):
        services.record_change(dossier_id=dossier.pk, event_id=event.pk)


def _national(sim, dossier):
    return sim.state()["dossiers"].get(dossier.code)


def test_a_whole_life_reaches_dvcqg_in_order(world, dvcqg):
    dossier = world.returned()
    _record_all(dossier)
    result = services.flush_dossier(dossier_id=dossier.pk)
    events = list(dossier.events.order_by("seq"))
    assert result.outcome == "sent" and result.sent == len(events) == 6
    record = _national(dvcqg, dossier)
    assert record["TrangThaiHoSo"] == "10" and record["KenhThucHien"] == "2"
    assert [p["TrangThai"] for p in record["progress"]] == ["1", "2", "4", "4", "9", "10"]
    assert [p["NoiDungXuLy"].split(".")[0] for p in record["progress"]] == [
        str(i) for i in range(1, 7)
    ]
    assert DossierSync.objects.get(pk=dossier.pk).acked_seq == 6
    assert (
        not OutboundChange.objects.filter(dossier=dossier).exclude(state=ChangeState.SENT).exists()
    )
    state = dvcqg.state()
    assert (state["duplicates"], state["out_of_order"], state["rejected"]) == (0, 0, 0)
    # nothing left: a second flush sends nothing and calls nothing
    calls = state["calls"].get("DongBoHoSoMC")
    assert services.flush_dossier(dossier_id=dossier.pk).outcome == "idle"
    assert dvcqg.state()["calls"].get("DongBoHoSoMC") == calls


def test_a_dossier_without_code_waits_and_a_submitted_one_goes_at_once(world, dvcqg):
    from dossiers.models import Dossier

    dossier = world.submitted()
    code = dossier.code
    Dossier.objects.filter(pk=dossier.pk).update(
        code=None
    )  # as a dossier from before codes at submission
    _record_all(dossier)
    assert services.flush_dossier(dossier_id=dossier.pk).outcome == "waiting"
    assert dvcqg.state()["dossiers"] == {}
    Dossier.objects.filter(pk=dossier.pk).update(
        code=code
    )  # online dossiers get theirs at submission (issue 14)
    assert services.flush_dossier(dossier_id=dossier.pk).sent == 1
    dossier = dossier_services.dossier_receive(
        dossier=Dossier.objects.get(pk=dossier.pk), actor=world.clerk
    )
    _record_all(dossier)
    assert services.flush_dossier(dossier_id=dossier.pk).sent == 1
    assert [p["TrangThai"] for p in _national(dvcqg, dossier)["progress"]] == ["1", "2"]


def test_the_same_event_twice_is_recorded_and_sent_once(world, dvcqg):
    dossier = world.received()
    event = dossier.events.order_by("seq").last()
    for _ in range(3):
        services.record_change(dossier_id=dossier.pk, event_id=event.pk)
    assert OutboundChange.objects.filter(dossier=dossier).count() == 1
    services.flush_dossier(dossier_id=dossier.pk)
    services.flush_dossier(dossier_id=dossier.pk)
    assert (
        len(_national(dvcqg, dossier)["progress"]) == 2
    )  # the gap (seq 1) was filled from the history


def test_events_arriving_out_of_order_are_sent_in_order(world, dvcqg):
    dossier = world.examining()
    events = list(dossier.events.order_by("seq"))
    # the last event's task runs first: its flush must not send it before the earlier ones
    services.record_change(dossier_id=dossier.pk, event_id=events[-1].pk)
    services.flush_dossier(dossier_id=dossier.pk)
    progress = _national(dvcqg, dossier)["progress"]
    assert [p["NoiDungXuLy"].split(".")[0] for p in progress] == [str(e.seq) for e in events]
    assert dvcqg.state()["out_of_order"] == 0


@pytest.mark.parametrize(
    "fault",
    [
        {"match": "DongBoHoSoMC", "kind": "http_500"},
        {"match": "CapNhatTienDoHoSoMC", "kind": "http_503"},
        {"match": "DongBoHoSoMC", "kind": "error_code", "code": "99"},
        {"match": "CapNhatTienDoHoSoMC", "kind": "timeout", "delay": 4},
        {"match": "DongBoHoSoMC", "kind": "drop"},
        {"match": "login", "kind": "http_500"},
    ],
)
def test_a_fault_is_retried_and_nothing_is_lost_or_doubled(world, dvcqg, fault):
    dossier = world.examining()
    _record_all(dossier)
    dvcqg.faults([fault])
    first = services.flush_dossier(dossier_id=dossier.pk)
    assert first.outcome == "retry" and first.sent == 0
    sync = DossierSync.objects.get(pk=dossier.pk)
    assert sync.acked_seq == 0 and sync.attempts == 1 and sync.last_error
    assert services.flush_dossier(dossier_id=dossier.pk).outcome == "sent"
    record = _national(dvcqg, dossier)
    assert len(record["progress"]) == dossier.events.count()
    assert DossierSync.objects.get(pk=dossier.pk).attempts == 0


def test_a_lost_acknowledgement_is_resent_without_a_duplicate_record(world, dvcqg):
    dossier = world.examining()
    _record_all(dossier)
    dvcqg.faults([{"match": "CapNhatTienDoHoSoMC", "kind": "ack_lost"}])
    assert services.flush_dossier(dossier_id=dossier.pk).outcome == "retry"
    assert services.flush_dossier(dossier_id=dossier.pk).outcome == "sent"
    state = dvcqg.state()
    assert len(state["dossiers"][dossier.code]["progress"]) == dossier.events.count()
    assert state["duplicates"] == dossier.events.count()  # DVCQG saw them again and kept one each


def test_an_expired_session_logs_in_again(world, dvcqg):
    dossier = world.received()
    _record_all(dossier)
    services.flush_dossier(dossier_id=dossier.pk)
    logins = dvcqg.state()["calls"]["login"]
    dossier = dossier_services.dossier_assign(
        dossier=dossier, actor=world.clerk, department=world.division
    )
    _record_all(dossier)
    dvcqg.faults([{"match": "DongBoHoSoMC", "kind": "expire_session"}])
    assert services.flush_dossier(dossier_id=dossier.pk).outcome == "sent"
    assert dvcqg.state()["calls"]["login"] == logins + 1


def test_a_restart_in_the_middle_of_a_batch(world, dvcqg):
    dossiers = [world.received() for _ in range(3)]
    for d in dossiers:
        _record_all(d)
    services.flush_dossier(dossier_id=dossiers[0].pk)
    dvcqg.kill()
    assert services.flush_dossier(dossier_id=dossiers[1].pk).outcome == "retry"
    dvcqg.restart()
    for d in dossiers[1:]:
        assert services.flush_dossier(dossier_id=d.pk).outcome == "sent"
    state = dvcqg.state()
    assert sorted(state["dossiers"]) == sorted(d.code for d in dossiers)
    assert all(len(state["dossiers"][d.code]["progress"]) == 2 for d in dossiers)


def test_after_max_attempts_the_changes_fail_and_an_admin_resends(world, dvcqg, settings):
    settings.DVCQG_MAX_ATTEMPTS = 2
    dossier = world.received()
    _record_all(dossier)
    dvcqg.faults([{"match": "DongBoHoSoMC", "kind": "http_500", "count": 5}])
    assert services.flush_dossier(dossier_id=dossier.pk).outcome == "retry"
    assert services.flush_dossier(dossier_id=dossier.pk).outcome == "failed"
    assert OutboundChange.objects.filter(dossier=dossier, state=ChangeState.FAILED).count() == 2
    assert services.flush_dossier(dossier_id=dossier.pk).outcome == "failed"  # stays until resent
    dvcqg.faults([])
    services.resend(dossier_id=dossier.pk)
    assert services.flush_dossier(dossier_id=dossier.pk).outcome == "sent"
    assert len(_national(dvcqg, dossier)["progress"]) == 2


def test_766_fields_come_from_the_dossiers_data(world, dvcqg):
    first = world.returned()
    # a second dossier reuses the first one's file, has a scan from the counter and is paid online
    draft = dossier_services.dossier_save_draft(
        actor=world.citizen, procedure=world.procedure, agency=world.agency, form_data={"note": "y"}
    )
    doc_id = draft.procedure_version.snapshot["documents"][0]["id"]
    dossier_services.dossier_reuse_file(
        dossier=draft, actor=world.citizen, source=first.files.first(), document_id=doc_id
    )
    dossier = dossier_services.dossier_submit(dossier=draft, actor=world.citizen)
    from tests.dossiers.conftest import pdf

    dossier_services.dossier_add_file(
        dossier=dossier, actor=world.clerk, uploaded_file=pdf("scan.pdf"), is_digitised=True
    )
    dossier = dossier_services.dossier_receive(dossier=dossier, actor=world.clerk)
    Payment.objects.create(
        dossier=dossier,
        reference="DVCQG-T-1",
        amount=10000,
        method=PaymentMethod.ONLINE,
        status=PaymentStatus.PAID,
        receipt_number="BL-1",
        paid_at=timezone.now(),
        created_by=world.citizen,
    )
    for d in (first, dossier):
        _record_all(d)
        services.flush_dossier(dossier_id=d.pk)
    plain, rich = _national(dvcqg, first), _national(dvcqg, dossier)
    assert (plain["DuocThanhToanTrucTuyen"], rich["DuocThanhToanTrucTuyen"]) == ("0", "1")
    assert (plain["HoSoCoThanhPhanSoHoa"], rich["HoSoCoThanhPhanSoHoa"]) == ("0", "1")
    files = {f["TenTepDinhKem"]: f for f in rich["TaiLieuNop"]}
    assert files["scan.pdf"]["DuocSoHoa"] == "1" and files["scan.pdf"]["DuocTaiSuDung"] == "0"
    assert files["to-khai.pdf"]["DuocTaiSuDung"] == "1" and files["to-khai.pdf"]["DuocSoHoa"] == "0"
    assert plain["TaiLieuNop"][0]["DuocTaiSuDung"] == "0"
    assert plain["TaiKhoanDuocXacThucVoiVNeID"] == "0"
    assert plain["NgayTra"] and len(plain["NgayTra"]) == 14 and plain["NgayTra"].isdigit()


def test_when_dvcqg_comes_back_the_dossiers_that_backed_off_are_due_at_once(world, dvcqg, settings):
    settings.DVCQG_RETRY_BACKOFF = 60  # without the recovery rule they would wait a minute or more
    down, refused, first = world.received(), world.received(), world.received()
    for d in (down, refused, first):
        _record_all(d)
    dvcqg.faults([{"match": "DongBoHoSoMC", "kind": "error_code", "code": "08"}])
    assert services.flush_dossier(dossier_id=refused.pk).outcome == "retry"  # refused for its data
    dvcqg.kill()
    assert services.flush_dossier(dossier_id=first.pk).outcome == "retry"
    assert services.flush_dossier(dossier_id=down.pk).outcome == "retry"
    assert DossierSync.objects.get(pk=down.pk).next_attempt_at > timezone.now()
    dvcqg.restart()
    DossierSync.objects.filter(pk=first.pk).update(next_attempt_at=None)  # its own retry time came
    assert services.flush_dossier(dossier_id=first.pk).outcome == "sent"
    back = DossierSync.objects.get(pk=down.pk)
    # due again within the in-flight guard (3 × DVCQG_TIMEOUT: a call DVCQG may still apply late
    # must not overtake the resend), not after its 60 s back-off
    assert back.attempts == 0
    assert back.next_attempt_at <= timezone.now() + services.in_flight_guard()
    DossierSync.objects.filter(pk=down.pk).update(next_attempt_at=timezone.now())  # guard passed
    assert down.pk in services.due_dossiers() and refused.pk not in services.due_dossiers()
    assert services.flush_dossier(dossier_id=down.pk).outcome == "sent"
    assert DossierSync.objects.get(pk=refused.pk).attempts == 1  # still backing off
