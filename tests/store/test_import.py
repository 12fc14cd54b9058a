"""Importing history in bulk (see importing.py)."""

from __future__ import annotations

import pytest

from arangoml_meta.errors import BadParameterError, DocumentNotFoundError, SchemaViolationError
from arangoml_meta.store import MetadataStore

from .conftest import counts

HISTORY = [
    {"type": "datasets", "name": "iris", "rows": 150, "created_at": "2023-05-01T09:00:00.000Z",
     "created_by": "etl", "as": "raw"},
    {"type": "datasets", "name": "iris", "rows": 147, "as": "clean"},
    {"link": "derivations", "from": "@raw", "to": "@clean", "relation": "cleaned_into"},
    {"type": "runs", "name": "train", "params": {"lr": 0.1}, "metrics": {"accuracy": 0.9},
     "started_at": "2023-05-02T10:00:00.000Z", "as": "run"},
    {"link": "inputs", "from": "@clean", "to": "@run", "role": "train"},
    {"type": "models", "name": "clf", "as": "model"},
    {"link": "outputs", "from": "@run", "to": "@model", "role": "model"},
]  # fmt: skip


@pytest.mark.parametrize("batch_size", [1, 3, 1000])
def test_an_import_writes_every_record_in_batches(store: MetadataStore, batch_size: int) -> None:
    report = store.import_records(HISTORY, batch_size=batch_size)
    assert report.written == {
        "datasets": 2, "derivations": 1, "runs": 1, "inputs": 1, "models": 1, "outputs": 1,
    }  # fmt: skip
    assert report.batches == -(-len(HISTORY) // batch_size)
    assert report.aliases["clean"] == "datasets/iris-v2"
    raw = store.get("datasets/iris@1")
    assert (raw["created_at"], raw["created_by"]) == ("2023-05-01T09:00:00.000Z", "etl")
    run = store.get(report.aliases["run"])
    assert run["status"] == "completed" and run["metrics"] == {"accuracy": 0.9}
    assert store.upstream("models/clf", types=["datasets"]).ids() == [
        "datasets/iris-v2", "datasets/iris-v1",
    ]  # fmt: skip


def test_an_import_continues_the_versions_of_a_name(store: MetadataStore) -> None:
    store.register("datasets", "iris")
    store.import_records([{"type": "datasets", "name": "iris"}] * 3, batch_size=2)
    assert [d["version"] for d in store.history("datasets", "iris")] == [1, 2, 3, 4]


@pytest.mark.parametrize(
    ("record", "error", "message"),
    [
        ({"name": "iris"}, BadParameterError, "names its 'type'"),
        ({"type": "datasets", "name": "iris", "rows": -1}, SchemaViolationError, "rows"),
        ({"type": "datasets", "name": "iris", "version": 3}, BadParameterError, "version"),
        ({"link": "derivations", "from": "@nobody", "to": "@raw"}, BadParameterError, "@nobody"),
        ({"link": "friends", "from": "@raw", "to": "@raw"}, BadParameterError, "'link' is one of"),
        (
            {"link": "derivations", "from": "datasets/gone-v1", "to": "@raw"},
            DocumentNotFoundError,
            "datasets/gone-v1",
        ),
        ("not a record", BadParameterError, "a record is an object"),
    ],
)
def test_a_bad_record_fails_its_batch_only(
    store: MetadataStore, record: object, error: type[Exception], message: str
) -> None:
    good = [{"type": "datasets", "name": "kept"}, {"type": "datasets", "name": "iris", "as": "raw"}]
    with pytest.raises(error, match=message):
        store.import_records([*good, {"type": "datasets", "name": "lost"}, record], batch_size=2)
    assert [d["name"] for d in store.find("datasets")] == ["kept", "iris"]


def test_a_failed_batch_writes_nothing_of_itself(store: MetadataStore) -> None:
    before = counts(store)
    with pytest.raises(SchemaViolationError):
        store.import_records(
            [{"type": "datasets", "name": "a"}, {"type": "datasets", "name": "b", "rows": -1}]
        )
    assert counts(store) == before
