"""Deleting artifacts and runs: edges go with them, dependents refuse or cascade, versions stay spent.

The known graph of ``conftest.py``::

    raw-v1 --subset_of--> clean-v1 --train--> RUN --model--> clf-v1 --deployed_as--> clf-prod-v1
    clean-v1 --features_of--> feats-v1            clf-prod-v1 --monitors--> clf-prod-w1-v1
    other-v1 (unconnected)
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from arangoml_meta.errors import (
    CollectionNotFoundError,
    ConflictError,
    DocumentError,
    DocumentNotFoundError,
)
from arangoml_meta.store import EDGES, MetadataStore
from arangoml_meta.types import load_type_file

from .conftest import LineageGraph, counts

RAW, CLEAN, OTHER = "datasets/raw-v1", "datasets/clean-v1", "datasets/other-v1"
FEATS, MODEL = "featuresets/feats-v1", "models/clf-v1"
DEPLOYMENT, WINDOW = "deployments/clf-prod-v1", "serving_metrics/clf-prod-w1-v1"


def edge_ends(store: MetadataStore) -> set[tuple[str, str]]:
    return {
        (e["_from"], e["_to"])
        for collection in EDGES
        for e in store.query("FOR e IN @@c RETURN e", {"@c": collection})
    }


def gone(store: MetadataStore, doc_id: str) -> bool:
    try:
        store.get(doc_id)
    except DocumentNotFoundError:
        return True
    return False


def test_an_unconnected_artifact_goes_alone(lineage_graph: LineageGraph) -> None:
    store = lineage_graph.store
    before = edge_ends(store)
    deletion = lineage_graph.store.delete(OTHER)
    assert (deletion.documents, deletion.edges, deletion.dry_run) == ([OTHER], [], False)
    assert gone(store, OTHER)
    assert edge_ends(store) == before


def test_a_leaf_goes_with_the_edges_that_reach_it(lineage_graph: LineageGraph) -> None:
    store = lineage_graph.store
    deletion = store.delete(WINDOW)
    assert deletion.documents == [WINDOW] and len(deletion.edges) == 1
    assert gone(store, WINDOW)
    assert (DEPLOYMENT, WINDOW) not in edge_ends(store)
    assert store.downstream(DEPLOYMENT) == []
    assert not gone(store, DEPLOYMENT)


def test_something_derived_from_it_refuses_the_deletion_and_names_it(
    lineage_graph: LineageGraph,
) -> None:
    store = lineage_graph.store
    before = (counts(store), edge_ends(store))
    with pytest.raises(ConflictError) as err:
        store.delete(CLEAN)
    assert err.value.error_num == 1200
    assert "2 documents depend on it" in str(err.value)
    assert FEATS in str(err.value) and lineage_graph.run in str(err.value)
    assert "cascade" in str(err.value)
    assert (counts(store), edge_ends(store)) == before


def test_a_run_with_outputs_is_refused_too(lineage_graph: LineageGraph) -> None:
    with pytest.raises(ConflictError) as err:
        lineage_graph.store.delete(lineage_graph.run)
    assert MODEL in str(err.value)


def test_cascade_takes_everything_downstream_and_nothing_else(lineage_graph: LineageGraph) -> None:
    store = lineage_graph.store
    deletion = store.delete(CLEAN, cascade=True)
    expected = {CLEAN, FEATS, lineage_graph.run, MODEL, DEPLOYMENT, WINDOW}
    assert deletion.documents[0] == CLEAN
    assert set(deletion.documents) == expected
    assert len(deletion.edges) == 6
    assert all(gone(store, doc_id) for doc_id in expected)
    assert not gone(store, RAW) and not gone(store, OTHER)
    assert edge_ends(store) == set()  # raw -> clean went with clean
    assert store.downstream(RAW) == []


def test_dry_run_reports_and_changes_nothing(lineage_graph: LineageGraph) -> None:
    store = lineage_graph.store
    before = (counts(store), edge_ends(store))
    preview = store.delete(CLEAN, cascade=True, dry_run=True)
    assert preview.dry_run
    assert (counts(store), edge_ends(store)) == before
    assert store.delete(CLEAN, cascade=True).documents == preview.documents


def test_a_refused_dry_run_is_refused_the_same_way(lineage_graph: LineageGraph) -> None:
    with pytest.raises(ConflictError):
        lineage_graph.store.delete(MODEL, dry_run=True)


def test_every_deleted_document_is_on_record_without_its_content(
    lineage_graph: LineageGraph,
) -> None:
    store = lineage_graph.store
    store.delete(MODEL, cascade=True)
    records = store.query("FOR d IN deletions SORT d.document RETURN d")
    assert [r["document"] for r in records] == [DEPLOYMENT, MODEL, WINDOW]
    assert store.info()["counts"]["deletions"] == 3
    model = next(r for r in records if r["document"] == MODEL)
    assert (model["type"], model["name"], model["version"]) == ("models", "clf", 1)
    assert model["cascade_from"] is None
    assert {r["cascade_from"] for r in records if r["document"] != MODEL} == {MODEL}
    assert {r["deleted_by"] for r in records} == {store.actor}
    assert "framework" not in model


def test_a_deleted_version_is_never_handed_out_again(store: MetadataStore) -> None:
    for _ in range(3):
        store.register("datasets", "iris")
    store.delete("datasets/iris-v3")
    store.delete("datasets/iris-v1")
    assert store.register("datasets", "iris")["_key"] == "iris-v4"
    assert [d["version"] for d in store.history("datasets", "iris")] == [2, 4]
    store.delete("datasets/iris@latest")
    store.delete("datasets/iris-v2")
    assert store.register("datasets", "iris")["version"] == 5


def test_deleting_one_type_spends_no_version_of_another(store: MetadataStore) -> None:
    store.register("datasets", "iris")
    store.delete("datasets/iris-v1")
    assert store.register("models", "iris")["version"] == 1


@pytest.mark.parametrize(
    ("ref", "error", "num"),
    [
        ("datasets/missing-v1", DocumentNotFoundError, 1202),
        ("datasets/missing@latest", DocumentNotFoundError, 1202),
        ("nonsense/thing-v1", CollectionNotFoundError, 1203),
        ("no slash", DocumentError, None),
    ],
)
def test_what_does_not_exist_cannot_be_deleted(
    lineage_graph: LineageGraph, ref: str, error: type[Exception], num: int | None
) -> None:
    store = lineage_graph.store
    before = counts(store)
    with pytest.raises(error) as err:
        store.delete(ref)
    if num is not None:
        assert err.value.error_num == num  # type: ignore[attr-defined]
    assert counts(store) == before


def test_deleting_twice_is_1202_the_second_time(lineage_graph: LineageGraph) -> None:
    store = lineage_graph.store
    store.delete(OTHER)
    with pytest.raises(DocumentNotFoundError):
        store.delete(OTHER)


def test_a_failing_deletion_inside_a_step_leaves_the_step_to_decide(
    lineage_graph: LineageGraph,
) -> None:
    store = lineage_graph.store
    with store.transaction():
        store.register("datasets", "kept")
        with pytest.raises(ConflictError):
            store.delete(CLEAN)
    assert not gone(store, "datasets/kept-v1")
    assert not gone(store, CLEAN)


def test_a_squatters_key_once_deleted_does_not_stop_the_name(store: MetadataStore) -> None:
    store.register("datasets", "iris")
    store.backend.insert("datasets", {"_key": "iris-v2", "name": "squatter", "version": 1})
    store.delete("datasets/iris-v2")  # its record says iris-v2 is spent, under another name
    assert store.register("datasets", "iris")["_key"] == "iris-v3"


def test_an_id_deleted_twice_is_on_record_twice(store: MetadataStore) -> None:
    store.register("datasets", "iris")
    store.delete("datasets/iris-v1")
    # written again around the store (AQL, a restore), and deleted again
    store.backend.insert("datasets", {"_key": "iris-v1", "name": "iris", "version": 1})
    store.delete("datasets/iris-v1")
    records = store.query("FOR r IN deletions FILTER r.document == 'datasets/iris-v1' RETURN r")
    assert len(records) == 2
    assert store.register("datasets", "iris")["version"] == 2


def test_long_names_of_long_types_can_be_deleted(store: MetadataStore, tmp_path: Path) -> None:
    type_name = "t" * 60  # with the name, the id no longer fits in a key
    path = tmp_path / f"{type_name}.json"
    path.write_text(json.dumps({"type": "object", "properties": {}}))
    store.register_type(load_type_file(path))
    name = "n" * 200
    store.register(type_name, name)
    deletion = store.delete(f"{type_name}/{name}-v1")
    assert deletion.documents == [f"{type_name}/{name}-v1"]
    assert store.register(type_name, name)["version"] == 2
