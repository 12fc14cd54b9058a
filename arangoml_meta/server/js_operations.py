"""The database operations a JavaScript transaction's action asks the server for.

Each message of the sandbox (``js_sandbox.py``) names an operation of the
JavaScript API (``js_api.py``) and its arguments; :meth:`Operations.answer`
runs it inside the transaction, as one job of the transaction's worker (its
thread and connection: the declared collections are enforced there, 1652,
and a failed operation is undone alone, as for a request that joins a stream
transaction), and answers ``{"result": ...}`` or ``{"error": {errorNum,
errorMessage, code}}``, which the JavaScript side throws as an
``ArangoError``. The user's grants are checked per operation, as ArangoDB
checks them per collection an operation touches: reading needs ``ro``,
writing ``rw`` (403 / 11); a query's collections as for ``POST /_api/cursor``.
Documents go through the document API's operations (``document_ops.py``),
queries through the cursor's (``query_run.py``), so both answer as those
APIs do.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any, TypeVar

import orjson

from ..embedded import EmbeddedDatabase
from ..errors import (
    ERROR_ARANGO_DOCUMENT_NOT_FOUND,
    ERROR_BAD_PARAMETER,
    ERROR_INTERNAL,
    ERROR_TYPE_ERROR,
    ArangoMLMetaError,
)
from . import collection_catalog as catalog
from . import document_ops as ops
from .auth import authorize_collections, may_read_collection
from .context import RequestContext
from .cursors import parse_request
from .query_access import query_collections
from .query_run import Killed, aql_error, run_to_end
from .responses import HTTPError, status_of
from .transactions import StreamTransaction

T = TypeVar("T")

log = logging.getLogger("arangoml_meta.server.js")

# the longest text one console.log / print line sends to the server's log
LOG_LINE_CHARS = 10_000


class TimeLimitReached(Exception):
    """The action's time ran out while the server worked for it."""


class OperationError(Exception):
    """An operation's error, for the JavaScript side to throw."""

    def __init__(self, error_num: int, message: str) -> None:
        super().__init__(message)
        self.error_num = error_num
        self.message = message


def _bad(message: str) -> OperationError:
    return OperationError(ERROR_BAD_PARAMETER, message)


def _error_of(exc: BaseException) -> tuple[int, str]:
    if isinstance(exc, OperationError | ops.ItemFailure):
        return exc.error_num, exc.message
    if isinstance(exc, HTTPError):
        return exc.error_num, exc.message
    if isinstance(exc, ArangoMLMetaError):
        num = exc.error_num if exc.error_num is not None else ERROR_INTERNAL
        return num, exc.message
    log.exception("internal error in a JavaScript transaction's operation", exc_info=exc)
    return ERROR_INTERNAL, f"internal error: {type(exc).__name__}"


def _write_options(value: Any, operation: str) -> tuple[ops.Options, bool]:
    """A write's options (an object, or a boolean: ``waitForSync``) and whether a
    ``_rev`` in the selector is checked (not with ``overwrite: true``)."""
    if isinstance(value, bool):
        return ops.Options(wait_for_sync=value), True
    given: dict[str, Any] = value if isinstance(value, dict) else {}
    mode = given.get("overwriteMode")
    if mode not in ("ignore", "replace", "update", "conflict"):
        mode = "replace" if operation == "insert" and given.get("overwrite") is True else None
    options = ops.Options(
        return_new=given.get("returnNew") is True,
        return_old=given.get("returnOld") is True,
        silent=given.get("silent") is True,
        wait_for_sync=given.get("waitForSync") is True,
        overwrite_mode=mode,
        keep_null=given.get("keepNull") is not False,
        merge_objects=given.get("mergeObjects") is not False,
    )
    check_rev = given.get("overwrite") is not True and given.get("ignoreRevs") is not True
    return options, check_rev


def _selector_rev(selector: Any, check_rev: bool) -> str | None:
    if check_rev and isinstance(selector, dict) and isinstance(selector.get("_rev"), str):
        return str(selector["_rev"])
    return None


def _name(args: list[Any]) -> str:
    if not args or not isinstance(args[0], str) or not args[0]:
        raise _bad("expecting a collection name")
    return args[0]


def _arg(args: list[Any], index: int) -> Any:
    return args[index] if len(args) > index else None


def _single_or_many(outcomes: ops.Outcomes, many: bool) -> Any:
    if many:
        return [i.body() if isinstance(i, ops.ItemFailure) else i for i in outcomes.items]
    item = outcomes.items[0]
    if isinstance(item, ops.ItemFailure):
        raise item
    return item


