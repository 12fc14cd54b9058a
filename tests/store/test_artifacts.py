"""Registering artifacts: versions per name, readable keys, references, history and search."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from arangoml_meta.backends.embedded import EmbeddedBackend
from arangoml_meta.environment import ACTOR_ENV
from arangoml_meta.errors import UniqueConstraintError
from arangoml_meta.store import MetadataStore
from arangoml_meta.types import builtin_types

from .conftest import MakeStore, register_tokenizers

ISO_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


@pytest.fixture
def searchable(store: MetadataStore) -> MetadataStore:
    """Three models of two names with metrics, tags and an optional field."""
    store.register(
        "models", "clf", framework="sklearn", metrics={"accuracy": 0.81}, tags=["baseline"]
    )
    store.register(
        "models", "clf", framework="sklearn", metrics={"accuracy": 0.93}, tags=["gdpr", "prod"]
    )
    store.register(
        "models", "net", framework="pytorch", metrics={"accuracy": 0.95}, algorithm="resnet50"
    )
    return store


@pytest.mark.parametrize("type_name", ["datasets", "models", "featuresets"])
def test_versions_count_up_per_type_and_name(store: MetadataStore, type_name: str) -> None:
    versions = [store.register(type_name, "iris")["version"] for _ in range(3)]
    assert versions == [1, 2, 3]


RACING_REGISTRATIONS = 40


def test_two_connections_registering_one_name_at_once_take_every_version_once(
    store: MetadataStore, reopen: Callable[[MetadataStore], MetadataStore]
) -> None:
    """On ArangoDB the two stream transactions really race: the loser's key is taken."""
    stores = [store, reopen(store)]
    barrier = threading.Barrier(len(stores))
    failures: list[BaseException] = []

    def register_many(writer: MetadataStore) -> None:
        try:
            barrier.wait()
            for _ in range(RACING_REGISTRATIONS):
                writer.register("datasets", "shared")
        except BaseException as exc:  # reported below, with the test's failure
            failures.append(exc)

    threads = [threading.Thread(target=register_many, args=(s,)) for s in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    history = store.history("datasets", "shared")
    assert [doc["version"] for doc in history] == list(range(1, 2 * RACING_REGISTRATIONS + 1))
    assert len({doc["_key"] for doc in history}) == len(history)


class ShardedEmbeddedBackend(EmbeddedBackend):
    """The embedded engine answering as a cluster does: collections are sharded."""

    sharded = True


@pytest.mark.parametrize("sharded", [False, True])
def test_name_version_index_is_unique_unless_the_backend_is_sharded(
    tmp_path: Path, sharded: bool
) -> None:
    backend = (ShardedEmbeddedBackend if sharded else EmbeddedBackend)(tmp_path)
    with MetadataStore(backend) as store:
        store.initialize()
        indexes = backend.db.indexes("datasets")
        (by_name_version,) = [i for i in indexes if i["fields"] == ["name", "version"]]
        assert by_name_version["unique"] is not sharded
        # the readable key name-vN is what keeps versions unique everywhere
        store.register("datasets", "iris")
        with pytest.raises(UniqueConstraintError):
            backend.insert("datasets", {"_key": "iris-v1", "name": "iris", "version": 1})


def test_versions_of_other_names_and_types_are_independent(store: MetadataStore) -> None:
    store.register("datasets", "iris")
    store.register("datasets", "iris")
    assert store.register("datasets", "wine")["version"] == 1
    assert store.register("models", "iris")["version"] == 1


@pytest.mark.parametrize("name", ["iris", "iris-v2", "ds_2024.01", "A1"])
def test_keys_are_readable(store: MetadataStore, name: str) -> None:
    store.register("datasets", name)
    second = store.register("datasets", name)
    assert second["_key"] == f"{name}-v2"
    assert second["_id"] == f"datasets/{name}-v2"


@pytest.mark.parametrize(
    ("ref", "version"),
    [
        ("datasets/iris-v2", 2),
        ("datasets/iris@1", 1),
        ("datasets/iris@3", 3),
        ("datasets/iris@latest", 3),
    ],
)
def test_get_by_reference(store: MetadataStore, ref: str, version: int) -> None:
    for rows in (150, 149, 147):
        store.register("datasets", "iris", rows=rows)
    artifact = store.get(ref)
    assert (artifact["name"], artifact["version"]) == ("iris", version)
    assert artifact["rows"] == {1: 150, 2: 149, 3: 147}[version]


@pytest.mark.parametrize("type_name", [t.name for t in builtin_types() if t.kind != "execution"])
def test_every_versioned_kind_answers_latest_and_history(
    store: MetadataStore, type_name: str
) -> None:
    for _ in range(2):
        store.register(type_name, "x")
    assert store.get(f"{type_name}/x@latest")["version"] == 2
    assert [d["version"] for d in store.history(type_name, "x", limit=1, offset=1)] == [2]


def test_registered_fields_come_back_as_stored(store: MetadataStore) -> None:
    fields = {
        "location": "s3://bucket/iris.csv",
        "rows": 150,
        "columns": [{"name": "sepal_length", "dtype": "float64"}],
        "statistics": {"sepal_length": {"mean": 5.84}},
    }
    registered = store.register(
        "datasets", "iris", project="botany", description="Fisher's iris", tags=["toy"], **fields
    )
    stored = store.get(registered["_id"])
    assert stored == registered
    assert {k: stored[k] for k in fields} == fields
    assert (stored["project"], stored["description"], stored["tags"]) == (
        "botany",
        "Fisher's iris",
        ["toy"],
    )


def test_history_lists_every_version_oldest_first(store: MetadataStore) -> None:
    for _ in range(3):
        store.register("datasets", "iris")
    store.register("datasets", "wine")
    history = store.history("datasets", "iris")
    assert [d["_key"] for d in history] == ["iris-v1", "iris-v2", "iris-v3"]


def test_history_of_an_unknown_name_is_empty(store: MetadataStore) -> None:
    assert store.history("datasets", "nothing") == []


def test_created_at_is_iso_utc_with_milliseconds(store: MetadataStore) -> None:
    artifact = store.register("datasets", "iris")
    assert ISO_UTC.match(artifact["created_at"])


def test_created_by_is_the_actor_from_the_environment(
    make_store: MakeStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ACTOR_ENV, "data-ops-bot")
    assert make_store().register("datasets", "iris")["created_by"] == "data-ops-bot"


def test_an_explicit_actor_wins_over_the_environment(
    make_store: MakeStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ACTOR_ENV, "data-ops-bot")
    assert make_store(actor="alice").register("datasets", "iris")["created_by"] == "alice"


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (None, {"clf-v1", "clf-v2", "net-v1"}),
        ({"name": "clf"}, {"clf-v1", "clf-v2"}),
        ({"framework": {"==": "pytorch"}}, {"net-v1"}),
        ({"framework": {"!=": "pytorch"}}, {"clf-v1", "clf-v2"}),
        ({"version": {">": 1}}, {"clf-v2"}),
        ({"metrics.accuracy": {">": 0.9}}, {"clf-v2", "net-v1"}),
        ({"metrics.accuracy": {">=": 0.93, "<": 0.95}}, {"clf-v2"}),
        ({"metrics.accuracy": 0.81}, {"clf-v1"}),
        ({"framework": {"in": ["pytorch", "xgboost"]}}, {"net-v1"}),
        ({"framework": {"not in": ["pytorch"]}}, {"clf-v1", "clf-v2"}),
        ({"tags": {"contains": "gdpr"}}, {"clf-v2"}),
        ({"algorithm": {"like": "res%"}}, {"net-v1"}),
        ({"name": {"like": "C_F"}}, {"clf-v1", "clf-v2"}),
        ({"algorithm": {"exists": True}}, {"net-v1"}),
        ({"algorithm": {"exists": False}}, {"clf-v1", "clf-v2"}),
        ({"name": "clf", "tags": {"contains": "baseline"}}, {"clf-v1"}),
        ({"framework": "tensorflow"}, set()),
    ],
)
def test_find_with_structured_filters(
    searchable: MetadataStore, filters: dict | None, expected: set[str]
) -> None:
    assert {d["_key"] for d in searchable.find("models", filters)} == expected


