"""Every figure on a small province built by hand through the real services, with the answers
worked out by hand (calendar: 07:00–11:30 and 13:30–17:00, 8 working hours a day; June 2026 has
no holiday; procedures take 5 working days).

The dossiers (times in Asia/Ho_Chi_Minh):

* D1 (Sở Tư pháp, level 4): received Mon 1 Jun 09:00, approved Tue 2 Jun 10:00 with a PDF result
  (early; 2.5 + 3.5 + 3 = 9 working hours), returned online 3 Jun, rated satisfied 3 Jun.
* D2 (same, at the counter, a scanned file): received 1 Jun 09:30, supplements asked 2 Jun 08:00,
  answered 4 Jun 08:00 (16 working hours waited: due 8 Jun 17:00 → 10 Jun 17:00), apology 11 Jun,
  approved 15 Jun 10:00 (late; 80.5 − 16 = 64.5 working hours), returned 16 Jun, rated not
  satisfied.
* D3 (same): received 3 Jun, withdrawn 5 Jun. D4 (same): submitted 3 Jun, refused 3 Jun.
* D5 (same): received 8 Jun 09:00 (due 15 Jun 17:00), still open: overdue.
* D6 (Sở Xây dựng, level 3, fee 50,000 paid online): received Mon 29 Jun 09:00 (due 6 Jul 17:00),
  approved 2 Jul 10:00.
* D7 (Sở Xây dựng): received 25 Jun, stopped 26 Jun.
* D8 (Sở Tư pháp): received Fri 29 May 09:00, approved 1 Jun 14:00 (early; 6 + 5 = 11 h).
* D9 (Sở Xây dựng): received 1 Jun 09:00 (due 8 Jun 17:00), approved 8 Jun 08:00 (on time;
  6 + 32 + 1 = 39 h).

The figures are read on 20 July 2026.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from dashboards import selectors, summary
from dashboards.selectors import Filters, period_filters
from dossiers import services
from dossiers.constants import Channel, ResultDelivery
from dossiers.models import Dossier, DossierFile
from dossiers.payments.constants import PaymentMethod, PaymentStatus
from dossiers.payments.models import Payment
from portal.accounts.constants import Role
from portal.agencies.constants import AgencyLevel
from procedures.constants import ServiceLevel
from tests.dossiers.conftest import fill_supplement_slots, pdf
from tests.factories.accounts import StaffFactory
from tests.factories.agencies import AgencyFactory
from tests.factories.dossiers import CitizenFactory, ProcedureFactory, SectorFactory

VN = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 7, 20, 10, 0, tzinfo=VN)


def at(month: int, day: int, hour: int, minute: int = 0):
    return time_machine.travel(datetime(2026, month, day, hour, minute, tzinfo=VN), tick=False)


class Province:
    def __init__(self) -> None:
        self.province = AgencyFactory(province=True)
        self.a = AgencyFactory(name="Sở Tư pháp", parent=self.province, receiving_code="G09.20")
        self.division = AgencyFactory(
            name="Phòng Hành chính tư pháp", parent=self.a, level=AgencyLevel.DIVISION
        )
        self.b = AgencyFactory(name="Sở Xây dựng", parent=self.province, receiving_code="G09.21")
        self.clerk_a = StaffFactory(agency=self.a, roles=[Role.CLERK])
        self.specialist_a = StaffFactory(
            agency=self.a, department=self.division, roles=[Role.SPECIALIST]
        )
        self.leader_a = StaffFactory(agency=self.a, department=self.division, roles=[Role.LEADER])
        self.clerk_b = StaffFactory(agency=self.b, roles=[Role.CLERK])
        self.leader_b = StaffFactory(agency=self.b, roles=[Role.LEADER, Role.SPECIALIST])
        self.citizen = CitizenFactory()
        self.sector_a, self.sector_b = SectorFactory(code="TP"), SectorFactory(code="XD")
        self.proc_a = ProcedureFactory(
            agency=self.a, sector=self.sector_a, level=ServiceLevel.LEVEL_4
        )
        self.proc_b = ProcedureFactory(
            agency=self.b, sector=self.sector_b, level=ServiceLevel.LEVEL_3
        )

    def submit(self, agency, procedure) -> Dossier:
        d = services.dossier_save_draft(
            actor=self.citizen, procedure=procedure, agency=agency, form_data={"note": "x"}
        )
        doc_id = d.procedure_version.snapshot["documents"][0]["id"]
        services.dossier_add_file(
            dossier=d, actor=self.citizen, uploaded_file=pdf(), document_id=doc_id
        )
        return services.dossier_submit(dossier=d, actor=self.citizen)

    def receive(self, agency, procedure, clerk, *, counter: bool = False, fee: int = 0) -> Dossier:
        d = self.submit(agency, procedure)
        if counter:  # recorded at the counter, its papers scanned
            Dossier.objects.filter(pk=d.pk).update(channel=Channel.IN_PERSON)
            DossierFile.objects.filter(dossier=d).update(is_digitised=True)
        if fee:
            Dossier.objects.filter(pk=d.pk).update(fee_total=Decimal(fee))
        return services.dossier_receive(dossier=d, actor=clerk)


@pytest.fixture
def prov(db) -> Province:
    p = Province()
    with at(5, 29, 9):
        d8 = p.receive(p.a, p.proc_a, p.clerk_a)
    with at(5, 29, 10):
        d8 = services.dossier_assign(
            dossier=d8, actor=p.clerk_a, department=p.division, assignee=p.specialist_a
        )
    with at(6, 1, 13, 45):
        d8 = services.dossier_forward_for_approval(
            dossier=d8, actor=p.specialist_a, leader=p.leader_a
        )
    with at(6, 1, 14):
        services.dossier_approve(dossier=d8, actor=p.leader_a)

    with at(6, 1, 9):
        d1 = p.receive(p.a, p.proc_a, p.clerk_a)
        d9 = p.receive(p.b, p.proc_b, p.clerk_b)
    with at(6, 1, 9, 30):
        d2 = p.receive(p.a, p.proc_a, p.clerk_a, counter=True)
    with at(6, 1, 10):
        d1 = services.dossier_assign(
            dossier=d1, actor=p.clerk_a, department=p.division, assignee=p.specialist_a
        )
        d2 = services.dossier_assign(
            dossier=d2, actor=p.clerk_a, department=p.division, assignee=p.specialist_a
        )
        d9 = services.dossier_assign(
            dossier=d9, actor=p.clerk_b, department=p.b, assignee=p.leader_b
        )
    with at(6, 2, 8):
        services.dossier_request_supplement(
            dossier=d2,
            actor=p.specialist_a,
            items=[{"document": "Bản sao CCCD"}],
            reason="Thiếu giấy tờ",
        )
    with at(6, 2, 9):
        d1 = services.dossier_forward_for_approval(
            dossier=d1, actor=p.specialist_a, leader=p.leader_a
        )
    with at(6, 2, 10):
        d1 = services.dossier_approve(dossier=d1, actor=p.leader_a, result_file=pdf("ket-qua.pdf"))
    with at(6, 3, 8):
        services.dossier_return_result(dossier=d1, actor=p.clerk_a, delivery=ResultDelivery.ONLINE)
    with at(6, 3, 9):
        services.dossier_rate(dossier=d1, actor=p.citizen, rating="satisfied")
        d3 = p.receive(p.a, p.proc_a, p.clerk_a)
        d4 = p.submit(p.a, p.proc_a)
    with at(6, 3, 10):
        services.dossier_refuse(dossier=d4, actor=p.clerk_a, reason="Không thuộc thẩm quyền")
    with at(6, 4, 8):
        fill_supplement_slots(d2, p.citizen)
        services.dossier_answer_supplement(dossier=d2, actor=p.citizen)
    with at(6, 5, 9):
        services.dossier_withdraw(dossier=d3, actor=p.citizen, reason="Không cần nữa")
    with at(6, 8, 8):
        d9 = services.dossier_forward_for_approval(dossier=d9, actor=p.leader_b, leader=p.leader_b)
        services.dossier_approve(dossier=d9, actor=p.leader_b)
    with at(6, 8, 9):
        d5 = p.receive(p.a, p.proc_a, p.clerk_a)
    with at(6, 11, 9):
        services.dossier_record_apology(
            dossier=d2,
            actor=p.leader_a,
            reason="Cần xác minh thêm",
            new_due_at=datetime(2026, 6, 16, 17, tzinfo=VN),
        )
    with at(6, 15, 9):
        d2 = services.dossier_forward_for_approval(
            dossier=d2, actor=p.specialist_a, leader=p.leader_a
        )
    with at(6, 15, 10):
        d2 = services.dossier_approve(dossier=d2, actor=p.leader_a)
    with at(6, 16, 8):
        services.dossier_return_result(dossier=d2, actor=p.clerk_a)
    with at(6, 16, 9):
        services.dossier_rate(dossier=d2, actor=p.citizen, rating="not_satisfied")
    with at(6, 25, 9):
        d7 = p.receive(p.b, p.proc_b, p.clerk_b)
    with at(6, 26, 9):
        services.dossier_stop(dossier=d7, actor=p.leader_b, reason="Người nộp không đủ điều kiện")
    with at(6, 29, 9):
        d6 = p.receive(p.b, p.proc_b, p.clerk_b, fee=50000)
        Payment.objects.create(
            dossier=d6,
            reference="TEST-D6",
            amount=Decimal(50000),
            method=PaymentMethod.ONLINE,
            status=PaymentStatus.PAID,
            created_by=p.citizen,
            paid_at=datetime(2026, 6, 29, 9, tzinfo=VN),
            receipt_number="BL-2026-000001",
        )
    with at(6, 29, 10):
        d6 = services.dossier_assign(
            dossier=d6, actor=p.clerk_b, department=p.b, assignee=p.leader_b
        )
    with at(7, 2, 10):
        d6 = services.dossier_forward_for_approval(dossier=d6, actor=p.leader_b, leader=p.leader_b)
        services.dossier_approve(dossier=d6, actor=p.leader_b)
    p.d = {1: d1, 2: d2, 3: d3, 4: d4, 5: d5, 6: d6, 7: d7, 8: d8, 9: d9}
    summary.refresh()  # the dirty marks written by the services above
    return p


JUNE = period_filters("month", date(2026, 6, 1))


def both(filters: Filters):
    """The figures from the summary tables and straight from the dossiers (must agree)."""
    with time_machine.travel(NOW, tick=False):
        fig = selectors.dashboard_figures(filters)
        direct = selectors.direct_figures(filters)
    assert fig.comparable() == direct.comparable()
    return fig


def test_timeliness_and_due_dates_as_worked_out(prov):
    d = {k: Dossier.objects.get(pk=v.pk) for k, v in prov.d.items()}
    assert d[2].due_at == datetime(2026, 6, 10, 17, 0, tzinfo=VN)
    assert d[9].due_at == datetime(2026, 6, 8, 17, 0, tzinfo=VN)
    assert [d[i].timeliness for i in (1, 2, 6, 8, 9)] == [
        "early",
        "late",
        "early",
        "early",
        "on_time",
    ]


def test_june_for_the_province(prov):
    f = both(JUNE)
    assert (f.received, f.received_online, f.received_by_channel, f.received_by_level) == (
        7,
        6,
        {1: 1, 2: 6},
        {4: 4, 3: 3},
    )
    assert (f.resolved, f.resolved_early, f.resolved_on_time, f.resolved_late) == (4, 2, 1, 1)
    assert (f.in_progress, f.in_progress_on_time, f.in_progress_overdue) == (
        2,
        1,
        1,
    )  # D6 on time, D5 overdue on 1 July 00:00
    assert (f.returned, f.withdrawn, f.refused, f.stopped) == (2, 1, 1, 1)
    assert (f.supplement_requests, f.apologies) == (1, 1)
    assert (f.rated, f.rating_counts, f.satisfaction_rate) == (
        2,
        {"satisfied": 1, "acceptable": 0, "not_satisfied": 1},
        0.5,
    )
    assert (f.digitised_dossiers, f.e_results, f.signed_results, f.payable, f.online_paid) == (
        1,
        1,
        0,
        1,
        1,
    )
    # nothing signed or exchanged in this world: real zeros, no "not linked yet" note (issue 16)
    assert (f.documents_sent, f.documents_received) == (0, 0) and not f.notes
    assert f.processing_seconds == (9 + 64.5 + 11 + 39) * 3600
    assert (
        f.online_share == 6 / 7
        and f.on_time_rate == 3 / 4
        and f.late_rate == 1 / 4
        and f.overdue_rate == 1 / 2
    )
    assert (
        f.e_result_share == 1 / 2 and f.online_payment_share == 1.0 and f.digitised_share == 1 / 7
    )


def test_agency_sector_procedure_level_filters(prov):
    a = both(Filters(start=JUNE.start, end=JUNE.end, agency_ids=(prov.a.pk,)))
    assert (
        a.received,
        a.resolved,
        a.in_progress,
        a.in_progress_overdue,
        a.withdrawn,
        a.refused,
        a.stopped,
    ) == (4, 3, 1, 1, 1, 1, 0)
    assert (a.resolved_early, a.resolved_late, a.returned, a.rated) == (2, 1, 2, 2)
    b = both(Filters(start=JUNE.start, end=JUNE.end, sector_id=prov.sector_b.pk))
    assert (
        b.received,
        b.resolved,
        b.resolved_on_time,
        b.in_progress,
        b.in_progress_on_time,
        b.stopped,
        b.payable,
    ) == (3, 1, 1, 1, 1, 1, 1)
    lvl = both(Filters(start=JUNE.start, end=JUNE.end, level=3))
    assert lvl.comparable() == b.comparable()
    p = both(Filters(start=JUNE.start, end=JUNE.end, procedure_id=prov.proc_a.pk))
    assert p.comparable() == a.comparable()
    province = both(Filters(start=JUNE.start, end=JUNE.end, agency_ids=(prov.province.pk,)))
    assert province.received == 7


def test_other_periods(prov):
    may = both(period_filters("month", date(2026, 5, 1)))
    assert (may.received, may.resolved, may.in_progress, may.in_progress_overdue) == (
        1,
        0,
        1,
        0,
    )  # D8 open on 1 June 00:00
    july = both(period_filters("month", date(2026, 7, 1)))
    assert (
        july.received,
        july.resolved,
        july.resolved_early,
        july.in_progress,
        july.in_progress_overdue,
    ) == (0, 1, 1, 1, 1)  # D5, on 20 July
    q2 = both(period_filters("quarter", date(2026, 5, 1)))
    assert (q2.received, q2.resolved, q2.in_progress) == (8, 4, 2)
    year = both(period_filters("year", date(2026, 1, 1)))
    assert (year.received, year.resolved, year.in_progress) == (8, 5, 1)
    custom = both(Filters(start=date(2026, 6, 2), end=date(2026, 6, 15)))
    assert (custom.received, custom.resolved, custom.in_progress, custom.in_progress_overdue) == (
        2,
        3,
        1,
        1,
    )
    assert (
        custom.supplement_requests,
        custom.apologies,
        custom.withdrawn,
        custom.refused,
        custom.rated,
    ) == (1, 1, 1, 1, 1)
    assert JUNE.previous() == period_filters("month", date(2026, 5, 1))


def test_procedure_times_breakdowns_and_timeseries(prov):
    with time_machine.travel(NOW, tick=False):
        times = selectors.procedure_times(JUNE)
        assert times == selectors.direct_procedure_times(JUNE)
        agencies = selectors.by_agency(JUNE)
        ranking = selectors.by_agency(JUNE, every_agency=True)
        sectors = selectors.by_sector(JUNE)
        series = selectors.timeseries(period_filters("quarter", date(2026, 6, 1)))
    assert [(t.procedure_id, t.resolved, t.p90_working_hours) for t in times] == [
        (prov.proc_a.pk, 3, 65),
        (prov.proc_b.pk, 1, 39),
    ]
    assert times[0].avg_working_hours == pytest.approx((9 + 64.5 + 11) / 3)
    assert [(r.key, r.figures.received) for r in agencies] == [(prov.province.pk, 7)]
    by_id = {r.key: r.figures for r in ranking}
    assert (
        by_id[prov.a.pk].received,
        by_id[prov.b.pk].received,
        by_id[prov.division.pk].received,
    ) == (4, 3, 0)
    assert {r.code: r.figures.received for r in sectors} == {"TP": 4, "XD": 3}
    assert [(s, f.received, f.resolved, f.in_progress) for s, f in series] == [
        (date(2026, 4, 1), 0, 0, 0),
        (date(2026, 5, 1), 1, 0, 1),
        (date(2026, 6, 1), 7, 4, 2),
    ]


def test_drilldowns_list_the_dossiers_behind_the_numbers(prov):
    d = prov.d
    with time_machine.travel(NOW, tick=False):

        def ids(metric, filters=JUNE):
            return set(selectors.drilldown(filters, metric).values_list("pk", flat=True))

        assert ids("received") == {d[i].pk for i in (1, 2, 3, 5, 6, 7, 9)}
        assert ids("resolved_late") == {d[2].pk} and ids("resolved_on_time") == {d[9].pk}
        assert ids("in_progress_overdue") == {d[5].pk} and ids("in_progress_on_time") == {d[6].pk}
        assert (ids("withdrawn"), ids("refused"), ids("stopped")) == (
            {d[3].pk},
            {d[4].pk},
            {d[7].pk},
        )
        assert (
            ids("supplement_requests") == ids("apologies") == ids("digitised_dossiers") == {d[2].pk}
        )
        assert ids("online_paid") == {d[6].pk} and ids("e_results") == {d[1].pk}
        for metric in selectors.DRILLDOWN_METRICS:
            page = summary.drilldown_page(JUNE, metric, limit=3)
            assert {r["id"] for r in page.rows} <= ids(metric)
            assert len(page.rows) == min(3, len(ids(metric)))
            assert page.total == getattr(selectors.dashboard_figures(JUNE), metric)
