"""manage.py generate_province: a small run is consistent and the command refuses real data."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F, Q

from dashboards.models import DossierFact
from dossiers.constants import CLOSED_STATUSES, DossierStatus
from dossiers.history import verify_dossier
from dossiers.models import Dossier, DossierEvent, SupplementRequest
from tests.factories.dossiers import DossierFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_refuses_a_database_with_real_dossiers():
    DossierFactory(received=True)
    with pytest.raises(CommandError, match="hồ sơ thật"):  # the portal speaks Vietnamese first
        call_command("generate_province", dossiers=10, years=1, agencies=5, procedures=5)
    assert Dossier.objects.count() == 1


def test_a_small_province_is_consistent(capsys):
    call_command("generate_province", dossiers=3000, years=2, agencies=20, procedures=30, seed=5)
    assert "100.0%" in capsys.readouterr().err  # the progress bar
    qs = Dossier.objects.all()
    n = qs.count()
    assert n == 3000 == DossierFact.objects.count()
    online = qs.filter(channel=2).count() / n
    assert 0.3 < online < 0.8
    refused = qs.filter(status=DossierStatus.NOT_RECEIVED)
    assert 0 < refused.count() < 0.03 * n and not refused.filter(received_at__isnull=False).exists()
    assert not qs.filter(
        status__in=[DossierStatus.PROCESSED, DossierStatus.RETURNED], finished_at__isnull=True
    ).exists()
    assert not qs.filter(finished_at__lt=F("received_at")).exists()
    assert not qs.filter(returned_at__lt=F("finished_at")).exists()
    assert not qs.filter(Q(status=DossierStatus.RETURNED) & Q(returned_at__isnull=True)).exists()
    assert (
        not qs.filter(finished_at__isnull=False)
        .exclude(timeliness__in=["early", "on_time", "late"])
        .exists()
    )
    late = qs.filter(timeliness="late").count() / qs.filter(finished_at__isnull=False).count()
    assert 0.02 < late < 0.15
    with_supplements = SupplementRequest.objects.values("dossier").distinct().count() / n
    assert 0.03 < with_supplements < 0.12
    assert not qs.filter(rating__gt="").exclude(status=DossierStatus.RETURNED).exists()
    # open dossiers are recent; closed ones carry the history row that closed them, a valid chain
    assert (
        not qs.filter(status__in=CLOSED_STATUSES - {DossierStatus.RETURNED})
        .exclude(events__to_status=F("status"))
        .exists()
    )
    for d in qs.filter(status__in=[DossierStatus.WITHDRAWN, DossierStatus.STOPPED])[:20]:
        assert verify_dossier(d) is None
    assert DossierEvent.objects.count() >= refused.count()
    # a second run goes on with the code sequences
    call_command("generate_province", dossiers=500, years=1, agencies=20, procedures=30, seed=5)
    assert Dossier.objects.count() == 3500 == DossierFact.objects.count()
