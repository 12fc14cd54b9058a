"""Runs recorded after the fact, orphaned runs closed by hand, and the project of outputs."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from arangoml_meta.errors import (
    ERROR_ARANGO_CONFLICT,
    BadParameterError,
    ConflictError,
    DocumentError,
    DocumentNotFoundError,
    SchemaViolationError,
)
from arangoml_meta.runs import current_environment
from arangoml_meta.store import MetadataStore

from .conftest import counts


def dead_pid() -> int:
    """The pid of a process that has exited (and been waited for)."""
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(child.stdout)


@pytest.fixture
def orphan(store: MetadataStore) -> str:
    """A run left running by a process that is gone."""
    environment = {**current_environment(), "pid": dead_pid()}
    store.start_run("train", project="churn", environment=environment)
    (row,) = store.unfinished_runs()
    assert row["orphaned"] is True
    return str(row["_id"])


# --------------------------------------------------------------------------- closing


@pytest.mark.parametrize(
    "options,error",
    [
        ({"status": "running"}, "completed or failed"),
        ({"status": "aborted"}, "completed or failed"),
        ({"reason": ""}, "a reason is a sentence"),
        ({"reason": "  "}, "a reason is a sentence"),
        ({"status": "completed", "reason": "fine"}, "failed run only"),
    ],
)
def test_bad_close_options_are_refused(
    store: MetadataStore, orphan: str, options: dict[str, Any], error: str
) -> None:
    with pytest.raises(BadParameterError, match=error):
        store.close_run(orphan, **options)
    assert store.get(orphan)["status"] == "running"


@pytest.mark.parametrize(
    "ref,error",
    [
        ("runs/nothing-20250101T000000.000000-00000000", DocumentNotFoundError),
        ("runs/train@2", BadParameterError),  # runs have no versions
        ("runs", DocumentError),
    ],
)
def test_closing_what_is_no_run_is_refused(
    store: MetadataStore, orphan: str, ref: str, error: type[Exception]
) -> None:
    with pytest.raises(error):
        store.close_run(ref)


def test_closing_an_artifact_is_refused(store: MetadataStore) -> None:
    iris = store.register("datasets", "iris")
    with pytest.raises(BadParameterError, match="not a run"):
        store.close_run(iris["_id"])
    assert store.get(iris["_id"]) == iris


def test_a_closed_run_is_not_closed_again(store: MetadataStore) -> None:
    with store.run("train") as run:
        pass
    closed = store.get(run.id)
    for status in ("failed", "completed"):
        with pytest.raises(ConflictError, match="closed already") as raised:
            store.close_run(run.id, status=status)
        assert raised.value.error_num == ERROR_ARANGO_CONFLICT
    assert store.get(run.id) == closed


def test_a_run_whose_process_runs_is_not_closed_unless_forced(store: MetadataStore) -> None:
    run = store.start_run("train")  # this process: alive
    with pytest.raises(ConflictError, match="not orphaned"):
        store.close_run(run.id)
    assert store.get(run.id)["status"] == "running"
    closed = store.close_run(run.id, force=True, reason="stuck")
    assert (closed["status"], closed["error"]["message"]) == ("failed", "stuck")


def test_an_orphan_closes_as_failed_with_the_reason(store: MetadataStore, orphan: str) -> None:
    before = counts(store)
    closed = store.close_run(orphan, reason="killed by the OOM killer")
    assert closed["status"] == "failed"
    assert closed["error"] == {"type": "ClosedByHand", "message": "killed by the OOM killer"}
    assert closed["closed_by"] == store.actor
    assert closed["ended_at"] >= closed["started_at"]
    assert store.get(orphan) == closed
    assert store.unfinished_runs() == []
    assert counts(store) == before


def test_an_orphan_without_a_reason_says_who_closed_it(store: MetadataStore, orphan: str) -> None:
    closed = store.close_run(orphan)
    assert store.actor in closed["error"]["message"]


def test_an_orphan_may_close_as_completed(store: MetadataStore, orphan: str) -> None:
    closed = store.close_run("runs/train@latest", status="completed")
    assert (closed["_id"], closed["status"]) == (orphan, "completed")
    assert "error" not in closed


# --------------------------------------------------------------------------- recording


@pytest.mark.parametrize(
    "options,error",
    [
        ({"status": "running"}, BadParameterError),
        ({"reason": "no"}, BadParameterError),  # a completed run has no reason
        ({"outputs": [("model", "models", {})]}, BadParameterError),
        ({"outputs": [("model", "models/clf@2", {})]}, BadParameterError),
        ({"outputs": [("model", "models/clf/x", {})]}, BadParameterError),
        ({"outputs": [("", "models/clf", {})]}, BadParameterError),
        ({"outputs": [("model", "models/clf", [1])]}, BadParameterError),
        ({"outputs": [("model", "models/clf")]}, BadParameterError),
        ({"outputs": [("model", "nothing/clf", {})]}, Exception),
        ({"outputs": [("model", "models/cl f", {})]}, SchemaViolationError),
        ({"outputs": [("model", "models/clf", {"version": 3})]}, BadParameterError),
        ({"inputs": {"train": "datasets/nothing@latest"}}, DocumentNotFoundError),
        ({"metrics": {"auc": "high"}}, SchemaViolationError),
        ({"status": "completed", "environment": "here"}, SchemaViolationError),
    ],
)
def test_a_bad_recording_writes_nothing(
    store: MetadataStore, options: dict[str, Any], error: type[Exception]
) -> None:
    store.register("datasets", "iris")
    before = counts(store)
    with pytest.raises(error):
        store.record_run("train", **options)
    assert counts(store) == before


def test_a_recorded_run_has_its_inputs_outputs_params_and_metrics(store: MetadataStore) -> None:
    iris = store.register("datasets", "iris")
    run = store.record_run(
        "train",
        step="training",
        inputs={"train": "datasets/iris@latest"},
        outputs=[
            ("model", "models/iris-clf", {"framework": "sklearn"}),
            ("report", "datasets/report", {}),
        ],
        params={"lr": 0.1},
        metrics={"auc": 0.97},
        project="iris",
        tags=["shell"],
    )
    stored = store.get(run["_id"])
    assert stored == run
    assert (run["status"], run["step"], run["params"], run["metrics"]) == (
        "completed", "training", {"lr": 0.1}, {"auc": 0.97},
    )  # fmt: skip
    assert "resources" not in run  # nothing ran in this process
    assert run["ended_at"] >= run["started_at"]
    model = store.get("models/iris-clf@latest")
    assert model["framework"] == "sklearn"
    upstream = [row["_id"] for row in store.upstream(model)]
    assert upstream == [run["_id"], iris["_id"]]
    roles = store.query(
        "FOR e IN outputs FILTER e._from == @run SORT e.role RETURN [e.role, e._to]",
        {"run": run["_id"]},
    )
    assert roles == [["model", "models/iris-clf-v1"], ["report", "datasets/report-v1"]]


def test_a_failed_run_is_recorded_with_its_reason(store: MetadataStore) -> None:
    run = store.record_run("train", status="failed", reason="out of memory")
    assert (run["status"], run["error"]["message"]) == ("failed", "out of memory")


def test_outputs_are_new_versions(store: MetadataStore) -> None:
    store.register("models", "clf")
    store.record_run("train", outputs=[("model", "models/clf", {})])
    assert store.get("models/clf@latest")["version"] == 2


# --------------------------------------------------------------------------- projects


def test_outputs_inherit_the_run_s_project(store: MetadataStore) -> None:
    with store.run("train", project="churn") as run:
        inherited = run.register_output("models", "a")
        own = run.register_output("models", "b", project="other")
        none = run.register_output("models", "c", project=None)
    assert inherited["project"] == "churn"
    assert own["project"] == "other"
    assert "project" not in none
    assert store.get("models/a-v1")["project"] == "churn"


def test_outputs_of_a_run_without_a_project_have_none(store: MetadataStore) -> None:
    with store.run("train") as run:
        model = run.register_output("models", "a")
    assert "project" not in model


def test_recorded_outputs_inherit_the_project_too(store: MetadataStore) -> None:
    store.record_run(
        "train",
        project="churn",
        outputs=[("model", "models/a", {}), ("x", "models/b", {"project": "p2"})],
    )
    assert store.get("models/a@latest")["project"] == "churn"
    assert store.get("models/b@latest")["project"] == "p2"


def test_an_output_s_project_is_checked_as_any_project(store: MetadataStore) -> None:
    with pytest.raises(SchemaViolationError), store.run("train", project="churn") as run:
        run.register_output("models", "a", project="not a project")


@pytest.mark.parametrize(
    "started_at,error",
    [
        ("2025-01-16", SchemaViolationError),
        ("2025-13-01T00:00:00.000Z", SchemaViolationError),
        ("2025-01-16T14:00:00.000Z\n", SchemaViolationError),  # the pattern, as ECMA regex reads it
        ("2999-01-01T00:00:00.000Z", BadParameterError),
        (5, SchemaViolationError),
    ],
)
def test_a_bad_start_time_is_refused(
    store: MetadataStore, started_at: Any, error: type[Exception]
) -> None:
    before = counts(store)
    with pytest.raises(error):
        store.record_run("train", started_at=started_at)
    assert counts(store) == before


def test_a_recorded_run_may_say_when_it_started(store: MetadataStore) -> None:
    run = store.record_run("train", started_at="2025-01-16T14:00:00.000Z")
    assert run["started_at"] == "2025-01-16T14:00:00.000Z"
    assert run["ended_at"] > run["started_at"]
    assert store.get(run["_id"])["started_at"] == "2025-01-16T14:00:00.000Z"
