"""Staff pages: intake queue and check (receive, supplements, refuse), counter intake with scans,
department queue with bulk assign, the specialist's queue, the leader's approval queue, return."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from dossiers import services
from dossiers.constants import Channel, DossierStatus
from dossiers.models import Dossier
from portal.accounts.constants import Role
from tests.factories.accounts import StaffFactory

from .conftest import pdf


def test_intake_queue_lists_new_dossiers_with_counts_and_search(client, world, working_morning):
    mine = world.submitted()
    client.force_login(world.clerk)
    page = client.get(reverse("dossiers:intake_queue")).content.decode()
    assert f'data-pk="{mine.pk}"' in page and mine.applicant_name in page
    found = client.get(reverse("dossiers:intake_queue"), {"q": "011200004321"}).content.decode()
    assert f'data-pk="{mine.pk}"' in found
    none = client.get(reverse("dossiers:intake_queue"), {"q": "khong-ai"}).content.decode()
    assert f'data-pk="{mine.pk}"' not in none
    client.force_login(world.other_clerk)
    assert (
        f'data-pk="{mine.pk}"' not in client.get(reverse("dossiers:intake_queue")).content.decode()
    )


def test_clerk_receives_and_the_code_is_shown(client, world, working_morning):
    dossier = world.submitted()
    client.force_login(world.clerk)
    detail = client.get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()
    assert 'id="do-receive"' in detail and 'id="do-refuse"' in detail
    response = client.post(
        reverse("dossiers:act", args=[dossier.pk, "receive"]), {"receive-comment": ""}
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.RECEIVED and dossier.code.startswith("G09.20-")
    assert dossier.code in client.get(response.url).content.decode()


def test_request_supplements_and_refuse_need_their_reasons(client, world, working_morning):
    dossier = world.submitted()
    client.force_login(world.clerk)
    empty = client.post(reverse("dossiers:act", args=[dossier.pk, "refuse"]), {"refuse-reason": ""})
    assert empty.status_code == 400
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.NEW
    client.post(
        reverse("dossiers:act", args=[dossier.pk, "request_supplement"]),
        {
            "request_supplement-items": "Giấy tờ tùy thân | bản sao mờ\nTờ khai | thiếu chữ ký",
            "request_supplement-reason": "Hồ sơ chưa đủ",
        },
    )
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.SUPPLEMENT_REQUESTED
    assert [i["document"] for i in dossier.supplement_requests.get().items] == [
        "Giấy tờ tùy thân",
        "Tờ khai",
    ]


def test_a_wrong_role_gets_403_and_nothing_changes(client, world, working_morning):
    dossier = world.submitted()
    client.force_login(world.specialist)  # same agency, not a clerk
    assert client.post(reverse("dossiers:act", args=[dossier.pk, "receive"]), {}).status_code == 403
    assert (
        client.post(
            reverse("dossiers:act", args=[dossier.pk, "refuse"]), {"refuse-reason": ""}
        ).status_code
        == 403
    )
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.NEW


def test_counter_intake_with_digitised_scans(client, world, working_morning):
    client.force_login(world.clerk)
    doc_id = world.procedure.versions.get().snapshot["documents"][0]["id"]
    response = client.post(
        reverse("dossiers:counter_new"),
        {
            "procedure_code": world.procedure.code,
            "channel": Channel.POSTAL,
            "applicant_name": "Quàng Văn Tươi",
            "applicant_citizen_id": "011299998888",
            "applicant_phone": "0987654321",
            f"scan_{doc_id}": pdf("scan-1.pdf"),
            "scans": pdf("scan-2.pdf"),
        },
    )
    dossier = Dossier.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "dossiers:detail", args=[dossier.pk]
    )
    assert dossier.channel == Channel.POSTAL and dossier.status == DossierStatus.NEW
    assert dossier.files.filter(is_digitised=True).count() == 2
    bad = client.post(
        reverse("dossiers:counter_new"),
        {"procedure_code": "9.999999", "channel": 1, "applicant_name": "A"},
    )
    assert bad.status_code == 200 and Dossier.objects.count() == 1
    assert "Hãy chọn thủ tục trước" in bad.content.decode()


def test_department_queue_bulk_assign_and_highlights(client, world, working_morning):
    a = services.dossier_assign(
        dossier=world.received(), actor=world.clerk, department=world.division
    )
    b = services.dossier_assign(
        dossier=world.received(), actor=world.clerk, department=world.division
    )
    Dossier.objects.filter(pk=b.pk).update(due_at=timezone.now() - timedelta(hours=1))
    client.force_login(world.leader)
    page = " ".join(client.get(reverse("dossiers:department_queue")).content.decode().split())
    assert f'class="row-overdue" data-pk="{b.pk}"' in page
    assert 'id="bulk-assign"' in page
    response = client.post(
        reverse("dossiers:department_queue"),
        {"dossier": [a.pk, b.pk], "assignee": world.specialist.pk},
    )
    assert response.status_code == 302
    assert set(
        Dossier.objects.filter(assigned_to=world.specialist).values_list("pk", flat=True)
    ) == {a.pk, b.pk}
    client.force_login(world.specialist)
    mine = client.get(reverse("dossiers:my_queue")).content.decode()
    assert f'data-pk="{a.pk}"' in mine and f'data-pk="{b.pk}"' in mine


def test_a_leader_without_agency_gets_an_empty_department_queue(client, db):
    """A leader's account not yet attached to an agency or department (the admin creates the
    account first): the department queue and its bulk assignment answer, with nothing to assign,
    instead of failing on the missing unit (found by mypy: the unit may be None)."""
    leader = StaffFactory(agency=None, roles=[Role.LEADER])
    client.force_login(leader)
    page = client.get(reverse("dossiers:department_queue"))
    assert page.status_code == 200
    assert 'id="bulk-assign"' not in page.content.decode()
    response = client.post(reverse("dossiers:department_queue"), {"assignee": leader.pk})
    assert response.status_code == 302
    assert response["Location"] == reverse("dossiers:department_queue")


def test_forward_approve_and_return_through_the_pages(client, world, working_morning):
    dossier = world.examining()
    client.force_login(world.specialist)
    client.post(
        reverse("dossiers:act", args=[dossier.pk, "forward"]),
        {"forward-leader": world.leader.pk, "forward-comment": "Đủ điều kiện"},
    )
    client.force_login(world.leader)
    assert (
        f'data-pk="{dossier.pk}"' in client.get(reverse("dossiers:approval_queue")).content.decode()
    )
    client.post(
        reverse("dossiers:act", args=[dossier.pk, "approve"]), {"approve-comment": "Đồng ý"}
    )
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.PROCESSED
    client.force_login(world.clerk)
    client.post(
        reverse("dossiers:act", args=[dossier.pk, "return_result"]),
        {"return_result-delivery": "counter"},
    )
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.RETURNED
    history = client.get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()
    assert "Đủ điều kiện" in history and "Đồng ý" in history


def test_citizen_cannot_open_staff_queues(client, world):
    client.force_login(world.citizen)
    for name in ("intake_queue", "department_queue", "my_queue", "approval_queue", "counter_new"):
        assert client.get(reverse(f"dossiers:{name}")).status_code == 403, name


def test_worklist_queries_do_not_grow_with_rows(
    client, world, working_morning, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    world.submitted()
    client.force_login(world.clerk)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("dossiers:intake_queue"))
    for _ in range(4):
        world.submitted()
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(reverse("dossiers:intake_queue"))
    assert page.content.decode().count("data-pk=") == 5
