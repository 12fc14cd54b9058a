"""The next versions of names this process committed (see version_hints.py): known without a
read while no other connection commits, and right again as soon as one does."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from arangoml_meta.store import MetadataStore


@contextmanager
def statements(store: MetadataStore) -> Iterator[list[str]]:
    """The SQL statements the embedded store's connection runs inside the block."""
    conn: sqlite3.Connection = store.raw_backend.db.storage.conn  # type: ignore[attr-defined]
    seen: list[str] = []
    conn.set_trace_callback(seen.append)
    try:
        yield seen
    finally:
        conn.set_trace_callback(None)


def test_a_name_committed_here_gets_its_next_version_without_a_read(
    store: MetadataStore,
) -> None:
    if store.raw_backend.name != "embedded":
        pytest.skip("hints need to know that no other client wrote (the embedded store's)")
    for _ in range(2):
        store.register("datasets", "raw")
    with statements(store) as seen, store.transaction():
        third = store.register("datasets", "raw")
        assert third["version"] == 3
        before_commit = list(seen)
    assert before_commit == ["PRAGMA data_version"]  # no read transaction, no query
    assert [d["version"] for d in store.history("datasets", "raw")] == [1, 2, 3]


def test_another_connection_s_commit_makes_the_next_version_read_again(
    store: MetadataStore, reopen: Callable[[MetadataStore], MetadataStore]
) -> None:
    other = reopen(store)
    store.register("datasets", "raw")
    other.register("datasets", "raw")  # v2, unseen by this connection's hints
    with store.transaction():
        mine = store.register("datasets", "raw")
        assert mine["version"] == 3  # as the store stands, not as this process left it
    other.register("models", "clf")  # a commit that touches another name only
    assert store.register("datasets", "raw")["version"] == 4
    assert [d["version"] for d in store.history("datasets", "raw")] == [1, 2, 3, 4]


def test_a_deleted_newest_version_is_not_handed_out_again(store: MetadataStore) -> None:
    store.register("datasets", "raw")
    second = store.register("datasets", "raw")
    store.delete(second["_id"])
    assert store.register("datasets", "raw")["version"] == 3


def test_a_step_given_up_leaves_no_hint(store: MetadataStore) -> None:
    store.register("datasets", "raw")
    with pytest.raises(RuntimeError), store.transaction():
        assert store.register("datasets", "raw")["version"] == 2
        raise RuntimeError("the step failed")
    with store.transaction():  # as registered, before its commit could renumber it
        assert store.register("datasets", "raw")["version"] == 2


def test_versions_inside_an_enclosing_transaction_that_rolls_back_are_not_remembered(
    store: MetadataStore,
) -> None:
    if store.raw_backend.name != "embedded":
        pytest.skip("a step inside an enclosing SQLite transaction (the embedded store's)")
    store.register("datasets", "raw")
    backend: Any = store.backend
    with pytest.raises(RuntimeError), backend.transaction(write=["datasets"]):
        assert store.register("datasets", "raw")["version"] == 2
        raise RuntimeError("the enclosing transaction fails")
    with store.transaction():  # as registered, before its commit could renumber it
        assert store.register("datasets", "raw")["version"] == 2


def test_another_store_object_on_the_same_backend_shares_what_it_commits(
    store: MetadataStore,
) -> None:
    other = MetadataStore(store.backend)
    store.register("datasets", "raw")
    other.register("datasets", "raw")  # v2 through the same connection
    with store.transaction():  # as registered, before its commit could renumber it
        assert store.register("datasets", "raw")["version"] == 3


def test_a_version_written_around_the_steps_on_this_connection_is_seen(
    store: MetadataStore,
) -> None:
    first = store.register("datasets", "raw")
    second = {k: v for k, v in first.items() if k not in ("_id", "_rev")}
    second.update(_key="raw-v2", version=2)
    store.raw_backend.insert("datasets", second)  # not through a step, nor logged
    with store.transaction():
        assert store.register("datasets", "raw")["version"] == 3
