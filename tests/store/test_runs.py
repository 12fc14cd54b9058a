"""Runs: opened with their environment, logged as they go, closed completed or failed."""

from __future__ import annotations

import os
import platform
import re
import socket
import time
from typing import Any

import pytest

from arangoml_meta.errors import BadParameterError, SchemaViolationError
from arangoml_meta.store import MetadataStore

from .conftest import counts

ISO_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


class Boom(Exception):
    pass


def stored(store: MetadataStore, run_id: str) -> dict[str, Any]:
    return store.backend.get("runs", run_id.partition("/")[2])


def test_a_run_is_running_until_its_block_ends(store: MetadataStore) -> None:
    with store.run("train") as run:
        assert stored(store, run.id)["status"] == "running"
        assert store.unfinished_runs()[0]["_id"] == run.id
    assert stored(store, run.id)["status"] == "completed"
    assert store.unfinished_runs() == []


def test_a_completed_run_has_its_times(store: MetadataStore) -> None:
    with store.run("train") as run:
        pass
    doc = stored(store, run.id)
    assert ISO_UTC.match(doc["started_at"]) and ISO_UTC.match(doc["ended_at"])
    assert doc["started_at"] <= doc["ended_at"]
    assert "error" not in doc


def test_a_run_records_its_name_step_and_actor(make_store) -> None:
    store = make_store(actor="alice")
    with store.run("train-rf", step="train", project="iris", tags=["nightly"]) as run:
        pass
    doc = stored(store, run.id)
    assert (doc["name"], doc["step"], doc["project"], doc["tags"]) == (
        "train-rf",
        "train",
        "iris",
        ["nightly"],
    )
    assert doc["created_by"] == "alice"
    assert run.key.startswith("train-rf-")


def test_a_failing_block_closes_the_run_failed_and_reraises(store: MetadataStore) -> None:
    with pytest.raises(Boom, match="diverged"), store.run("train") as run:
        raise Boom("loss diverged")
    doc = stored(store, run.id)
    assert doc["status"] == "failed"
    assert (doc["error"]["type"], doc["error"]["message"]) == ("Boom", "loss diverged")
    assert "loss diverged" in doc["error"]["traceback"]
    assert ISO_UTC.match(doc["ended_at"])


def test_a_failed_run_keeps_what_was_logged_before(store: MetadataStore) -> None:
    with pytest.raises(Boom), store.run("train", params={"lr": 0.1}) as run:
        run.log_param("epochs", 10)
        run.log_metric("loss", 0.7, step=0)
        run.log_metric("loss", 0.4, step=1)
        raise Boom("out of memory")
    doc = stored(store, run.id)
    assert doc["params"] == {"lr": 0.1, "epochs": 10}
    assert doc["metrics"] == {"loss": 0.4}
    assert [p["value"] for p in doc["metric_series"]["loss"]] == [0.7, 0.4]


def test_params_and_metrics_are_recorded(store: MetadataStore) -> None:
    with store.run("train", params={"lr": 0.1, "layers": [64, 32]}) as run:
        run.log_params({"batch": 32, "optimizer": {"name": "adam", "beta1": 0.9}})
        run.log_metrics({"accuracy": 0.93, "f1": 0.91})
        run.log_metric("accuracy", 0.95)
    doc = stored(store, run.id)
    assert doc["params"] == {
        "lr": 0.1,
        "layers": [64, 32],
        "batch": 32,
        "optimizer": {"name": "adam", "beta1": 0.9},
    }
    assert doc["metrics"] == {"accuracy": 0.95, "f1": 0.91}


def test_a_metric_series_is_kept_by_step(store: MetadataStore) -> None:
    with store.run("train") as run:
        for step, (loss, acc) in enumerate([(0.9, 0.5), (0.5, 0.7), (0.2, 0.9)]):
            run.log_metrics({"loss": loss, "acc": acc}, step=step)
    doc = stored(store, run.id)
    assert [(p["step"], p["value"]) for p in doc["metric_series"]["loss"]] == [
        (0, 0.9),
        (1, 0.5),
        (2, 0.2),
    ]
    assert [p["value"] for p in doc["metric_series"]["acc"]] == [0.5, 0.7, 0.9]
    assert all(ISO_UTC.match(p["at"]) for p in doc["metric_series"]["loss"])
    assert doc["metrics"] == {"loss": 0.2, "acc": 0.9}


