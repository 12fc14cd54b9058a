"""ArangoDB backend sessions: document and query operations on one python-arango database.

An :class:`ArangoSession` runs over the plain database or inside a stream
transaction (the backend's ``transaction()`` makes those). Keys are bound into
AQL statements rather than put into URLs; many documents are read with one
request of the document API and written with one array insert per collection;
every query is sent with a ``maxRuntime`` below the request timeout. Inside a
transaction a write that fails dooms it: the backend aborts it at its end (all
or nothing, as an embedded transaction is), even when the caller caught the error.
"""

from __future__ import annotations

import functools
from collections.abc import Generator, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from arango.cursor import Cursor as ArangoCursor
from arango.database import Database

from ..aql.analysis import modifies_data
from ..aql.parser import parse
from ..cursor import Cursor
from ..document_rules import SET_BY_DATABASE, is_valid_key, require_object
from ..errors import (
    ERROR_ARANGO_DOCUMENT_NOT_FOUND,
    ERROR_QUERY_BIND_PARAMETER_TYPE,
    ERROR_QUERY_EMPTY,
    ArangoMLMetaError,
    BindParameterError,
    DocumentNotFoundError,
    QueryError,
)
from ..query_limits import QueryLimits
from .arango_errors import NotJSONError, arango_errors, documents_as_json, quietly
from .base import Document, QueryRows

if TYPE_CHECKING:
    from .arango import ArangoBackend

# One array insert carries a collection's documents of a step (one request per
# collection); only a larger batch (an import's) is split.
INSERT_BATCH = 10_000
QUERY_BATCH = 1000
# A query may run this share of the request timeout: the server stops it (1500) before
# the client stops waiting for it.
QUERY_TIME_SHARE = 0.9

# Document operations as AQL: the same statements the embedded engine runs, keys bound
# rather than put into URLs.
_UPDATE = (
    "UPDATE @key WITH @body IN @@collection "
    "OPTIONS { keepNull: false, mergeObjects: true } RETURN NEW"
)
_REPLACE = "REPLACE @key WITH @body IN @@collection RETURN NEW"
_DELETE_MANY = "FOR key IN @keys REMOVE key IN @@collection"


def server_max_runtime(limits: QueryLimits | None, timeout: float) -> float:
    """The ``maxRuntime`` a query is sent with: its own limit, at most a share of the
    request timeout (so the server stops it before the client gives up on it)."""
    cap = timeout * QUERY_TIME_SHARE
    asked = limits.max_runtime if limits is not None else None
    return min(asked, cap) if asked else cap


@functools.lru_cache(maxsize=512)
def _modifies(aql: str) -> bool:
    """Whether a query writes (a failed write dooms its transaction); False when it does
    not even parse (the server reports that)."""
    try:
        return modifies_data(parse(aql))
    except (ArangoMLMetaError, RecursionError):
        return False


def _not_found(collection: str, key: str) -> DocumentNotFoundError:
    return DocumentNotFoundError(
        f"document not found: {collection}/{key}", ERROR_ARANGO_DOCUMENT_NOT_FOUND
    )


