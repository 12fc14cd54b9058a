"""No module outside ``store.py`` uses a private member of :class:`MetadataStore`.

The domain modules (runs, deletion, type administration, imports, ...) and the CLI talk to
the store through its public methods. Read with :mod:`ast`: the store's private members are
the ``_names`` its class defines or assigns on ``self``; any other module that reads one
from an object other than its own ``self`` / ``cls`` is named with the line.
"""

from __future__ import annotations

import ast
from pathlib import Path

import arangoml_meta

PACKAGE = Path(arangoml_meta.__file__).parent
STORE = PACKAGE / "store.py"


def private_members(source: str, class_name: str) -> set[str]:
    """The ``_names`` (not ``__dunder__``) the class defines or sets on ``self``."""
    (cls,) = (
        n for n in ast.parse(source).body if isinstance(n, ast.ClassDef) and n.name == class_name
    )
    names = {n.name for n in cls.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))} | {
        n.attr
        for n in ast.walk(cls)
        if isinstance(n, ast.Attribute)
        and isinstance(n.value, ast.Name)
        and n.value.id == "self"
        and isinstance(n.ctx, ast.Store)
    }
    return {n for n in names if n.startswith("_") and not n.endswith("__")}


def uses(source: str, members: set[str]) -> list[tuple[int, str]]:
    """Where ``source`` reads one of ``members`` from something other than self or cls."""
    return sorted(
        (n.lineno, n.attr)
        for n in ast.walk(ast.parse(source))
        if isinstance(n, ast.Attribute)
        and n.attr in members
        and not (isinstance(n.value, ast.Name) and n.value.id in ("self", "cls"))
    )


def test_a_private_use_is_found() -> None:
    store = "class MetadataStore:\n    def _lookup(self):\n        self._types = {}\n"
    members = private_members(store, "MetadataStore")
    assert members == {"_lookup", "_types"}
    other = "def f(store):\n    store._types.clear()\n    self._lookup()\n    return store.get()\n"
    assert uses(other, members) == [(2, "_types")]


def test_no_module_uses_a_private_member_of_the_store() -> None:
    members = private_members(STORE.read_text(encoding="utf-8"), "MetadataStore")
    assert {"_types", "_lookup"} <= members
    found = [
        f"{path.relative_to(PACKAGE.parent)}:{line}: {name}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if path != STORE
        for line, name in uses(path.read_text(encoding="utf-8"), members)
    ]
    assert found == []