def test_a_metric_series_survives_a_flush(store: MetadataStore) -> None:
    with store.run("train") as run:
        run.log_metric("loss", 0.9, step=0)
        run.flush()
        assert [p["value"] for p in stored(store, run.id)["metric_series"]["loss"]] == [0.9]
        run.log_metric("loss", 0.5, step=1)
        run.flush()
        run.log_metric("loss", 0.2, step=2)
    assert [p["step"] for p in stored(store, run.id)["metric_series"]["loss"]] == [0, 1, 2]


def test_the_environment_is_captured(store: MetadataStore) -> None:
    with store.run("train") as run:
        pass
    env = store.environment_of(run.id)
    assert env is not None and store.environment_of(run) == env
    assert env["python"]["version"] == platform.python_version()
    assert "pytest" in env["packages"]
    assert env["host"] == socket.gethostname()
    assert env["pid"] == os.getpid()


def test_an_environment_is_stored_once_and_runs_keep_a_reference(store: MetadataStore) -> None:
    for _ in range(3):
        with store.run("train"):
            pass
    runs = store.history("runs", "train")
    references = [r["environment"] for r in runs]
    assert {tuple(sorted(ref)) for ref in references} == {("host", "id", "pid", "user")}
    assert len({ref["id"] for ref in references}) == 1
    assert store.info()["counts"]["environments"] == 1
    (record,) = store.query("FOR e IN environments RETURN e")
    assert references[0]["id"] == record["_id"]
    assert set(record) >= {"python", "platform", "packages", "git"}
    assert "pid" not in record


def test_resources_are_measured(store: MetadataStore) -> None:
    with store.run("train") as run:
        time.sleep(0.05)
    resources = stored(store, run.id)["resources"]
    assert resources["wall_seconds"] >= 0.05
    assert resources["cpu_seconds"] >= 0
    assert isinstance(resources["peak_memory_bytes"], int) and resources["peak_memory_bytes"] > 0
    assert "gpu_seconds" not in resources and "cost" not in resources


def test_gpu_time_and_cost_are_recorded_when_given(store: MetadataStore) -> None:
    with store.run("train") as run:
        run.add_gpu_seconds(30)
        run.add_gpu_seconds(12.5)
        run.set_cost(3.2, "EUR")
    resources = stored(store, run.id)["resources"]
    assert resources["gpu_seconds"] == 42.5
    assert resources["cost"] == {"amount": 3.2, "currency": "EUR"}


def test_outputs_are_registered_and_linked_from_the_run(store: MetadataStore) -> None:
    with store.run("train") as run:
        model = run.register_output("models", "clf", role="model", framework="sklearn")
        report = run.register_output("datasets", "predictions")
    assert (model["_id"], model["version"], model["framework"]) == ("models/clf-v1", 1, "sklearn")
    outputs = store.query("FOR e IN outputs SORT e._to RETURN [e._from, e._to, e.role]")
    assert outputs == [
        [run.id, report["_id"], "output"],
        [run.id, "models/clf-v1", "model"],
    ]


def test_an_invalid_output_writes_neither_artifact_nor_edge(store: MetadataStore) -> None:
    with store.run("train") as run:
        before = counts(store)
        with pytest.raises(SchemaViolationError):
            run.register_output("models", "clf", size_bytes="big")
        assert counts(store) == before


def test_a_closed_run_refuses_more_logging(store: MetadataStore) -> None:
    with store.run("train") as run:
        pass
    with pytest.raises(BadParameterError):
        run.log_metric("loss", 0.1)
    with pytest.raises(BadParameterError):
        run.register_output("models", "clf")


