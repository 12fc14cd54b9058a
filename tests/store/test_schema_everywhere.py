"""Schemas hold on every write: AQL around the store, a type evolved by another process,
and the schema version each document records.

Run on every backend kind: ArangoDB enforces the collection schema server-side,
the embedded engine as ArangoDB does (``embedded/schemas.py``).
"""

from __future__ import annotations

import copy
import multiprocessing
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from arangoml_meta import type_admin
from arangoml_meta.errors import BadParameterError, SchemaViolationError
from arangoml_meta.store import MetadataStore, open_store
from arangoml_meta.types import SCHEMA_VERSION

Reopen = Callable[[MetadataStore], MetadataStore]


def evolve(store: MetadataStore, type_name: str, change: Callable[[dict[str, Any]], None]):
    """Install a changed schema of ``type_name`` as its next version (breaking allowed)."""
    current = store.type(type_name)
    schema = copy.deepcopy(current.schema)
    change(schema)
    return type_admin.evolve_type(store, replace(current, schema=schema), allow_breaking=True)


def require_owner(schema: dict[str, Any]) -> None:
    schema["properties"]["owner"] = {"type": "string"}
    schema["required"].append("owner")


def add_optional_owner(schema: dict[str, Any]) -> None:
    schema["properties"]["owner"] = {"type": "string"}


def count(store: MetadataStore, type_name: str) -> int:
    return store.backend.count(type_name)


# --------------------------------------------------------------------------- AQL around the store


@pytest.mark.parametrize(
    "aql",
    [
        "INSERT {name: 'iris', version: 1, rows: 'many'} INTO datasets",
        "INSERT {version: 1} INTO datasets",
        "FOR d IN datasets UPDATE d WITH {rows: 'many'} IN datasets",
        "FOR d IN datasets REPLACE d WITH {rows: 3} IN datasets",
        "UPSERT {name: 'iris'} INSERT {} UPDATE {tags: 'one'} IN datasets",
    ],
)
def test_aql_around_the_store_cannot_write_what_the_type_refuses(
    store: MetadataStore, aql: str
) -> None:
    stored = store.register("datasets", "iris", rows=3)
    with pytest.raises(SchemaViolationError) as caught:
        store.backend.query(aql)
    assert caught.value.error_num == 1620
    assert "datasets" in caught.value.message
    assert store.backend.query("FOR d IN datasets RETURN d") == [stored]


def test_aql_around_the_store_writes_what_the_type_accepts(store: MetadataStore) -> None:
    store.register("datasets", "iris", rows=3)
    store.backend.query("FOR d IN datasets UPDATE d WITH {rows: 4} IN datasets")
    assert store.get("datasets/iris@latest")["rows"] == 4


# --------------------------------------------------------------------------- the schema version


def test_a_document_records_the_schema_version_it_was_checked_against(
    store: MetadataStore,
) -> None:
    first = store.register("datasets", "iris")
    assert first[SCHEMA_VERSION] == 1
    evolve(store, "datasets", add_optional_owner)
    second = store.register("datasets", "iris", owner="ann")
    assert second[SCHEMA_VERSION] == 2
    assert store.get("datasets/iris@1")[SCHEMA_VERSION] == 1
    assert store.get("datasets/iris@2")[SCHEMA_VERSION] == 2
    with store.run("train") as run:
        pass
    assert store.get(run.id)[SCHEMA_VERSION] == 1


def test_the_schema_version_is_the_stores_to_set(store: MetadataStore) -> None:
    with pytest.raises(BadParameterError, match="schema_version"):
        store.register("datasets", "iris", schema_version=7)
    with pytest.raises(BadParameterError, match="schema_version"):
        store.start_run("train", schema_version=7)
    assert count(store, "datasets") == count(store, "runs") == 0


# --------------------------------------------------------------------------- another process evolved it


def test_a_type_evolved_by_another_store_holds_for_the_next_write(
    store: MetadataStore, reopen: Reopen
) -> None:
    store.register("datasets", "iris")  # the type is cached now
    evolve(reopen(store), "datasets", require_owner)
    with pytest.raises(SchemaViolationError, match="field 'owner': is required but missing"):
        store.register("datasets", "iris")
    assert count(store, "datasets") == 1
    written = store.register("datasets", "iris", owner="ann")
    assert written[SCHEMA_VERSION] == 2
    assert store.type("datasets").schema_version == 2


