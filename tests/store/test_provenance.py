"""Provenance links: derivations between artifacts, inputs and outputs through runs."""

from __future__ import annotations

from typing import Any

import pytest

from arangoml_meta.errors import (
    ERROR_GRAPH_INVALID_EDGE,
    BadParameterError,
    DocumentNotFoundError,
    GraphError,
)
from arangoml_meta.store import MetadataStore

from .conftest import counts


@pytest.fixture
def artifacts(store: MetadataStore) -> MetadataStore:
    store.register("datasets", "raw")
    store.register("datasets", "clean")
    store.register("models", "clf")
    with store.run("train"):
        pass
    return store


def run_id(store: MetadataStore) -> str:
    return store.find("runs")[0]["_id"]


def edges(store: MetadataStore, collection: str) -> list[tuple[str, str]]:
    rows = store.query(
        "FOR e IN @@c SORT e._from, e._to RETURN [e._from, e._to]", {"@c": collection}
    )
    return [tuple(row) for row in rows]


@pytest.mark.parametrize(
    "source",
    ["datasets/raw-v1", "datasets/raw@1", "datasets/raw@latest"],
)
def test_link_records_a_derivation(artifacts: MetadataStore, source: str) -> None:
    edge = artifacts.link(source, "datasets/clean@latest", "subset_of", filter="rows > 0")
    assert (edge["_from"], edge["_to"]) == ("datasets/raw-v1", "datasets/clean-v1")
    assert (edge["relation"], edge["filter"]) == ("subset_of", "rows > 0")
    assert edges(artifacts, "derivations") == [("datasets/raw-v1", "datasets/clean-v1")]


def test_link_accepts_stored_documents(artifacts: MetadataStore) -> None:
    model = artifacts.get("models/clf@1")
    deployment = artifacts.register("deployments", "clf-prod")
    edge = artifacts.link(model, deployment, "deployed_as")
    assert (edge["_from"], edge["_to"]) == ("models/clf-v1", "deployments/clf-prod-v1")


def test_a_run_links_its_inputs_and_outputs(store: MetadataStore) -> None:
    store.register("datasets", "train")
    store.register("datasets", "test")
    with store.run("fit", inputs={"train": "datasets/train@1", "test": "datasets/test@1"}) as run:
        run.register_output("models", "clf", role="model")
    inputs = store.query("FOR e IN inputs SORT e.role RETURN [e._from, e._to, e.role]")
    outputs = store.query("FOR e IN outputs RETURN [e._from, e._to, e.role]")
    assert inputs == [
        ["datasets/test-v1", run.id, "test"],
        ["datasets/train-v1", run.id, "train"],
    ]
    assert outputs == [[run.id, "models/clf-v1", "model"]]


@pytest.mark.parametrize(
    "inputs",
    [
        ["datasets/raw@1", ("datasets/clean@1", "validation")],
        {"train": ["datasets/raw@1", "datasets/clean@1"]},
    ],
    ids=["list", "role-to-list"],
)
def test_run_inputs_may_be_given_as_a_list(artifacts: MetadataStore, inputs: Any) -> None:
    with artifacts.run("eval", inputs=inputs) as run:
        pass
    sources = artifacts.query(
        "FOR e IN inputs FILTER e._to == @run SORT e._from RETURN e._from", {"run": run.id}
    )
    assert sources == ["datasets/clean-v1", "datasets/raw-v1"]


@pytest.mark.parametrize(
    ("source", "target"),
    [
        ("datasets/missing-v1", "datasets/clean-v1"),
        ("datasets/raw-v1", "models/clf@2"),
        ("datasets/raw-v1", "deployments/clf-prod@latest"),
    ],
)
def test_a_dangling_link_is_refused(artifacts: MetadataStore, source: str, target: str) -> None:
    before = counts(artifacts)
    with pytest.raises(DocumentNotFoundError):
        artifacts.link(source, target, "subset_of")
    assert counts(artifacts) == before


def test_a_run_with_a_missing_input_is_refused(artifacts: MetadataStore) -> None:
    before = counts(artifacts)
    with pytest.raises(DocumentNotFoundError):
        artifacts.start_run("train", inputs={"train": "datasets/missing@1"})
    assert counts(artifacts) == before


def test_a_derivation_from_a_run_is_refused(artifacts: MetadataStore) -> None:
    before = counts(artifacts)
    with pytest.raises(GraphError) as raised:
        artifacts.link(run_id(artifacts), "models/clf-v1", "produced")
    assert raised.value.error_num == ERROR_GRAPH_INVALID_EDGE
    assert counts(artifacts) == before


@pytest.mark.parametrize(
    ("collection", "source", "target"),
    [
        ("inputs", "datasets/raw-v1", "datasets/clean-v1"),
        ("inputs", "RUN", "RUN"),
        ("outputs", "datasets/raw-v1", "models/clf-v1"),
        ("outputs", "models/clf-v1", "RUN"),
        ("derivations", "RUN", "RUN"),
        ("derivations", "RUN", "models/clf-v1"),
        ("derivations", "datasets/raw-v1", "RUN"),
    ],
)
def test_an_edge_between_the_wrong_kinds_is_refused(
    artifacts: MetadataStore, collection: str, source: str, target: str
) -> None:
    run = run_id(artifacts)
    source, target = (run if end == "RUN" else end for end in (source, target))
    before = counts(artifacts)
    with pytest.raises(GraphError) as raised, artifacts.transaction() as step:
        # add_edge is where link(), start_run(inputs=) and register_output() all make edges;
        # the public calls cannot even name most of these wrong combinations
        artifacts.add_edge(step, collection, source, target, {})
    assert raised.value.error_num == ERROR_GRAPH_INVALID_EDGE
    assert counts(artifacts) == before


def test_a_run_cannot_take_a_run_as_input(artifacts: MetadataStore) -> None:
    before = counts(artifacts)
    with pytest.raises(GraphError):
        artifacts.start_run("again", inputs=[run_id(artifacts)])
    assert counts(artifacts) == before


@pytest.mark.parametrize("attribute", ["_from", "_to", "_key", "created_by", "created_at"])
def test_link_attributes_cannot_replace_what_the_store_sets(
    artifacts: MetadataStore, attribute: str
) -> None:
    before = counts(artifacts)
    with pytest.raises(BadParameterError) as raised:
        artifacts.link(
            "datasets/raw-v1", "datasets/clean-v1", "subset_of", **{attribute: run_id(artifacts)}
        )
    assert attribute in str(raised.value)
    assert counts(artifacts) == before
