"""Data-modification operations: INSERT, UPDATE, REPLACE, REMOVE, UPSERT.

Each compiles to a pipeline stage that performs one write per input row and
binds ``OLD`` / ``NEW``. The writes go through the engine's one write path
(``writes.py``), which the embedded backend's document API uses too. Options
follow ArangoDB: ``ignoreErrors`` (a failed row is skipped), ``keepNull``,
``mergeObjects``, ``overwriteMode`` (``ignore``, ``replace``, ``update``,
``conflict``) and ``ignoreRevs``. Each write is checked against the
collection's schema by the storage (``schemas.py``). The
whole query runs in one transaction (see ``database.py``), so an error on any
row undoes every write the query made. UPSERT's lookup counts in the query's
statistics when they are counted (see ``statistics.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from ..aql import ast as A
from ..errors import (
    ERROR_QUERY_COMPILE_TIME_OPTIONS,
    ERROR_QUERY_PARSE,
    AQLSyntaxError,
    ArangoMLMetaError,
    DocumentError,
    QueryError,
    SchemaViolationError,
    UniqueConstraintError,
)
from .documents import key_of
from .planner import Pushed, condition_sql, joined
from .statistics import ScanTally, choose_access, settle_scan
from .storage import CollectionInfo, Storage
from .values import equal, to_bool
from .writes import DocumentWriter

if TYPE_CHECKING:
    from .executor import QueryCompiler

Frame = list[Any]
Stage = Callable[[Iterator[None], Frame], Iterator[None]]

# what ignoreErrors skips: every per-document error of the write (ArangoDB ignores each
# error of the operation's result, a schema's 1620 included), not errors of the query
_DOCUMENT_ERRORS = (DocumentError, UniqueConstraintError, SchemaViolationError)


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
            tally = None if frame[0].budget.counters is None else ScanTally()
            found = None
            for doc in _documents(storage, info, [], tally):
                frame[slot] = doc
                if condition is None or to_bool(condition(frame)):
                    found = doc
                    break
                if tally is not None:
                    tally.dropped += 1
            _settle(frame, storage, info, search, [], tally)
            return found

        return find_by_filter
    example = compiler.expr(search)

    def find_by_example(frame: Frame) -> dict[str, Any] | None:
        wanted = example(frame)
        if not isinstance(wanted, dict):
            raise AQLSyntaxError("UPSERT search expression must be an object", ERROR_QUERY_PARSE)
        conditions = list(_leaf_paths(wanted, []))
        pushed: list[Pushed] = []
        for path, value in conditions:
            sql = condition_sql(info, path, "==", value)
            if sql is not None:
                pushed.append(Pushed(path, "==", value, sql[0], sql[1]))
        tally = None if frame[0].budget.counters is None else ScanTally()
        found = None
        for doc in _documents(storage, info, pushed, tally):
            if all(equal(_lookup(doc, path), value) for path, value in conditions):
                found = doc
                break
            if tally is not None:
                tally.dropped += 1
        _settle(frame, storage, info, search, pushed, tally)
        return found

    return find_by_example


def _documents(
    storage: Storage, info: CollectionInfo, pushed: list[Pushed], tally: ScanTally | None
) -> Iterator[dict[str, Any]]:
    """The documents an UPSERT looks among, in insertion order (counted by ``tally``)."""
    where, params = joined(pushed)
    rows: Iterator[Any] = storage.scan_rows(info, info.columns, where, params)
    return map(info.document, rows if tally is None else tally.reading(rows))


def _settle(
    frame: Frame,
    storage: Storage,
    info: CollectionInfo,
    search: A.Node,
    pushed: list[Pushed],
    tally: ScanTally | None,
) -> None:
    """Count an UPSERT's lookup as ArangoDB counts it: a FOR over the collection with the
    search's FILTER and LIMIT 1, reading whole documents (see ``statistics.py``)."""
    stats = frame[0].budget.counters
    if stats is not None and tally is not None:
        access = choose_access(info, pushed, None)
        settle_scan(stats, storage, info, search, access, pushed, tally)


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
    writer = DocumentWriter.with_options(storage, info, options)
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
            return writer.remove(key_of(given, name), given, return_old=old_slot is not None)
        if kind in ("UPDATE", "REPLACE"):
            assert doc_expr is not None
            body = doc_expr(frame)
            selector = key_expr(frame) if key_expr is not None else body
            key = key_of(selector, name, allow_id=False)
            if kind == "UPDATE":
                return writer.update(key, body, selector)
            return writer.replace(key, body, selector, return_old=old_slot is not None)
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
        budget = frame[0].budget  # counts the writes (the query's writesExecuted / Ignored)
        for _ in upstream:
            try:
                old, new = apply(frame)
            except ArangoMLMetaError as exc:
                if ignore_errors and isinstance(exc, _DOCUMENT_ERRORS):
                    budget.writes_ignored += 1
                    continue
                raise
            budget.writes_executed += 1
            if old_slot is not None:
                frame[old_slot] = old
            if new_slot is not None:
                frame[new_slot] = new
            yield None

    return modification


__all__ = ["compile_modification"]
