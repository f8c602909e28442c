"""Make a signed, time-stamped checkpoint of every dossier history's head now (beat does it hourly)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from dossiers.checkpoints import create_checkpoint, export_dir
from signatures.sealing import SealError


class Command(BaseCommand):
    help = "Checkpoint the dossier history's chain heads (signed by the province, time-stamped by the TSA)."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            checkpoint = create_checkpoint()
        except SealError as exc:
            raise CommandError(f"Cannot seal the checkpoint: {exc}") from exc
        if checkpoint is None:
            self.stdout.write("No history moved since the last checkpoint.")
            return
        self.stdout.write(
            f"Checkpoint {checkpoint.number}: {checkpoint.heads_count} heads, exported to {export_dir()}"
        )
