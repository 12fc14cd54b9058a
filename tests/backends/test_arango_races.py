"""Races and enclosing transactions, alike on both backends (``write_races.py``, ``steps.py``).

ArangoDB's stream transactions and the embedded store's SQLite transactions
differ where writers race for a key (1200 or 1210) and where a transaction is
already open when the store writes: each behaviour here is asked of both
backend kinds (ArangoDB's cases run where a server is available).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest

from arangoml_meta.backends import Backend
from arangoml_meta.errors import (
    ConflictError,
    TransactionError,
    UniqueConstraintError,
)
from arangoml_meta.migrations import STORE_INFO, STORE_SCHEMA_VERSION
from arangoml_meta.store import MetadataStore
from arangoml_meta.types import ArtifactType
from arangoml_meta.write_races import (
    FIRST_DELAY,
    MAX_DELAY,
    backoff,
    retrying_races,
)
from tests.conftest import BACKEND_KINDS


@pytest.fixture(params=BACKEND_KINDS)
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def store(kind: str, open_test_backend: Callable[[str], Any]) -> MetadataStore:
    opened = MetadataStore(open_test_backend(kind))
    opened.initialize()
    return opened


def things() -> ArtifactType:
    schema = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["name"]}
    return ArtifactType("things", "artifact", "", schema)


# ---------------------------------------------------------------------- the retry policy


def test_backoff_grows_to_a_bound_and_is_random_below_it() -> None:
    assert backoff(0, rng=lambda: 1.0) == FIRST_DELAY
    assert backoff(3, rng=lambda: 1.0) == FIRST_DELAY * 8
    assert backoff(40, rng=lambda: 1.0) == MAX_DELAY
    assert backoff(5, rng=lambda: 0.0) == 0.0
    waits = [backoff(4) for _ in range(200)]
    assert all(0 <= wait <= FIRST_DELAY * 16 for wait in waits)
    assert len(set(waits)) > 100  # jittered: two writers that collided wait differently


@pytest.mark.parametrize("race", [ConflictError, UniqueConstraintError], ids=["1200", "1210"])
def test_a_race_is_looked_at_again(
    race: type[ConflictError | UniqueConstraintError], backend: Backend
) -> None:
    tries: list[int] = []

    def lose_once() -> str:
        tries.append(1)
        if len(tries) == 1:
            raise race("another writer took the key")
        return "looked again"

    assert retrying_races(backend, lose_once, "a test") == "looked again"
    assert len(tries) == 2


def test_a_race_inside_an_enclosing_transaction_is_not_tried_again(backend: Backend) -> None:
    backend.create_collection("items")
    tries: list[int] = []

    def lose() -> None:
        tries.append(1)
        raise ConflictError("write-write conflict", 1200)

    with pytest.raises(ConflictError) as err, backend.transaction(write=["items"]):
        retrying_races(backend, lose, "a test")
    assert tries == [1]
    assert err.value.error_num == 1200
    assert "retry the enclosing transaction" in err.value.message


# ---------------------------------------------------------------------- transaction_open


def test_transaction_open_is_this_threads(backend: Backend) -> None:
    backend.create_collection("items")
    seen: list[bool] = []
    assert not backend.transaction_open
    with backend.transaction(write=["items"]):
        assert backend.transaction_open
        thread = threading.Thread(target=lambda: seen.append(backend.transaction_open))
        thread.start()
        thread.join()
    assert seen == [False]
    assert not backend.transaction_open


def test_a_step_holds_no_transaction_while_its_code_runs(store: MetadataStore) -> None:
    # a step that trains for minutes between writes must not keep a stream transaction
    # open (ArangoDB aborts it after 60 s idle, 1655): it writes all at its end
    with store.transaction():
        store.register("datasets", "raw")
        assert not store.backend.transaction_open
        with store.run("train") as run:
            assert not store.backend.transaction_open
            run.register_output("models", "clf")
        assert not store.backend.transaction_open
    assert [d["_id"] for d in store.history("models", "clf")] == ["models/clf-v1"]


# ---------------------------------------------------------------------- all or nothing


def test_a_caught_failed_write_leaves_nothing_of_the_transaction(backend: Backend) -> None:
    backend.create_collection("items")
    backend.insert("items", {"_key": "taken"})
    with pytest.raises(TransactionError) as err, backend.transaction(write=["items"]):
        backend.insert("items", {"_key": "a"})
        with pytest.raises(UniqueConstraintError):
            backend.insert("items", {"_key": "taken"})
    assert err.value.error_num == 1650
    assert backend.get("items", "a") is None


def test_a_step_inside_a_transaction_checks_its_keys_before_writing(store: MetadataStore) -> None:
    # the enclosing transaction itself took iris-v1: a step inside it must not fail on it
    # (on the embedded store that doomed the whole; on ArangoDB it was tried again inside)
    foreign = {**store.envelope("someone-else", None, None, None), "version": 1}
    foreign.update(_key="iris-v1", schema_version=1)
    del foreign["_id"], foreign["_rev"]
    with store.backend.transaction(write=["datasets"]):
        store.backend.insert("datasets", foreign)
        doc = store.register("datasets", "iris")
        assert doc["_id"] == "datasets/iris-v2"
    assert store.backend.get("datasets", "iris-v1")["name"] == "someone-else"  # type: ignore[index]
    assert store.get("datasets/iris@latest")["_id"] == "datasets/iris-v2"


# ---------------------------------------------------------------------- types


def test_registering_a_type_inside_a_transaction_is_refused_alike(store: MetadataStore) -> None:
    with pytest.raises(TransactionError) as err, store.backend.transaction(write=["datasets"]):
        store.register_type(things())
    assert err.value.error_num == 1652
    assert "before the transaction begins" in err.value.message
    assert not store.backend.has_collection("things")
    assert [t.name for t in store.types() if t.name == "things"] == []


def test_a_type_registered_in_a_step_is_written_by_it(store: MetadataStore) -> None:
    with store.transaction():
        store.register_type(things())
        store.register("things", "first", n=1)
    assert store.get("things/first@latest")["n"] == 1


# ---------------------------------------------------------------------- setting a store up


def test_stores_set_up_at_once_by_many_connections_all_open(
    kind: str, open_test_backend: Callable[[str], Any], request: pytest.FixtureRequest
) -> None:
    first = open_test_backend(kind)
    backends = [first, *(_another_connection(first, request) for _ in range(3))]
    barrier = threading.Barrier(len(backends))
    failures: list[BaseException] = []

    def initialise(backend: Backend) -> None:
        try:
            barrier.wait()
            MetadataStore(backend).initialize()
        except BaseException as exc:  # reported below, with the test's failure
            failures.append(exc)

    threads = [threading.Thread(target=initialise, args=(b,)) for b in backends]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for backend in backends[1:]:
        backend.close()
    assert failures == []
    assert first.get(STORE_INFO, "store")["schema_version"] == STORE_SCHEMA_VERSION  # type: ignore[index]
    names = [row["name"] for row in first.query("FOR t IN artifact_types RETURN t")]
    assert len(names) == len(set(names)) == 7


def _another_connection(backend: Backend, request: pytest.FixtureRequest) -> Backend:
    """A second connection to the same store, as another process would open it."""
    if backend.name == "embedded":
        from arangoml_meta.backends import EmbeddedBackend

        return EmbeddedBackend(backend.location)
    from arangoml_meta.backends.arango import ArangoBackend

    server = request.getfixturevalue("arango_server")
    return ArangoBackend(server.url, backend.database, server.username, server.password)  # type: ignore[attr-defined]
