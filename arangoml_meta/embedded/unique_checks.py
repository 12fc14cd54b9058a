"""Unique indexes over values that hold objects, checked as AQL compares them.

SQLite's expression index compares an object as its JSON text, so it holds
``{"a": 1, "b": 2}`` and ``{"b": 2, "a": 1}`` different where AQL (and ArangoDB's index)
holds them equal. These checks close that gap: :func:`check_unique_objects` after a write
whose values hold objects, :func:`refuse_duplicate_objects` when a unique index is created
over existing ones. :func:`unique_error` words the error of a write SQLite's own unique
indexes refused. They run SQL through the storage's ``execute`` (traced like its own).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from typing import Any

from ..errors import ERROR_ARANGO_UNIQUE_CONSTRAINT_VIOLATED, UniqueConstraintError
from .codec import canonical
from .layout import CollectionInfo
from .planner import pushdown
from .values import value_at

Execute = Callable[[str, Sequence[Any]], sqlite3.Cursor]


def holds_object(value: Any) -> bool:
    """Whether ``value`` is or holds an object (compared by its canonical form)."""
    t = type(value)
    return t is dict or ((t is list or t is tuple) and any(map(holds_object, value)))


def holds_objects_under_unique_index(info: CollectionInfo, docs: Sequence[dict[str, Any]]) -> bool:
    """Whether a unique index of ``info`` covers a value holding an object in ``docs``."""
    unique = info.unique_paths
    if not unique:
        return False
    return any(
        holds_object(value_at(doc, path)) for _, paths in unique for path in paths for doc in docs
    )


def duplicates_for_new_index(fields: list[str]) -> UniqueConstraintError:
    """The error of a new unique index over values that are already duplicates."""
    return UniqueConstraintError(
        f"unique constraint violated: existing documents have duplicate values for {fields}",
        ERROR_ARANGO_UNIQUE_CONSTRAINT_VIOLATED,
    )


def refuse_duplicate_objects(
    execute: Execute, info: CollectionInfo, fields: list[str], sparse: bool
) -> None:
    """A new unique index over existing values holding objects: equal ones as AQL
    compares them (see :func:`check_unique_objects`) refuse it."""
    paths = [f.split(".") for f in fields]
    structured = " OR ".join(
        f"{info.typed_value_sql(path)[0]} IN ('object', 'array')" for path in paths
    )
    seen: set[tuple[str, ...]] = set()
    build = info.document
    for row in execute(f"SELECT {info.columns} FROM {info.table} WHERE {structured}", ()):
        doc = build(row)
        values = [value_at(doc, path) for path in paths]
        if not any(map(holds_object, values)) or (sparse and None in values):
            continue
        found = tuple(map(canonical, values))
        if found in seen:
            raise duplicates_for_new_index(fields)
        seen.add(found)


def check_unique_objects(
    execute: Execute, info: CollectionInfo, docs: Sequence[dict[str, Any]]
) -> None:
    """Unique indexes over values holding objects, checked as AQL compares them.

    SQLite's expression index compares an object as JSON text, so it holds
    ``{"a": 1, "b": 2}`` and ``{"b": 2, "a": 1}`` different where AQL (and ArangoDB's
    index) holds them equal. For a written value holding an object, the documents
    that might equal it (same JSON types, equal scalar fields) are compared here by
    their canonical form (attributes sorted). Runs after the rows are written, so
    that two equal documents of one batch find each other.
    """
    for index, paths in info.unique_paths:
        for doc in docs:
            values = [value_at(doc, path) for path in paths]
            if not any(map(holds_object, values)) or (index.sparse and None in values):
                continue
            # narrow the candidates in SQL (the comparison below decides): the JSON
            # type of a structured value, the planner's equality for a scalar one
            conditions, params = ["key <> ?"], [doc["_key"]]
            for path, value in zip(paths, values, strict=True):
                if type(value) is dict or type(value) in (list, tuple):
                    conditions.append(f"{info.typed_value_sql(path)[0]} = ?")
                    params.append("object" if type(value) is dict else "array")
                elif (equal := pushdown(info, path, "==", value)) is not None:
                    conditions.append(equal[0])
                    params.extend(equal[1])
            wanted = [canonical(v) for v in values]
            sql = f"SELECT {info.columns} FROM {info.table} WHERE {' AND '.join(conditions)}"
            for row in execute(sql, params):
                other = info.document(row)
                if [canonical(value_at(other, path)) for path in paths] == wanted:
                    raise UniqueConstraintError(
                        f"unique constraint violated - in index {index.name} of type "
                        f"persistent over {index.fields}; conflicting key: {other['_key']}",
                        ERROR_ARANGO_UNIQUE_CONSTRAINT_VIOLATED,
                    )


def unique_error(info: CollectionInfo, exc: sqlite3.IntegrityError) -> UniqueConstraintError:
    """The error of a write SQLite refused for a unique index (the primary one or another)."""
    text = str(exc)
    if f"{info.table}.key" in text:
        where = "in index primary of type primary over '_key'"
    else:
        where = "in a unique persistent index"
    return UniqueConstraintError(
        f"unique constraint violated - {where} (collection {info.name})",
        ERROR_ARANGO_UNIQUE_CONSTRAINT_VIOLATED,
    )
