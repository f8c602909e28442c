"""Outgoing and incoming documents on the portal's workflow engine (issue 12): "submitted for
signature" is a real state, the pages' buttons come from the tables, the one access rule is
department-aware, and a refusal speaks the reader's language with a stable code."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import translation

from documents import services, ui_services, workflow
from documents.constants import EventAction, IncomingState, OutgoingState
from documents.exceptions import DocumentError, PermissionDenied
from documents.models import DocumentEvent, OutgoingDocument
from documents.views import INCOMING_LABELS, OUTGOING_FORMS
from portal.accounts.constants import Role
from portal.agencies.constants import AgencyLevel
from tests.factories.accounts import StaffFactory
from tests.factories.agencies import AgencyFactory

from .pages_support import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(db):
    return make_world()


def test_every_row_has_a_page_form():
    assert set(workflow.OUTGOING.actions()) == set(OUTGOING_FORMS)
    assert set(workflow.INCOMING.actions()) == set(INCOMING_LABELS)


def test_submitted_for_signature_is_a_state(w):
    draft = w.draft()
    submitted = ui_services.outgoing_submit_for_signature(
        document=draft, actor=w.specialist, comment="Kính trình"
    )
    assert (
        OutgoingDocument.objects.get(pk=draft.pk).state
        == OutgoingState.SUBMITTED
        == submitted.state
    )
    assert list(ui_services.to_sign(w.leader)) == [submitted]
    assert (
        DocumentEvent.objects.filter(
            outgoing=draft, action=EventAction.SUBMIT, comment="Kính trình"
        ).count()
        == 1
    )
    assert workflow.OUTGOING.allowed(submitted, w.leader) == ["send_back", "sign", "attach"]
    assert workflow.OUTGOING.allowed(submitted, w.specialist) == ["attach"]  # no second submission
    back = ui_services.outgoing_return_draft(
        document=submitted, actor=w.leader, reason="Sửa trích yếu"
    )
    assert back.state == OutgoingState.DRAFT and not list(ui_services.to_sign(w.leader))
    with translation.override("en"), pytest.raises(DocumentError) as refused:
        ui_services.outgoing_return_draft(document=back, actor=w.leader, reason="Lần nữa")
    assert (
        refused.value.code == "transition_not_allowed"
        and refused.value.message == "Only a draft submitted for signature can be sent back."
    )
    with translation.override("vi"), pytest.raises(DocumentError) as refused_vi:
        ui_services.outgoing_return_draft(document=back, actor=w.leader, reason="Lần nữa")
    assert refused_vi.value.message == "Chỉ trả lại được dự thảo đang trình ký."
    with translation.override("en"), pytest.raises(DocumentError) as not_yet:
        services.outgoing_issue(document=back, actor=w.clerical)
    assert (
        not_yet.value.message
        == "“Issue (give the number)” is not possible while the document is “Draft”."
    )


def test_the_page_shows_the_tables_buttons(client, w):
    document = w.draft(submitted=True)
    client.force_login(w.leader)
    page = client.get(reverse("documents:outgoing_detail", args=[document.pk])).content.decode()
    assert 'id="do-sign"' in page and 'id="do-send_back"' in page and 'id="do-submit"' not in page


def test_a_wrong_role_is_refused_before_the_state(w):
    incoming = w.arrived()
    with pytest.raises(PermissionDenied):
        services.incoming_assign(document=incoming, actor=w.specialist, department=w.department)
    with pytest.raises(DocumentError):  # the leader may assign, but not before registration
        services.incoming_assign(document=incoming, actor=w.leader, department=w.department)


def test_the_data_migration_turns_the_marker_into_the_state(w):
    """Rows written before the state: a draft whose latest mark is a submission becomes
    "submitted"; one sent back after its submission stays a draft."""
    from importlib import import_module

    migration = import_module("documents.migrations.0004_outgoing_submitted_state")
    kept, marked = w.draft(subject="Đã trả lại"), w.draft(subject="Đang trình ký")
    DocumentEvent.objects.create(outgoing=kept, action="edit", data={migration.SUBMIT_MARK: True})
    DocumentEvent.objects.create(outgoing=kept, action="edit", data={migration.RETURN_MARK: True})
    DocumentEvent.objects.create(outgoing=marked, action="edit", data={migration.SUBMIT_MARK: True})
    migration.marks_to_state(apps, None)
    assert OutgoingDocument.objects.get(pk=marked.pk).state == OutgoingState.SUBMITTED
    assert OutgoingDocument.objects.get(pk=kept.pk).state == OutgoingState.DRAFT


def test_a_specialist_of_another_department_cannot_process(w):
    """One access rule: the assigned department's specialists, not another department's."""
    other_department = AgencyFactory(
        name="Phòng Bổ trợ tư pháp", parent=w.agency, level=AgencyLevel.DIVISION
    )
    outsider = StaffFactory(agency=w.agency, department=other_department, roles=[Role.SPECIALIST])
    document = services.incoming_assign(
        document=w.registered(), actor=w.leader, department=w.department
    )
    colleague = StaffFactory(agency=w.agency, department=w.department, roles=[Role.SPECIALIST])
    assert workflow.INCOMING.allowed(document, outsider) == []
    with pytest.raises(PermissionDenied):
        services.incoming_start(document=document, actor=outsider)
    assert (
        services.incoming_start(document=document, actor=colleague).state
        == IncomingState.IN_PROGRESS
    )
