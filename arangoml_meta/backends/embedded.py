"""The embedded backend: the in-process AQL engine over SQLite.

Transactions are SQLite write transactions (``BEGIN IMMEDIATE``), so two
processes writing the same store are serialised, and a killed process leaves
only committed transactions behind. JSON Schema validation runs in the domain
layer before every write, and the engine enforces each collection's schema
property too, as an ArangoDB server does (``embedded/schemas.py``). SQLite's
errors that a user can cause (a full disk, a damaged or foreign file, a store
they may not write) come out as the project's (``sqlite_errors.py``); a store is
created only when asked (``create``), and one this user may not write is opened
read-only.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

from ..cursor import Cursor
from ..document_rules import is_valid_key, require_object
from ..embedded import EmbeddedDatabase
from ..embedded.documents import split_id
from ..embedded.layout import CollectionInfo
from ..embedded.writes import DocumentWriter, not_found
from ..errors import (
    ERROR_ARANGO_DATABASE_NOT_FOUND,
    ERROR_ARANGO_ILLEGAL_PARAMETER_FILE,
    BadParameterError,
    StoreError,
)
from ..query_limits import QueryLimits
from .base import Document, QueryRows, collection_kind_error, schema_property
from .sqlite_errors import sqlite_errors, translating_sqlite_errors

STORE_FILE = "store.db"
# a write waits this long for another process's commit (steps commit in milliseconds)
LOCK_TIMEOUT_SECONDS = 30.0
# the backends (by id) with a transaction open in this thread or task
_OPEN_TRANSACTIONS: contextvars.ContextVar[frozenset[int]] = contextvars.ContextVar(
    "arangoml_meta_embedded_transactions", default=frozenset()
)


def store_file_of(path: Path) -> Path:
    """The SQLite file of the store at ``path``: ``path`` itself when it ends in ``.db``,
    else ``store.db`` in that directory."""
    if "\0" in str(path):
        raise BadParameterError(f"the store location {str(path)!r} contains a NUL character")
    try:
        path = path.expanduser()
    except RuntimeError as exc:  # ~user of a user that does not exist
        raise BadParameterError(f"the store location {str(path)!r}: {exc}") from None
    if path.suffix == ".db":
        return path
    if path.exists() and not path.is_dir():
        raise StoreError(
            f"{path} is a file, not a store directory: an embedded store is a directory "
            f"(holding {STORE_FILE}) or a file ending in .db",
            ERROR_ARANGO_ILLEGAL_PARAMETER_FILE,
        )
    return path / STORE_FILE


def writable(file: Path) -> bool:
    """Whether this user may write the store file and create files beside it (WAL)."""
    return os.access(file, os.W_OK) and os.access(file.parent, os.W_OK | os.X_OK)


@translating_sqlite_errors
class EmbeddedBackend:
    """A :class:`~.base.Backend` over an :class:`EmbeddedDatabase` file."""

    name = "embedded"
    sharded = False
    declares_write_collections = False

    def __init__(
        self,
        path: str | Path,
        *,
        lock_timeout: float = LOCK_TIMEOUT_SECONDS,
        create: bool = True,
        read_only: bool = False,
    ) -> None:
        """``lock_timeout``: how long a write waits for another process's commit; ``create``:
        make the store when there is none (else 1228); ``read_only``: never write (a write
        fails with 1004). A store this user may not write is opened read-only anyway."""
        with sqlite_errors(str(path)):
            file = store_file_of(Path(path))
            self.read_only = read_only or (file.exists() and not writable(file))
        self.location = str(file)
        with sqlite_errors(self.location):
            if not file.exists() or (not create and file.stat().st_size == 0):
                if self.read_only or not create:
                    where = file.parent if file.name == STORE_FILE else file
                    hint = (
                        "opened read-only, so none was created"
                        if self.read_only
                        else "create one with 'arangoml-meta store init' (or a command that writes)"
                    )
                    raise StoreError(
                        f"no store at {where}: {hint}", ERROR_ARANGO_DATABASE_NOT_FOUND
                    )
                try:
                    file.parent.mkdir(parents=True, exist_ok=True)
                except RecursionError:  # pathlib creates each missing parent by recursion
                    raise BadParameterError(
                        f"the store location {file.parent} is nested too deeply to create"
                    ) from None
            self.db = EmbeddedDatabase(
                self.location, name="arangoml_meta", timeout=lock_timeout, read_only=self.read_only
            )

    @classmethod
    def in_memory(cls) -> EmbeddedBackend:
        backend = cls.__new__(cls)
        backend.location = ":memory:"
        backend.read_only = False
        backend.db = EmbeddedDatabase(":memory:", name="arangoml_meta")
        return backend

    # ------------------------------------------------------------------ schema

    def has_collection(self, name: str) -> bool:
        return self.db.has_collection(name)

    def create_collection(
        self, name: str, edge: bool = False, schema: Document | None = None
    ) -> None:
        with self.db.transaction():
            if not self.db.has_collection(name):
                self.db.create_collection(name, edge=edge)
            elif (is_edge := self.db.storage.collection(name).edge) != edge:
                raise collection_kind_error(name, is_edge)
            if schema is not None:
                self.set_schema(name, schema)

    def set_schema(self, name: str, schema: Document | None) -> None:
        """Install the collection's ``schema`` property (a JSON Schema or a whole ``{rule,
        level, message}``), which the engine enforces on every write, AQL included."""
        self.db.set_schema(name, None if schema is None else schema_property(name, schema))

    def ensure_index(
        self, collection: str, fields: list[str], unique: bool = False, sparse: bool = False
    ) -> None:
        self.db.ensure_index(collection, fields, unique=unique, sparse=sparse)

    def drop_index(
        self, collection: str, fields: list[str], unique: bool = False, sparse: bool = False
    ) -> None:
        storage = self.db.storage
        with storage.atomic(write=True):
            for index in storage.collection(collection).indexes:
                if (index.fields, index.unique, index.sparse) == (fields, unique, sparse):
                    storage.drop_index(collection, index.name)
                    return

    def has_graph(self, name: str) -> bool:
        return self.db.has_graph(name)

    def graph_definitions(self, name: str) -> list[Document]:
        return list(self.db.graph(name)["edgeDefinitions"])

    def save_graph(self, name: str, edge_definitions: list[Document]) -> None:
        with self.db.transaction():
            if self.db.has_graph(name):
                graph = self.db.graph(name)
                graph["edgeDefinitions"] = edge_definitions
                self.db.replace_graph(name, graph)
            else:
                self.db.create_graph(name, edge_definitions)

    def count(self, collection: str) -> int:
        return self.db.count(collection)

    # ------------------------------------------------------------------ documents

    def insert(self, collection: str, doc: Document) -> Document:
        return self.db.insert(collection, doc)

    def insert_many(self, collection: str, docs: Sequence[Document]) -> list[Document]:
        return self.db.insert_many(collection, docs)

    def get(self, collection: str, key: str) -> Document | None:
        return self.db.get(collection, key)

    def append(self, collection: str, doc: Document) -> Document:
        """Insert ``doc`` with its own key, which no key generator makes, as one row
        (``Storage.append_row``): the audit log's blocks, where the generic insert's layers
        (and its key counter, a page more at every commit) cost a block ~15 µs more."""
        storage = self.db.storage
        with storage.atomic(write=True):
            return storage.append_row(storage.collection(collection), doc)

    def update(self, collection: str, key: str, patch: Document) -> Document:
        """AQL's UPDATE with keepNull false, as the ArangoDB backend runs it."""
        return self._rewrite(
            collection, key, patch, lambda writer, k, body: writer.update(k, body)[1]
        )

    def get_many(self, collection: str, keys: Sequence[str]) -> list[Document | None]:
        storage = self.db.storage
        with storage.atomic():
            info = storage.collection(collection)
            return [storage.get(info, key) if is_valid_key(key) else None for key in keys]

    def missing_ids(self, ids: Sequence[str]) -> list[str]:
        """Those of the document ids ``ids`` that no document has (see ``base.missing_ids``):
        primary index lookups, nothing read or decoded, where the AQL query of the generic
        path costs ~50 µs a call (a step's commit asks once), in one statement."""
        storage = self.db.storage
        with storage.atomic():
            probes: dict[str, tuple[CollectionInfo, str]] = {}  # id -> where it would be
            for doc_id in ids:
                parts = split_id(doc_id)
                info = None if parts is None else storage.find_collection(parts[0])
                if info is not None and parts is not None:
                    probes[doc_id] = (info, parts[1])
            found = dict(zip(probes, storage.have(list(probes.values())), strict=True))
            return [doc_id for doc_id in ids if not found.get(doc_id)]

    def replace(self, collection: str, key: str, doc: Document) -> Document:
        """AQL's REPLACE (the old document is not read: nothing returns it)."""
        return self._rewrite(
            collection,
            key,
            doc,
            lambda writer, k, body: writer.replace(k, body, return_old=False)[1],
        )

    def _rewrite(
        self,
        collection: str,
        key: str,
        body: Document,
        write: Callable[[DocumentWriter, str, Document], Document],
    ) -> Document:
        """UPDATE or REPLACE one document through the engine's write path (the AQL
        statements' rules); ``_key`` / ``_id`` / ``_rev`` in ``body`` are ignored."""
        storage = self.db.storage
        require_object(body)
        with storage.atomic(write=True):
            info = storage.collection(collection)
            if not is_valid_key(key):
                raise not_found(collection, key)
            return write(DocumentWriter(storage, info, keep_null=False), key, body)

    def delete(self, collection: str, key: str) -> None:
        self.delete_many(collection, [key])

    def delete_many(self, collection: str, keys: Sequence[str]) -> None:
        storage = self.db.storage
        with storage.atomic(write=True):
            writer = DocumentWriter(storage, storage.collection(collection))
            for key in keys:
                if not is_valid_key(key):
                    raise not_found(collection, key)
                writer.remove(key, return_old=False)

    def query(
        self, aql: str, bind_vars: dict[str, Any] | None = None, limits: QueryLimits | None = None
    ) -> QueryRows:
        rows = self.db.query(aql, bind_vars, None if limits is None else limits.options())
        return QueryRows(rows, rows.warnings)

    def cursor(
        self, aql: str, bind_vars: dict[str, Any] | None = None, limits: QueryLimits | None = None
    ) -> Cursor:
        return self.db.cursor(aql, bind_vars, None if limits is None else limits.options())

    def foreign_commits(self) -> int:
        """A number that changes whenever another connection has committed to the store, as
        of the start of the open transaction (lets a cache of what is stored skip a read)."""
        return self.db.storage.data_version

    def write_state(self) -> tuple[int, int]:
        """A value that stays the same while nothing is written to the store, by this
        connection or another (inside a transaction: as it began; see ``Storage``)."""
        return self.db.storage.write_state()

    # ------------------------------------------------------------------ transactions

    def transaction(
        self, write: Sequence[str], read: Sequence[str] = ()
    ) -> AbstractContextManager[EmbeddedBackend]:
        """One SQLite write transaction, all or nothing as ArangoDB's stream transactions are:
        writes inside it take no savepoint, and one that fails dooms the whole (see
        ``Storage.atomic``); ``write`` / ``read`` are not needed (SQLite locks the file)."""
        return self._transaction()

    @property
    def transaction_open(self) -> bool:
        """Whether a transaction of this backend is open in this thread or task."""
        return id(self) in _OPEN_TRANSACTIONS.get()

    @contextmanager
    def _transaction(self) -> Iterator[EmbeddedBackend]:
        # the commit runs in atomic's __exit__: its errors (a full disk) are translated too
        storage = self.db.storage
        token = _OPEN_TRANSACTIONS.set(_OPEN_TRANSACTIONS.get() | {id(self)})
        try:
            with (
                sqlite_errors(self.location, self._recover),
                storage.atomic(write=True, result=self, savepoints=False) as session,
            ):
                yield session
        finally:
            _OPEN_TRANSACTIONS.reset(token)

    def _recover(self) -> None:
        """After a failed operation outside any transaction of ours: end a transaction that
        SQLite left open (a COMMIT refused on a full disk), so the store stays usable."""
        storage = self.db.storage
        with storage.lock:
            if storage._depth == 0 and storage.conn.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    storage.conn.execute("ROLLBACK")

    def close(self) -> None:
        self.db.close()
