"""The workflow table drives the dossier services (issue 12): every action has a row, an effect or
none, a page route, an API route and both notification templates; changing a row's to-status
changes what the service does; an internal history row stays out of the applicant's history; a
refusal's message comes in the reader's language with a stable code."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from rest_framework.test import APIClient

from dossiers import inputs, services, workflow
from dossiers.constants import Action, DossierStatus, Stage, Visibility
from dossiers.exceptions import PermissionDenied, TransitionNotAllowed
from dossiers.models import Dossier
from dossiers.views import PAGE_ACTIONS

pytestmark = pytest.mark.django_db

#: The pages of the actions that are not on the dossier page's action list.
OWN_PAGES = {
    Action.SUBMIT: ("dossiers:submit", {"code": "x"}),
    Action.SIGN_APPROVE: ("dossiers:sign_approve", {"pk": 1}),
    Action.ATTACH_DRAFT: ("dossiers:draft_result", {"pk": 1}),
    Action.ISSUE_RESULT: ("dossiers:issue_result", {"pk": 1}),
    Action.CREATE_AT_COUNTER: ("dossiers:counter_new", {}),
}


@pytest.mark.parametrize("action", [a.value for a in Action])
def test_every_action_has_a_row_a_page_an_api_route_and_templates(action):
    if action in workflow.CREATION_ACTIONS:
        assert not workflow.DOSSIER.rows_of(action)  # creates a dossier: nothing to move from
    else:
        rows = workflow.DOSSIER.rows_of(action)
        assert rows, f"{action} has no row in the workflow table"
        for r in rows:
            assert r.effect is None or callable(r.effect)
            assert r.input in inputs.INPUTS
            assert r.visibility in Visibility.values
        # the one endpoint shape, and the per-action route generated from the table
        assert reverse("dossiers-api-action", args=[1, action]).endswith(
            f"/dossiers/1/actions/{action}/"
        )
        names = [
            p.name for p in __import__("dossiers.api.urls", fromlist=["urlpatterns"]).urlpatterns
        ]
        assert any(n and n.startswith("dossiers-api-") for n in names)
        from dossiers.api.views import ACTIONS, DossierViewSet

        assert action in ACTIONS and callable(getattr(DossierViewSet, f"action_{action}"))
        for r in rows:
            if r.notify:
                for lang in ("vi", "en"):
                    with translation.override(lang):
                        subject = render_to_string(
                            f"notifications/{r.notify}.subject.txt", {"code": "X"}
                        )
                        assert subject.strip()
                with translation.override("vi"):
                    vi = render_to_string(f"notifications/{r.notify}.subject.txt", {"code": "X"})
                with translation.override("en"):
                    en = render_to_string(f"notifications/{r.notify}.subject.txt", {"code": "X"})
                assert vi != en, f"{r.notify}: the subject is not translated"
    if action in PAGE_ACTIONS:
        assert reverse("dossiers:act", args=[1, action])
    else:
        name, kwargs = OWN_PAGES[action]
        try:
            assert reverse(name, kwargs=kwargs)
        except NoReverseMatch:  # pragma: no cover - the failure message names the action
            pytest.fail(f"{action} has no page route")


def test_the_table_is_the_source_of_the_target_status(world, working_morning, monkeypatch):
    """Change RECEIVE's to-status and stage in the table: the service follows the table."""
    monkeypatch.setattr(workflow.DOSSIER, "rows", workflow.DOSSIER.rows)
    workflow.DOSSIER.replace(
        Action.RECEIVE, to_status=DossierStatus.IN_PROGRESS, to_stage=Stage.EXAMINATION
    )
    dossier = services.dossier_receive(dossier=world.submitted(), actor=world.clerk)
    fresh = Dossier.objects.get(pk=dossier.pk)
    assert (fresh.status, fresh.stage) == (DossierStatus.IN_PROGRESS, Stage.EXAMINATION)
    assert fresh.events.order_by("-seq").first().to_status == DossierStatus.IN_PROGRESS


def test_the_table_is_the_source_of_the_notification_and_form(world, working_morning, monkeypatch):
    monkeypatch.setattr(workflow.DOSSIER, "rows", workflow.DOSSIER.rows)
    workflow.DOSSIER.replace(Action.RECEIVE, printed_form=None, notify=None)
    from portal.core.models import OutboxMessage

    dossier = services.dossier_receive(dossier=world.submitted(), actor=world.clerk)
    assert not dossier.printed_forms.exists()
    assert not OutboxMessage.objects.filter(
        task_name=workflow.NOTIFY_TASK, kwargs__dossier_id=dossier.pk, kwargs__event="received"
    ).exists()


