"""Nightly reconciliation against TraCuuHoSo, the sync page with its resend button, the 766
"progress synced" share, and the national catalogue (pull, differences, accept) — issue 17."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dossiers.models import DossierEvent
from national.dvcqg import catalogue, reconcile, selectors, services
from national.dvcqg.models import DossierSync, NationalProcedure
from portal.accounts.constants import Role
from tests.factories.accounts import StaffFactory

pytestmark = pytest.mark.django_db


def _sync(dossier):
    for event in DossierEvent.objects.filter(dossier=dossier).order_by("seq"):
        services.record_change(dossier_id=dossier.pk, event_id=event.pk)
    return services.flush_dossier(dossier_id=dossier.pk)


def test_reconciliation_finds_lost_records_and_resends_them(world, dvcqg):
    returned, received = world.returned(), world.received()
    _sync(returned), _sync(received)
    assert reconcile.reconcile_all() == {"checked": 2, "different": 0}
    dvcqg.call("POST", "/_sim/reset")  # DVCQG lost everything (and our session)
    assert reconcile.reconcile_all() == {"checked": 2, "different": 2}
    sync = DossierSync.objects.get(pk=received.pk)
    assert sync.reconcile_difference == "DVCQG không có hồ sơ này" and sync.acked_seq == 0
    assert selectors.sync_summary()["differences"] == 2
    for d in (returned, received):
        assert services.flush_dossier(dossier_id=d.pk).outcome == "sent"
    assert reconcile.reconcile_all() == {"checked": 2, "different": 0}
    state = dvcqg.state()
    assert (
        len(state["dossiers"][returned.code]["progress"]) == 6
        and state["dossiers"][returned.code]["TrangThaiHoSo"] == "10"
    )
    assert state["duplicates"] == 0


def test_sync_page_resend_and_access(world, dvcqg, client):
    dossier = world.received()
    _sync(dossier)
    admin = StaffFactory(agency=world.agency, roles=[Role.ADMIN])
    client.force_login(world.clerk)
    assert client.get(reverse("dvcqg:sync")).status_code == 403
    assert client.post(reverse("dvcqg:resend", args=[dossier.pk])).status_code == 403
    client.logout()
    assert client.get(reverse("dvcqg:sync")).status_code == 302  # to the login page
    client.force_login(admin)
    page = client.get(reverse("dvcqg:sync"))
    assert page.status_code == 200 and dossier.code in page.content.decode()
    assert client.post(reverse("dvcqg:resend", args=[dossier.pk]), {"full": "1"}).status_code == 302
    assert DossierSync.objects.get(pk=dossier.pk).acked_seq == 0
    assert client.post(reverse("dvcqg:resend", args=[999999])).status_code == 404
    assert services.flush_dossier(dossier_id=dossier.pk).outcome == "sent"
    assert len(dvcqg.state()["dossiers"][dossier.code]["progress"]) == 2  # resent, not doubled


def test_progress_synced_share_for_the_766_index(world, dvcqg):
    synced, waiting = world.received(), world.received()
    _sync(synced)
    services.record_change(dossier_id=waiting.pk, event_id=waiting.events.first().pk)
    today = timezone.localdate()
    share = selectors.sync_progress_share(world.agency, (today - timedelta(days=1), today))
    assert share == {"total": 2, "synced": 1, "share": 0.5}
    assert selectors.sync_progress_share(world.other_agency, (today, today)) == {
        "total": 0,
        "synced": 0,
        "share": 0.0,
    }


def test_catalogue_pull_differences_and_accept(world, dvcqg, client):
    local = world.procedure
    dvcqg.call(
        "POST",
        "/_sim/catalogue",
        {
            "procedures": [
                {
                    "MATTHC": local.code,
                    "TENTTHC": "Tên mới theo Cổng quốc gia",
                    "MALINHVUC": local.sector.code,
                    "TENLINHVUC": local.sector.name,
                    "MUCDO": "3",
                },
                {
                    "MATTHC": "2.002222",
                    "TENTTHC": "Thủ tục tỉnh chưa có",
                    "MALINHVUC": "X",
                    "TENLINHVUC": "Khác",
                },
            ]
        },
    )
    dvcqg.call(
        "POST",
        "/_sim/catalogue",
        {
            "agencies": [
                {"MADONVI": world.agency.code, "TENDONVI": world.agency.name, "CAPDONVI": "2"},
                {
                    "MADONVI": world.other_agency.code,
                    "TENDONVI": "Sở Xây dựng tỉnh Điện Biên",
                    "CAPDONVI": "2",
                },
                {"MADONVI": "000.00.99.H18", "TENDONVI": "Sở chưa có ở tỉnh", "CAPDONVI": "2"},
            ],
            "sectors": [
                {"MALINHVUC": local.sector.code, "TENLINHVUC": local.sector.name},
                {"MALINHVUC": "ZZ", "TENLINHVUC": "Lĩnh vực mới"},
            ],
        },
    )
    assert catalogue.pull_catalogue() == 2
    units = {(e.kind, e.code): problems for e, problems in catalogue.unit_differences()}
    assert units == {
        ("agency", world.agency.code): [],
        ("agency", world.other_agency.code): [
            f"Tên: «{world.other_agency.name}» → «Sở Xây dựng tỉnh Điện Biên»"
        ],
        ("agency", "000.00.99.H18"): ["Chưa có trong danh mục của tỉnh"],
        ("sector", local.sector.code): [],
        ("sector", "ZZ"): ["Chưa có trong danh mục của tỉnh"],
    }
    assert (
        dvcqg.state()["calls"]["LayDanhMucCoQuan"]
        == dvcqg.state()["calls"]["LayDanhMucLinhVuc"]
        == 1
    )
    rows = {d.entry.code: d.problems for d in catalogue.differences()}
    assert rows["2.002222"] == ["Chưa có trong danh mục của tỉnh"]
    assert rows[local.code] == [
        f"Tên: «{local.name}» → «Tên mới theo Cổng quốc gia»",
        "Mức độ: 4 → 3",
    ]
    admin = StaffFactory(agency=world.agency, roles=[Role.ADMIN])
    client.force_login(admin)
    page = client.get(reverse("dvcqg:catalogue")).content.decode()
    assert (
        "Tên mới theo Cổng quốc gia" in page
        and "Sở chưa có ở tỉnh" in page
        and "Lĩnh vực mới" in page
    )
    client.post(reverse("dvcqg:catalogue_accept", args=[local.code]))
    local.refresh_from_db()
    assert (local.name, local.level) == ("Tên mới theo Cổng quốc gia", 3)
    assert {d.entry.code: d.problems for d in catalogue.differences()}[local.code] == []
    with pytest.raises(catalogue.CatalogueError):
        catalogue.accept(code="2.002222", actor=admin)
    assert NationalProcedure.objects.get(code=local.code).accepted_at is not None


def test_reroute_to_a_ministry_version_keeps_the_deadline(world):
    from national.dvcqg.routing import RoutingError, processing_place, reroute
    from procedures.services import procedure_publish

    dossier = world.received()
    due, start = dossier.due_at, dossier.counting_start
    assert processing_place(dossier) == ("local", "")
    version = procedure_publish(procedure=world.procedure)
    version.processed_in, version.processing_system = "ministry", "Hệ thống của Bộ Công an"
    version.save()
    events = dossier.events.count()
    moved = reroute(dossier=dossier, version=version, actor=world.clerk)
    assert processing_place(moved) == ("ministry", "Hệ thống của Bộ Công an")
    assert (moved.due_at, moved.counting_start, moved.code, moved.status) == (
        due,
        start,
        dossier.code,
        dossier.status,
    )
    # the hand-over is in the history (and so goes to DVCQG as a step); the status does not change
    row = moved.events.order_by("-seq").first()
    assert moved.events.count() == events + 1
    assert (row.action, row.from_status, row.to_status, row.actor) == (
        "transfer",
        dossier.status,
        dossier.status,
        world.clerk,
    )
    assert row.data["reroute"] == {
        "from_version": dossier.procedure_version.version,
        "to_version": version.version,
        "processed_in": "ministry",
        "processing_system": "Hệ thống của Bộ Công an",
    }
    assert "Hệ thống của Bộ Công an" in row.comment
    assert (
        reroute(dossier=moved, version=version).events.count() == events + 1
    )  # the same version again: nothing
    other = (
        world.other_agency
        and __import__("tests.factories.dossiers", fromlist=["ProcedureFactory"]).ProcedureFactory()
    )
    with pytest.raises(RoutingError):
        reroute(dossier=moved, version=other.versions.first())
