"""``manage.py issue_signing_certificate USERNAME``: give an official a SoftHSM2 token with a key
generated on it and a certificate from the issuing CA (demo and tests; production officials bring
their token from the Government Cipher Committee's CA and the administrator imports it).

The PIN is asked interactively, or read from the environment variable named by ``--pin-env`` for
scripts; it is never accepted on the command line (it would end up in the shell history and ``ps``).
"""

from __future__ import annotations

import getpass
import os

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from signatures import services
from signatures.token import TokenError


class Command(BaseCommand):
    help = "Issue a signing certificate to an official, with the key generated on a new SoftHSM2 token."

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument("username")
        parser.add_argument(
            "--pin-env",
            default="",
            help="Read the PIN from this environment variable instead of prompting.",
        )
        parser.add_argument("--days", type=int, default=730)

    def handle(self, *args, username: str, pin_env: str, days: int, **options) -> None:  # type: ignore[no-untyped-def]
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        if pin_env:
            pin = os.environ.get(pin_env, "")
        else:
            pin = getpass.getpass("PIN: ")
            if getpass.getpass("PIN (again): ") != pin:
                raise CommandError("The PINs differ.")
        try:
            cert = services.certificate_issue_on_token(user=user, pin=pin, days=days)
        except (ValidationError, TokenError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{cert.subject_name}: serial {cert.serial}, token {cert.token_label}, valid until {cert.not_after:%Y-%m-%d}"
        )
