"""Print every environment variable the portal reads, with its default and its meaning."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal.config import DOCUMENTED

README_BLOCK = re.compile(r"(<!-- envdoc -->\n).*?(<!-- /envdoc -->)", re.S)


def _show(value: Any) -> str:
    if value is None:
        return "(required)"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    # machine-specific paths are shown relative to the checkout
    return str(value).replace(str(settings.BASE_DIR), ".")


def markdown_table() -> str:
    """The settings table of README.md: one row per documented variable, sorted by name."""
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    for s in sorted(DOCUMENTED.values(), key=lambda s: s.name):
        default = _show(s.default).replace("|", "\\|")
        rows.append(f"| `{s.name}` | `{default}` | {s.help_text.replace('|', '/')} |")
    return "\n".join(rows) + "\n"


class Command(BaseCommand):
    help = "List the documented environment variables."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--format",
            choices=["text", "markdown"],
            default="text",
            help="markdown prints the table used in README.md.",
        )
        parser.add_argument(
            "--readme",
            action="store_true",
            help="Rewrite the table between <!-- envdoc --> markers in README.md.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["readme"]:
            path = settings.BASE_DIR / "README.md"
            text = path.read_text(encoding="utf-8")
            if not README_BLOCK.search(text):
                raise CommandError("README.md has no <!-- envdoc --> ... <!-- /envdoc --> block.")
            path.write_text(
                README_BLOCK.sub(lambda m: m.group(1) + markdown_table() + m.group(2), text),
                encoding="utf-8",
            )
            self.stdout.write(f"Updated {path}")
            return
        if options["format"] == "markdown":
            self.stdout.write(markdown_table(), ending="")
            return
        for s in sorted(DOCUMENTED.values(), key=lambda s: s.name):
            self.stdout.write(f"{s.name}={_show(s.default)}")
            self.stdout.write(f"    {s.help_text}")
