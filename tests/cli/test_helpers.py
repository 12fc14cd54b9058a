"""The CLI's own helpers: reading KEY=VALUE, and drawing trees and pictures."""

from __future__ import annotations

import pytest

from arangoml_meta.cli.core import json_value, nested_fields
from arangoml_meta.cli.graph import chain, directional_tree, render_tree, to_mermaid
from arangoml_meta.cli.output import cell
from arangoml_meta.errors import BadParameterError


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("150", 150),
        ("1.5", 1.5),
        ("true", True),
        ("null", None),
        ('"150"', "150"),
        ("[1, 2]", [1, 2]),
        ("s3://lake/iris.csv", "s3://lake/iris.csv"),
        ("007", "007"),
        ("NaN", "NaN"),
        ("Infinity", "Infinity"),
        ("", ""),
    ],
)
def test_json_value_reads_json_else_text(text: str, value: object) -> None:
    assert json_value(text, "field") == value


@pytest.mark.parametrize("text", ["[1, 2", '{"a": 1', '"open'])
def test_json_value_refuses_broken_json(text: str) -> None:
    with pytest.raises(BadParameterError, match="starts like JSON"):
        json_value(text, "field")


def test_nested_fields_follow_dots() -> None:
    assert nested_fields({"metrics.auc": 0.9, "metrics.f1": 0.8, "rows": 3}) == {
        "metrics": {"auc": 0.9, "f1": 0.8},
        "rows": 3,
    }
    with pytest.raises(BadParameterError, match="empty part"):
        nested_fields({"metrics..auc": 1})


def test_cells_are_text_or_compact_json() -> None:
    assert [cell(None), cell(True), cell(3), cell("a"), cell({"a": [1]})] == [
        "", "true", "3", "a", '{"a":[1]}',
    ]  # fmt: skip


EDGES = [
    {"_id": "inputs/1", "_from": "datasets/d-v1", "_to": "runs/r", "role": "train"},
    {"_id": "outputs/1", "_from": "runs/r", "_to": "models/m-v1", "role": "model"},
    {"_id": "inputs/2", "_from": "datasets/d-v1", "_to": "runs/s", "role": "test"},
]


def test_a_tree_keeps_only_branches_to_wanted_types() -> None:
    tree = directional_tree(
        "datasets/d-v1", EDGES, downstream=True, wanted=lambda v: v.startswith("models/")
    )
    assert render_tree(tree, str) == (
        "datasets/d-v1\n└── runs/r  (inputs: train)\n    └── models/m-v1  (outputs: model)"
    )


def test_a_chain_marks_links_against_the_flow() -> None:
    tree = chain(["models/m-v1", "runs/r"], [None, EDGES[1]])
    assert render_tree(tree, str) == "models/m-v1\n└── runs/r  (against the flow, outputs: model)"


def test_mermaid_quotes_labels() -> None:
    edge = {"_id": "derivations/1", "_from": 'a/"x"', "_to": "b/y", "relation": "sub"}
    assert to_mermaid(['a/"x"', "b/y"], [edge], lambda v: False).splitlines() == [
        "flowchart LR",
        '  v0["a/#quot;x#quot;"]',
        '  v1["b/y"]',
        '  v0 -->|"derivations: sub"| v1',
    ]
