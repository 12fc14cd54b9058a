"""The embedded backend: the in-process AQL engine over SQLite.

Transactions are SQLite write transactions (``BEGIN IMMEDIATE``), so two
processes writing the same store are serialised, and a killed process leaves
only committed transactions behind. JSON Schema validation runs in the domain
layer before every write; SQLite has no server-side equivalent.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from ..embedded import EmbeddedDatabase
from ..embedded.documents import REVISIONS, is_valid_key, merge_patch, require_object
from ..errors import ERROR_ARANGO_DOCUMENT_NOT_FOUND, DocumentNotFoundError
from ..query_limits import QueryLimits
from .base import SYSTEM_ATTRIBUTES, Document, QueryRows, collection_kind_error

STORE_FILE = "store.db"
# a write waits this long for another process's commit (steps commit in milliseconds)
LOCK_TIMEOUT_SECONDS = 30.0


def _not_found(collection: str, key: str) -> DocumentNotFoundError:
    return DocumentNotFoundError(
        f"document not found: {collection}/{key}", ERROR_ARANGO_DOCUMENT_NOT_FOUND
    )


class EmbeddedBackend:
    """A :class:`~.base.Backend` over an :class:`EmbeddedDatabase` file."""

    name = "embedded"
    sharded = False
    declares_write_collections = False

    def __init__(self, path: str | Path, *, lock_timeout: float = LOCK_TIMEOUT_SECONDS) -> None:
        """``lock_timeout``: how long a write waits for another process's commit."""
        path = Path(path)
        if path.suffix != ".db":
            path.mkdir(parents=True, exist_ok=True)
            path = path / STORE_FILE
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
        self.location = str(path)
        self.db = EmbeddedDatabase(str(path), name="arangoml_meta", timeout=lock_timeout)

    @classmethod
    def in_memory(cls) -> EmbeddedBackend:
        backend = cls.__new__(cls)
        backend.location = ":memory:"
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

    def set_schema(self, name: str, schema: Document | None) -> None:
        """Nothing to install: the domain layer validates before every write."""

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

    def update(self, collection: str, key: str, patch: Document) -> Document:
        storage = self.db.storage
        require_object(patch)
        with storage.atomic(write=True):
            info = storage.collection(collection)
            old = storage.get(info, key)
            if old is None:
                raise _not_found(collection, key)
            body = {k: v for k, v in patch.items() if k not in SYSTEM_ATTRIBUTES}
            new = merge_patch(old, body, keep_null=False, merge_objects=True)
            new["_rev"] = REVISIONS.next()
            storage.replace_stored(info, new)
            return new

    def get_many(self, collection: str, keys: Sequence[str]) -> list[Document | None]:
        storage = self.db.storage
        with storage.atomic():
            info = storage.collection(collection)
            return [storage.get(info, key) if is_valid_key(key) else None for key in keys]

    def replace(self, collection: str, key: str, doc: Document) -> Document:
        storage = self.db.storage
        require_object(doc)
        with storage.atomic(write=True):
            info = storage.collection(collection)
            if not is_valid_key(key) or not storage.has(info, key):
                raise _not_found(collection, key)
            new = storage.prepare_new(info, doc, key)  # the given _key, _id, _rev are ignored
            storage.replace_stored(info, new)
            return new

    def delete(self, collection: str, key: str) -> None:
        self.delete_many(collection, [key])

    def delete_many(self, collection: str, keys: Sequence[str]) -> None:
        storage = self.db.storage
        with storage.atomic(write=True):
            info = storage.collection(collection)
            for key in keys:
                if not is_valid_key(key):
                    raise _not_found(collection, key)
                try:
                    storage.delete(info, key)
                except DocumentNotFoundError:
                    raise _not_found(collection, key) from None

    def query(
        self, aql: str, bind_vars: dict[str, Any] | None = None, limits: QueryLimits | None = None
    ) -> QueryRows:
        rows = self.db.query(aql, bind_vars, None if limits is None else limits.options())
        return QueryRows(rows, rows.warnings)

    # ------------------------------------------------------------------ transactions

    def transaction(
        self, write: Sequence[str], read: Sequence[str] = ()
    ) -> AbstractContextManager[EmbeddedBackend]:
        """One SQLite write transaction, all or nothing as ArangoDB's stream transactions are:
        writes inside it take no savepoint, and one that fails dooms the whole (see
        ``Storage.atomic``); ``write`` / ``read`` are not needed (SQLite locks the file)."""
        return self.db.storage.atomic(write=True, result=self, savepoints=False)

    def close(self) -> None:
        self.db.close()
