"""Load the demo province: agencies, accounts for every role, and the procedure catalogue."""

from django.core.management.base import BaseCommand
from django.db import transaction

from portal.accounts.demo import DEMO_PASSWORD, seed_users
from portal.agencies.demo import seed_agencies


class Command(BaseCommand):
    help = "Tạo dữ liệu mẫu tỉnh Điện Biên / Load the Điện Biên demo data (idempotent)."

    def handle(self, *args, **options):
        with transaction.atomic():
            seed_agencies()
            # the portal's calendar with the Government's day swaps 2025-2027 as editable declared
            # days (portal.workcalendar.government_days); an existing calendar gets the missing ones
            from portal.workcalendar import government_days
            from portal.workcalendar.services import get_calendar

            government_days.load(get_calendar())
            users = seed_users()
            try:
                from procedures.demo import seed_procedures
            except ImportError:  # the catalogue's demo data arrives with the catalogue
                n = 0
            else:
                n = seed_procedures()
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {n} procedures."))
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, label in users:
            self.stdout.write(f"  {username:<24} {label}")
