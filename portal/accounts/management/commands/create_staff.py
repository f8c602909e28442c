"""``manage.py create_staff USERNAME --agency CODE --role clerk --role leader ...``"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from portal.accounts.constants import Role
from portal.accounts.services import staff_create
from portal.agencies.models import Agency


class Command(BaseCommand):
    help = "Create a staff account with its agency and roles."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--agency", required=True, help="Official code of the agency, e.g. 000.00.03.H18"
        )
        parser.add_argument("--department", help="Official code of a unit inside the agency")
        parser.add_argument(
            "--role", action="append", dest="roles", default=[], choices=Role.values, required=True
        )
        parser.add_argument("--full-name", default="")
        parser.add_argument("--email", default="")
        parser.add_argument("--phone", default="")
        parser.add_argument("--position", default="")
        parser.add_argument(
            "--password", help="Initial password (a random one is generated and printed if omitted)"
        )

    def handle(self, *args, **opts):
        def agency(code: str | None) -> Agency | None:
            if not code:
                return None
            try:
                return Agency.objects.get(code=code)
            except Agency.DoesNotExist as exc:
                raise CommandError(_("No agency with code %(code)s.") % {"code": code}) from exc

        try:
            user, password = staff_create(
                username=opts["username"],
                agency=agency(opts["agency"]),
                department=agency(opts["department"]),
                roles=opts["roles"],
                full_name=opts["full_name"],
                email=opts["email"],
                phone=opts["phone"],
                position=opts["position"],
                password=opts["password"],
            )
        except ValidationError as exc:
            lines = [f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items()]
            raise CommandError("\n".join(lines)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {user.username} ({user.agency.code}: {', '.join(opts['roles'])})"
            )
        )
        if not opts["password"]:
            self.stdout.write(f"Initial password: {password}")