def test_a_type_evolved_through_another_store_on_the_same_connection_holds_too(
    store: MetadataStore,
) -> None:
    store.register("datasets", "iris")  # the registry's versions are known now
    evolve(MetadataStore(store.backend), "datasets", require_owner)
    with pytest.raises(SchemaViolationError, match="field 'owner': is required but missing"):
        store.register("datasets", "iris")
    assert count(store, "datasets") == 1


def test_a_step_is_checked_against_the_type_registered_when_it_commits(
    store: MetadataStore, reopen: Reopen
) -> None:
    other = reopen(store)
    with pytest.raises(SchemaViolationError, match="owner"), store.transaction():
        store.register("datasets", "iris")  # checked against version 1: passes
        evolve(other, "datasets", require_owner)
    assert count(store, "datasets") == 0


@pytest.mark.parametrize(
    ("change", "recorded"),
    [
        # the run satisfies version 2: its close records it
        (add_optional_owner, 2),
        # the stored run is invalid under version 2: changing it is allowed (level moderate,
        # as on ArangoDB), and it still records the version it satisfied
        (require_owner, 1),
    ],
)
def test_a_run_closed_after_its_type_evolved_records_the_version_it_satisfies(
    store: MetadataStore, reopen: Reopen, change: Callable[[dict[str, Any]], None], recorded: int
) -> None:
    run = store.start_run("train")
    evolve(reopen(store), "runs", change)
    run.close()
    closed = store.get(run.id)
    assert (closed["status"], closed[SCHEMA_VERSION]) == ("completed", recorded)


# --------------------------------------------------------------------------- two processes

fork = (
    multiprocessing.get_context("fork")
    if "fork" in multiprocessing.get_all_start_methods()
    else None
)


def _register_after(path: str, ready: Any, evolved: Any, results: Any) -> None:
    store = open_store(path)
    store.register("datasets", "iris")  # caches the type at version 1
    ready.set()
    evolved.wait(30)
    try:
        store.register("datasets", "iris")
        results.put("written")
    except SchemaViolationError as exc:
        results.put(exc.message)
    store.close()


@pytest.mark.skipif(fork is None, reason="needs fork()")
def test_a_type_evolved_by_another_process_holds_for_the_next_write(tmp_path: Path) -> None:
    assert fork is not None
    path = str(tmp_path / "store")
    open_store(path).close()
    ready, evolved, results = fork.Event(), fork.Event(), fork.Queue()
    child = fork.Process(target=_register_after, args=(path, ready, evolved, results))
    child.start()
    try:
        assert ready.wait(30)
        with open_store(path) as owner:
            evolve(owner, "datasets", require_owner)
        evolved.set()
        outcome = results.get(timeout=30)
    finally:
        child.join(30)
        if child.is_alive():
            child.kill()
    assert "field 'owner': is required but missing" in outcome
    with open_store(path) as store:
        assert count(store, "datasets") == 1


# --------------------------------------------------------------------------- registration


def test_a_type_built_in_python_with_a_dangling_ref_is_refused(store: MetadataStore) -> None:
    from arangoml_meta.types import ArtifactType

    schema = {
        "type": "object",
        "required": ["name"],
        "properties": {"name": {"type": "string"}, "arm": {"$ref": "#/definitions/arm"}},
    }
    with pytest.raises(BadParameterError, match="points to nothing"):
        store.register_type(ArtifactType("experiments", "artifact", "", schema))
    assert "experiments" not in [t.name for t in store.types()]
    assert not store.backend.has_collection("experiments")
    with pytest.raises(BadParameterError, match="points to nothing"):
        evolve(store, "datasets", lambda s: s["properties"].update(arm={"$ref": "#/nothing"}))
    assert store.type("datasets").schema_version == 1


# --------------------------------------------------------------------------- older stores


def test_a_store_of_release_2_gets_its_collection_schemas_when_opened(tmp_path: Path) -> None:
    import sqlite3

    from arangoml_meta.migrations import STORE_INFO, STORE_SCHEMA_VERSION

    path = tmp_path / "store"
    with open_store(str(path)) as store:
        store.backend.update(STORE_INFO, "store", {"schema_version": 2})
    with sqlite3.connect(path / "store.db") as conn:  # as release 2 left it: no schemas
        conn.execute("DROP TABLE _schemas")
    with open_store(str(path)) as store:
        assert store.info()["schema_version"] == STORE_SCHEMA_VERSION
        with pytest.raises(SchemaViolationError):
            store.backend.query("INSERT {name: 'iris', rows: 'many'} INTO datasets")
