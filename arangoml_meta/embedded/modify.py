"""Data-modification operations: INSERT, UPDATE, REPLACE, REMOVE, UPSERT.

Each compiles to a pipeline stage that performs one write per input row and
binds ``OLD`` / ``NEW``. Options follow ArangoDB: ``ignoreErrors`` (a failed
row is skipped), ``keepNull``, ``mergeObjects``, ``overwriteMode`` (``ignore``,
``replace``, ``update``, ``conflict``) and ``ignoreRevs``. Each write is
checked against the collection's schema by the storage (``schemas.py``). The
whole query runs in one transaction (see ``database.py``), so an error on any
row undoes every write the query made.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from ..document_rules import require_object
from ..errors import (
    ERROR_ARANGO_CONFLICT,
    ERROR_ARANGO_DOCUMENT_NOT_FOUND,
    ERROR_ARANGO_UNIQUE_CONSTRAINT_VIOLATED,
    ERROR_QUERY_COMPILE_TIME_OPTIONS,
    ERROR_QUERY_PARSE,
    ArangoMLMetaError,
    ConflictError,
    DocumentError,
    DocumentNotFoundError,
    QueryError,
    SchemaViolationError,
    UniqueConstraintError,
)
from . import ast as A
from .documents import REVISIONS, check_edge_handle, check_key, key_of, merge_patch
from .planner import condition_sql
from .storage import CollectionInfo, Storage
from .values import equal, to_bool

if TYPE_CHECKING:
    from .executor import QueryCompiler

Frame = list[Any]
Stage = Callable[[Iterator[None], Frame], Iterator[None]]

# what ignoreErrors skips: every per-document error of the write (ArangoDB ignores each
# error of the operation's result, a schema's 1620 included), not errors of the query
_DOCUMENT_ERRORS = (DocumentError, UniqueConstraintError, SchemaViolationError)


class Writer:
    """Applies single-document writes with ArangoDB's rules to one collection."""

    def __init__(self, storage: Storage, info: CollectionInfo, options: dict[str, Any]) -> None:
        self.storage = storage
        self.info = info
        self.keep_null = to_bool(options.get("keepNull", True))
        self.merge_objects = to_bool(options.get("mergeObjects", True))
        self.ignore_revs = to_bool(options.get("ignoreRevs", True))
        mode = options.get("overwriteMode")
        if mode is None and to_bool(options.get("overwrite", False)):
            mode = "replace"
        self.overwrite_mode = mode

    def _existing(self, key: str) -> dict[str, Any]:
        old = self.storage.get(self.info, key)
        if old is None:
            raise DocumentNotFoundError(
                f"document not found: {self.info.name}/{key}", ERROR_ARANGO_DOCUMENT_NOT_FOUND
            )
        return old

    def _check_rev(self, old: dict[str, Any], given: dict[str, Any]) -> None:
        if not self.ignore_revs and "_rev" in given and given["_rev"] != old.get("_rev"):
            raise ConflictError("conflict, _rev values do not match", ERROR_ARANGO_CONFLICT)

    def insert(self, value: Any) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        doc = require_object(value)
        if "_key" in doc:
            key = check_key(doc["_key"])
            if self.overwrite_mode in ("ignore", "replace", "update"):
                old = self.storage.get(self.info, key)
                if old is not None:
                    if self.overwrite_mode == "ignore":
                        return None, None
                    if self.overwrite_mode == "replace":
                        return self.replace(key, doc)
                    return self.update(key, doc)
            self.storage.note_explicit_key(self.info, key)
        else:
            key = self.storage.generate_key(self.info)
        stored = self.storage.prepare_new(self.info, doc, key)
        self.storage.write_new(self.info, [stored])
        return None, stored

    def _finish(self, old: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        new: dict[str, Any] = {"_key": old["_key"], "_id": old["_id"], "_rev": REVISIONS.next()}
        if self.info.edge:
            new["_from"] = check_edge_handle(body.get("_from", old.get("_from")), "_from")
            new["_to"] = check_edge_handle(body.get("_to", old.get("_to")), "_to")
        for name, value in body.items():
            if name not in new and name not in ("_key", "_id", "_rev"):
                new[name] = value
        self.storage.replace_stored(self.info, new, old)
        return new

    def update(
        self, key: str, value: Any, selector: Any = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """UPDATE ``key``; a ``_rev`` is checked in the selector (``UPDATE sel WITH ...``) or the patch."""
        patch = require_object(value)
        old = self._existing(key)
        self._check_rev(old, selector if isinstance(selector, dict) else patch)
        merged = merge_patch(old, patch, self.keep_null, self.merge_objects)
        return old, self._finish(old, merged)

    def replace(
        self, key: str, value: Any, selector: Any = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        body = require_object(value)
        old = self._existing(key)
        self._check_rev(old, selector if isinstance(selector, dict) else body)
        return old, self._finish(old, body)

    def remove(self, key: str, given: Any) -> tuple[dict[str, Any], None]:
        old = self._existing(key)
        if isinstance(given, dict):
            self._check_rev(old, given)
        self.storage.delete(self.info, key)
        return old, None


def _options(op: A.Modification, compiler: QueryCompiler) -> dict[str, Any]:
    options = compiler.constant(op.options) if op.options is not None else {}
    if not isinstance(options, dict):
        raise QueryError("'OPTIONS' have to be an object", ERROR_QUERY_COMPILE_TIME_OPTIONS)
    return options


def _upsert_finder(
    op: A.Modification, compiler: QueryCompiler, info: CollectionInfo
) -> Callable[[Frame], dict[str, Any] | None]:
    storage = compiler.storage
    search = op.search
    assert search is not None
    if isinstance(search, A.Expansion):  # UPSERT FILTER condition (CURRENT is the candidate)
        condition = compiler.expr(search.filter) if search.filter is not None else None
        slot = search.var.slot

        def find_by_filter(frame: Frame) -> dict[str, Any] | None:
            for doc in storage.scan(info):
                frame[slot] = doc
                if condition is None or to_bool(condition(frame)):
                    return doc
            return None

        return find_by_filter
    example = compiler.expr(search)

    def find_by_example(frame: Frame) -> dict[str, Any] | None:
        wanted = example(frame)
        if not isinstance(wanted, dict):
            raise QueryError("UPSERT search expression must be an object", ERROR_QUERY_PARSE)
        conditions = list(_leaf_paths(wanted, []))
        clauses: list[str] = []
        params: list[Any] = []
        for path, value in conditions:
            sql = condition_sql(info, path, "==", value)
            if sql is not None:
                clauses.append(sql[0])
                params.extend(sql[1])
        for doc in storage.scan(info, " AND ".join(clauses), params):
            if all(equal(_lookup(doc, path), value) for path, value in conditions):
                return doc
        return None

    return find_by_example


def _leaf_paths(example: dict[str, Any], prefix: list[str]) -> Iterator[tuple[list[str], Any]]:
    """UPSERT matches nested search objects attribute path by attribute path."""
    for name, value in example.items():
        if isinstance(value, dict) and value:
            yield from _leaf_paths(value, [*prefix, name])
        else:
            yield [*prefix, name], value


def _lookup(doc: Any, path: list[str]) -> Any:
    for name in path:
        if not isinstance(doc, dict):
            return None
        doc = doc.get(name)
    return doc


def compile_modification(op: A.Modification, compiler: QueryCompiler, name: str) -> Stage:
    storage = compiler.storage
    info = storage.collection(name)
    options = _options(op, compiler)
    ignore_errors = to_bool(options.get("ignoreErrors", False))
    writer = Writer(storage, info, options)
    old_slot = op.old_var.slot if op.old_var is not None else None
    new_slot = op.new_var.slot if op.new_var is not None else None
    kind = op.kind
    doc_expr = compiler.expr(op.doc) if op.doc is not None else None
    key_expr = compiler.expr(op.key) if op.key is not None else None
    update_expr = compiler.expr(op.update) if op.update is not None else None
    finder = _upsert_finder(op, compiler, info) if kind == "UPSERT" else None

    def apply(frame: Frame) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        if kind == "INSERT":
            assert doc_expr is not None
            return writer.insert(doc_expr(frame))
        if kind == "REMOVE":
            assert key_expr is not None
            given = key_expr(frame)
            return writer.remove(key_of(given, name), given)
        if kind in ("UPDATE", "REPLACE"):
            assert doc_expr is not None
            body = doc_expr(frame)
            selector = key_expr(frame) if key_expr is not None else body
            key = key_of(selector, name, allow_id=False)
            if kind == "UPDATE":
                return writer.update(key, body, selector)
            return writer.replace(key, body, selector)
        assert finder is not None and doc_expr is not None and update_expr is not None
        found = finder(frame)
        if found is None:
            return writer.insert(doc_expr(frame))
        if old_slot is not None:
            frame[old_slot] = found
        body = update_expr(frame)
        if op.upsert_replace:
            return writer.replace(found["_key"], body)
        return writer.update(found["_key"], body)

    def modification(upstream: Iterator[None], frame: Frame) -> Iterator[None]:
        for _ in upstream:
            try:
                old, new = apply(frame)
            except ArangoMLMetaError as exc:
                if ignore_errors and isinstance(exc, _DOCUMENT_ERRORS):
                    continue
                raise
            if old_slot is not None:
                frame[old_slot] = old
            if new_slot is not None:
                frame[new_slot] = new
            yield None

    return modification


__all__ = ["ERROR_ARANGO_UNIQUE_CONSTRAINT_VIOLATED", "Writer", "compile_modification"]
