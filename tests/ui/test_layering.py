"""Core modules never import streamlit or legal_track.ui; only legal_track/ui (and app.py)
touch Streamlit. Checked on the syntax tree, so comments and strings do not count."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "legal_track"
UI = PACKAGE / "ui"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "id", getattr(node.func, "attr", None))
            in ("__import__", "import_module")
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            names.add(str(node.args[0].value))
    return names


def core_modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if UI not in p.parents)


def _is(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def test_the_scan_sees_imports():
    assert "streamlit" in imported_modules(UI / "context.py"), "the scanner finds imports"
    assert len(core_modules()) > 10


@pytest.mark.parametrize("path", core_modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_core_module_does_not_import_streamlit_or_the_ui(path):
    bad = sorted(
        n for n in imported_modules(path) if _is(n, "streamlit") or _is(n, "legal_track.ui")
    )
    assert not bad, f"{path.relative_to(ROOT)} imports {bad}: only legal_track/ui may"


def test_app_py_only_starts_the_shell():
    names = imported_modules(ROOT / "app.py")
    assert names <= {"legal_track.ui.shell", "legal_track.ui.shell.main"}, names


def ui_modules() -> list[Path]:
    return sorted(UI.rglob("*.py"))


@pytest.mark.parametrize("path", ui_modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_ui_module_runs_no_query_of_its_own(path):
    """Pages ask the services; a query written in a page skips the access rules and the
    audit trail that the services apply."""
    query_api = {"select", "func", "update", "delete", "insert", "text", "col", "or_", "and_"}
    bad = sorted(
        n
        for n in imported_modules(path)
        if (_is(n, "sqlmodel") or _is(n, "sqlalchemy")) and n.rsplit(".", 1)[-1] in query_api
    )
    assert not bad, f"{path.relative_to(ROOT)} imports {bad}: move the query into a service"
