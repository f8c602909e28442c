"""Who looked at my data: a staff member opening a citizen's dossier, its files or his verified
identity data is recorded (Nghị định 13/2023/NĐ-CP Điều 9, 27); the citizen sees it on his
profile; an access with no dossier behind it is flagged for the province's administrator."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portal.accounts.access_log import flagged_accesses
from portal.accounts.constants import Role
from portal.accounts.models import DataAccess, DataAccessKind
from tests.factories.accounts import StaffFactory


@pytest.fixture
def admin_user(world):
    return StaffFactory(agency=world.agency, roles=[Role.ADMIN], is_staff=True, is_superuser=True)


def test_clerk_opening_a_dossier_and_a_file_is_recorded_and_shown_to_the_citizen(
    client, world, working_morning
):
    dossier = world.submitted()
    client.force_login(world.clerk)
    assert client.get(reverse("dossiers:detail", args=[dossier.pk])).status_code == 200
    f = dossier.files.first()
    assert client.get(reverse("dossiers:file_download", args=[dossier.pk, f.pk])).status_code == 200
    rows = list(DataAccess.objects.order_by("id"))
    reason = dossier.code or f"#{dossier.pk}"  # the code is issued at reception
    assert [(r.kind, r.staff, r.citizen, r.dossier_code, r.flagged) for r in rows] == [
        (DataAccessKind.DOSSIER, world.clerk, world.citizen, reason, False),
        (DataAccessKind.FILE, world.clerk, world.citizen, reason, False),
    ]
    client.force_login(world.citizen)
    page = client.get(reverse("accounts:profile")).content.decode()
    log = page.split('id="data-access-log"')[1].split("</table>")[0]
    assert world.clerk.full_name in log and reason in log and world.agency.name in log


def test_the_citizen_opening_his_own_dossier_is_not_recorded(client, world, working_morning):
    dossier = world.submitted()
    client.force_login(world.citizen)
    client.get(reverse("dossiers:detail", args=[dossier.pk]))
    assert not DataAccess.objects.exists()


def test_another_agency_cannot_open_it_and_nothing_is_recorded(client, world, working_morning):
    dossier = world.submitted()
    client.force_login(world.other_clerk)
    assert client.get(reverse("dossiers:detail", args=[dossier.pk])).status_code == 404
    assert not DataAccess.objects.exists()


def test_identity_data_opened_without_a_dossier_is_flagged(client, world, admin_user):
    client.force_login(admin_user)
    assert (
        client.get(reverse("admin:accounts_user_change", args=[world.citizen.pk])).status_code
        == 200
    )
    row = DataAccess.objects.get()
    assert row.kind == DataAccessKind.IDENTITY and row.flagged and row.dossier_id is None
    assert list(flagged_accesses(admin_user)) == [row]
    assert list(flagged_accesses(world.clerk)) == []  # only the administrators review them
    listing = client.get(
        reverse("admin:accounts_dataaccess_changelist") + "?flagged__exact=1"
    ).content.decode()
    assert world.citizen.full_name in listing
    client.force_login(world.citizen)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert "table-warning" in page.split('id="data-access-log"')[1]


def test_a_staff_account_opened_in_the_admin_is_not_a_citizen_access(client, world, admin_user):
    client.force_login(admin_user)
    client.get(reverse("admin:accounts_user_change", args=[world.clerk.pk]))
    assert not DataAccess.objects.exists()


def test_a_clerk_reading_a_dossier_through_the_api_is_recorded_and_shown_to_the_citizen(
    world, working_morning, client
):
    """Issue 18: the REST API did not log staff accesses; GET /api/v1/dossiers/{id}/ (the
    applicant's identity data, the files' list) is now the same access as the page."""
    from rest_framework.test import APIClient

    dossier = world.submitted()
    api = APIClient()
    api.force_authenticate(world.clerk)
    assert api.get(f"/api/v1/dossiers/{dossier.pk}/").status_code == 200
    row = DataAccess.objects.get()
    reason = dossier.code or f"#{dossier.pk}"
    assert (row.kind, row.staff, row.citizen, row.dossier_id, row.dossier_code, row.flagged) == (
        DataAccessKind.DOSSIER,
        world.clerk,
        world.citizen,
        dossier.pk,
        reason,
        False,
    )
    # the list, another agency's clerk (404) and the citizen himself record nothing
    assert api.get("/api/v1/dossiers/").status_code == 200
    api.force_authenticate(world.other_clerk)
    assert api.get(f"/api/v1/dossiers/{dossier.pk}/").status_code == 404
    api.force_authenticate(world.citizen)
    assert api.get(f"/api/v1/dossiers/{dossier.pk}/").status_code == 200
    assert DataAccess.objects.count() == 1

    client.force_login(world.citizen)
    page = client.get(reverse("accounts:profile")).content.decode()
    log = page.split('id="data-access-log"')[1].split("</table>")[0]
    assert world.clerk.full_name in log and reason in log


def test_a_flagged_access_is_e_mailed_to_the_other_administrators_once(
    client, world, admin_user, mailoutbox
):
    """Issue 18: "an access without a dossier of theirs behind it is flagged to the province's
    administrator" — it was only a column. Now each flag is one message (at once: flags are rare
    and each is a question to the official) to every other administrator, through the outbox and
    the notifications channel (Nghị định 13/2023/NĐ-CP Điều 27: the processing log is reviewed)."""
    from portal.accounts.tasks import data_access_flagged
    from portal.core.models import OutboxMessage

    reviewer = StaffFactory(
        agency=world.agency, roles=[Role.ADMIN], full_name="Cầm Thị Duyên", language="vi"
    )
    StaffFactory(agency=world.agency, roles=[Role.CLERK])  # a clerk is not told
    client.force_login(admin_user)
    assert (
        client.get(reverse("admin:accounts_user_change", args=[world.citizen.pk])).status_code
        == 200
    )
    row = DataAccess.objects.get()
    message = OutboxMessage.objects.get(task_name="portal.accounts.tasks.data_access_flagged")
    assert message.kwargs == {"access_id": row.pk}

    mailoutbox.clear()
    assert data_access_flagged(**message.kwargs) == 1  # what the worker runs
    assert data_access_flagged(**message.kwargs) == 0  # delivered twice: nothing new
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == [reviewer.email]
    assert world.citizen.full_name in mail.body and admin_user.full_name in mail.subject
    assert f"/admin/accounts/dataaccess/{row.pk}/change/" in mail.body
    assert "Truy cập" in mail.subject or "truy cập" in mail.subject  # the reviewer's language


def test_an_access_with_a_dossier_behind_it_tells_nobody(client, world, working_morning):
    from portal.core.models import OutboxMessage

    StaffFactory(agency=world.agency, roles=[Role.ADMIN])
    dossier = world.submitted()
    client.force_login(world.clerk)
    client.get(reverse("dossiers:detail", args=[dossier.pk]))
    assert DataAccess.objects.get().flagged is False
    assert not OutboxMessage.objects.filter(task_name__startswith="portal.accounts.tasks").exists()
