"""The language package stands alone, and the domain layer reaches AQL only through it.

Read from the source with Python's ``ast`` (every import, module level or not):
the language imports nothing but itself and the error tree, and the modules
that parse or analyse AQL outside the engine never import the engine.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import arangoml_meta

PACKAGE = Path(arangoml_meta.__file__).parent


def imported_modules(path: Path) -> set[str]:
    """The absolute names of the modules ``path`` imports."""
    package = ".".join(("arangoml_meta", *path.relative_to(PACKAGE).parent.parts))
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


@pytest.mark.parametrize("path", sorted((PACKAGE / "aql").glob("*.py")), ids=lambda p: p.name)
def test_the_language_imports_only_itself_and_the_errors(path: Path) -> None:
    ours = {m for m in imported_modules(path) if m.startswith("arangoml_meta")}
    assert all(m.startswith(("arangoml_meta.aql", "arangoml_meta.errors")) for m in ours), ours


@pytest.mark.parametrize("name", ["queries.py", "query_binding.py", "cli/query.py"])
def test_the_domain_layer_parses_aql_without_the_engine(name: str) -> None:
    imports = imported_modules(PACKAGE / name)
    assert not {m for m in imports if m.startswith("arangoml_meta.embedded")}
    assert any(m.startswith("arangoml_meta.aql") for m in imports)


def test_the_import_reader_resolves_relative_imports() -> None:
    assert "arangoml_meta.aql.parser.parse" in imported_modules(PACKAGE / "cli" / "query.py")
    assert "arangoml_meta.errors" in imported_modules(PACKAGE / "aql" / "lexer.py")
