"""Issue 13 (Low): mail went to addresses nobody verified, given through the API (the applicant
block of a dossier created with POST /api/v1/dossiers/). A dossier's notifications go by e-mail
only to the account's verified address, and the verification mail itself is sent at most 3 times
an hour per account."""

from __future__ import annotations

import pytest

from dossiers.notifications import applicant_recipient as _applicant
from tests.factories.accounts import ApplicantFactory
from tests.factories.dossiers import DossierFactory

pytestmark = pytest.mark.django_db


def test_an_unverified_address_gets_no_dossier_mail():
    user = ApplicantFactory(unverified=True, email="new@example.vn", notify_email=True)
    dossier = DossierFactory(received=True, applicant=user, applicant_email="new@example.vn")
    recipient = _applicant(dossier)
    assert recipient.email == "" and not recipient.by_email
    user.email_verified_at = user.date_joined
    user.save()
    recipient = _applicant(
        DossierFactory(received=True, applicant=user, applicant_email="other@example.vn")
    )
    assert recipient.email == "new@example.vn"  # the verified address, not one copied elsewhere


def test_the_verification_mail_is_sent_at_most_three_times_an_hour(
    mailoutbox, django_capture_on_commit_callbacks
):
    from portal.accounts.services import user_send_verification

    user = ApplicantFactory(unverified=True, email="victim@example.vn")
    for _ in range(6):
        with django_capture_on_commit_callbacks(execute=True):
            user_send_verification(user=user)
    assert len(mailoutbox) == 3
