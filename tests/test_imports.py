"""The package's import graph: no cycles, not even through imports inside functions, and
no top-level module that belongs in a concept subpackage.

Every `import` anywhere in a module counts (module level, inside functions, under
TYPE_CHECKING): an import moved into a function to dodge a cycle is still a cycle. Importing
`a.b` also runs `a/__init__.py`, so it counts as an edge to `a` too, except from inside `a`
itself (Python is already executing that `__init__`)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "legal_track"

# Platform modules that stay at the top; everything else lives in its concept's subpackage.
PLATFORM = {"audit", "auth", "config", "db", "files", "i18n", "identity", "money",
            "readme", "recompute", "sheets", "workers"}  # fmt: skip
CONCEPTS = {"analytics", "approvals", "audit", "calendar", "cases", "claims", "cli", "counsel", "deadlines", "demo", "documents", "escalation",
            "evidence", "intake", "limitation", "migrations", "models", "operations", "pdf", "privacy", "reminders",
            "retention", "rules", "settlements", "ui"}  # fmt: skip


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def all_modules() -> dict[str, Path]:
    return {
        module_name(p): p
        for p in PACKAGE.rglob("*.py")
        if "migrations" not in p.relative_to(PACKAGE).parts
    }


def _targets(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
        return [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
    return []


def import_edges(name: str, path: Path, known: set[str]) -> set[str]:
    """The package modules `name` imports, anywhere in the file."""
    edges: set[str] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        for target in _targets(node):
            if not target.startswith("legal_track"):
                continue
            # the module itself (`from pkg import name` may name a function, not a module)
            while target not in known and "." in target:
                target = target.rsplit(".", 1)[0]
            parts = target.split(".")
            for i in range(1, len(parts) + 1):
                dep = ".".join(parts[:i])
                # an enclosing package of the importer is already being executed
                if dep in known and dep != name and not name.startswith(dep + "."):
                    edges.add(dep)
    return edges


def graph() -> dict[str, set[str]]:
    modules = all_modules()
    known = set(modules)
    return {name: import_edges(name, path, known) for name, path in modules.items()}


def cycles(g: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(v: str) -> None:
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(g.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(g):
        if v not in index:
            visit(v)
    return found


def test_the_cycle_finder_finds_a_cycle():
    g = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(g) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_scan_sees_function_level_imports():
    g = graph()
    # legal_track.evidence.bundle imports the PDF engine inside its functions
    assert "legal_track.pdf.bundle" in g["legal_track.evidence.bundle"], g[
        "legal_track.evidence.bundle"
    ]


def test_the_package_has_no_import_cycle():
    found = cycles(graph())
    assert not found, "import cycles (break them; do not hide them in functions):\n" + "\n".join(
        " <-> ".join(c) for c in found
    )


def test_no_top_level_module_outside_the_platform():
    top = {p.stem for p in PACKAGE.glob("*.py")} - {"__init__"}
    assert top <= PLATFORM, f"move {sorted(top - PLATFORM)} into a concept subpackage"
    packages = {p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    assert packages <= CONCEPTS, f"unexpected subpackages {sorted(packages - CONCEPTS)}"


@pytest.mark.parametrize("concept", sorted(CONCEPTS - {"migrations", "rules"}))
def test_every_concept_has_a_small_public_face(concept):
    init = PACKAGE / concept / "__init__.py"
    assert init.exists(), f"legal_track/{concept} is not a package"
    tree = ast.parse(init.read_text(encoding="utf-8"))
    assert ast.get_docstring(tree), f"legal_track/{concept}/__init__.py says what the area is"
    lines = len(init.read_text(encoding="utf-8").splitlines())
    assert lines <= 150, f"legal_track/{concept}/__init__.py has {lines} lines: keep it a face"
