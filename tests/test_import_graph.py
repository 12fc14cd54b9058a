"""The package's import graph has no circles.

Each module's imports are read with :mod:`ast` (nothing is imported): module-level imports,
``if TYPE_CHECKING:`` blocks left out since they never run. ``from pkg import name`` is an
edge to the submodule ``pkg.name`` when there is one, else to ``pkg``. Outside the embedded
engine, an import inside a function counts too: importing lazily is not a way around a circle.
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

import arangoml_meta

PACKAGE = Path(arangoml_meta.__file__).parent
# the package outside which lazy imports count: none, so they count in every module
NO_PACKAGE = ""

Graph = dict[str, dict[str, int]]  # module -> {imported module: line}


def module_names(root: Path) -> dict[str, Path]:
    """Every module of the package under ``root``, by dotted name."""
    names = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports(body: list[ast.stmt], lazy: bool) -> Iterator[ast.Import | ast.ImportFrom]:
    """The import statements that run with ``body``; with ``lazy``, those in functions too."""
    for node in body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, ast.If):
            if not _is_type_checking(node):
                yield from imports(node.body, lazy)
            yield from imports(node.orelse, lazy)
        elif isinstance(node, ast.Try):
            for block in (node.body, node.orelse, node.finalbody):
                yield from imports(block, lazy)
            for handler in node.handlers:
                yield from imports(handler.body, lazy)
        elif isinstance(node, (ast.With, ast.For, ast.While, ast.ClassDef)) or (
            lazy and isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        ):
            yield from imports(node.body, lazy)


def _targets(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        package = module if is_package else module.rpartition(".")[0]
        for _ in range(node.level - 1):
            package = package.rpartition(".")[0]
        base = f"{package}.{base}" if base else package
    return [f"{base}.{alias.name}" for alias in node.names] or [base]


def import_graph(root: Path, lazy_outside: str | None = None) -> Graph:
    """The package's modules and what each imports of it; lazy imports count in modules
    outside ``lazy_outside`` (a package name) when it is given."""
    modules = module_names(root)
    graph: Graph = {}
    for module, path in modules.items():
        lazy = lazy_outside is not None and not (
            module == lazy_outside or module.startswith(lazy_outside + ".")
        )
        edges: dict[str, int] = {}
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in imports(tree.body, lazy):
            for target in _targets(node, module, path.name == "__init__.py"):
                while target and target not in modules:  # pkg.name is a name in pkg
                    target = target.rpartition(".")[0]
                if target and target != module:
                    edges.setdefault(target, node.lineno)
        graph[module] = edges
    return graph


def cycles(graph: Graph) -> list[list[str]]:
    """One circle through each group of modules that import each other (Tarjan's strongly
    connected components), as the modules in import order, the first repeated at the end."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for target in graph[module]:
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(_circle(graph, set(group)))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return found


def _circle(graph: Graph, group: set[str]) -> list[str]:
    """A path from the group's first module back to itself, through the group only."""
    start = min(group)
    paths = {start: [start]}
    queue = [start]
    while queue:
        module = queue.pop(0)
        for target in sorted(graph[module]):
            if target == start:
                return [*paths[module], start]
            if target in group and target not in paths:
                paths[target] = [*paths[module], target]
                queue.append(target)
    raise AssertionError(f"no circle through {sorted(group)}")  # pragma: no cover


def describe(graph: Graph, circle: list[str]) -> str:
    """``a (line 3) -> b (line 9) -> a``: where each module imports the next."""
    steps = [f"{a} (line {graph[a][b]})" for a, b in itertools.pairwise(circle)]
    return " -> ".join([*steps, circle[-1]])


def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "pkg"
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_a_circle_is_found_and_named(tmp_path: Path) -> None:
    root = _package(
        tmp_path,
        {
            "__init__.py": "",
            "a.py": "from . import b\n",
            "b.py": "import json\n\nfrom .sub.c import thing\n",
            "sub/__init__.py": "",
            "sub/c.py": "from ..a import name\n",
        },
    )
    graph = import_graph(root)
    assert [describe(graph, c) for c in cycles(graph)] == [
        "pkg.a (line 1) -> pkg.b (line 3) -> pkg.sub.c (line 1) -> pkg.a"
    ]


def test_type_checking_imports_are_not_edges(tmp_path: Path) -> None:
    root = _package(
        tmp_path,
        {
            "__init__.py": "",
            "a.py": "from .b import B\n",
            "b.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .a import A\n",
        },
    )
    assert cycles(import_graph(root)) == []


def test_a_lazy_import_counts_only_where_asked(tmp_path: Path) -> None:
    root = _package(
        tmp_path,
        {
            "__init__.py": "",
            "a.py": "from .b import B\n",
            "b.py": "def late():\n    from .a import A\n    return A\n",
        },
    )
    assert cycles(import_graph(root)) == []
    assert cycles(import_graph(root, lazy_outside="pkg.engine")) == [["pkg.a", "pkg.b", "pkg.a"]]
    assert cycles(import_graph(root, lazy_outside="pkg")) == []


@pytest.mark.parametrize(
    "lazy_outside", [None, NO_PACKAGE], ids=["module-level imports", "lazy imports too"]
)
def test_the_package_imports_in_no_circle(lazy_outside: str | None) -> None:
    graph = import_graph(PACKAGE, lazy_outside)
    assert "arangoml_meta.store" in graph and "arangoml_meta.runs" in graph["arangoml_meta.store"]
    assert [describe(graph, c) for c in cycles(graph)] == []