class ArangoSession:
    """Document and query operations on one python-arango database (plain or in a transaction)."""

    def __init__(
        self, db: Database, backend: ArangoBackend, write: frozenset[str] | None = None
    ) -> None:
        self._db = db
        self._backend = backend
        self.write_collections = write  # None outside a transaction
        self.failed: ArangoMLMetaError | None = None  # the first write that failed inside it

    @property
    def in_transaction(self) -> bool:
        return self.write_collections is not None

    def _errors(self) -> AbstractContextManager[None]:
        return arango_errors(self._backend.location, self._backend.timeout)

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """A write request: when it fails inside a transaction, the transaction is doomed
        (its end aborts it), as an embedded transaction is, even if the caller goes on."""
        try:
            yield
        except NotJSONError:
            raise  # refused before anything was sent
        except ArangoMLMetaError as exc:
            if self.in_transaction and self.failed is None:
                self.failed = exc
            raise

    def insert(self, collection: str, doc: Document) -> Document:
        require_object(doc)
        with documents_as_json(), self._writing(), self._errors():
            result = self._db.collection(collection).insert(doc, return_new=True)
        return dict(result["new"])  # type: ignore[index]

    def insert_many(self, collection: str, docs: Sequence[Document]) -> list[Document]:
        docs = [require_object(doc) for doc in docs]
        if not self.in_transaction:
            # ArangoDB's batch insert is not all-or-nothing on its own: wrap it.
            with self._backend.transaction(write=[collection]) as session:
                return session.insert_many(collection, docs)
        if not docs:
            self.count(collection)  # an unknown collection is still an error
            return []
        inserted: list[Document] = []
        target = self._db.collection(collection)
        for start in range(0, len(docs), INSERT_BATCH):
            batch = docs[start : start + INSERT_BATCH]
            with documents_as_json(), self._writing(), self._errors():
                results = target.insert_many(batch, return_new=True, raise_on_document_error=True)
            inserted.extend(dict(result["new"]) for result in results)  # type: ignore[index, union-attr]
        return inserted

    def get(self, collection: str, key: str) -> Document | None:
        if not is_valid_key(key):
            self.count(collection)  # an unknown collection is still an error
            return None
        with self._errors():
            # Keys may hold '%' and other characters python-arango puts into the URL unescaped.
            doc = self._db.collection(collection).get(quote(key, safe=""))
        return None if doc is None else dict(doc)  # type: ignore[arg-type]

    def update(self, collection: str, key: str, patch: Document) -> Document:
        # AQL UPDATE is exactly the embedded backend's update (merge objects, drop nulls)
        return self._rewrite(_UPDATE, collection, key, patch)

    def get_many(self, collection: str, keys: Sequence[str]) -> list[Document | None]:
        """One request (the document API's ``PUT /_api/document/{collection}?onlyget=true``)
        whatever the number of keys; an unknown collection is 1203 (the server resolves it
        even for no keys); a key that is not a valid key finds nothing."""
        wanted = list(dict.fromkeys(key for key in keys if is_valid_key(key)))
        with self._errors():
            found = self._db.collection(collection).get_many(wanted)
        by_key = {doc["_key"]: dict(doc) for doc in found}  # type: ignore[union-attr]
        return [by_key.get(key) if is_valid_key(key) else None for key in keys]

    def replace(self, collection: str, key: str, doc: Document) -> Document:
        return self._rewrite(_REPLACE, collection, key, doc)

    def _rewrite(self, statement: str, collection: str, key: str, body: Document) -> Document:
        """UPDATE or REPLACE one document by an AQL statement that binds the key (rather
        than putting it into a URL); system attributes in ``body`` are ignored."""
        require_object(body)
        if not is_valid_key(key):
            self.count(collection)  # an unknown collection is still an error
            raise _not_found(collection, key)
        body = {name: value for name, value in body.items() if name not in SET_BY_DATABASE}
        with documents_as_json():
            rows = self._run(statement, {"key": key, "body": body, "@collection": collection})
        return dict(rows[0])

    def delete(self, collection: str, key: str) -> None:
        self.delete_many(collection, [key])

    def delete_many(self, collection: str, keys: Sequence[str]) -> None:
        if not self.in_transaction:
            # a query that fails half-way through is not undone on its own: wrap it
            with self._backend.transaction(write=[collection]) as session:
                session.delete_many(collection, keys)
            return
        for key in keys:
            if not is_valid_key(key):
                self.count(collection)  # an unknown collection is still an error
                raise _not_found(collection, key)
        self._run(_DELETE_MANY, {"keys": list(keys), "@collection": collection})

    def query(
        self, aql: str, bind_vars: dict[str, Any] | None = None, limits: QueryLimits | None = None
    ) -> QueryRows:
        cursor = self.cursor(aql, bind_vars, limits)
        rows = list(cursor)
        return QueryRows(rows, cursor.warnings)

    def cursor(
        self, aql: str, bind_vars: dict[str, Any] | None = None, limits: QueryLimits | None = None
    ) -> Cursor:
        """The rows of a query, fetched from the server a batch at a time as they are read."""
        try:
            return self._stream(aql, bind_vars, limits)
        except NotJSONError as exc:
            raise BindParameterError(
                f"a bind parameter has an invalid value or type ({exc.message})",
                ERROR_QUERY_BIND_PARAMETER_TYPE,
            ) from None

    def count(self, collection: str) -> int:
        with self._errors():
            return int(self._db.collection(collection).count())  # type: ignore[arg-type]

    def _run(self, aql: str, bind_vars: dict[str, Any] | None) -> list[Any]:
        return list(self._stream(aql, bind_vars))

    def _stream(
        self, aql: str, bind_vars: dict[str, Any] | None, limits: QueryLimits | None = None
    ) -> Cursor:
        """Run the query now; its rows as they are read."""
        if not isinstance(aql, str):
            raise QueryError("query must be a string", ERROR_QUERY_EMPTY)
        bind_vars = dict(bind_vars or {})
        tracer = self._backend.tracer
        if tracer is not None:
            tracer(aql, bind_vars)
        # memoryLimit 0 leaves the server's own; maxRuntime always ends below the timeout
        memory_limit = limits.memory_limit if limits is not None else 0
        max_runtime = server_max_runtime(limits, self._backend.timeout)
        modifies = _modifies(aql)
        writing = self._writing() if modifies else nullcontext()
        with writing, self._errors():
            cursor = self._db.aql.execute(
                aql,
                bind_vars=bind_vars,
                batch_size=QUERY_BATCH,
                # a reading query streams: the server makes each batch as it is fetched, so
                # rows arrive before a later error and maxRuntime counts to the last row
                # (without it ArangoDB runs the whole query before the first batch); a
                # writing one runs to its end on the server, all or nothing
                stream=not modifies,
                memory_limit=memory_limit,
                max_runtime=max_runtime,  # type: ignore[arg-type]
            )
        warnings: list[dict[str, Any]] = []
        return Cursor(self._fetch(cursor, warnings), warnings)  # type: ignore[arg-type]

    def _fetch(
        self, cursor: ArangoCursor, warnings: list[dict[str, Any]]
    ) -> Generator[Any, None, None]:
        """The cursor's rows (then its warnings into ``warnings``); the server's cursor is
        closed when they are not all read."""
        done = False
        try:
            while True:
                with self._errors():
                    try:
                        row = next(cursor)
                    except StopIteration:
                        done = True
                        warnings.extend(cursor.warnings() or [])
                        return
                yield row
        finally:
            if not done:
                with quietly("closing an AQL cursor"):
                    cursor.close(ignore_missing=True)
