"""Opening a store creates what it needs, once: collections, registry, graph, schema version."""

from __future__ import annotations

import json

from arangoml_meta.migrations import STORE_SCHEMA_VERSION
from arangoml_meta.store import MetadataStore
from arangoml_meta.types import SCHEMAS_DIR

from .conftest import counts, register_tokenizers

ARTIFACTS = ["datasets", "deployments", "featuresets", "models", "serving_metrics"]
EXECUTIONS = ["runs"]


def lineage_definitions(store: MetadataStore) -> dict[str, tuple[list[str], list[str]]]:
    return {
        d["collection"]: (sorted(d["from"]), sorted(d["to"]))
        for d in store.backend.graph_definitions("lineage")
    }


def test_initialising_again_changes_nothing(store: MetadataStore) -> None:
    store.register("datasets", "iris")
    before = counts(store)
    store.initialize()
    MetadataStore(store.backend).initialize()
    assert counts(store) == before
    assert before["artifact_types"] == len(list(SCHEMAS_DIR.glob("*.json")))


def test_a_fresh_store_is_empty(store: MetadataStore) -> None:
    assert {name for name, n in store.info()["counts"].items() if n} == set()


def test_the_store_schema_version_is_recorded(store: MetadataStore) -> None:
    assert store.info()["schema_version"] == STORE_SCHEMA_VERSION


def test_the_type_registry_is_seeded_from_the_schema_files(store: MetadataStore) -> None:
    files = {path.stem: json.loads(path.read_text()) for path in SCHEMAS_DIR.glob("*.json")}
    registered = {t.name: t for t in store.types()}
    assert set(registered) == set(files)
    for name, schema in files.items():
        assert registered[name].kind == schema["x-kind"]
        assert registered[name].schema["properties"] == schema["properties"]
        assert registered[name].schema["required"] == schema["required"]


def test_every_type_has_its_collection(store: MetadataStore) -> None:
    assert all(store.backend.has_collection(t.name) for t in store.types())


def test_the_lineage_graph_joins_artifacts_and_runs(store: MetadataStore) -> None:
    assert lineage_definitions(store) == {
        "inputs": (ARTIFACTS, EXECUTIONS),
        "outputs": (EXECUTIONS, ARTIFACTS),
        "derivations": (ARTIFACTS, ARTIFACTS),
    }


def test_a_registered_type_joins_the_lineage_graph(store: MetadataStore, tmp_path) -> None:
    register_tokenizers(store, tmp_path)
    with_tokenizers = sorted([*ARTIFACTS, "tokenizers"])
    assert lineage_definitions(store) == {
        "inputs": (with_tokenizers, EXECUTIONS),
        "outputs": (EXECUTIONS, with_tokenizers),
        "derivations": (with_tokenizers, with_tokenizers),
    }
    assert store.register("tokenizers", "bpe", vocabulary=32000)["_id"] == "tokenizers/bpe-v1"
