"""Static analysis of parsed AQL: writes, bind parameters, collections named."""

from __future__ import annotations

import pytest

from arangoml_meta.aql.analysis import (
    collection_parameters,
    collections_used,
    modifies_data,
    value_parameters,
)
from arangoml_meta.aql.parser import parse


@pytest.mark.parametrize(
    ("text", "writes"),
    [
        ("FOR d IN docs RETURN d", False),
        ("FOR d IN docs SEARCH d.x == 1 RETURN d", False),
        ("RETURN 'INSERT INTO x'", False),  # a keyword in a string is not a statement
        ("FOR d IN docs REMOVE d IN docs", True),
        ("INSERT {} INTO docs", True),
        ("LET x = (FOR d IN docs UPDATE d WITH {a: 1} IN docs) RETURN x", True),
        ("UPSERT {a: 1} INSERT {a: 1} UPDATE {} IN docs", True),
        ("FOR d IN docs REPLACE d WITH {} IN @@c", True),
    ],
)
def test_modifies_data(text: str, writes: bool) -> None:
    assert modifies_data(parse(text)) is writes


def test_bind_parameters_values_and_collections_apart() -> None:
    tree = parse("FOR d IN @@c FILTER d.x == @x AND d.y IN @ys RETURN {[@k]: @x}")
    assert value_parameters(tree) == {"x", "ys", "k"}
    assert collection_parameters(tree) == {"c"}


def test_collections_used_are_the_names_that_are_no_variables() -> None:
    tree = parse(
        "WITH vertices FOR d IN docs FOR v IN 1..2 OUTBOUND d edges "
        "LET n = LENGTH(others) INSERT {v} INTO log RETURN d"
    )
    assert collections_used(tree) == {"vertices", "docs", "edges", "others", "log"}


def test_collections_named_at_run_time_are_not_listed() -> None:
    tree = parse('FOR v IN 1 OUTBOUND "a/1" GRAPH "g" RETURN DOCUMENT("c/k")')
    assert collections_used(tree) == set()
