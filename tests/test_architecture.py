"""The package's layers: imports flow one way and no module imports itself back.

Measured from the source, function-level imports included (``if TYPE_CHECKING:`` blocks are not
imports at run time and are left out). The layers, top to bottom::

    plugin, hooks, wire, the package itself   (pytest hooks, fixtures, the public facade)
    integrations/                              (one module per foreign library)
    features/                                  (respond, offline, gzip, checks, limits)
    capture/                                   (recorder, event handlers, installation)
    model/                                     (the captured request, sequences, assertions, messages)
    aws/                                       (service models, patterns, codecs, serialization)
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "pytest_botowire"

RANKS = {"aws": 0, "model": 1, "capture": 2, "features": 3, "integrations": 4}
TOP = 5


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _rank(module: str) -> int:
    parts = module.split(".")
    if len(parts) == 1:
        return TOP
    if parts[1] == "_version":
        return -1
    return RANKS.get(parts[1], TOP)


def _runtime_imports(tree: ast.AST, module: str, is_package: bool) -> set[str]:
    """Every internal module imported outside ``if TYPE_CHECKING:`` blocks."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                for sub in child.orelse:
                    visit(sub)
                continue
            if isinstance(child, ast.Import):
                for alias in child.names:
                    if alias.name.startswith("pytest_botowire"):
                        found.add(alias.name)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = module.split(".")
                    if not is_package:
                        anchor = anchor[:-1]
                    anchor = anchor[: len(anchor) - (child.level - 1)]
                    base = ".".join([*anchor, base] if base else anchor)
                if base.startswith("pytest_botowire"):
                    for alias in child.names:
                        candidate = f"{base}.{alias.name}"
                        found.add(candidate if candidate in MODULES else base)
            visit(child)

    visit(tree)
    found.discard(module)
    return found


MODULES = {_module_name(path): path for path in PACKAGE.rglob("*.py")}
GRAPH = {
    name: _runtime_imports(ast.parse(path.read_text("utf-8")), name, path.name == "__init__.py")
    for name, path in MODULES.items()
}


def test_the_graph_was_read() -> None:
    assert "pytest_botowire.capture.recorder" in MODULES
    assert "pytest_botowire.model.request" in GRAPH["pytest_botowire.capture.recorder"]


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_point_down(module: str) -> None:
    upward = sorted(
        target for target in GRAPH[module] if target in MODULES and _rank(target) > _rank(module)
    )
    assert upward == [], f"{module} imports a higher layer"


def test_no_import_cycle() -> None:
    cycles: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def walk(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for target in sorted(GRAPH.get(node, ())):
            if target not in MODULES:
                continue
            if state.get(target) == 1:
                cycles.append([*stack[stack.index(target) :], target])
            elif target not in state:
                walk(target)
        stack.pop()
        state[node] = 2

    for name in sorted(MODULES):
        if name not in state:
            walk(name)
    assert cycles == []


def test_the_core_never_imports_an_integration() -> None:
    core = [m for m in MODULES if _rank(m) < RANKS["integrations"]]
    offenders = {
        module: sorted(t for t in GRAPH[module] if ".integrations" in t)
        for module in core
        if any(".integrations" in t for t in GRAPH[module])
    }
    assert offenders == {}
