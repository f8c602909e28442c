"""Shared fixtures of the exchange and service tests: the province PKI stored in the database
(agencies get their organisation certificates from it on first use) and two agencies of this
portal, each with a văn thư, a leader and a specialist. Import the fixtures into a test module
with ``from tests.documents.exchange_support import *``."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import pytest

from documents import exchange
from documents.models import OutgoingDocument
from portal.accounts.constants import Role
from signatures import agency_keys, pki, services
from tests.factories.accounts import StaffFactory
from tests.factories.agencies import AgencyFactory
from tests.factories.documents import OutgoingDocumentFactory

__all__ = ["province_pki", "world", "World", "deliver_all", "pki_material"]


@functools.cache
def pki_material() -> pki.PKIMaterial:
    return pki.generate(base_url="http://127.0.0.1:9")


@pytest.fixture
def province_pki(db: Any) -> dict:
    agency_keys._cache.clear()
    return services.pki_store(material=pki_material())


@dataclass
class World:
    a: Any
    b: Any
    clerk_a: Any
    leader_a: Any
    clerk_b: Any
    leader_b: Any
    specialist_b: Any
    department_b: Any

    def issued(self, *, to: list[str] | None = None, **kwargs: Any) -> OutgoingDocument:
        """An issued document of A addressed to B (or ``to``)."""
        from documents.services import RecipientSpec, _set_recipients

        document = OutgoingDocumentFactory(
            agency=self.a, created_by=self.clerk_a, issued=True, **kwargs
        )
        _set_recipients(document, [RecipientSpec(code) for code in (to or [self.b.code])])
        return document


@pytest.fixture
def world(province_pki: dict) -> World:
    a = AgencyFactory(code="000.00.12.H18", name="Sở Tư pháp tỉnh Điện Biên", short_name="STP")
    b = AgencyFactory(code="000.00.05.H18", name="Sở Nội vụ tỉnh Điện Biên", short_name="SNV")
    department_b = AgencyFactory(code="000.05.05.H18", name="Phòng Tổ chức biên chế", parent=b)
    return World(
        a=a,
        b=b,
        department_b=department_b,
        clerk_a=StaffFactory(agency=a, full_name="Văn thư Sở Tư pháp", roles=[Role.CLERICAL]),
        leader_a=StaffFactory(
            agency=a, full_name="Giám đốc Sở Tư pháp", position="Giám đốc", roles=[Role.LEADER]
        ),
        clerk_b=StaffFactory(agency=b, full_name="Văn thư Sở Nội vụ", roles=[Role.CLERICAL]),
        leader_b=StaffFactory(agency=b, full_name="Phó Giám đốc Sở Nội vụ", roles=[Role.LEADER]),
        specialist_b=StaffFactory(
            agency=b,
            department=department_b,
            full_name="Chuyên viên Sở Nội vụ",
            roles=[Role.SPECIALIST],
        ),
    )


def deliver_all() -> list[str]:
    """Run what the outbox holds for the exchange, in order, as the worker would (in-process
    delivery between two agencies of this portal). Returns the task names run."""
    from portal.core.models import OutboxMessage, OutboxStatus

    ran = []
    while True:
        batch = list(
            OutboxMessage.objects.filter(
                status=OutboxStatus.PENDING, task_name__startswith="documents.tasks."
            ).order_by("id")
        )
        if not batch:
            return ran
        for message in batch:
            OutboxMessage.objects.filter(pk=message.pk).update(status=OutboxStatus.DISPATCHED)
            if message.task_name.endswith("deliver_document"):
                exchange.deliver_document(**message.kwargs)
            else:
                exchange.deliver_status(**message.kwargs)
            ran.append(message.task_name)
