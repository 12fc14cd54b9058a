"""Fixtures of the store suite: a fresh, initialised MetadataStore on every backend kind.

``store`` runs a test once per kind of ``tests/conftest.py``'s ``BACKEND_KINDS``
(ArangoDB cases skip with the reason when no server can be had);
``make_store`` opens more stores of the same kind, e.g. for another actor.
``lineage_graph`` is a small provenance graph with known ids::

    datasets/raw-v1 --subset_of--> datasets/clean-v1 --train--> runs/<train> --model--> models/clf-v1
           datasets/clean-v1 --features_of--> featuresets/feats-v1
           models/clf-v1 --deployed_as--> deployments/clf-prod-v1 --monitors--> serving_metrics/clf-prod-w1-v1
    datasets/other-v1 (unconnected)
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from arangoml_meta.backends.arango import ArangoBackend
from arangoml_meta.backends.embedded import EmbeddedBackend
from arangoml_meta.store import MetadataStore
from arangoml_meta.types import ArtifactType, load_type_file
from tests.conftest import BACKEND_KINDS

MakeStore = Callable[..., MetadataStore]


@pytest.fixture(params=BACKEND_KINDS)
def make_store(
    request: pytest.FixtureRequest, open_test_backend: Callable[[str], Any]
) -> MakeStore:
    """Opens and initialises a fresh store of this test's backend kind (closed afterwards)."""

    def make(actor: str | None = None) -> MetadataStore:
        store = MetadataStore(open_test_backend(request.param), actor)
        store.initialize()
        return store

    return make


@pytest.fixture
def reopen(request: pytest.FixtureRequest) -> Iterator[Callable[[MetadataStore], MetadataStore]]:
    """Opens another connection to a store, as another process would (closed afterwards)."""
    opened: list[MetadataStore] = []

    def reopen(store: MetadataStore) -> MetadataStore:
        backend: Any = store.backend
        if backend.name == "embedded":
            other: Any = EmbeddedBackend(backend.location)
        else:
            server = request.getfixturevalue("arango_server")
            other = ArangoBackend(server.url, backend.database, server.username, server.password)
        opened.append(MetadataStore(other))
        opened[-1].initialize()
        return opened[-1]

    yield reopen
    for store in opened:
        store.close()


@pytest.fixture
def store(make_store: MakeStore) -> MetadataStore:
    """A fresh, initialised, empty store of each backend kind in turn."""
    return make_store()


@dataclass(frozen=True)
class LineageGraph:
    store: MetadataStore
    run: str  # the _id of the training run; the other ids are the readable ones above


@pytest.fixture
def lineage_graph(store: MetadataStore) -> LineageGraph:
    raw = store.register("datasets", "raw", rows=1000)
    clean = store.register("datasets", "clean", rows=990)
    store.register("datasets", "other")
    store.link(raw, clean, "subset_of")
    store.link(clean, store.register("featuresets", "feats"), "features_of")
    with store.run("train", inputs={"train": clean}) as run:
        model = run.register_output("models", "clf", role="model", framework="sklearn")
    deployment = store.register("deployments", "clf-prod", endpoint="/predict")
    store.link(model, deployment, "deployed_as")
    store.link(deployment, store.register("serving_metrics", "clf-prod-w1"), "monitors")
    return LineageGraph(store, run.id)


def ids(docs: Iterable[dict[str, Any]]) -> set[str]:
    return {doc["_id"] for doc in docs}


def counts(store: MetadataStore) -> dict[str, int]:
    """Documents per collection of the store (artifact types, edges, registry)."""
    return {**store.info()["counts"], "artifact_types": store.backend.count("artifact_types")}


def register_tokenizers(store: MetadataStore, folder: Path, **schema: Any) -> ArtifactType:
    """Register a user type ``tokenizers`` (an integer ``vocabulary``) from a schema file."""
    path = folder / "tokenizers.json"
    properties = {"vocabulary": {"type": "integer"}}
    path.write_text(json.dumps({"type": "object", "properties": properties, **schema}))
    return store.register_type(load_type_file(path))
