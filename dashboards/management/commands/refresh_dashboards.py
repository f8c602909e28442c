"""manage.py refresh_dashboards: bring the dashboards' summary tables up to date."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from dashboards import summary
from dashboards.progress import progress_bar


class Command(BaseCommand):
    help = "Refresh the summary tables for the dossiers changed since the last run; --all rebuilds them from the dossiers."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--all",
            action="store_true",
            help="Rebuild every fact and monthly counter (after an agency moved in the tree).",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["all"]:
            rows = summary.rebuild_all(progress=progress_bar("facts"))
            self.stdout.write(f"rebuilt: {rows} procedure-month rows")
            return
        total = 0
        while True:
            result = summary.refresh()
            total += result.dossiers
            if not result.dossiers:
                break
        self.stdout.write(f"refreshed: {total} dossiers")
