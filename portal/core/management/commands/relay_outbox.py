"""``manage.py relay_outbox``: publish pending outbox messages now (after a broker outage, or from cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from portal.core.outbox import pending_count, relay_outbox


class Command(BaseCommand):
    help = "Publish pending outbox messages to the Celery broker."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=100, help="Messages per pass.")
        parser.add_argument(
            "--loop", action="store_true", help="Repeat passes until nothing is due."
        )

    def handle(self, *args: Any, batch: int, loop: bool, **options: Any) -> None:
        total = 0
        while True:
            sent = relay_outbox(batch=batch)
            total += sent
            if not loop or sent < batch:
                break
        self.stdout.write(f"dispatched={total} pending={pending_count()}")
