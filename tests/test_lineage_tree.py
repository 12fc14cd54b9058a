"""Drawing a walk: the tree hangs every row under the vertex it was reached from."""

from __future__ import annotations

import pytest

from arangoml_meta.lineage import Lineage, lineage_tree, render_tree, to_dot, to_mermaid
from arangoml_meta.lineage.tree import TreeNode, chain, tree_edges

TRAIN = {"_id": "inputs/1", "_from": "datasets/d-v1", "_to": "runs/r", "role": "train"}
MODEL = {"_id": "outputs/1", "_from": "runs/r", "_to": "models/m-v1", "role": "model"}
TEST = {"_id": "inputs/2", "_from": "datasets/d-v1", "_to": "runs/s", "role": "test"}


def row(vertex: str, depth: int, via: dict, **fields: object) -> dict:
    return {"_id": vertex, "_depth": depth, "_via": via, **fields}


def downstream_of_d() -> Lineage:
    return Lineage(
        [
            row("runs/r", 1, TRAIN),
            row("runs/s", 1, TEST, status="failed"),
            row("models/m-v1", 2, MODEL),
        ],
        starts=["datasets/d-v1"],
        direction="downstream",
    )


def by_id(node: TreeNode) -> str:
    return node.vertex


def test_a_tree_hangs_each_row_under_the_vertex_it_was_reached_from() -> None:
    assert render_tree(lineage_tree(downstream_of_d()), by_id) == (
        "datasets/d-v1\n"
        "├── runs/r  (inputs: train)\n"
        "│   └── models/m-v1  (outputs: model)\n"
        "└── runs/s  (inputs: test)"
    )


def test_the_default_label_shows_a_run_status() -> None:
    assert "runs/s [failed]  (inputs: test)" in render_tree(lineage_tree(downstream_of_d()))


def test_a_tree_keeps_only_branches_to_wanted_types() -> None:
    tree = lineage_tree(downstream_of_d(), wanted=lambda v: v.startswith("models/"))
    assert render_tree(tree, by_id) == (
        "datasets/d-v1\n└── runs/r  (inputs: train)\n    └── models/m-v1  (outputs: model)"
    )


def test_an_upstream_tree_hangs_sources_under_what_they_fed() -> None:
    upstream = Lineage(
        [row("runs/r", 1, MODEL), row("datasets/d-v1", 2, TRAIN)],
        starts=["models/m-v1"],
        direction="upstream",
    )
    assert render_tree(lineage_tree(upstream), by_id) == (
        "models/m-v1\n└── runs/r  (outputs: model)\n    └── datasets/d-v1  (inputs: train)"
    )


def test_several_starts_make_a_forest() -> None:
    walk = Lineage(
        [row("runs/r", 1, TRAIN)], starts=["datasets/d-v1", "datasets/e-v1"], direction="downstream"
    )
    assert render_tree(lineage_tree(walk), by_id) == (
        "2 starts\n├── datasets/d-v1\n│   └── runs/r  (inputs: train)\n└── datasets/e-v1"
    )


def test_a_walk_filtered_by_type_cannot_be_drawn_as_a_tree() -> None:
    walk = Lineage([], starts=["datasets/d-v1"], types=["models"])
    with pytest.raises(ValueError, match="every type"):
        lineage_tree(walk)


def test_pictures_hold_the_tree_edges() -> None:
    tree = lineage_tree(downstream_of_d())
    assert {e["_id"] for e in tree_edges(tree)} == {"inputs/1", "inputs/2", "outputs/1"}
    dot = to_dot(["datasets/d-v1", "runs/r"], tree_edges(tree), lambda v: v.startswith("runs/"))
    assert '"datasets/d-v1" -> "runs/r" [label="inputs: train"];' in dot
    assert '"runs/r" [label="runs/r", shape=ellipse];' in dot


def test_a_chain_marks_links_against_the_flow() -> None:
    tree = chain(
        [
            {"vertex": {"_id": "models/m-v1"}, "edge": None},
            {"vertex": {"_id": "runs/r"}, "edge": MODEL},
        ]
    )
    assert render_tree(tree, by_id) == "models/m-v1\n└── runs/r  (against the flow, outputs: model)"


def test_mermaid_quotes_labels() -> None:
    edge = {"_id": "derivations/1", "_from": 'a/"x"', "_to": "b/y", "relation": "sub"}
    assert to_mermaid(['a/"x"', "b/y"], [edge], lambda v: False).splitlines() == [
        "flowchart LR",
        '  v0["a/#quot;x#quot;"]',
        '  v1["b/y"]',
        '  v0 -->|"derivations: sub"| v1',
    ]