def test_find_sorts_and_limits(searchable: MetadataStore) -> None:
    found = searchable.find("models", sort="metrics.accuracy", descending=True, limit=2)
    assert [d["_key"] for d in found] == ["net-v1", "clf-v2"]


def test_a_key_taken_by_something_else_is_passed_over(store: MetadataStore) -> None:
    """A document written around the store under the next version's key: the commit that
    meets it tries again, leaves nothing of the failed try behind, and takes the next key."""
    store.register("datasets", "iris")
    store.backend.insert("datasets", {"_key": "iris-v2", "name": "squatter", "version": 1})
    with store.transaction():
        iris = store.register("datasets", "iris")
        wine = store.register("datasets", "wine")
        store.link(iris, wine, "paired_with")
    assert iris["_id"] == "datasets/iris-v3" and iris["version"] == 3
    assert [d["version"] for d in store.history("datasets", "iris")] == [1, 3]
    assert store.get("datasets/wine@latest")["version"] == 1
    (edge,) = store.query("FOR e IN derivations RETURN e")
    assert (edge["_from"], edge["_to"]) == ("datasets/iris-v3", "datasets/wine-v1")


def test_a_type_another_process_registered_can_be_written_in_a_step(
    store: MetadataStore, reopen: Callable[[MetadataStore], MetadataStore], tmp_path: Path
) -> None:
    with store.transaction():  # this store has opened a step before the type existed
        store.register("datasets", "iris")
    register_tokenizers(reopen(store), tmp_path)
    with store.transaction():
        store.register("tokenizers", "bpe", vocabulary=32000)
    assert store.get("tokenizers/bpe@latest")["vocabulary"] == 32000
