"""manage.py generate_province: a realistic province for the dashboards' scale tests."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils.translation import gettext as _

from dashboards.dev.generator import Generator, progress_bar, real_dossiers_exist


class Command(BaseCommand):
    help = "Generate agencies, procedures and dossiers over several years (PostgreSQL, COPY), then build the summary tables."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dossiers", type=int, default=1_000_000)
        parser.add_argument("--years", type=int, default=5)
        parser.add_argument("--agencies", type=int, default=300)
        parser.add_argument("--procedures", type=int, default=400)
        parser.add_argument("--seed", type=int, default=766)
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even though the database holds real (non-generated) dossiers.",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError(_("PostgreSQL is required (COPY)."))
        for name in ("dossiers", "years", "agencies", "procedures"):
            if opts[name] < 1:
                raise CommandError(_("--%(name)s must be positive.") % {"name": name})
        if opts["agencies"] < 3:
            raise CommandError(_("--agencies must be at least 3."))
        if not opts["force"] and real_dossiers_exist():
            raise CommandError(
                _(
                    "The database holds real dossiers: refusing to generate (use --force if you are sure)."
                )
            )
        gen = Generator(
            dossiers=opts["dossiers"],
            years=opts["years"],
            agencies=opts["agencies"],
            procedures=opts["procedures"],
            seed=opts["seed"],
            progress=progress_bar,
        )
        result = gen.run()
        self.stdout.write(
            " ".join(
                f"{k}={v:.1f}" if isinstance(v, float) else f"{k}={v}" for k, v in result.items()
            )
        )
