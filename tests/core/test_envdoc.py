"""``manage.py envdoc`` documents every environment variable, and README's table keeps up."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

from django.core.management import call_command

from portal.config import DOCUMENTED

ROOT = Path(__file__).resolve().parents[2]


def test_envdoc_lists_every_variable_with_its_help(settings):
    out = StringIO()
    call_command("envdoc", stdout=out)
    text = out.getvalue()
    for name, setting in DOCUMENTED.items():
        assert re.search(rf"^{name}=", text, re.M), name
        assert setting.help_text, f"{name} has no help text: pass help_text= to config()"
        assert setting.help_text in text
    assert re.search(r"^DATABASE_URL=sqlite:///\./var/\S*portal\.sqlite3$", text, re.M), (
        "paths are shown relative to the checkout"
    )


def test_core_settings_are_documented():
    for name in (
        "DATABASE_URL",
        "REDIS_URL",
        "SECRET_KEY",
        "DEBUG",
        "ALLOWED_HOSTS",
        "EMAIL_BACKEND",
        "EMAIL_HOST",
        "EMAIL_PORT",
        "SITE_URL",
        "PORTAL_DEMO",
        "CONN_MAX_AGE",
    ):
        assert name in DOCUMENTED, name


def test_readme_settings_table_lists_every_variable():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- envdoc -->\n(.*?)<!-- /envdoc -->", readme, re.S)
    assert block, "README.md lost its <!-- envdoc --> block"
    listed = set(re.findall(r"^\| `(\w+)` \|", block.group(1), re.M))
    missing = sorted(set(DOCUMENTED) - listed)
    stale = sorted(listed - set(DOCUMENTED))
    assert not missing and not stale, (
        f"README settings table is out of date (missing {missing}, stale {stale}): "
        "run `python manage.py envdoc --readme`"
    )
