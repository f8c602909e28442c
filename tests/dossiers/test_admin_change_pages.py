"""Issue 13 (Low): the admin's dossier change page answered 500 for some dossiers. It opens for a
dossier in every state of the workflow."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db

STATES = [
    "draft",
    "submitted",
    "received",
    "examining",
    "awaiting_approval",
    "processed",
    "returned",
]


@pytest.mark.parametrize("state", STATES)
def test_the_admin_change_page_opens_for_every_dossier(world, state):
    dossier = getattr(world, state)()
    admin = UserFactory(username=f"root-{state}", is_staff=True, is_superuser=True, citizen_id="")
    client = Client(raise_request_exception=False)
    client.force_login(admin)
    response = client.get(f"/admin/dossiers/dossier/{dossier.pk}/change/")
    assert response.status_code == 200, response.content[:300]
