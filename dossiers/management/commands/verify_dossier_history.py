"""Recompute every dossier's history hash chain and report the first broken row of each."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dossiers.history import verify_dossier
from dossiers.models import Dossier


class Command(BaseCommand):
    help = "Verify the hash-chained dossier history (changed or deleted rows). Exit code 1 if broken."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dossier", metavar="CODE", help="Only the dossier with this code.")

    def handle(self, *args: Any, **options: Any) -> None:
        dossiers = Dossier.objects.filter(events__isnull=False).distinct().order_by("pk")
        if options.get("dossier"):
            dossiers = Dossier.objects.filter(code=options["dossier"])
            if not dossiers.exists():
                raise CommandError(f"Không có hồ sơ {options['dossier']} / No dossier {options['dossier']}")
        checked = 0
        broken = []
        for dossier in dossiers.iterator():
            checked += 1
            result = verify_dossier(dossier)
            if result is not None:
                broken.append(result)
                self.stdout.write(f"BROKEN dossier={result.dossier_code or result.dossier_id} seq={result.seq}: {result.reason}")
        if broken:
            raise CommandError(f"{len(broken)} of {checked} dossier histories are broken")
        self.stdout.write(f"OK: {checked} dossier histories verified")
