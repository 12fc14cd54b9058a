"""Pipeline steps: written together when the step ends, or not at all (see steps.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from arangoml_meta.errors import (
    BadParameterError,
    ConflictError,
    DocumentNotFoundError,
    SchemaViolationError,
    UniqueConstraintError,
)
from arangoml_meta.store import MetadataStore

from .conftest import counts, register_tokenizers


def test_nothing_is_written_until_the_step_ends(
    store: MetadataStore, reopen: Callable[[MetadataStore], MetadataStore]
) -> None:
    other = reopen(store)
    with store.transaction():
        raw = store.register("datasets", "raw", rows=10)
        assert raw["_id"] == "datasets/raw-v1" and raw["_rev"] is None
        assert other.history("datasets", "raw") == []
    assert raw["_rev"] is not None
    assert [d["_id"] for d in other.history("datasets", "raw")] == ["datasets/raw-v1"]


def test_a_step_that_raises_writes_nothing(store: MetadataStore) -> None:
    before = counts(store)
    with pytest.raises(RuntimeError), store.transaction():
        data = store.register("datasets", "raw")
        with store.run("train", inputs={"train": data}) as run:
            run.register_output("models", "clf")
        raise RuntimeError("the step failed")
    assert counts(store) == before


def test_lookups_in_a_step_see_its_own_new_versions(store: MetadataStore) -> None:
    store.register("datasets", "raw")
    with store.transaction():
        second = store.register("datasets", "raw")
        third = store.register("datasets", "raw")
        assert [second["version"], third["version"]] == [2, 3]
        assert store.get("datasets/raw@latest") is third
        assert store.get("datasets/raw@2") is second
        assert store.get("datasets/raw-v3") is third
        assert store.resolve_id("datasets/raw@latest") == "datasets/raw-v3"
        assert store.get("datasets/raw@1")["_rev"] is not None  # stored before the step


def test_a_version_another_writer_took_meanwhile_is_renumbered_with_its_edges(
    store: MetadataStore, reopen: Callable[[MetadataStore], MetadataStore]
) -> None:
    other = reopen(store)
    with store.transaction():
        mine = store.register("datasets", "raw", rows=1)
        model = store.register("models", "clf")
        store.link(mine, model, "trained")
        assert mine["_id"] == "datasets/raw-v1"
        other.register("datasets", "raw", rows=2)  # commits at once: it takes v1
    assert mine["_id"] == "datasets/raw-v2" and mine["version"] == 2
    assert store.get("datasets/raw@2")["rows"] == 1
    (edge,) = store.query("FOR e IN derivations RETURN e")
    assert (edge["_from"], edge["_to"]) == ("datasets/raw-v2", "models/clf-v1")


def test_a_link_to_something_deleted_meanwhile_fails_the_whole_step(
    store: MetadataStore, reopen: Callable[[MetadataStore], MetadataStore]
) -> None:
    raw = store.register("datasets", "raw")
    before = counts(store)
    gone = r"datasets/raw-v1.*nothing was written"
    with pytest.raises(DocumentNotFoundError, match=gone), store.transaction():
        store.link(raw, store.register("models", "clf"), "trained")
        reopen(store).delete(raw)
    assert counts(store) == {**before, "datasets": 0, "deletions": 1}


def test_a_link_to_an_id_that_names_nothing_fails_at_the_end_of_the_step(
    store: MetadataStore,
) -> None:
    before = counts(store)
    with pytest.raises(DocumentNotFoundError, match="datasets/nothing-v1"), store.transaction():
        store.link("datasets/nothing-v1", store.register("models", "clf"), "trained")
    assert counts(store) == before


def test_a_refused_write_leaves_the_rest_of_the_step(store: MetadataStore) -> None:
    with store.transaction():
        store.register("datasets", "kept")
        with pytest.raises(SchemaViolationError):
            store.register("datasets", "bad", rows=-1)
    assert [d["name"] for d in store.find("datasets")] == ["kept"]


def test_a_deletion_in_a_step_is_planned_at_once_and_done_with_the_step(
    store: MetadataStore,
) -> None:
    raw = store.register("datasets", "raw")
    model = store.register("models", "clf")
    store.link(raw, model, "trained")
    with store.transaction():
        with pytest.raises(ConflictError):
            store.delete(raw)
        planned = store.delete(model)
        assert planned.documents == ["models/clf-v1"]
        assert store.get("models/clf-v1")  # still there until the step ends
    with pytest.raises(DocumentNotFoundError):
        store.get("models/clf-v1")
    assert store.get("datasets/raw-v1")


def test_a_run_in_a_step_is_written_once_closed(store: MetadataStore) -> None:
    with store.transaction():
        with store.run("train", params={"lr": 0.1}) as run:
            run.log_metrics({"accuracy": 0.9})
        assert run.doc["status"] == "completed" and not run.written
    assert run.written
    (stored,) = store.query("FOR r IN runs RETURN r")
    assert stored["status"] == "completed"
    assert stored["metrics"] == {"accuracy": 0.9}
    assert stored["_rev"] == run.doc["_rev"]


def test_a_run_outside_a_step_is_visible_while_it_runs(
    store: MetadataStore, reopen: Callable[[MetadataStore], MetadataStore]
) -> None:
    other = reopen(store)
    with store.run("train") as run:
        assert [r["status"] for r in other.find("runs")] == ["running"]
        model = run.register_output("models", "clf")
        assert other.find("models") == []  # the block is a step: outputs come with the close
    assert [r["status"] for r in other.find("runs")] == ["completed"]
    assert [m["_id"] for m in other.find("models")] == [model["_id"]]


def test_a_failed_run_block_keeps_its_outputs_and_says_why(store: MetadataStore) -> None:
    with pytest.raises(ValueError, match="diverged"), store.run("train") as run:
        run.register_output("models", "partial")
        raise ValueError("diverged")
    (stored,) = store.find("runs")
    assert stored["status"] == "failed" and stored["error"]["message"] == "diverged"
    assert [m["name"] for m in store.find("models")] == ["partial"]


def test_nested_steps_are_one(store: MetadataStore) -> None:
    with store.transaction() as outer:
        with store.transaction() as inner:
            assert inner is outer
            store.register("datasets", "raw")
        assert store.find("datasets") == []
    assert len(store.find("datasets")) == 1


def test_a_run_of_a_step_given_up_refuses_to_go_on(store: MetadataStore) -> None:
    with pytest.raises(RuntimeError), store.transaction():
        run = store.start_run("train")
        raise RuntimeError("the step failed")
    with pytest.raises(BadParameterError, match="never recorded"):
        run.log_metrics({"loss": 0.1})
    with pytest.raises(BadParameterError, match="never recorded"):
        run.close()
    assert store.find("runs") == []


def test_a_run_left_open_by_its_step_is_written_running_and_closed_later(
    store: MetadataStore,
) -> None:
    with store.transaction():
        run = store.start_run("serve")
    assert [r["status"] for r in store.find("runs")] == ["running"]
    run.log_metrics({"requests": 10})
    run.close()
    (stored,) = store.find("runs")
    assert (stored["status"], stored["metrics"]) == ("completed", {"requests": 10})


def test_a_type_s_own_unique_index_refuses_the_step_at_once(
    store: MetadataStore, tmp_path: Path
) -> None:
    if store.backend.sharded:
        pytest.skip("a cluster refuses a unique index without the shard key (_key)")
    register_tokenizers(store, tmp_path)
    store.backend.ensure_index("tokenizers", ["vocabulary"], unique=True)
    store.register("tokenizers", "bpe", vocabulary=32000)
    with pytest.raises(UniqueConstraintError, match="unique constraint violated"):
        store.register("tokenizers", "wordpiece", vocabulary=32000)
    assert [t["name"] for t in store.find("tokenizers")] == ["bpe"]


def test_a_deletion_refused_at_the_commit_fails_the_step_at_once(
    store: MetadataStore, reopen: Callable[[MetadataStore], MetadataStore]
) -> None:
    raw = store.register("datasets", "raw")
    before = counts(store)
    with pytest.raises(ConflictError, match="depends on it"), store.transaction():
        store.delete(raw)  # planned now: nothing depends on it yet
        store.register("datasets", "kept")
        reopen(store).link(raw, reopen(store).register("models", "clf"), "trained")
    assert counts(store) == {**before, "models": 1, "derivations": 1}
