"""Lineage questions on the known graph of ``conftest.py`` (edges point the way data flows)."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest

from arangoml_meta.errors import BadParameterError, CollectionNotFoundError, DocumentNotFoundError
from arangoml_meta.lineage import walk as walk_module
from arangoml_meta.store import MetadataStore

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
    assert via[MODEL] == {
        "_id": edge["_id"], "_from": lineage_graph.run, "_to": MODEL, "role": "model",
    }  # fmt: skip
    assert via[lineage_graph.run]["_id"].startswith("inputs/")
    assert via[lineage_graph.run]["role"] == "train"
    assert via[FEATS]["relation"] == "features_of"


def test_rows_are_compact_unless_asked(lineage_graph: LineageGraph) -> None:
    store = lineage_graph.store
    row = next(r for r in store.downstream(CLEAN) if r["_id"] == MODEL)
    assert row == {
        "_id": MODEL, "_type": "models", "name": "clf", "version": 1, "_depth": 2,
        "_via": row["_via"], "_starts": {CLEAN: 2},
    }  # fmt: skip
    full = next(r for r in store.downstream(CLEAN, fields="*") if r["_id"] == MODEL)
    assert full["framework"] == "sklearn" and full["created_by"] == store.actor
    assert full["_depth"] == 2
    chosen = next(r for r in store.downstream(CLEAN, fields=["framework"]) if r["_id"] == MODEL)
    assert chosen["framework"] == "sklearn" and "created_by" not in chosen


def test_a_name_starts_from_every_version(lineage_graph: LineageGraph) -> None:
    store = lineage_graph.store
    newer = store.register("datasets", "raw", rows=2000)
    store.link(newer, store.register("featuresets", "feats-2"), "features_of")
    rows = store.downstream("datasets/raw", types=["featuresets"])
    assert rows.starts == [RAW, "datasets/raw-v2"]
    assert {r["_id"]: r["_starts"] for r in rows} == {
        FEATS: {RAW: 2},
        "featuresets/feats-2-v1": {"datasets/raw-v2": 1},
    }


def test_several_starts_are_one_walk_each_row_once(lineage_graph: LineageGraph) -> None:
    store = lineage_graph.store
    rows = store.downstream([RAW, CLEAN, store.get(DEPLOYMENT)])
    assert len(rows) == len(ids(rows))
    model = next(r for r in rows if r["_id"] == MODEL)
    assert model["_starts"] == {RAW: 3, CLEAN: 2}
    assert model["_depth"] == 2  # from the nearest start
    assert next(r for r in rows if r["_id"] == CLEAN)["_starts"] == {RAW: 1}
    assert next(r for r in rows if r["_id"] == WINDOW)["_starts"] == {
        RAW: 5, CLEAN: 4, DEPLOYMENT: 1,
    }  # fmt: skip


def test_a_filter_starts_from_every_match(lineage_graph: LineageGraph) -> None:
    store = lineage_graph.store
    rows = store.downstream({"type": "datasets", "filter": {"rows": {">": 100}}}, types=["models"])
    assert rows.starts == [RAW, CLEAN]
    assert ids(rows) == {MODEL}
    with pytest.raises(BadParameterError, match="filter start"):
        store.downstream({"type": "datasets", "where": {}})


def test_types_walked_through_are_separate_from_types_returned(lineage_graph: LineageGraph) -> None:
    store = lineage_graph.store
    # runs end the walk: what lies behind the training run is not reached
    rows = store.downstream(RAW, through=["datasets", "featuresets"])
    assert ids(rows) == resolved(lineage_graph, CLEAN, FEATS, RUN)
    assert ids(store.downstream(RAW, types=["models"], through=["datasets"])) == set()
    assert ids(store.downstream(RAW, types=["models"], through=["datasets", "runs"])) == {MODEL}


def test_a_complete_walk_is_not_truncated(lineage_graph: LineageGraph) -> None:
    rows = lineage_graph.store.downstream(RAW)
    assert rows.truncated is False and rows.depth is None


@pytest.mark.parametrize(
    ("depth", "expected"),
    [
        (1, {CLEAN}),
        (2, {CLEAN, FEATS, RUN}),
        (3, {CLEAN, FEATS, RUN, MODEL}),
        (5, {CLEAN, FEATS, RUN, MODEL, DEPLOYMENT, WINDOW}),
    ],
)
def test_downstream_stops_at_the_depth_and_says_so(
    lineage_graph: LineageGraph, depth: int, expected: set[str]
) -> None:
    rows = lineage_graph.store.downstream(RAW, depth=depth)
    assert ids(rows) == resolved(lineage_graph, *expected)
    assert rows.truncated is (depth < 5)  # the window is 5 links away, the last vertex


def test_a_depth_cut_is_reported_even_when_the_types_asked_lie_nearer(
    lineage_graph: LineageGraph,
) -> None:
    rows = lineage_graph.store.downstream(RAW, types=["datasets"], depth=2)
    assert ids(rows) == {CLEAN}
    assert rows.truncated is True


@pytest.mark.parametrize("depth", [0, -1, 1.5, True, "3"])
def test_a_depth_is_a_positive_whole_number(lineage_graph: LineageGraph, depth: object) -> None:
    with pytest.raises(BadParameterError, match="depth"):
        lineage_graph.store.downstream(RAW, depth=depth)


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


def test_lineage_accepts_references_and_documents(lineage_graph: LineageGraph) -> None:
    store = lineage_graph.store
    expected = ids(store.downstream(RAW))
    assert ids(store.downstream("datasets/raw@latest")) == expected
    assert ids(store.downstream(store.get("datasets/raw@1"))) == expected


def test_a_versioned_start_walks_from_that_version_only(lineage_graph: LineageGraph) -> None:
    store = lineage_graph.store
    newer = store.register("datasets", "clean", rows=980)
    store.link(newer, store.register("featuresets", "feats-2"), "features_of")
    assert ids(store.downstream("datasets/clean@latest")) == {"featuresets/feats-2-v1"}
    assert ids(store.downstream("datasets/clean@2")) == {"featuresets/feats-2-v1"}
    assert ids(store.downstream("datasets/clean@1")) == ids(store.downstream(CLEAN))
    assert store.downstream("datasets/clean@latest").starts == [newer["_id"]]
    assert ids(store.upstream("featuresets/feats@latest", types=["datasets"])) == {RAW, CLEAN}
    assert ids(store.upstream("runs/train@latest")) == {CLEAN, RAW}


def test_a_versioned_start_sees_the_versions_of_its_transaction(
    lineage_graph: LineageGraph,
) -> None:
    store = lineage_graph.store
    with store.transaction():
        newer = store.register("datasets", "clean", rows=980)
        walked = store.downstream("datasets/clean@latest")
    assert walked.starts == [newer["_id"]]
    assert list(walked) == []


@pytest.mark.parametrize(
    ("start", "error"),
    [
        ("datasets/clean@2", DocumentNotFoundError),
        ("runs/train@2", BadParameterError),
        ("datasets/nothing", DocumentNotFoundError),
        ("datasets/nothing@latest", DocumentNotFoundError),
        ({"_id": "datasets/nothing-v1"}, DocumentNotFoundError),
        ("gadgets/g-v1", CollectionNotFoundError),
        ([], BadParameterError),
        (42, BadParameterError),
    ],
)
def test_a_start_that_names_nothing_is_an_error(
    lineage_graph: LineageGraph, start: object, error: type[Exception]
) -> None:
    with pytest.raises(error):
        lineage_graph.store.downstream(start)


def test_unknown_types_are_errors_not_empty_answers(lineage_graph: LineageGraph) -> None:
    store = lineage_graph.store
    with pytest.raises(CollectionNotFoundError):
        store.downstream(RAW, types=["gadgets"])
    with pytest.raises(CollectionNotFoundError):
        store.downstream(RAW, through=["gadgets"])
    with pytest.raises(BadParameterError, match="list of type names"):
        store.downstream(RAW, types="models")


CHAIN = 150  # links: deeper than any depth the store ever defaulted to (10, 20)


@pytest.fixture
def chain(store: MetadataStore) -> list[str]:
    """``CHAIN + 1`` versions of a serving-metrics window, each linked to the next."""
    with store.transaction():
        windows = [store.register("serving_metrics", "window") for _ in range(CHAIN + 1)]
        for older, newer in itertools.pairwise(windows):
            store.link(older, newer, "next_version")
    return [w["_id"] for w in windows]


def test_a_walk_is_complete_however_deep(store: MetadataStore, chain: list[str]) -> None:
    down = store.downstream(chain[0])
    assert down.ids() == chain[1:]
    assert [row["_depth"] for row in down] == list(range(1, CHAIN + 1))
    assert down.truncated is False
    up = store.upstream(chain[-1])
    assert set(up.ids()) == set(chain[:-1]) and up.truncated is False


def test_an_explicit_depth_reports_the_cut(store: MetadataStore, chain: list[str]) -> None:
    cut = store.downstream(chain[0], depth=50)
    assert cut.ids() == chain[1:51]
    assert cut.truncated is True and cut.depth == 50
    whole = store.downstream(chain[0], depth=CHAIN)
    assert len(whole) == CHAIN and whole.truncated is False


def test_the_safety_bound_cuts_loudly(
    store: MetadataStore, chain: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(walk_module, "COMPLETE_DEPTH", 100)
    with pytest.warns(UserWarning, match="safety bound of 100 links"):
        rows = store.downstream(chain[0])
    assert rows.truncated is True and len(rows) == 100


def test_one_walk_from_every_version_of_a_name(store: MetadataStore, chain: list[str]) -> None:
    rows = store.downstream("serving_metrics/window")
    assert rows.starts == chain
    assert len(rows) == CHAIN  # every version but the first is downstream of another
    last = next(row for row in rows if row["_id"] == chain[-1])
    assert last["_depth"] == 1  # from the version before it
    assert last["_starts"][chain[0]] == CHAIN and len(last["_starts"]) == CHAIN


def test_a_key_wins_over_a_name_that_spells_it(lineage_graph: LineageGraph) -> None:
    """``datasets/raw-v1`` is the id of a document: the walk starts there alone, even when
    an artifact is named ``raw-v1`` too (a name is read as a name only when no key is)."""
    store = lineage_graph.store
    named = store.register("datasets", "raw-v1", rows=1)
    store.link(named, store.register("featuresets", "from-the-name"), "features_of")
    rows = store.downstream(RAW, types=["featuresets"])
    assert rows.starts == [RAW]
    assert "featuresets/from-the-name-v1" not in rows.ids()
    by_name = store.downstream("datasets/raw-v1-v1", types=["featuresets"])
    assert by_name.starts == [named["_id"]] and by_name.ids() == ["featuresets/from-the-name-v1"]


@pytest.mark.parametrize("start", ["datasets/no such", "datasets/nothing", "datasets/-x"])
def test_a_start_that_is_neither_a_key_nor_a_name_is_not_found(
    lineage_graph: LineageGraph, start: str
) -> None:
    with pytest.raises(DocumentNotFoundError, match="neither the id nor the name"):
        lineage_graph.store.upstream(start)


def test_a_walk_from_a_name_asked_again_sees_another_connection_s_commit(
    lineage_graph: LineageGraph, reopen: Callable[[MetadataStore], MetadataStore]
) -> None:
    """The embedded engine keeps what a walk from ``type/name`` read (the name's versions,
    the missing key, the edges) while nothing is written: after another connection
    commits a new version of the name, linked to another dataset, the walk starts from
    both versions and finds both datasets."""
    store = lineage_graph.store
    first = store.upstream("deployments/clf-prod", types=["datasets"])
    assert store.upstream("deployments/clf-prod", types=["datasets"]) == first
    assert first.starts == [DEPLOYMENT] and set(first.ids()) == {RAW, CLEAN}
    other = reopen(store)
    second = other.register("deployments", "clf-prod", endpoint="/v2")
    other.link(OTHER, second, "deployed_as")
    again = store.upstream("deployments/clf-prod", types=["datasets"])
    assert again.starts == [DEPLOYMENT, second["_id"]]
    assert set(again.ids()) == {RAW, CLEAN, OTHER}
