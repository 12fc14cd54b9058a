"""Fixtures of the backend suites: backends with a few collections, and helpers to compare."""

from __future__ import annotations

from typing import Any

import pytest

from arangoml_meta.backends import Backend

SYSTEM = ("_key", "_id", "_rev")


@pytest.fixture
def items(backend: Backend) -> Backend:
    """The backend with an empty document collection ``items``."""
    backend.create_collection("items")
    return backend


@pytest.fixture
def lineage(backend: Backend) -> Backend:
    """The backend with ``datasets`` and ``runs``, edge collections ``inputs`` / ``outputs``
    and ``dataset iris-v1 → run train-1 → dataset iris-v2``."""
    for name in ("datasets", "runs"):
        backend.create_collection(name)
    for name in ("inputs", "outputs"):
        backend.create_collection(name, edge=True)
    backend.insert_many("datasets", [{"_key": "iris-v1"}, {"_key": "iris-v2"}])
    backend.insert("runs", {"_key": "train-1"})
    backend.insert("inputs", {"_from": "datasets/iris-v1", "_to": "runs/train-1"})
    backend.insert("outputs", {"_from": "runs/train-1", "_to": "datasets/iris-v2"})
    return backend


@pytest.fixture
def single_server(backend: Backend) -> Backend:
    """The backend, unless it is a cluster: there a unique index must include the shard
    key (``_key``), so tests of unique indexes on other fields skip."""
    if backend.sharded:
        pytest.skip("a cluster refuses a unique index without the shard key (_key)")
    return backend


def body(doc: dict[str, Any] | None) -> dict[str, Any]:
    """A document without ``_key``, ``_id`` and ``_rev``."""
    assert doc is not None
    return {k: v for k, v in doc.items() if k not in SYSTEM}


def definitions(backend: Backend, graph: str) -> dict[str, tuple[list[str], list[str]]]:
    """A graph's edge definitions as ``{collection: (from, to)}``, vertex lists sorted."""
    return {
        d["collection"]: (sorted(d["from"]), sorted(d["to"]))
        for d in backend.graph_definitions(graph)
    }