def test_send_back_note_is_internal(world, working_morning):
    dossier = world.awaiting_approval()
    services.dossier_send_back(
        dossier=dossier, actor=world.leader, reason="Ghi chú nội bộ cho chuyên viên"
    )
    row = dossier.events.get(action=Action.SEND_BACK)
    assert row.visibility == Visibility.INTERNAL
    # the applicant's page and API do not show it; staff see it
    from django.test import Client

    citizen = Client()
    citizen.force_login(world.citizen)
    assert (
        "Ghi chú nội bộ"
        not in citizen.get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()
    )
    api = APIClient()
    api.force_authenticate(world.citizen)
    events = api.get(reverse("dossiers-api-detail", args=[dossier.pk])).json()["events"]
    assert Action.SEND_BACK not in [e["action"] for e in events] and Action.FORWARD in [
        e["action"] for e in events
    ]
    staff = Client()
    staff.force_login(world.leader)
    assert (
        "Ghi chú nội bộ"
        in staff.get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()
    )
    from dossiers.history import verify_dossier

    assert verify_dossier(Dossier.objects.get(pk=dossier.pk)) is None  # the field is in the hash


def test_refusals_speak_the_readers_language(world, working_morning):
    dossier = world.received()
    with translation.override("vi"), pytest.raises(TransitionNotAllowed) as vi:
        services.dossier_receive(dossier=dossier, actor=world.clerk)
    with translation.override("en"), pytest.raises(TransitionNotAllowed) as en:
        services.dossier_receive(dossier=dossier, actor=world.clerk)
    assert vi.value.message == "Không thể «Tiếp nhận» khi hồ sơ ở trạng thái «Được tiếp nhận»."
    assert en.value.message == "“Receive” is not possible while the dossier is “Received”."
    assert vi.value.code == en.value.code == "transition_not_allowed"
    with translation.override("en"), pytest.raises(PermissionDenied) as denied:
        services.dossier_assign(dossier=dossier, actor=world.citizen, department=world.division)
    assert denied.value.message == "You are not allowed to “Assign” on this dossier."


@pytest.mark.parametrize(
    ("lang", "detail"),
    [
        ("vi", "Không thể «Phê duyệt» khi hồ sơ ở trạng thái «Được tiếp nhận»."),
        ("en", "“Approve” is not possible while the dossier is “Received”."),
    ],
)
def test_api_error_in_the_requests_language_with_a_code(world, working_morning, lang, detail):
    dossier = world.received()
    api = APIClient()
    api.force_authenticate(world.leader)
    response = api.post(
        reverse("dossiers-api-action", args=[dossier.pk, "approve"]),
        {},
        format="json",
        HTTP_ACCEPT_LANGUAGE=lang,
    )
    assert response.status_code == 400
    assert response.json() == {"detail": detail, "code": "transition_not_allowed"}


def test_generic_endpoint_runs_the_actions_the_api_lacked(world, working_morning):
    """Send back, request payment, confirm payment, apologise: now on the API."""
    api = APIClient()
    dossier = world.awaiting_approval()
    api.force_authenticate(world.leader)
    r = api.post(
        reverse("dossiers-api-action", args=[dossier.pk, "send_back"]),
        {"reason": "Sửa lại"},
        format="json",
    )
    assert r.status_code == 200 and r.json()["stage"] == Stage.EXAMINATION
    received = world.received()
    api.force_authenticate(world.clerk)
    r = api.post(
        reverse("dossiers-api-request-payment", args=[received.pk]),
        {"amount": "50000"},
        format="json",
    )
    assert r.status_code == 200 and r.json()["status"] == DossierStatus.FINANCIAL_OBLIGATION
    r = api.post(
        reverse("dossiers-api-confirm-payment", args=[received.pk]),
        {"amount": "50000"},
        format="json",
    )
    assert r.status_code == 200 and r.json()["status"] == DossierStatus.RECEIVED
    assert (
        api.post(
            reverse("dossiers-api-action", args=[received.pk, "no_such_action"]), {}, format="json"
        ).status_code
        == 404
    )


def test_the_two_access_rules_are_one(world):
    """``user_can_act_for`` (documents) is department-aware like the dossier scopes."""
    from portal.accounts.selectors import user_can_act_for

    assert world.specialist.department_id is not None
    assert user_can_act_for(world.specialist, world.division, "specialist")
    assert not user_can_act_for(
        world.specialist, world.agency, "specialist"
    )  # outside his department
    assert user_can_act_for(
        world.specialist, world.agency, "specialist", agency_wide=True
    )  # the agency's own business
    assert workflow.acts_in_unit(world.specialist, world.division, "specialist")
