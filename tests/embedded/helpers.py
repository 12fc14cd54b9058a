"""Small shared helpers for the embedded engine's behaviour tests."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pytest

from arangoml_meta.embedded import EmbeddedDatabase
from arangoml_meta.errors import ArangoMLMetaError


def make_db(
    documents: dict[str, Iterable[dict[str, Any]]] | None = None,
    edges: dict[str, Iterable[dict[str, Any]]] | None = None,
    path: str = ":memory:",
) -> EmbeddedDatabase:
    """A database with the given document and edge collections, filled in insertion order."""
    db = EmbeddedDatabase(path)
    for name, docs in (documents or {}).items():
        db.create_collection(name)
        docs = list(docs)
        if docs:
            db.insert_many(name, docs)
    for name, docs in (edges or {}).items():
        db.create_collection(name, edge=True)
        docs = list(docs)
        if docs:
            db.insert_many(name, docs)
    return db


def run(db: EmbeddedDatabase, aql: str, **bind_vars: Any) -> list[Any]:
    """The rows of ``aql`` as a plain list."""
    return list(db.query(aql, bind_vars))


def value(aql_expression: str, **bind_vars: Any) -> Any:
    """The single value of ``RETURN <expression>`` on an empty database."""
    with EmbeddedDatabase() as db:
        rows = run(db, f"RETURN {aql_expression}", **bind_vars)
    assert len(rows) == 1
    return rows[0]


def error_num(call: Callable[..., Any], *args: Any, **kwargs: Any) -> int | None:
    """The ArangoDB error number ``call`` fails with (the test fails if it does not fail)."""
    with pytest.raises(ArangoMLMetaError) as info:
        call(*args, **kwargs)
    return info.value.error_num


def query_error(db: EmbeddedDatabase, aql: str, **bind_vars: Any) -> int | None:
    """The error number of running ``aql`` (which must fail)."""
    return error_num(db.query, aql, bind_vars)


def keys(rows: Iterable[Any]) -> list[str]:
    return [row["_key"] for row in rows]


def strip_system(doc: dict[str, Any]) -> dict[str, Any]:
    """``doc`` without ``_key``, ``_id``, ``_rev`` (``_from`` / ``_to`` are kept)."""
    return {k: v for k, v in doc.items() if k not in ("_key", "_id", "_rev")}
