"""Vietnamese first, English second: catalogues complete, compiled, and the switch works.

Every ``locale/vi/LC_MESSAGES/django.po`` in the repository (project level and each app) must
have no untranslated or fuzzy entry, and its committed ``.mo`` must be what the ``.po`` compiles
to (the portal never compiles at start-up). A fresh ``makemessages`` over ``templates/`` and
``portal/core/`` must find nothing the project catalogue lacks. Needs GNU gettext (CI installs it).
"""

from __future__ import annotations

import gettext
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SKIP_DIRS = {".venv", "var", "node_modules", "staticfiles", ".git"}


def _catalogues(lang: str | None = None) -> list[Path]:
    found = []
    for po in ROOT.glob("**/locale/*/LC_MESSAGES/django.po"):
        rel = po.relative_to(ROOT)
        if rel.parts[0] in SKIP_DIRS:
            continue
        if lang is None or po.parent.parent.name == lang:
            found.append(po)
    return sorted(found)


def _entries(output: str) -> list[str]:
    """The msgids in msgattrib's output, the header left out (long msgids span several lines)."""
    found = []
    lines = output.splitlines()
    for i, line in enumerate(lines):
        if not line.startswith("msgid "):
            continue
        if line == 'msgid ""':
            following = lines[i + 1] if i + 1 < len(lines) else ""
            if not following.startswith('"'):
                continue  # the header entry
            line = following
        found.append(line)
    return found


def _msgattrib(*args: str) -> str:
    if not shutil.which("msgattrib"):
        pytest.fail("GNU gettext is not installed: apt-get install -y gettext")
    return subprocess.run(["msgattrib", *args], check=True, capture_output=True, text=True).stdout


def test_there_is_a_project_level_vietnamese_catalogue():
    assert ROOT / "locale/vi/LC_MESSAGES/django.po" in _catalogues("vi")


@pytest.mark.parametrize("po", _catalogues("vi"), ids=lambda p: str(p.relative_to(ROOT)))
def test_vietnamese_catalogue_is_complete(po: Path):
    untranslated = _entries(_msgattrib("--untranslated", "--no-obsolete", str(po)))
    assert not untranslated, f"{po.relative_to(ROOT)}: untranslated {untranslated}"
    fuzzy = _entries(_msgattrib("--only-fuzzy", "--no-obsolete", str(po)))
    assert not fuzzy, f"{po.relative_to(ROOT)}: fuzzy {fuzzy}"


@pytest.mark.parametrize("po", _catalogues(), ids=lambda p: str(p.relative_to(ROOT)))
def test_compiled_catalogue_matches_its_source(po: Path, tmp_path: Path):
    mo = po.with_suffix(".mo")
    assert mo.exists(), f"{mo.relative_to(ROOT)} is missing: run scripts/i18n.sh and commit the .mo"
    fresh = tmp_path / "fresh.mo"
    subprocess.run(
        ["msgfmt", "--check-format", "-o", str(fresh), str(po)], check=True, capture_output=True
    )
    with mo.open("rb") as committed, fresh.open("rb") as compiled:
        old, new = (
            gettext.GNUTranslations(committed)._catalog,
            gettext.GNUTranslations(compiled)._catalog,
        )
    old.pop("", None), new.pop("", None)  # the header (creation dates) may differ
    stale = sorted(
        str(k) for k in set(old) ^ set(new) | {k for k in set(old) & set(new) if old[k] != new[k]}
    )
    assert not stale, (
        f"{mo.relative_to(ROOT)} is older than its .po (run scripts/i18n.sh, commit the .mo): {stale[:5]}"
    )


def test_fresh_makemessages_finds_nothing_untranslated(tmp_path: Path):
    """Strings added to templates/ or portal/core/ without a Vietnamese translation fail here."""
    (tmp_path / "portal").mkdir()
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    shutil.copytree(
        ROOT / "portal/core", tmp_path / "portal/core", ignore=shutil.ignore_patterns("__pycache__")
    )
    (tmp_path / "locale").mkdir()
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "vi", "--extension", "html,txt,py"],
        cwd=tmp_path,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    merged = tmp_path / "merged.po"
    subprocess.run(
        [
            "msgmerge",
            "-q",
            "--no-fuzzy-matching",
            str(ROOT / "locale/vi/LC_MESSAGES/django.po"),
            str(tmp_path / "locale/vi/LC_MESSAGES/django.po"),
            "-o",
            str(merged),
        ],
        check=True,
        capture_output=True,
    )
    missing = _entries(_msgattrib("--untranslated", "--no-obsolete", str(merged)))
    assert not missing, f"run scripts/i18n.sh project and translate: {missing}"


@pytest.mark.django_db
def test_default_is_vietnamese_even_when_the_browser_asks_for_english(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 200
    assert response["Content-Language"] == "vi"
    html = response.content.decode()
    assert '<html lang="vi">' in html
    assert "Tìm thủ tục hành chính" in html
    assert "Find an administrative procedure" not in html


@pytest.mark.django_db
def test_language_switch_sets_the_cookie_and_the_page_comes_back_in_english(client, settings):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response.url == "/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"

    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    assert "Find an administrative procedure" in html
    assert "One-stop public service portal" in html

    client.post("/i18n/setlang/", {"language": "vi", "next": "/"})
    assert "Tìm thủ tục hành chính" in client.get("/").content.decode()


@pytest.mark.django_db
def test_an_unknown_language_falls_back_to_vietnamese(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    response = client.get("/")
    assert response["Content-Language"] == "vi"


@pytest.mark.django_db
def test_the_404_page_speaks_the_chosen_language(client, settings):
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()
    assert "Về trang chủ" in response.content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Back to the home page" in client.get("/khong-co-trang-nay/").content.decode()