@pytest.mark.parametrize(
    ("log", "field"),
    [
        (lambda run: run.log_metric("accuracy", "high"), "metrics.accuracy"),
        (lambda run: run.log_metrics({"loss": None}), "metrics.loss"),
        (lambda run: run.log_metric("loss", 0.1, step=-1), "metric_series.loss[0].step"),
        (lambda run: run.log_metric("loss", 0.1, step="one"), "metric_series.loss[0].step"),
    ],
    ids=["string-metric", "null-metric", "negative-step", "string-step"],
)
def test_a_metric_that_breaks_the_schema_is_refused_when_logged(
    store: MetadataStore, log, field: str
) -> None:
    with store.run("train") as run:
        run.log_metric("good", 1.0, step=0)
        with pytest.raises(SchemaViolationError) as raised:
            log(run)
        assert f"field '{field}'" in str(raised.value)
    doc = stored(store, run.id)
    assert doc["status"] == "completed"
    assert doc["metrics"] == {"good": 1.0}
    assert list(doc["metric_series"]) == ["good"]


@pytest.mark.parametrize(
    "fields",
    [
        {"status": "completed"},
        {"created_by": "mallory"},
        {"started_at": "2020-01-01T00:00:00.000Z"},
        {"ended_at": "2020-01-01T00:00:00.000Z"},
        {"error": {"message": "none"}},
        {"resources": {"cost": {"amount": 0, "currency": "USD"}}},
        {"_key": "fixed"},
    ],
)
def test_fields_the_store_sets_on_a_run_are_refused(
    store: MetadataStore, fields: dict[str, Any]
) -> None:
    with pytest.raises(BadParameterError) as raised:
        store.start_run("train", **fields)
    assert next(iter(fields)) in str(raised.value)
    assert store.backend.count("runs") == 0


@pytest.mark.parametrize("name", ["", "train run", "x' OR 1==1 //"])
def test_a_run_with_an_invalid_name_is_refused(store: MetadataStore, name: str) -> None:
    with pytest.raises(SchemaViolationError):
        store.start_run(name)
    assert store.backend.count("runs") == 0


def test_closing_with_an_unknown_status_is_refused(store: MetadataStore) -> None:
    run = store.start_run("train")
    with pytest.raises((BadParameterError, SchemaViolationError)):
        run.close("finished")
    assert stored(store, run.id)["status"] == "running"
    assert run.close()["status"] == "completed"


def test_runs_of_a_name_are_found_newest_by_latest_and_listed_in_order(
    store: MetadataStore,
) -> None:
    made = []
    for _ in range(3):
        with store.run("train") as run:
            made.append(run.id)
        time.sleep(0.002)  # created_at has milliseconds: three distinct moments
    with store.run("other"):
        pass
    assert store.get("runs/train@latest")["_id"] == made[-1]
    assert [d["_id"] for d in store.history("runs", "train")] == made


def test_run_keys_start_with_the_name_and_sort_in_the_order_they_were_made() -> None:
    from arangoml_meta.embedded.documents import is_valid_key
    from arangoml_meta.refs import run_key

    keys = [run_key("train.v2_a-b") for _ in range(2000)]  # many within one microsecond
    assert all(is_valid_key(key) and key.startswith("train.v2_a-b-") for key in keys)
    assert len({len(key) for key in keys}) == 1
    assert sorted(keys) == keys and len(set(keys)) == len(keys)


def test_runs_have_no_versions_to_ask_for(store: MetadataStore) -> None:
    with store.run("train"):
        pass
    with pytest.raises(BadParameterError, match="runs have no versions"):
        store.get("runs/train@1")


def test_runs_made_within_one_millisecond_keep_their_order(store: MetadataStore) -> None:
    made = []
    for _ in range(60):  # a sweep of quick runs: several share a created_at
        with store.run("sweep") as run:
            made.append(run.id)
    assert [d["_id"] for d in store.history("runs", "sweep")] == made
    assert store.get("runs/sweep@latest")["_id"] == made[-1]
