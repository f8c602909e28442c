"""Dossier codes: format, and unique consecutive codes without gaps under concurrent intake."""

from __future__ import annotations

import re
import threading
from datetime import date

import pytest
from django.db import connection, transaction
from django.utils import timezone

from dossiers import services
from dossiers.codes import format_code, issue_code
from dossiers.models import Dossier, DossierCodeCounter
from portal.accounts.constants import Role
from tests.factories.accounts import StaffFactory
from tests.factories.agencies import AgencyFactory
from tests.factories.dossiers import DossierFactory, ProcedureFactory


def test_format_matches_the_national_example():
    assert format_code("G09.20", date(2026, 6, 9), 92637) == "G09.20-20260609-0092637"


@pytest.mark.django_db
def test_rolled_back_reception_leaves_no_gap():
    agency = AgencyFactory(receiving_code="H18.01")
    day = date(2026, 6, 9)
    with transaction.atomic():
        assert issue_code(agency=agency, day=day) == "H18.01-20260609-0000001"
    with pytest.raises(RuntimeError), transaction.atomic():
        issue_code(agency=agency, day=day)
        raise RuntimeError("reception failed later")
    with transaction.atomic():
        assert issue_code(agency=agency, day=day) == "H18.01-20260609-0000002"


@pytest.mark.django_db(transaction=True)
def test_forty_concurrent_receptions_get_forty_consecutive_codes():
    agency = AgencyFactory(receiving_code="G09.20")
    clerks = [StaffFactory(agency=agency, roles=[Role.CLERK]) for _ in range(8)]
    procedure = ProcedureFactory(agency=agency)
    dossiers = [
        DossierFactory(agency=agency, procedure=procedure, submitted=True) for _ in range(40)
    ]
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def work(index: int) -> None:
        try:
            barrier.wait()
            for dossier in dossiers[index::8]:
                services.dossier_receive(
                    dossier=Dossier.objects.get(pk=dossier.pk), actor=clerks[index]
                )
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    codes = list(Dossier.objects.filter(receiving_agency=agency).values_list("code", flat=True))
    today = timezone.localdate().strftime("%Y%m%d")
    assert all(re.fullmatch(rf"G09\.20-{today}-\d{{7}}", c) for c in codes)
    assert sorted(int(c[-7:]) for c in codes) == list(range(1, 41))
    assert DossierCodeCounter.objects.get(agency=agency).last_value == 40
