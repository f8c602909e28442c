"""A small province for the dashboard page tests: Điện Biên with two departments (one with a
division) and the people who look at its figures. Fixed clock: Tuesday 9 June 2026, 09:00.

Dossiers received in June 2026 (all through the factories' traits)::

    Sở Tư pháp (A)            online, returned early; online, in progress; in person, overdue
    Phòng HC tư pháp (A1, in A) online, in progress
    Sở Xây dựng (B)           online, resolved late (applicant "Lò Thị Bê"); in person, in progress

So the province received 6 (4 online), A's subtree 4 (3 online), B 2.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from dossiers.constants import Channel
from portal.accounts.constants import Role
from portal.agencies.constants import AgencyLevel
from tests.factories.accounts import StaffFactory
from tests.factories.agencies import AgencyFactory
from tests.factories.dossiers import CitizenFactory, DossierFactory, ProcedureFactory

VN = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 6, 9, 9, 0, tzinfo=VN)


@dataclass
class DashWorld:
    province: Any
    a: Any
    a1: Any
    b: Any
    provincial: Any
    leader_a: Any
    leader_b: Any
    clerk_a: Any
    citizen: Any
    procedure_a: Any
    procedure_b: Any
    dossiers: dict


def refresh_summaries() -> None:
    """Bring the summary tables up to date for dossiers made by the factories."""
    from dashboards import summary

    # the factories' traits write no history rows (nothing is marked dirty): rebuild everything
    summary.rebuild_all()


def build_world() -> DashWorld:
    province = AgencyFactory(province=True)
    a = AgencyFactory(name="Sở Tư pháp", parent=province)
    a1 = AgencyFactory(name="Phòng Hành chính tư pháp", parent=a, level=AgencyLevel.DIVISION)
    b = AgencyFactory(name="Sở Xây dựng", parent=province)
    pa = ProcedureFactory(agency=a, name="Đăng ký khai sinh")
    pb = ProcedureFactory(agency=b, name="Cấp giấy phép xây dựng")
    pa.agencies.add(a1)
    now = timezone.now()
    d = {
        "a_returned": DossierFactory(
            agency=a, procedure=pa, returned=True, applicant_name="Quàng Văn A"
        ),
        "a_progress": DossierFactory(agency=a, procedure=pa, in_progress=True),
        "a_overdue": DossierFactory(
            agency=a, procedure=pa, overdue=True, channel=Channel.IN_PERSON
        ),
        "a1_progress": DossierFactory(agency=a1, procedure=pa, in_progress=True),
        "b_late": DossierFactory(
            agency=b,
            procedure=pb,
            processed=True,
            timeliness="late",
            applicant_name="Lò Thị Bê",
            due_at=now - timedelta(hours=1),
        ),
        "b_progress": DossierFactory(
            agency=b, procedure=pb, in_progress=True, channel=Channel.IN_PERSON
        ),
    }
    return DashWorld(
        province=province,
        a=a,
        a1=a1,
        b=b,
        provincial=StaffFactory(agency=province, roles=[Role.PROVINCIAL]),
        leader_a=StaffFactory(agency=a, roles=[Role.LEADER]),
        leader_b=StaffFactory(agency=b, roles=[Role.LEADER]),
        clerk_a=StaffFactory(agency=a, roles=[Role.CLERK]),
        citizen=CitizenFactory(),
        procedure_a=pa,
        procedure_b=pb,
        dossiers=d,
    )


@pytest.fixture
def june_morning():
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture
def dash(db, june_morning) -> DashWorld:
    world = build_world()
    refresh_summaries()
    return world
