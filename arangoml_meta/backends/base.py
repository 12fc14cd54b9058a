"""The backend protocol: the small, ArangoDB-shaped interface the domain layer speaks.

A backend is a database with document and edge collections, persistent
indexes, named graphs, AQL queries and transactions. Two implementations
exist: the embedded engine (``embedded.py``) and ArangoDB through python-arango
(``arango.py``). Both raise only :mod:`arangoml_meta.errors` exceptions, with
ArangoDB's error numbers, so the domain layer catches one thing whichever
backend runs.

Writes that must be atomic go through :meth:`Backend.transaction`, which
yields a :class:`Session` (the same interface, bound to the transaction).
Calls made on the backend itself while a transaction is open (in the same
thread) belong to that transaction, and a nested ``transaction()`` joins the
open one — on ArangoDB, which cannot nest stream transactions, its write
collections must be among the outer ones. Schema operations (collections,
indexes, graphs) are not transactional on ArangoDB.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from typing import Any, Protocol, runtime_checkable

from ..cursor import Cursor
from ..errors import ERROR_ARANGO_COLLECTION_TYPE_INVALID, BadParameterError, CollectionError
from ..query_limits import QueryLimits

Document = dict[str, Any]


class QueryRows(list[Any]):
    """A query's rows, with the ``warnings`` it raised (ArangoDB's ``{code, message}``)."""

    def __init__(self, rows: Iterable[Any] = (), warnings: Iterable[dict[str, Any]] = ()) -> None:
        super().__init__(rows)
        self.warnings = list(warnings)


@runtime_checkable
class Session(Protocol):
    """Document and query operations (inside or outside a transaction)."""

    def insert(self, collection: str, doc: Document) -> Document:
        """Insert one document; returns it with ``_key``, ``_id``, ``_rev``."""

    def insert_many(self, collection: str, docs: Sequence[Document]) -> list[Document]:
        """Insert documents, all or nothing; returns them with system attributes."""

    def get(self, collection: str, key: str) -> Document | None:
        """The document, or None when it does not exist."""

    def get_many(self, collection: str, keys: Sequence[str]) -> list[Document | None]:
        """The documents of ``keys``, in that order; None for each one that does not exist."""

    def update(self, collection: str, key: str, patch: Document) -> Document:
        """Merge ``patch`` into a document (keepNull false); returns the new document."""

    def replace(self, collection: str, key: str, doc: Document) -> Document:
        """Replace a document's body (its key stays, ``_from`` / ``_to`` of an edge are
        required); returns the new document; 1202 when it does not exist."""

    def delete(self, collection: str, key: str) -> None:
        """Remove a document; 1202 when it does not exist."""

    def delete_many(self, collection: str, keys: Sequence[str]) -> None:
        """Remove documents, all or nothing (1202 when one does not exist)."""

    def query(
        self, aql: str, bind_vars: dict[str, Any] | None = None, limits: QueryLimits | None = None
    ) -> QueryRows:
        """Run AQL with bound parameters and return all rows (and warnings); ``limits``:
        its memoryLimit and maxRuntime (None: none, as for the store's own queries)."""

    def cursor(
        self, aql: str, bind_vars: dict[str, Any] | None = None, limits: QueryLimits | None = None
    ) -> Cursor:
        """Run AQL with bound parameters; its rows as they are read, never all held at once.

        Errors in the query or its parameters are raised here, errors of its
        execution while reading. ``close()`` stops it early; its ``warnings`` are
        complete once every row has been read. ``limits`` as for :meth:`query`.
        """


class Backend(Session, Protocol):
    """A whole database: schema operations, sessions and transactions."""

    name: str  # "embedded" or "arangodb"
    location: str  # a path or a URL without credentials
    # whether transaction(write=...) must name every collection it will write (ArangoDB's
    # stream transactions cannot add one later; SQLite's write lock covers the whole file)
    declares_write_collections: bool

    @property
    def transaction_open(self) -> bool:
        """Whether a transaction of this backend is open in this thread or task (work that
        cannot be part of one, or must not be retried inside one, checks it)."""

    @property
    def sharded(self) -> bool:
        """Whether collections are split into shards (an ArangoDB cluster), where a unique
        index must include the shard key (``_key``)."""

    def has_collection(self, name: str) -> bool: ...

    def create_collection(
        self, name: str, edge: bool = False, schema: Document | None = None
    ) -> None:
        """Create a collection (no error when it already exists with the same kind)."""

    def set_schema(self, name: str, schema: Document | None) -> None:
        """Install (or remove) server-side validation where the backend has it.

        ``schema`` is ArangoDB's collection schema property ``{rule, level, message}``
        (see ``types.arango_rule``) or None.
        """

    def ensure_index(
        self, collection: str, fields: list[str], unique: bool = False, sparse: bool = False
    ) -> None:
        """Create a persistent index unless an identical one exists."""

    def drop_index(
        self, collection: str, fields: list[str], unique: bool = False, sparse: bool = False
    ) -> None:
        """Drop the persistent index with exactly these fields and options, if there is one."""

    def has_graph(self, name: str) -> bool: ...

    def graph_definitions(self, name: str) -> list[Document]:
        """The edge definitions of a named graph ({collection, from, to}); list order is not significant."""

    def save_graph(self, name: str, edge_definitions: list[Document]) -> None:
        """Create the named graph, or replace its edge definitions."""

    def count(self, collection: str) -> int: ...

    def transaction(
        self, write: Sequence[str], read: Sequence[str] = ()
    ) -> AbstractContextManager[Session]:
        """A transaction over the named collections; committed when the block ends, aborted
        on error. A backend that ``declares_write_collections`` also takes ``exclusive``
        (collections written under an exclusive lock: the audit log)."""

    def close(self) -> None: ...


def schema_snapshot(backend: Backend) -> AbstractContextManager[Any]:
    """A block in which the backend reads its schema (collections, their schemas and
    indexes) at most once, where reading it costs requests (ArangoDB's
    ``schema_snapshot``); nothing on a backend that reads it locally."""
    snapshot = getattr(backend, "schema_snapshot", None)
    return nullcontext() if snapshot is None else snapshot()


def collection_kind_error(name: str, is_edge: bool) -> CollectionError:
    """``create_collection`` of a name that exists as the other kind of collection (1218)."""
    kinds = ("a document", "an edge")
    return CollectionError(
        f"collection '{name}' already exists as {kinds[is_edge]} collection, "
        f"not as {kinds[not is_edge]} collection",
        ERROR_ARANGO_COLLECTION_TYPE_INVALID,
    )


def iter_batches(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


_MISSING_IDS = "FOR id IN @ids FILTER DOCUMENT(id) == null RETURN id"


def missing_ids(session: Session, ids: Sequence[str]) -> list[str]:
    """Those of the document ids ``ids`` that no document has, in one query (or by the
    session's own ``missing_ids``, where it has a quicker way: the embedded backend's
    key lookups)."""
    if not ids:
        return []
    own = getattr(session, "missing_ids", None)
    if own is not None:
        return list(own(ids))
    return session.query(_MISSING_IDS, {"ids": list(ids)})


def insert_absent(session: Session, collection: str, records: Mapping[str, Document]) -> None:
    """Insert each of ``records`` (key -> document) unless a document has its key."""
    found = session.get_many(collection, list(records))
    absent = [record for record, doc in zip(records.values(), found, strict=True) if doc is None]
    if absent:
        session.insert_many(collection, absent)


def schema_property(collection: str, schema: Document) -> Document:
    """ArangoDB's collection ``schema`` property for a JSON Schema (or a whole property)."""
    if not isinstance(schema, dict):
        raise BadParameterError(f"the schema of '{collection}' must be an object")
    rule = schema.get("rule")
    given = schema if isinstance(rule, dict) else {"rule": schema}
    return {
        "rule": given["rule"],
        "level": given.get("level", "moderate"),
        "message": given.get(
            "message", f"the document does not match the JSON Schema of '{collection}'"
        ),
    }
