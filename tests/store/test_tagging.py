"""Tags of a stored artifact change in place, each change recorded; nothing else changes."""

from __future__ import annotations

from typing import Any

import pytest

from arangoml_meta.errors import (
    BadParameterError,
    DocumentError,
    DocumentNotFoundError,
    SchemaViolationError,
)
from arangoml_meta.store import MetadataStore

from .conftest import counts, register_tokenizers


@pytest.fixture
def iris(store: MetadataStore) -> dict[str, Any]:
    return store.register("datasets", "iris", tags=["raw"], rows=150)


@pytest.mark.parametrize(
    "add,remove,error",
    [
        ([], [], "name a tag"),
        ([""], [], "non-empty"),
        (["  "], [], "non-empty"),
        ([5], [], "non-empty text"),
        ([None], [], "non-empty text"),
        (["gold"], ["gold"], "both added and removed"),
    ],
)
def test_bad_tags_are_refused(
    store: MetadataStore, iris: dict[str, Any], add: list[Any], remove: list[Any], error: str
) -> None:
    with pytest.raises(BadParameterError, match=error):
        store.tag(iris["_id"], add=add, remove=remove)
    assert store.get(iris["_id"]) == iris


@pytest.mark.parametrize(
    "ref,error",
    [
        ("datasets/nothing-v1", DocumentNotFoundError),
        ("datasets/iris@7", DocumentNotFoundError),
        ("datasets", DocumentError),
    ],
)
def test_tagging_what_does_not_exist_is_refused(
    store: MetadataStore, iris: dict[str, Any], ref: str, error: type[Exception]
) -> None:
    with pytest.raises(error):
        store.tag(ref, add=["gold"])


def test_a_tag_change_is_recorded_with_who_and_when(
    store: MetadataStore, iris: dict[str, Any]
) -> None:
    before = counts(store)
    tagged = store.tag("datasets/iris@latest", add=["gold", "reviewed"], remove=["raw"])
    assert tagged["tags"] == ["gold", "reviewed"]
    (change,) = tagged["changes"]
    assert change["by"] == store.actor
    assert change["at"] >= iris["created_at"]
    assert (change["field"], change["added"], change["removed"]) == (
        "tags",
        ["gold", "reviewed"],
        ["raw"],
    )
    stored = store.get("datasets/iris-v1")
    assert stored == tagged
    # the artifact itself did not change: same version, same fields, no new document
    assert {k: v for k, v in stored.items() if k not in ("_rev", "tags", "changes")} == {
        k: v for k, v in iris.items() if k not in ("_rev", "tags")
    }
    assert counts(store) == before


def test_changes_accumulate_oldest_first(store: MetadataStore, iris: dict[str, Any]) -> None:
    store.tag(iris["_id"], add=["gold"])
    tagged = store.tag(iris["_id"], remove=["gold"], add=["silver"])
    assert tagged["tags"] == ["raw", "silver"]
    assert [(c["added"], c["removed"]) for c in tagged["changes"]] == [
        (["gold"], []),
        (["silver"], ["gold"]),
    ]


def test_a_tag_that_is_there_already_or_missing_changes_nothing(
    store: MetadataStore, iris: dict[str, Any]
) -> None:
    unchanged = store.tag(iris["_id"], add=["raw"], remove=["absent"])
    assert unchanged == iris  # no write, no change recorded
    assert "changes" not in store.get(iris["_id"])


def test_only_the_named_version_is_tagged(store: MetadataStore, iris: dict[str, Any]) -> None:
    store.register("datasets", "iris", tags=["raw"])
    store.tag("datasets/iris@1", add=["deprecated"])
    assert store.get("datasets/iris@1")["tags"] == ["raw", "deprecated"]
    assert store.get("datasets/iris@2")["tags"] == ["raw"]


def test_a_run_can_be_tagged(store: MetadataStore) -> None:
    with store.run("train") as run:
        pass
    assert store.tag(run.id, add=["baseline"])["tags"] == ["baseline"]


def test_tagging_in_a_step_happens_at_its_commit(
    store: MetadataStore, iris: dict[str, Any]
) -> None:
    with store.transaction():
        planned = store.tag(iris["_id"], add=["gold"])
        assert planned["tags"] == ["raw", "gold"]
        assert store.backend.get("datasets", "iris-v1")["tags"] == ["raw"]  # not yet
    assert store.get(iris["_id"])["tags"] == ["raw", "gold"]


def test_tagging_in_a_step_that_fails_changes_nothing(
    store: MetadataStore, iris: dict[str, Any]
) -> None:
    with pytest.raises(RuntimeError), store.transaction():
        store.tag(iris["_id"], add=["gold"])
        raise RuntimeError("the step failed")
    assert store.get(iris["_id"]) == iris


def test_changes_is_the_store_s_field(store: MetadataStore) -> None:
    with pytest.raises(BadParameterError, match="changes"):
        store.register("datasets", "iris", changes=[])


def test_a_type_that_forbids_undeclared_fields_says_so(store: MetadataStore, tmp_path: Any) -> None:
    register_tokenizers(store, tmp_path, additionalProperties=False)
    doc = store.register("tokenizers", "bpe", vocabulary=50_000)
    with pytest.raises(SchemaViolationError, match="changes"):
        store.tag(doc["_id"], add=["gold"])
    assert store.get(doc["_id"]) == doc


def test_an_artifact_new_in_the_step_is_tagged_before_it_is_written(store: MetadataStore) -> None:
    with store.transaction():
        doc = store.register("datasets", "iris", tags=["raw"])
        tagged = store.tag(doc["_id"], add=["gold"])
        assert tagged is doc and doc["tags"] == ["raw", "gold"]
    stored = store.get("datasets/iris-v1")
    assert stored["tags"] == ["raw", "gold"]
    assert [(c["added"], c["removed"]) for c in stored["changes"]] == [(["gold"], [])]
