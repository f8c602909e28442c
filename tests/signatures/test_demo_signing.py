"""Signing out of the box (issue 14): the demo seeds the PKI and a token for every official who
signs, the commands fail with a clear message instead of a traceback, and a token created by another
process while the portal runs is found without a restart."""

from __future__ import annotations

import os
import subprocess

import pytest
from django.core.management import CommandError, call_command

from portal.accounts.constants import Role
from signatures import token
from signatures.demo import DEMO_PIN, seed_signing
from signatures.models import CertificateAuthority, SigningCertificate
from tests.factories.accounts import StaffFactory
from tests.factories.agencies import AgencyFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_issuing_a_certificate_before_the_pki_is_a_clear_command_error(monkeypatch):
    user = StaffFactory(agency=AgencyFactory(), roles=[Role.LEADER], full_name="Lò Văn Thắng")
    monkeypatch.setenv("DEMO_PIN_FOR_TEST", DEMO_PIN)
    with pytest.raises(CommandError, match="init_pki"):
        call_command("issue_signing_certificate", user.username, "--pin-env", "DEMO_PIN_FOR_TEST")
    assert not SigningCertificate.objects.exists()


def test_seed_signing_gives_every_leader_and_clerical_office_a_usable_token(pki_rows):
    agency = AgencyFactory()
    leader = StaffFactory(agency=agency, roles=[Role.LEADER], full_name="Cà Văn Dũng")
    clerical = StaffFactory(agency=agency, roles=[Role.CLERICAL], full_name="Lò Thị Mai")
    StaffFactory(agency=agency, roles=[Role.CLERK], full_name="Quàng Văn Tươi")
    holders = seed_signing()
    assert sorted(holders) == sorted([leader.username, clerical.username])
    for user in (leader, clerical):
        cert = SigningCertificate.objects.get(user=user)
        with token.session(cert.token_label, DEMO_PIN):
            pass  # the documented PIN opens the token
    assert seed_signing() == holders  # idempotent: nobody gets a second certificate
    assert SigningCertificate.objects.count() == 2


def test_seed_signing_creates_the_pki_when_there_is_none():
    StaffFactory(agency=AgencyFactory(), roles=[Role.LEADER], full_name="Cà Văn Dũng")
    assert not CertificateAuthority.objects.exists()
    assert len(seed_signing()) == 1
    assert CertificateAuthority.objects.filter(slug="issuing").exists()


def test_a_token_created_by_another_process_is_found_without_a_restart():
    token.get_lib()  # this process has loaded the library (and its slot list) already
    label = "late-token"
    subprocess.run(
        [
            "softhsm2-util",
            "--init-token",
            "--free",
            "--label",
            label,
            "--pin",
            "1234",
            "--so-pin",
            "123456",
        ],
        check=True,
        capture_output=True,
        env=os.environ.copy(),
    )
    assert token.get_token(label).label == label
    with pytest.raises(token.TokenError):
        token.get_token("no-such-token")