class Operations:
    """What one JavaScript transaction's action may ask for (see the module docstring)."""

    def __init__(self, ctx: RequestContext, trx: StreamTransaction, deadline: float) -> None:
        self.ctx = ctx
        self.trx = trx
        self.deadline = deadline
        self._handlers: dict[str, Callable[[list[Any]], Any]] = {
            "collection": self.collection,
            "collections": self.collections,
            "database": self.database,
            "insert": self.insert,
            "document": self.document,
            "exists": self.exists,
            "replace": self.replace,
            "update": self.update,
            "remove": self.remove,
            "count": self.count,
            "all": self.all,
            "any": self.any,
            "byExample": self.by_example,
            "truncate": self.truncate,
            "query": self.query,
            "log": self.log,
        }

    def answer(self, operation: Any, args: Any) -> bytes:
        """The reply to one message of the sandbox (JSON). Only the time limit raises
        (:class:`TimeLimitReached`): every other error is the script's to handle."""
        handler = self._handlers.get(operation) if isinstance(operation, str) else None
        try:
            if handler is None:
                raise _bad(f"unknown operation {operation!r}")
            if not isinstance(args, list):
                raise _bad("expecting an array of arguments")
            result = handler(args)
        except TimeLimitReached:
            raise
        except Exception as exc:
            num, message = _error_of(exc)
            error = {"errorNum": num, "errorMessage": message, "code": status_of(num)}
            return orjson.dumps({"error": error})
        return orjson.dumps({"result": result})

    # ------------------------------------------------------------------ helpers

    def _run(self, work: Callable[[EmbeddedDatabase], T]) -> T:
        """``work`` inside the transaction, within the action's time."""
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise TimeLimitReached
        try:
            return self.trx.submit(work).result(timeout=remaining)
        except FutureTimeout:
            raise TimeLimitReached from None

    def _allow(self, name: str, write: bool) -> None:
        authorize_collections(self.ctx, [name], [name] if write else [])

    def _aql(self, aql: str, bind_vars: dict[str, Any]) -> list[Any]:
        return self._run(lambda db: list(db.query(aql, bind_vars)))

    # ------------------------------------------------------------------ collections

    def collection(self, args: list[Any]) -> dict[str, Any] | None:
        name = _name(args)

        def find(db: EmbeddedDatabase) -> dict[str, Any] | None:
            info = db.storage.find_collection(name)
            if info is None:
                return None
            return {"name": info.name, "id": str(info.id), "type": 3 if info.edge else 2}

        return self._run(find)

    def collections(self, args: list[Any]) -> list[dict[str, Any]]:
        def listing(db: EmbeddedDatabase) -> list[dict[str, Any]]:
            return [
                {"name": c.name, "id": str(c.id), "type": 3 if c.edge else 2}
                for c in db.storage.collections()
                if may_read_collection(self.ctx, c.name)
            ]

        return self._run(listing)

    def database(self, args: list[Any]) -> str:
        return self.ctx.database.name

    # ------------------------------------------------------------------ documents

    def insert(self, args: list[Any]) -> Any:
        name, data = _name(args), _arg(args, 1)
        options, _ = _write_options(_arg(args, 2), "insert")
        self._allow(name, write=True)
        many = isinstance(data, list)
        items = data if many else [data]
        outcomes = self._run(lambda db: ops.write(db, name, "insert", items, options))
        return _single_or_many(outcomes, many)

    def document(self, args: list[Any]) -> Any:
        name, selector = _name(args), _arg(args, 1)
        self._allow(name, write=False)
        many = isinstance(selector, list)
        items = selector if many else [selector]
        outcomes = self._run(lambda db: ops.read(db, name, items, ignore_revs=False))
        return _single_or_many(outcomes, many)

    def exists(self, args: list[Any]) -> Any:
        try:
            found = self.document(args[:2])
        except ops.ItemFailure as failure:
            if failure.error_num == ERROR_ARANGO_DOCUMENT_NOT_FOUND:
                return False
            raise
        if isinstance(found, list):
            return [
                False
                if item.get("errorNum") == ERROR_ARANGO_DOCUMENT_NOT_FOUND
                else item
                if item.get("error")
                else ops.identity(item)
                for item in found
            ]
        return ops.identity(found)

    def replace(self, args: list[Any]) -> Any:
        return self._change("replace", args)

    def update(self, args: list[Any]) -> Any:
        return self._change("update", args)

    def _change(self, operation: str, args: list[Any]) -> Any:
        name, selector, data = _name(args), _arg(args, 1), _arg(args, 2)
        options, check_rev = _write_options(_arg(args, 3), operation)
        self._allow(name, write=True)
        if isinstance(selector, list):
            if not isinstance(data, list) or len(data) != len(selector):
                raise _bad(f"{operation}: expecting as many documents as selectors")
            items = [self._keyed(s, d) for s, d in zip(selector, data, strict=True)]
            outcomes = self._run(lambda db: ops.write(db, name, operation, items, options))
            return _single_or_many(outcomes, many=True)
        key = ops.key_of(selector)
        rev = _selector_rev(selector, check_rev)
        outcomes = self._run(
            lambda db: ops.write(db, name, operation, [data], options, key=key, header_rev=rev)
        )
        return _single_or_many(outcomes, many=False)

    @staticmethod
    def _keyed(selector: Any, data: Any) -> Any:
        """An array item of replace / update: the data with the selector's key."""
        if not isinstance(data, dict):
            return data  # the operation reports the invalid document for this item
        try:
            return {**data, "_key": ops.key_of(selector)}
        except ops.ItemFailure:
            return {**data, "_key": None}  # 1205 for this item

    def remove(self, args: list[Any]) -> Any:
        name, selector = _name(args), _arg(args, 1)
        options, check_rev = _write_options(_arg(args, 2), "remove")
        self._allow(name, write=True)
        if isinstance(selector, list):
            outcomes = self._run(lambda db: ops.write(db, name, "remove", selector, options))
            return _single_or_many(outcomes, many=True)
        key = ops.key_of(selector)
        rev = _selector_rev(selector, check_rev)
        outcomes = self._run(
            lambda db: ops.write(db, name, "remove", [selector], options, key=key, header_rev=rev)
        )
        return _single_or_many(outcomes, many=False)

    # ------------------------------------------------------------------ whole collections

    def _existing(self, name: str) -> str:
        """``name``, or 1203 when there is no such collection."""
        self._run(lambda db: catalog.find(db, name))
        return name

    def count(self, args: list[Any]) -> int:
        name = _name(args)
        self._allow(name, write=False)
        return int(self._aql("RETURN LENGTH(@@c)", {"@c": self._existing(name)})[0])

    def all(self, args: list[Any]) -> list[Any]:
        name = _name(args)
        self._allow(name, write=False)
        return self._aql("FOR d IN @@c RETURN d", {"@c": self._existing(name)})

    def any(self, args: list[Any]) -> Any:
        name = _name(args)
        self._allow(name, write=False)
        rows = self._aql("FOR d IN @@c SORT RAND() LIMIT 1 RETURN d", {"@c": self._existing(name)})
        return rows[0] if rows else None

    def by_example(self, args: list[Any]) -> list[Any]:
        name, example, limit = _name(args), _arg(args, 1), _arg(args, 2)
        if not isinstance(example, dict):
            raise OperationError(ERROR_TYPE_ERROR, "byExample: expecting an example object")
        self._allow(name, write=False)
        bind: dict[str, Any] = {"@c": self._existing(name), "example": example}
        if isinstance(limit, int) and not isinstance(limit, bool) and limit > 0:
            bind["limit"] = limit
            return self._aql("FOR d IN @@c FILTER MATCHES(d, @example) LIMIT @limit RETURN d", bind)
        return self._aql("FOR d IN @@c FILTER MATCHES(d, @example) RETURN d", bind)

    def truncate(self, args: list[Any]) -> None:
        name = _name(args)
        self._allow(name, write=True)
        self._aql("FOR d IN @@c REMOVE d IN @@c", {"@c": self._existing(name)})

    # ------------------------------------------------------------------ queries

    def query(self, args: list[Any]) -> dict[str, Any]:
        """``db._query``: the rows, ``extra`` and (with ``count``) the count."""
        body = _arg(args, 0)
        if isinstance(body, dict):
            body = {k: v for k, v in body.items() if v is not None}
        request, _, _ = parse_request(body)
        remaining = max(self.deadline - time.monotonic(), 0.001)
        runtime = request.engine_options.get("maxRuntime")
        if not isinstance(runtime, int | float) or not 0 < runtime < remaining:
            request.engine_options["maxRuntime"] = remaining  # the action's time bounds it

        def run(db: EmbeddedDatabase) -> dict[str, Any]:
            try:
                read, written = query_collections(db, request.query, request.bind_vars)
            except ArangoMLMetaError as exc:
                raise aql_error(exc, parsing=True) from None
            authorize_collections(self.ctx, read, written)
            for name in written:  # undeclared: 1652 before anything is written
                try:
                    self.trx.check_write(name)
                except ArangoMLMetaError as exc:
                    raise aql_error(exc, parsing=False) from None
            outcome = run_to_end(db, request, Killed())
            rows: list[Any] = []
            try:
                for number in range(1, outcome.spool.batches + 1):
                    rows.extend(orjson.loads(outcome.spool.batch(number)))
            finally:
                outcome.spool.close()
            answer: dict[str, Any] = {"result": rows, "extra": outcome.extra}
            if request.count:
                answer["count"] = len(rows)
            return answer

        return self._run(run)

    # ------------------------------------------------------------------ the log

    def log(self, args: list[Any]) -> None:
        level = _arg(args, 0)
        levels = {"debug": logging.DEBUG, "warning": logging.WARNING, "error": logging.ERROR}
        text = str(_arg(args, 1))[:LOG_LINE_CHARS]
        log.log(levels.get(str(level), logging.INFO), "JavaScript transaction: %s", text)


__all__ = ["OperationError", "Operations", "TimeLimitReached"]
