"""Load the demo province: agencies, accounts for every role, then each app's own demo data.

An app above the ground floor adds its demo data with a ``seed_demo(self) -> str`` method on its
AppConfig (e.g. :class:`procedures.apps.ProceduresConfig`): called in ``INSTALLED_APPS`` order
after the agencies and accounts are committed, each in its own transaction (or none, e.g. for
token files), it returns one line saying what it loaded ("425 procedures"). The ground floor
names no app above it.
"""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from portal.accounts.demo import DEMO_PASSWORD, seed_users
from portal.agencies.demo import seed_agencies


class Command(BaseCommand):
    help = "Load the Điện Biên demo data (idempotent)."

    def handle(self, *args, **options):
        with transaction.atomic():
            seed_agencies()
            # the portal's calendar with the Government's day swaps 2025-2027 as editable declared
            # days (portal.workcalendar.government_days); an existing calendar gets the missing ones
            from portal.workcalendar import government_days
            from portal.workcalendar.services import get_calendar

            government_days.load(get_calendar())
            users = seed_users()
        loaded = [
            config.seed_demo()
            for config in apps.get_app_configs()
            if callable(getattr(config, "seed_demo", None))
        ]
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready: {', '.join(loaded) or 'agencies and accounts'}.")
        )
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, label in users:
            self.stdout.write(f"  {username:<24} {label}")
