"""``manage.py init_pki``: create the province's root CA, issuing CA and time-stamp authority."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from signatures import services


class Command(BaseCommand):
    help = "Create the provincial signing PKI (root CA, issuing CA, TSA) for the demo and tests."

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument(
            "--base-url",
            default=None,
            help="Portal address written into the certificates (default: SITE_URL).",
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Replace a PKI that has issued no certificate yet.",
        )

    def handle(self, *args, base_url: str | None, replace: bool, **options) -> None:  # type: ignore[no-untyped-def]
        try:
            rows = services.pki_create(base_url=base_url, replace=replace)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        for slug, ca in rows.items():
            self.stdout.write(
                f"{slug}: {ca.name} (serial {ca.serial}, valid until {ca.not_after:%Y-%m-%d})"
            )
