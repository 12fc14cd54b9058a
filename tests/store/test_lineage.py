"""Lineage questions on the known graph of ``conftest.py`` (edges point the way data flows)."""

from __future__ import annotations

import pytest

from .conftest import LineageGraph, ids

RAW, CLEAN, OTHER = "datasets/raw-v1", "datasets/clean-v1", "datasets/other-v1"
FEATS, MODEL = "featuresets/feats-v1", "models/clf-v1"
DEPLOYMENT, WINDOW = "deployments/clf-prod-v1", "serving_metrics/clf-prod-w1-v1"
RUN = "RUN"  # stands for the training run, whose key has a timestamp


def resolved(graph: LineageGraph, *names: str) -> set[str]:
    return {graph.run if name == RUN else name for name in names}


def by_depth(graph: LineageGraph, rows: list[dict]) -> dict[str, int]:
    return {row["_id"]: row["_depth"] for row in rows}


def test_downstream_of_a_dataset_is_everything_derived_from_it(lineage_graph: LineageGraph) -> None:
    rows = lineage_graph.store.downstream(RAW)
    assert by_depth(lineage_graph, rows) == {
        CLEAN: 1,
        FEATS: 2,
        lineage_graph.run: 2,
        MODEL: 3,
        DEPLOYMENT: 4,
        WINDOW: 5,
    }


def test_downstream_comes_nearest_first(lineage_graph: LineageGraph) -> None:
    depths = [row["_depth"] for row in lineage_graph.store.downstream(RAW)]
    assert depths == sorted(depths)


def test_downstream_says_which_edge_reached_each_vertex(lineage_graph: LineageGraph) -> None:
    store = lineage_graph.store
    via = {row["_id"]: row["_via"] for row in store.downstream(CLEAN)}
    edge = store.query("FOR e IN outputs RETURN e")[0]
    assert via[MODEL] == edge["_id"]
    assert via[lineage_graph.run].startswith("inputs/")


@pytest.mark.parametrize(
    ("depth", "expected"),
    [
        (1, {CLEAN}),
        (2, {CLEAN, FEATS, RUN}),
        (3, {CLEAN, FEATS, RUN, MODEL}),
        (5, {CLEAN, FEATS, RUN, MODEL, DEPLOYMENT, WINDOW}),
    ],
)
def test_downstream_stops_at_the_depth(
    lineage_graph: LineageGraph, depth: int, expected: set[str]
) -> None:
    rows = lineage_graph.store.downstream(RAW, depth=depth)
    assert ids(rows) == resolved(lineage_graph, *expected)


@pytest.mark.parametrize(
    ("types", "expected"),
    [
        (["models"], {MODEL}),
        (["runs"], {RUN}),
        (["models", "deployments"], {MODEL, DEPLOYMENT}),
        (["datasets", "featuresets"], {CLEAN, FEATS}),
        (["projects"], set()),
        (None, {CLEAN, FEATS, RUN, MODEL, DEPLOYMENT, WINDOW}),
    ],
)
def test_downstream_filtered_by_type(
    lineage_graph: LineageGraph, types: list[str] | None, expected: set[str]
) -> None:
    rows = lineage_graph.store.downstream(RAW, types=types)
    assert ids(rows) == resolved(lineage_graph, *expected)


def test_upstream_of_a_deployment_is_everything_it_came_from(lineage_graph: LineageGraph) -> None:
    rows = lineage_graph.store.upstream(DEPLOYMENT)
    assert by_depth(lineage_graph, rows) == {MODEL: 1, lineage_graph.run: 2, CLEAN: 3, RAW: 4}


def test_upstream_filtered_by_type_and_depth(lineage_graph: LineageGraph) -> None:
    store = lineage_graph.store
    assert ids(store.upstream(WINDOW, types=["datasets"])) == {CLEAN, RAW}
    assert ids(store.upstream(WINDOW, types=["datasets"], depth=4)) == {CLEAN}


@pytest.mark.parametrize(
    ("dataset", "expected"),
    [(RAW, {MODEL, DEPLOYMENT}), (CLEAN, {MODEL, DEPLOYMENT}), (OTHER, set())],
)
def test_impact_of_a_dataset_is_its_models_and_deployments(
    lineage_graph: LineageGraph, dataset: str, expected: set[str]
) -> None:
    assert ids(lineage_graph.store.impact(dataset)) == expected


@pytest.mark.parametrize("ref", [OTHER, RAW])
def test_nothing_is_upstream_of_a_source(lineage_graph: LineageGraph, ref: str) -> None:
    assert lineage_graph.store.upstream(ref) == []


def test_path_between_two_artifacts(lineage_graph: LineageGraph) -> None:
    steps = lineage_graph.store.path(RAW, DEPLOYMENT)
    assert [step["vertex"]["_id"] for step in steps] == [
        RAW,
        CLEAN,
        lineage_graph.run,
        MODEL,
        DEPLOYMENT,
    ]
    assert steps[0]["edge"] is None
    assert [step["edge"]["_id"].partition("/")[0] for step in steps[1:]] == [
        "derivations",
        "inputs",
        "outputs",
        "derivations",
    ]


@pytest.mark.parametrize(
    ("source", "target"),
    [(RAW, OTHER), (DEPLOYMENT, RAW), (FEATS, MODEL)],
    ids=["unconnected", "against-the-flow", "siblings"],
)
def test_no_path_between_unconnected_artifacts(
    lineage_graph: LineageGraph, source: str, target: str
) -> None:
    assert lineage_graph.store.path(source, target) == []


def test_a_path_in_any_direction(lineage_graph: LineageGraph) -> None:
    steps = lineage_graph.store.path(FEATS, MODEL, any_direction=True)
    assert [step["vertex"]["_id"] for step in steps] == [FEATS, CLEAN, lineage_graph.run, MODEL]


def test_subgraph_around_a_model(lineage_graph: LineageGraph) -> None:
    store = lineage_graph.store
    subgraph = store.subgraph(MODEL)
    assert ids(subgraph["vertices"]) == resolved(
        lineage_graph, RAW, CLEAN, RUN, MODEL, DEPLOYMENT, WINDOW
    )
    assert {(e["_from"], e["_to"]) for e in subgraph["edges"]} == {
        (RAW, CLEAN),
        (CLEAN, lineage_graph.run),
        (lineage_graph.run, MODEL),
        (MODEL, DEPLOYMENT),
        (DEPLOYMENT, WINDOW),
    }
    assert len(subgraph["edges"]) == 5


def test_subgraph_stops_at_the_depth(lineage_graph: LineageGraph) -> None:
    subgraph = lineage_graph.store.subgraph(MODEL, depth=1)
    assert ids(subgraph["vertices"]) == {lineage_graph.run, MODEL, DEPLOYMENT}
    assert {(e["_from"], e["_to"]) for e in subgraph["edges"]} == {
        (lineage_graph.run, MODEL),
        (MODEL, DEPLOYMENT),
    }


def test_subgraph_of_an_unconnected_artifact_is_itself(lineage_graph: LineageGraph) -> None:
    subgraph = lineage_graph.store.subgraph(OTHER)
    assert ids(subgraph["vertices"]) == {OTHER}
    assert subgraph["edges"] == []


def test_lineage_accepts_references_and_documents(lineage_graph: LineageGraph) -> None:
    store = lineage_graph.store
    expected = ids(store.downstream(RAW))
    assert ids(store.downstream("datasets/raw@latest")) == expected
    assert ids(store.downstream(store.get("datasets/raw@1"))) == expected
