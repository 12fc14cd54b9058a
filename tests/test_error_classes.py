"""Every error the package raises has the class its number calls for, and every error
number has one home (``errors.py``).

A static scan of the package's source: each call of an error class with an error
number written as a constant must name the class :func:`errors.error_for` gives for
that number, or a subclass of it that no number maps to (a specialisation such as
``DumpFormatError``), so that a caller catching the class of a number catches it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import arangoml_meta
from arangoml_meta import errors

PACKAGE = Path(arangoml_meta.__file__).parent
ERROR_CLASSES = {
    name: value
    for name, value in vars(errors).items()
    if isinstance(value, type) and issubclass(value, errors.ArangoMLMetaError)
}
NUMBERS = {name: value for name, value in vars(errors).items() if name.startswith("ERROR_")}
MAPPED = set(errors._CLASS_BY_NUM.values())
# modules another part of issue 10 is rewriting (the parser moves to the language
# package): strict, so the entry must go once the move fixes the raise
KNOWN_MISMATCHES: dict[str, str] = {}


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def constant_number(node: ast.expr) -> int | None:
    if isinstance(node, ast.Name):
        return NUMBERS.get(node.id)
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    return None


def class_fits(cls: type[errors.ArangoMLMetaError], num: int) -> bool:
    """Whether raising ``cls`` with ``num`` is what :func:`errors.error_for` would build.

    A generic number with no class of its own (2, 4: error_for gives the root) may take
    any class its context calls for."""
    wanted = type(errors.error_for(num, ""))
    if wanted is errors.ArangoMLMetaError:
        return True
    return cls is wanted or (issubclass(cls, wanted) and cls not in MAPPED)


def raised_with_numbers(path: Path) -> list[tuple[int, str, int]]:
    """(line, class name, number) of each error class called with a constant number."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
            continue
        if node.func.id not in ERROR_CLASSES:
            continue
        given = node.args[1:2] + [k.value for k in node.keywords if k.arg == "error_num"]
        for arg in given:
            num = constant_number(arg)
            if num is not None:
                found.append((node.lineno, node.func.id, num))
    return found


def test_the_scan_finds_the_calls_it_checks() -> None:
    calls = [call for path in modules() for call in raised_with_numbers(path)]
    assert len(calls) > 100
    assert (errors.DocumentError, 1202) not in [(ERROR_CLASSES[c], n) for _, c, n in calls]


@pytest.mark.parametrize(
    ("cls", "num", "fits"),
    [
        (errors.UniqueConstraintError, 1210, True),
        (errors.DocumentError, 1210, False),  # a caller catching UniqueConstraintError misses it
        (errors.QueryError, 1501, False),
        (errors.CollectionNotFoundError, 1208, False),  # a subclass that means another number
        (errors.DumpFormatError, 10, True),  # a specialisation no number maps to
        (errors.StoreError, 1228, True),
        (errors.TransactionError, 18, True),
        (errors.StoreError, 2, True),  # a generic number: the context picks the class
    ],
)
def test_class_fits_its_number(cls: type[errors.ArangoMLMetaError], num: int, fits: bool) -> None:
    assert class_fits(cls, num) is fits


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_each_raise_has_the_class_of_its_number(path: Path, request: pytest.FixtureRequest) -> None:
    if path.name in KNOWN_MISMATCHES:
        request.applymarker(pytest.mark.xfail(strict=True, reason=KNOWN_MISMATCHES[path.name]))
    wrong = [
        f"line {line}: {name}(..., {num}) where error_for({num}) is "
        f"{type(errors.error_for(num, '')).__name__}"
        for line, name, num in raised_with_numbers(path)
        if not class_fits(ERROR_CLASSES[name], num)
    ]
    assert not wrong


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_error_numbers_are_defined_only_in_errors_py(path: Path) -> None:
    if path == PACKAGE / "errors.py":
        return
    tree = ast.parse(path.read_text(encoding="utf-8"))
    defined = [
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name) and target.id.startswith("ERROR_")
    ]
    assert not defined
