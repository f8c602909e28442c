"""No production module over 500 lines (issue 16, "Guard rails"; STYLE.md: split a module along
what it does before it grows past a screenful of screenfuls).

Tests, migrations and generated files aside. The modules still over the limit are listed in
:data:`KNOWN_LONG_MODULES`, a ratchet like mypy's: a listed module that is split (or shrinks
under the limit) must leave the list, and no module may join it.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("portal", "procedures", "dossiers", "documents", "signatures", "dashboards", "national")
LIMIT = 500

#: Modules over the limit when the rule joined CI, each to be split along what it does. Data
#: modules (the demo catalogue) count: data belongs in data files, not in code. Empty since
#: issue 16's splits (settings, dossiers.forms, documents.api.views, national.dvcqg.services,
#: dashboards.dev.generator); the mechanism stays so that no module joins it.
KNOWN_LONG_MODULES: set[str] = set()


def _lines(path: Path) -> int:
    with path.open(encoding="utf-8") as fh:
        return sum(1 for _ in fh)


def long_modules() -> dict[str, int]:
    """Every production module of the apps over :data:`LIMIT` lines, with its length."""
    found = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            rel = path.relative_to(ROOT)
            if "migrations" in rel.parts or "__pycache__" in rel.parts:
                continue
            count = _lines(path)
            if count > LIMIT:
                found[rel.as_posix()] = count
    return found


def test_no_new_module_over_the_limit():
    new = {name: n for name, n in long_modules().items() if name not in KNOWN_LONG_MODULES}
    assert not new, f"split these modules along what they do (limit {LIMIT} lines): {new}"


def test_the_list_of_long_modules_only_shrinks():
    stale = sorted(KNOWN_LONG_MODULES - set(long_modules()))
    assert not stale, f"these are now under {LIMIT} lines: remove them from the list: {stale}"


def test_the_rule_sees_a_long_module(tmp_path, monkeypatch):
    """The check can fail: a module one line over the limit is found."""
    app = tmp_path / "dossiers"
    app.mkdir()
    (app / "big.py").write_text("x = 1\n" * (LIMIT + 1), encoding="utf-8")
    (app / "small.py").write_text("x = 1\n" * LIMIT, encoding="utf-8")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert long_modules() == {"dossiers/big.py": LIMIT + 1}
