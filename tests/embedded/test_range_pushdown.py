"""Range FILTERs pushed into SQL give what AQL gives, whatever the attribute's type: a
lower and an upper bound on an indexed attribute read one range of the index
(``planner._between``), and a bound given as a sum or difference of values known
before the scan is pushed too (``planner._independent``)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest

from arangoml_meta.embedded import EmbeddedDatabase

# every type AQL orders, numbers among them: null < bool < number < string < array < object
VALUES: list[Any] = [
    None,
    False,
    True,
    -3,
    0,
    1,
    1.5,
    2,
    4,
    7,
    "",
    "2",
    "abc",
    [],
    [1],
    {},
    {"a": 1},
]
BOUNDS = [-1, 0, 1.5, 2, 4, 10]
LOWER = (">", ">=")
UPPER = ("<", "<=")


@pytest.fixture
def db() -> Iterator[EmbeddedDatabase]:
    with EmbeddedDatabase() as database:
        for name in ("plain", "indexed"):
            database.create_collection(name)
            database.insert_many(name, [{"v": v, "i": i} for i, v in enumerate(VALUES)])
            database.insert(name, {"i": len(VALUES)})  # v missing: null
        database.ensure_index("indexed", ["v"])
        yield database


def selected(db: EmbeddedDatabase, collection: str, condition: str, bind: dict[str, Any]) -> Any:
    aql = f"FOR d IN {collection} FILTER {condition} SORT d.i RETURN d.i"
    return list(db.query(aql, bind, statistics=True))


def in_python(db: EmbeddedDatabase, condition: str, bind: dict[str, Any]) -> Any:
    """The same FILTER evaluated on values (nothing pushed into SQL)."""
    aql = f"FOR d IN (FOR x IN plain RETURN x) FILTER {condition} SORT d.i RETURN d.i"
    return list(db.query(aql, bind))


@pytest.mark.parametrize(("low_op", "high_op"), list(itertools.product(LOWER, UPPER)))
def test_a_range_on_an_indexed_attribute_selects_what_aql_selects(
    db: EmbeddedDatabase, low_op: str, high_op: str
) -> None:
    for lo, hi in itertools.product(BOUNDS, BOUNDS):
        condition = f"d.v {low_op} @lo AND d.v {high_op} @hi"
        bind = {"lo": lo, "hi": hi}
        expected = in_python(db, condition, bind)
        assert selected(db, "indexed", condition, bind) == expected, (condition, bind)
        assert selected(db, "plain", condition, bind) == expected, (condition, bind)


def test_a_range_reads_only_its_entries_of_the_index(db: EmbeddedDatabase) -> None:
    rows = db.query("FOR d IN indexed FILTER d.v >= 1 AND d.v < 4 RETURN d.i", statistics=True)
    assert sorted(rows) == [5, 6, 7]  # 1, 1.5, 2
    assert rows.stats["scannedIndex"] == 3 and rows.stats["filtered"] == 0


@pytest.mark.parametrize(
    "condition",
    [
        "d.v >= @lo AND d.v < @lo + 3",
        "d.v > @lo - 1 AND d.v <= @lo + '2'",  # a string is 2 in arithmetic
        "d.v == @lo + 1",
        "d.v IN [@lo, @lo + 1]",
        "d.v < -@lo + 5",
    ],
)
def test_a_bound_computed_before_the_scan_selects_what_aql_selects(
    db: EmbeddedDatabase, condition: str
) -> None:
    for lo in (0, 1, 2, "x", None):
        bind = {"lo": lo}
        expected = in_python(db, condition, bind)
        assert selected(db, "indexed", condition, bind) == expected, (condition, bind)
        assert selected(db, "plain", condition, bind) == expected, (condition, bind)
