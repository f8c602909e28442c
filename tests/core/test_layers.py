"""The apps import downward only and no module imports its own importer (issue 12, "Layers").

The contracts are in ``.importlinter`` (import-linter, also run by ``.ci/run``); these tests run
them in a plain test run, show that each one fails when its rule is broken (on a copy of the code
with one import added), and check what import-linter cannot see: a private helper (``_lock``,
``_work_calendar``) used across modules, and ``apps.get_model`` standing in for an import.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ("portal", "procedures", "dossiers", "documents", "signatures", "dashboards", "national")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

#: Private names still used across modules in files the workflow engine rewrites (issue 12); each
#: entry must still occur (a stale one fails), so the list only shrinks.
KNOWN_PRIVATE_USES = {
    ("dossiers.staff_views", "dossiers.forms._staff_with_role"),
}


def _lint(cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(cwd / ".importlinter")],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_import_contracts_hold():
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.fixture(scope="module")
def code_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Python files of the apps and the contract file, copied (templates etc. are not needed)."""
    target = tmp_path_factory.mktemp("layers")
    shutil.copy(ROOT / ".importlinter", target / ".importlinter")
    for app in APPS:
        if (ROOT / app).is_dir():
            shutil.copytree(
                ROOT / app,
                target / app,
                ignore=lambda d, names: [
                    n
                    for n in names
                    if not (n.endswith(".py") or (Path(d) / n).is_dir()) or n == "__pycache__"
                ],
            )
    return target


@pytest.mark.parametrize(
    ("path", "line", "contract"),
    [
        # the ground floor importing a dossier feature
        (
            "portal/core/views.py",
            "from dossiers.models import Dossier",
            "portal/ imports no app above it",
        ),
        # a lower app importing a higher one
        ("signatures/services.py", "from documents import exchange", "Apps import downward only"),
        ("procedures/selectors.py", "from dossiers import selectors", "Apps import downward only"),
        # a circle inside one app: reminders import selectors
        ("dossiers/selectors.py", "from dossiers import reminders", "No import circles"),
        ("dashboards/figures.py", "from dashboards import selectors", "No import circles"),
        # the circles issue 12 removed (they were tolerated as ignores): effects below the tables
        # and services, the signing PDF work below the result-signing services and the effects
        ("documents/effects.py", "from documents import services", "No import circles"),
        ("dossiers/signing_pdf.py", "from dossiers import result_signing", "No import circles"),
    ],
)
def test_each_contract_fails_when_its_rule_is_broken(
    code_copy: Path, path: str, line: str, contract: str
):
    module = code_copy / path
    original = module.read_text()
    try:
        module.write_text(f"{line}  # noqa\n{original}")
        result = _lint(code_copy)
    finally:
        module.write_text(original)
    assert result.returncode == 1, result.stdout
    broken = result.stdout.split("Broken contracts", 1)[-1]
    assert contract in broken, result.stdout


def _modules() -> dict[str, Path]:
    found = {}
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")) if (ROOT / app).is_dir() else ():
            if "migrations" in path.parts:
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _absolute(module: str, node: ast.ImportFrom, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _private_uses() -> set[tuple[str, str]]:
    """(importing module, ``owner.name``) for every private name of another module that a module
    imports (``from .services import _lock``) or reads off an imported module (``services._lock``)."""
    modules = _modules()
    uses = set()
    for module, path in modules.items():
        tree = ast.parse(path.read_text(), filename=str(path))
        aliases: dict[str, str] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                owner = _absolute(module, node, path.name == "__init__.py")
                for alias in node.names:
                    if f"{owner}.{alias.name}" in modules:  # a module: remember its local name
                        aliases[alias.asname or alias.name] = f"{owner}.{alias.name}"
                    elif (
                        alias.name.startswith("_")
                        and not alias.name.startswith("__")
                        and owner != module
                    ):
                        uses.add((module, f"{owner}.{alias.name}"))
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name in modules and alias.asname:
                        aliases[alias.asname] = alias.name
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in aliases
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
                and aliases[node.value.id] != module
            ):
                uses.add((module, f"{aliases[node.value.id]}.{node.attr}"))
    return uses


def test_no_private_helper_is_used_across_modules():
    uses = _private_uses()
    new = sorted(uses - KNOWN_PRIVATE_USES)
    assert not new, f"make these public in the module that owns them (or move them): {new}"
    stale = sorted(KNOWN_PRIVATE_USES - uses)
    assert not stale, f"no longer used: remove them from KNOWN_PRIVATE_USES: {stale}"


def test_the_private_helper_check_sees_both_forms(tmp_path: Path):
    """The scan above finds ``from x import _y`` and ``x._y`` (it is not vacuous)."""
    uses = _private_uses()
    known = ("dossiers.staff_views", "dossiers.forms._staff_with_role")
    assert known in uses  # a known use is seen
    source = "from .services import _lock\n"
    tree = ast.parse(source)
    node = tree.body[0]
    assert (
        isinstance(node, ast.ImportFrom)
        and _absolute("dossiers.views", node, False) == "dossiers.services"
    )


def test_no_app_reads_a_model_through_the_registry_to_hide_an_import():
    """``apps.get_model`` belongs in migrations (historical models); elsewhere it only hides an
    upward dependency from the contracts."""
    offenders = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path in _modules().values()
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Attribute) and node.attr == "get_model"
    ]
    assert not offenders, offenders


#: The floors of the import contract, top first (``.importlinter``'s layers).
FLOORS = {"national": 4, "dashboards": 4, "dossiers": 3, "documents": 2}
FLOORS |= {"signatures": 1, "procedures": 1, "portal": 0}


def test_no_app_reaches_a_higher_floor_through_import_string():
    """``import_string("national.…")`` in dossiers hid an upward dependency from the contract (the
    national payment platform's start view): a provider registers itself instead
    (``dossiers.payments.providers``, filled from the national app's ``AppConfig.ready()``)."""
    offenders = []
    for module, path in _modules().items():
        floor = FLOORS[module.split(".")[0]]
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            target = node.args[0]
            if name == "import_string" and isinstance(target, ast.Constant):
                top = str(target.value).split(".")[0]
                if FLOORS.get(top, -1) > floor:
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: {target.value}")
    assert not offenders, offenders


def test_the_national_payment_platform_registers_itself_with_dossiers():
    from dossiers.payments import providers
    from national.payment_platform.views import start_redirect

    assert providers.provider("national") is start_redirect
    assert providers.provider(providers.BUILT_IN) is None
