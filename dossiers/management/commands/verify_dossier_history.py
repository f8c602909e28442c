"""Verify every dossier's history: its hash chain, and its heads against the signed checkpoints."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from dossiers.checkpoints import records_from_files, verify_history
from dossiers.models import Dossier


class Command(BaseCommand):
    help = (
        "Verify the dossier history: the hash chain, every submitted dossier's rows, and each chain head "
        "against the signed checkpoints (from the database, or --checkpoints DIR of exported files). Exit code 1 if broken."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dossier", metavar="CODE", help="Only the dossier with this code.")
        parser.add_argument(
            "--checkpoints",
            metavar="DIR",
            help="Verify against the exported checkpoint files in DIR instead of the database's.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        dossier = None
        if options.get("dossier"):
            dossier = Dossier.objects.filter(code=options["dossier"]).first()
            if dossier is None:
                raise CommandError(_("No dossier %(code)s.") % {"code": options["dossier"]})
        records = None
        if options.get("checkpoints"):
            files = sorted(Path(options["checkpoints"]).glob("checkpoint-*.json"))
            if not files:
                raise CommandError(f"No checkpoint files in {options['checkpoints']}")
            records = records_from_files(files)
        broken, checkpoint_breaks = verify_history(records=records, dossier=dossier)
        for cb in checkpoint_breaks:
            self.stdout.write(f"BROKEN checkpoint={cb.number}: {cb.reason}")
        for result in broken:
            self.stdout.write(
                f"BROKEN dossier={result.dossier_code or result.dossier_id} seq={result.seq}: {result.reason}"
            )
        checked = 1 if dossier else Dossier.objects.count()
        if broken or checkpoint_breaks:
            raise CommandError(
                f"{len(broken)} of {checked} dossier histories are broken, {len(checkpoint_breaks)} checkpoints"
            )
        self.stdout.write(f"OK: {checked} dossier histories verified")
