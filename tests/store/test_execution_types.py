"""A type registered with kind ``execution`` records runs as the built-in ``runs`` does.

Its schema carries what a run records (status, params, metrics, environment,
resources, ...) besides its own fields; ``store.run(..., run_type=NAME)`` starts,
logs, closes and links its runs, lineage walks through them, and they are
found, listed as unfinished and imported as ``runs`` are.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from arangoml_meta.errors import (
    BadParameterError,
    CollectionNotFoundError,
    SchemaViolationError,
)
from arangoml_meta.store import MetadataStore
from arangoml_meta.types import RUN_FIELDS, SCHEMA_VERSION, load_type_file

TRAININGS = {
    "$schema": "http://json-schema.org/draft-04/schema#",
    "type": "object",
    "x-kind": "execution",
    "description": "A training on the cluster",
    "properties": {
        "cluster": {"type": "string", "enum": ["gpu-a", "gpu-b"]},
        "params": {"type": "object", "properties": {"lr": {"type": "number"}}},
    },
    "required": ["cluster"],
    "additionalProperties": False,
}


def write(folder: Path, schema: dict[str, Any], name: str = "trainings") -> Path:
    path = folder / f"{name}.json"
    path.write_text(json.dumps(schema), encoding="utf-8")
    return path


@pytest.fixture
def trainings(store: MetadataStore, tmp_path: Path) -> MetadataStore:
    store.register_type(load_type_file(write(tmp_path, TRAININGS)))
    return store


# --------------------------------------------------------------------------- bad input


def test_a_run_of_an_artifact_type_is_refused(store: MetadataStore) -> None:
    with pytest.raises(BadParameterError, match=r"datasets is a type of kind artifact.*runs"):
        store.start_run("train", run_type="datasets")
    assert store.backend.count("datasets") == 0


def test_a_run_of_an_unknown_type_is_refused(store: MetadataStore) -> None:
    with pytest.raises(CollectionNotFoundError, match="unknown artifact type 'nothing'"):
        store.start_run("train", run_type="nothing")


def test_a_run_field_of_another_type_is_refused_at_registration(tmp_path: Path) -> None:
    schema = {**TRAININGS, "properties": {"status": {"type": "integer"}}, "required": ["status"]}
    with pytest.raises(BadParameterError, match="field 'status' belongs to the envelope"):
        load_type_file(write(tmp_path, schema))


def test_the_types_own_schema_holds_for_its_runs(trainings: MetadataStore) -> None:
    with pytest.raises(SchemaViolationError, match="field 'cluster': is required but missing"):
        trainings.start_run("train", run_type="trainings")
    with pytest.raises(SchemaViolationError, match="field 'cluster': 'gpu-z' is not one of"):
        trainings.start_run("train", run_type="trainings", cluster="gpu-z")
    run = trainings.start_run("train", run_type="trainings", cluster="gpu-a")
    with pytest.raises(SchemaViolationError, match=r"field 'params\.lr'"):
        run.log_params({"lr": "fast"})
    with pytest.raises(SchemaViolationError, match="field 'gpus': is not a declared field"):
        trainings.start_run("train", run_type="trainings", cluster="gpu-a", gpus=2)
    assert trainings.backend.count("trainings") == 1


def test_artifacts_are_not_registered_in_an_execution_type(trainings: MetadataStore) -> None:
    with pytest.raises(BadParameterError, match="recorded with start_run"):
        trainings.register("trainings", "t1", cluster="gpu-a")


# --------------------------------------------------------------------------- like runs


def test_the_schema_of_an_execution_type_carries_what_a_run_records(tmp_path: Path) -> None:
    properties = load_type_file(write(tmp_path, TRAININGS)).schema["properties"]
    assert set(RUN_FIELDS) <= set(properties)
    assert properties["params"]["properties"] == {"lr": {"type": "number"}}  # its own kept


def test_a_run_of_an_execution_type_is_started_logged_closed_and_linked(
    trainings: MetadataStore,
) -> None:
    store = trainings
    data = store.register("datasets", "iris")
    with store.run("fit", run_type="trainings", cluster="gpu-b", inputs={"train": data}) as run:
        run.log_params({"lr": 0.1})
        run.log_metric("loss", 0.5, step=1)
        model = run.register_output("models", "clf", framework="sklearn")
    stored = store.get(run.id)
    assert run.id.startswith("trainings/")
    assert stored["status"] == "completed"
    assert stored["params"] == {"lr": 0.1}
    assert stored["metric_series"]["loss"][0]["value"] == 0.5
    assert stored["resources"]["wall_seconds"] >= 0
    assert stored[SCHEMA_VERSION] == 1
    assert store.environment_of(stored) is not None
    downstream = [row["_id"] for row in store.downstream(data["_id"])]
    assert downstream == [run.id, model["_id"]]
    assert [row["_id"] for row in store.upstream(model["_id"])] == [run.id, data["_id"]]
    assert store.backend.count("runs") == 0


def test_a_failed_block_closes_the_run_as_failed(trainings: MetadataStore) -> None:
    with (
        pytest.raises(RuntimeError),
        trainings.run("fit", run_type="trainings", cluster="gpu-a") as run,
    ):
        raise RuntimeError("out of memory")
    stored = trainings.get(run.id)
    assert (stored["status"], stored["error"]["message"]) == ("failed", "out of memory")


def test_runs_of_an_execution_type_are_found_as_runs_are(trainings: MetadataStore) -> None:
    store = trainings
    first = store.start_run("fit", run_type="trainings", cluster="gpu-a")
    plain = store.start_run("fit")
    assert store.get("trainings/fit@latest")["_id"] == first.id
    unfinished = {row["_id"] for row in store.unfinished_runs()}
    assert unfinished == {first.id, plain.id}
    first.close()
    assert {row["_id"] for row in store.unfinished_runs()} == {plain.id}


def test_runs_of_an_execution_type_are_imported(trainings: MetadataStore) -> None:
    report = trainings.import_records(
        [{"type": "trainings", "name": "fit", "cluster": "gpu-a", "status": "failed"}]
    )
    assert report is not None
    (row,) = trainings.backend.query("FOR t IN trainings RETURN t")
    assert (row["status"], row[SCHEMA_VERSION]) == ("failed", 1)
