"""The engine's binding step gives every variable and value bind parameter its own frame slot."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest

from arangoml_meta.aql import ast as A
from arangoml_meta.aql.parser import parse
from arangoml_meta.embedded.binder import bind

SHIPPED = sorted((Path(__file__).resolve().parents[2] / "aql").glob("*.aql"))
QUERIES = [
    "FOR d IN docs FILTER d.x == @v LET y = (FOR z IN d.items RETURN z * @v) RETURN [d, y]",
    "FOR d IN docs COLLECT g = d.g AGGREGATE n = COUNT(1) INTO members KEEP d RETURN [g, n]",
    "FOR d IN docs COLLECT WITH COUNT INTO c RETURN c",
    "FOR v, e, p IN 1..3 OUTBOUND 'a/1' edges PRUNE x = v.stop FILTER x RETURN p",
    "FOR p IN OUTBOUND K_SHORTEST_PATHS 'a/1' TO 'a/2' edges RETURN p",
    "UPSERT {k: @k} INSERT {k: @k} UPDATE {n: OLD.n + 1} IN docs RETURN [OLD, NEW]",
    "FOR d IN docs RETURN d.list[* FILTER CURRENT > 1 RETURN CURRENT[* RETURN CURRENT]]",
    "LET [a, {b}] = [1, {b: 2}] FOR [x, y] IN [[1, 2]] RETURN [a, b, x, y]",
    "FOR d IN docs WINDOW {preceding: 1} AGGREGATE s = SUM(d.n) RETURN s",
    "FOR d IN @@c FILTER d.x IN @xs RETURN {[@key]: d.x}",
]


def variables(tree: A.Node) -> set[A.Variable]:
    found: set[A.Variable] = set()

    def add(value: object) -> None:
        if isinstance(value, A.Variable):
            found.add(value)
        elif isinstance(value, (list, tuple)):
            for item in value:
                add(item)

    for node in tree.find_all(A.Node):
        for f in fields(node):
            add(getattr(node, f.name))
    return found


@pytest.mark.parametrize("text", QUERIES + [p.read_text(encoding="utf-8") for p in SHIPPED])
def test_each_variable_and_parameter_has_its_own_slot(text: str) -> None:
    tree = bind(parse(text))
    slots = [v.slot for v in variables(tree)] + list(tree.bind_params.values())
    assert all(0 < slot < tree.slot_count for slot in slots)
    assert len(set(slots)) == len(slots)
    for param in tree.find_all(A.BindParam):
        assert param.slot == tree.bind_params[param.name]


def test_the_parser_leaves_the_slots_to_the_engine() -> None:
    tree = parse("FOR d IN docs FILTER d.x == @v RETURN d")
    assert tree.slot_count == 0 and tree.bind_params == {"v": -1}
    assert {v.slot for v in variables(tree)} == {-1}
