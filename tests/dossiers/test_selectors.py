"""Who sees which dossier, the worklists, and public tracking without personal data."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from dossiers import selectors
from dossiers.constants import DossierStatus
from portal.accounts.constants import Role
from tests.factories.accounts import StaffFactory
from tests.factories.dossiers import DossierFactory

pytestmark = pytest.mark.django_db


def test_visibility_by_who_asks(world):
    draft = world.draft()
    mine = world.examining()
    theirs = DossierFactory(agency=world.other_agency, received=True)
    provincial = StaffFactory(agency=world.other_agency, roles=[Role.PROVINCIAL])

    def seen(user):
        return set(selectors.dossiers_visible_to(user).values_list("pk", flat=True))

    assert seen(world.citizen) == {draft.pk, mine.pk}
    assert seen(world.other_citizen) == set()
    assert seen(AnonymousUser()) == set()
    assert seen(world.clerk) == {mine.pk}  # never another's draft, never another agency's
    assert seen(world.specialist) == {mine.pk}  # processed in his division
    assert seen(world.other_clerk) == {theirs.pk}
    assert seen(provincial) >= {mine.pk, theirs.pk} and draft.pk not in seen(provincial)
    for user, dossier in [
        (world.other_citizen, mine),
        (world.other_clerk, mine),
        (AnonymousUser(), mine),
    ]:
        with pytest.raises(Http404):
            selectors.get_dossier_for(user, dossier.pk)
    with pytest.raises(Http404):
        selectors.get_dossier_for(world.citizen, "not-a-number")
    assert selectors.get_dossier_for(world.citizen, mine.pk) == mine


def test_transferred_dossier_is_seen_by_the_other_agency_too(world):
    from dossiers import services

    dossier = services.dossier_transfer(
        dossier=world.examining(), actor=world.leader, to_agency=world.other_agency
    )
    assert selectors.dossiers_visible_to(world.other_clerk).filter(pk=dossier.pk).exists()
    assert selectors.dossiers_visible_to(world.clerk).filter(pk=dossier.pk).exists()


def test_worklists(world, django_assert_max_num_queries):
    new = world.submitted()
    received = world.received()
    examining = world.examining()
    approving = world.awaiting_approval()
    processed = world.processed()

    def ids(qs):
        return {d.pk for d in qs}

    assert ids(selectors.intake_queue(world.clerk)) == {new.pk, received.pk, processed.pk}
    assert ids(selectors.department_queue(world.leader)) == {examining.pk, approving.pk}
    assert ids(selectors.my_queue(world.specialist)) == {examining.pk}
    assert ids(selectors.approval_queue(world.leader)) == {approving.pk}
    assert ids(selectors.approval_queue(world.other_leader)) == set()
    assert ids(selectors.intake_queue(world.specialist)) == set()
    # Filters and search by code, name, ID number.
    assert ids(selectors.intake_queue(world.clerk, status=DossierStatus.NEW)) == {new.pk}
    assert ids(selectors.intake_queue(world.clerk, q=received.code)) == {received.pk}
    assert ids(selectors.department_queue(world.leader, q=world.citizen.citizen_id)) == {
        examining.pk,
        approving.pk,
    }
    assert ids(selectors.department_queue(world.leader, q=world.citizen.full_name[:8])) == {
        examining.pk,
        approving.pk,
    }
    assert ids(selectors.intake_queue(world.clerk, q="\x00' OR 1=1 --")) == set()
    with django_assert_max_num_queries(2):
        rows = [
            (d.code, d.procedure.name, d.receiving_agency.name, d.is_overdue)
            for d in selectors.department_queue(world.leader)
        ]
    assert len(rows) == 2


def test_overdue_and_due_soon_flags(world):
    late = DossierFactory(agency=world.agency, overdue=True)
    soon = DossierFactory(agency=world.agency, received=True)
    soon.due_at = soon.received_at + timedelta(hours=5)
    soon.save()
    later = DossierFactory(agency=world.agency, received=True)
    flags = {d.pk: (d.is_overdue, d.is_due_soon) for d in selectors.intake_queue(world.clerk)}
    assert flags == {late.pk: (True, False), soon.pk: (False, True), later.pk: (False, False)}
    assert [d.pk for d in selectors.overdue_dossiers(world.clerk)] == [late.pk]
    assert {d.pk for d in selectors.intake_queue(world.clerk, overdue=True)} == {late.pk}
    assert {d.pk for d in selectors.intake_queue(world.clerk, due_soon=True)} == {soon.pk}


def test_public_tracking_needs_the_second_factor_and_shows_no_personal_data(world):
    dossier = world.examining()
    assert selectors.track_public(dossier.code, "0000") is None
    assert selectors.track_public("G09.20-20260609-9999999", "4321") is None
    assert selectors.track_public(dossier.code, "") is None
    for factor in ("4321", "5678"):  # last digits of the CCCD or of the phone
        view = selectors.track_public(dossier.code.lower(), factor)
        assert view["code"] == dossier.code and view["status"] == DossierStatus.IN_PROGRESS
    text = json.dumps(view, default=str)
    for personal in (
        world.citizen.full_name,
        world.citizen.citizen_id,
        world.citizen.phone,
        world.citizen.email,
        dossier.applicant_address,
        world.specialist.full_name,
    ):
        assert personal not in text
    # the status changes, not the internal actions (submit, receive, assign)
    assert [t["status"] for t in view["timeline"]] == [
        DossierStatus.NEW,
        DossierStatus.RECEIVED,
        DossierStatus.IN_PROGRESS,
    ]
    assert selectors.track_by_token(dossier.tracking_token)["code"] == dossier.code
    assert selectors.track_by_token("nope") is None
    assert (
        selectors.track_by_token(world.draft().tracking_token) is None
    )  # no code yet: nothing to track
