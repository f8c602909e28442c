"""Print every environment variable the portal reads, with its default and its meaning."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from portal.config import DOCUMENTED


def _show(value: Any) -> str:
    if value is None:
        return "(required)"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    return str(value)


class Command(BaseCommand):
    help = "Liệt kê biến môi trường cấu hình / List the documented environment variables."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=["text", "markdown"], default="text",
                            help="markdown prints the table used in README.md.")

    def handle(self, *args: Any, **options: Any) -> None:
        # Importing settings (done by manage.py) has filled DOCUMENTED; sort for a stable table.
        settings_list = sorted(DOCUMENTED.values(), key=lambda s: s.name)
        if options["format"] == "markdown":
            self.stdout.write("| variable | default | meaning |")
            self.stdout.write("|---|---|---|")
            for s in settings_list:
                default = _show(s.default).replace("|", "\\|")
                # machine-specific paths are shown relative to the checkout
                default = default.replace(str(_base_dir()), ".")
                self.stdout.write(f"| `{s.name}` | `{default}` | {s.help_text.replace('|', '/')} |")
            return
        for s in settings_list:
            self.stdout.write(f"{s.name}={_show(s.default)}")
            self.stdout.write(f"    {s.help_text}")


def _base_dir() -> str:
    from django.conf import settings

    return str(settings.BASE_DIR)
