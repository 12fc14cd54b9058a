"""Writing the audit log: a backend that records every document write it makes.

:class:`AuditedBackend` wraps the store's backend (``store.backend``; the
wrapped one is ``store.raw_backend``). Every insert, update, replace and
delete through it, of a collection the log covers (all but
:data:`UNAUDITED`), adds an entry (``records.entry``) to the open transaction —
a write made outside one is a transaction of its own — and the transaction's
end, just before its commit, appends its entries to the chain as one block (one
record per entry, ``records.py``), in the same transaction as the writes: both
are committed, or neither.

Concurrent writers never fork the chain: the head is read inside the
transaction, under SQLite's write lock on the embedded store and under an
exclusive lock on ``audit_log`` on ArangoDB (a stream transaction declares it
``exclusive``); should two writers still both append record N+1, the key of
their blocks (the sequence number) refuses the second, which is tried again as
a lost race (1200). Writes made around this class (AQL with ``--write``, another
client, SQLite directly) leave no record: ``audit verify`` finds them.

The writes made in a ``with`` statement can be labelled
(:meth:`AuditedBackend.operation`: an erasure's updates are ``erase``), and
events that write no document (a grant) are recorded with
:meth:`AuditedBackend.record_event`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from ..backends.base import Backend, Document, QueryRows, Session
from ..cursor import Cursor
from ..environment import utc_now_iso
from ..errors import ERROR_ARANGO_CONFLICT, ConflictError, UniqueConstraintError
from ..lineage.walk import EDGES
from ..query_limits import QueryLimits
from .records import AUDIT_LOG, GENESIS, block, content_digest, entry, stored_text

# what the log does not cover: itself, and the store's own bookkeeping of its schema version
UNAUDITED = frozenset({AUDIT_LOG, "store_info"})
REGISTRY = "artifact_types"  # migrations.REGISTRY (which imports this package)
# the op of a write, by (kind of collection, write)
_OPS = {
    ("edge", "insert"): "link",
    ("edge", "delete"): "unlink",
    ("registry", "insert"): "register_type",
    ("registry", "update"): "evolve_type",
    ("registry", "delete"): "delete_type",
}
# the chain's head: the last block, its last record's seq and hash. A block's key is its
# first seq zero-padded to a fixed width, so the greatest key is the last block: read from
# the primary index, in order, on both backends (no index of its own to write every commit)
_HEAD = (
    f"FOR b IN {AUDIT_LOG} SORT b._key DESC LIMIT 1 RETURN [b.seq + LENGTH(b.records) - 1, b.hash]"
)
Entry = dict[str, Any]  # a block's entry: one write (``records.entry``)

# the entries of the transaction open in this thread or task, by backend (id)
_PENDING: ContextVar[dict[int, list[Entry]] | None] = ContextVar("audit_pending", default=None)
# the label of the writes of an ``operation`` block: (op, detail)
_LABEL: ContextVar[tuple[str, dict[str, Any]] | None] = ContextVar("audit_label", default=None)


@functools.cache  # a handful of (collection, write) pairs, looked up for every entry
def _op(collection: str, write: str) -> str:
    kind = "edge" if collection in EDGES else "registry" if collection == REGISTRY else ""
    return _OPS.get((kind, write), {"insert": "create"}.get(write, write))


def version_of(doc: Document | None) -> int | None:
    version = None if doc is None else doc.get("version")
    return version if isinstance(version, int) and not isinstance(version, bool) else None


class AuditedBackend:
    """The store's backend, recording what it writes (see the module docstring)."""

    def __init__(self, inner: Backend, actor: Callable[[], str], enabled: bool = True) -> None:
        self.inner = inner
        self.enabled = enabled
        self._actor = actor
        self.name = inner.name
        self.location = inner.location
        self.declares_write_collections = inner.declares_write_collections
        # the database user a server authenticated (ArangoDB, serve); None on a file
        self.user: str | None = getattr(inner, "username", None)
        self._head: tuple[int, str] | None = None  # the last record this process appended
        self._head_token: int | None = None  # the backend's foreign_commits() when it did

    def __getattr__(self, name: str) -> Any:  # what only one backend has (db, storage, ...)
        return getattr(self.inner, name)

    # ------------------------------------------------------------------ pass-through

    @property
    def transaction_open(self) -> bool:
        return self.inner.transaction_open

    @property
    def sharded(self) -> bool:
        return self.inner.sharded

    def get(self, collection: str, key: str) -> Document | None:
        return self.inner.get(collection, key)

    def get_many(self, collection: str, keys: Sequence[str]) -> list[Document | None]:
        return self.inner.get_many(collection, keys)

    def query(
        self, aql: str, bind_vars: dict[str, Any] | None = None, limits: QueryLimits | None = None
    ) -> QueryRows:
        return self.inner.query(aql, bind_vars, limits)

    def cursor(
        self, aql: str, bind_vars: dict[str, Any] | None = None, limits: QueryLimits | None = None
    ) -> Cursor:
        return self.inner.cursor(aql, bind_vars, limits)

    def count(self, collection: str) -> int:
        return self.inner.count(collection)

    def has_collection(self, name: str) -> bool:
        return self.inner.has_collection(name)

    def create_collection(
        self, name: str, edge: bool = False, schema: Document | None = None
    ) -> None:
        self.inner.create_collection(name, edge, schema)

    def set_schema(self, name: str, schema: Document | None) -> None:
        self.inner.set_schema(name, schema)

    def ensure_index(
        self, collection: str, fields: list[str], unique: bool = False, sparse: bool = False
    ) -> None:
        self.inner.ensure_index(collection, fields, unique, sparse)

    def drop_index(
        self, collection: str, fields: list[str], unique: bool = False, sparse: bool = False
    ) -> None:
        self.inner.drop_index(collection, fields, unique, sparse)

    def has_graph(self, name: str) -> bool:
        return self.inner.has_graph(name)

    def graph_definitions(self, name: str) -> list[Document]:
        return self.inner.graph_definitions(name)

    def save_graph(self, name: str, edge_definitions: list[Document]) -> None:
        self.inner.save_graph(name, edge_definitions)

    def close(self) -> None:
        self.inner.close()

    # ------------------------------------------------------------------ writes

    def audits(self, collection: str) -> bool:
        """Whether a write of ``collection`` through this backend is recorded."""
        return self.enabled and collection not in UNAUDITED

    def insert(self, collection: str, doc: Document) -> Document:
        if not self.audits(collection):
            return self.inner.insert(collection, doc)
        with self.transaction(write=[collection]) as session:
            return session.insert(collection, doc)

    def insert_many(self, collection: str, docs: Sequence[Document]) -> list[Document]:
        if not self.audits(collection):
            return self.inner.insert_many(collection, docs)
        with self.transaction(write=[collection]) as session:
            return session.insert_many(collection, docs)

    def update(self, collection: str, key: str, patch: Document) -> Document:
        if not self.audits(collection):
            return self.inner.update(collection, key, patch)
        with self.transaction(write=[collection]) as session:
            return session.update(collection, key, patch)

    def replace(self, collection: str, key: str, doc: Document) -> Document:
        if not self.audits(collection):
            return self.inner.replace(collection, key, doc)
        with self.transaction(write=[collection]) as session:
            return session.replace(collection, key, doc)

    def delete(self, collection: str, key: str) -> None:
        if not self.audits(collection):
            return self.inner.delete(collection, key)
        with self.transaction(write=[collection]) as session:
            session.delete(collection, key)

    def delete_many(self, collection: str, keys: Sequence[str]) -> None:
        if not self.audits(collection):
            return self.inner.delete_many(collection, keys)
        with self.transaction(write=[collection]) as session:
            session.delete_many(collection, keys)

    # ------------------------------------------------------------------ transactions

    @contextmanager
    def transaction(self, write: Sequence[str], read: Sequence[str] = ()) -> Iterator[Session]:
        """The backend's transaction; its writes recorded, their block appended at its end."""
        if not self.enabled:
            with self.inner.transaction(write, read) as session:
                yield session
            return
        pending = _PENDING.get()
        joined = None if pending is None else pending.get(id(self))
        if joined is not None:  # joining the open transaction
            with self.inner.transaction(write, read) as session:
                yield AuditedSession(session, self, joined)
            return
        entries: list[Entry] = []
        token = _PENDING.set(
            {id(self): entries} if pending is None else {**pending, id(self): entries}
        )
        head = None
        try:
            with self._begin(write, read) as session:
                yield AuditedSession(session, self, entries)
                if entries:
                    head = self._append(session, entries)
        finally:
            _PENDING.reset(token)
        if head is not None:  # committed
            self._head = head
            commits = getattr(self.inner, "foreign_commits", None)
            self._head_token = None if commits is None else commits()

    def _begin(self, write: Sequence[str], read: Sequence[str]) -> Any:
        """The inner transaction, with the audit log locked exclusively where the backend
        declares its collections (ArangoDB); SQLite's write lock covers it elsewhere."""
        names = [name for name in write if name != AUDIT_LOG]
        if self.declares_write_collections:
            begin: Any = self.inner.transaction
            return begin(write=names, read=read, exclusive=[AUDIT_LOG])
        return self.inner.transaction([*names, AUDIT_LOG], read)

    def add(self, item: Entry) -> None:
        """An entry (``records.entry``) of the transaction open in this thread (see
        :meth:`transaction`)."""
        _labelled(item)
        self._entries().append(item)

    def _entries(self) -> list[Entry]:
        """The entries of the transaction open in this thread (there must be one)."""
        return (_PENDING.get() or {})[id(self)]

    @contextmanager
    def operation(self, op: str, **detail: Any) -> Iterator[None]:
        """Label the writes made in the ``with`` statement: their records get ``op`` and
        ``detail`` (e.g. ``operation("erase", reason=...)``). Keep ``detail`` free of
        personal data."""
        token = _LABEL.set((op, detail))
        try:
            yield
        finally:
            _LABEL.reset(token)

    def record_change(
        self, collection: str, before: Document | None, after: Document | None
    ) -> None:
        """A write the caller made by AQL inside the open transaction (an update: both
        documents; a deletion: ``after`` None), recorded as the write methods record theirs."""
        if self.audits(collection):
            self.add(
                change_entry(collection, "update" if after is not None else "delete", before, after)
            )

    def record_event(self, op: str, target: str, detail: dict[str, Any] | None = None) -> None:
        """A record of something that writes no document of the store (a grant), in the
        open transaction or in one of its own."""
        if not self.enabled:
            return
        with self.transaction(write=[AUDIT_LOG]):
            self._entries().append(entry(op, target, detail=detail))

    def _append(self, session: Session, entries: list[Entry]) -> tuple[int, str]:
        """The entries as one block of records after the chain's head; the new head."""
        seq, prev = self._current_head(session)
        written = block(seq + 1, utc_now_iso(), self._actor(), self.user, entries, prev)
        inner = session.session if isinstance(session, AuditedSession) else session
        append = getattr(inner, "append", None)  # the embedded store's lean insert
        try:
            if append is not None:
                append(AUDIT_LOG, written, stored_text(written))
            else:
                inner.insert(AUDIT_LOG, written)
        except UniqueConstraintError as exc:  # another writer appended the same sequence
            self.forget_head()  # read again when the commit is tried again
            raise ConflictError(
                "another writer appended to the audit log at the same moment; try again",
                ERROR_ARANGO_CONFLICT,
            ) from exc
        return seq + len(entries), written["hash"]

    def forget_head(self) -> None:
        """Read the head again at the next append (the log was replaced: a restore)."""
        self._head = self._head_token = None

    def _current_head(self, session: Session) -> tuple[int, str]:
        """(seq, hash) of the chain's last record: on the embedded store, the one this
        process appended last while no other connection has committed since (known without
        a read); else read (one query, the primary index's last key)."""
        commits = getattr(self.inner, "foreign_commits", None)
        if self._head is not None and commits is not None and self._head_token == commits():
            return self._head
        rows = session.query(_HEAD)
        return (int(rows[0][0]), str(rows[0][1])) if rows else (0, GENESIS)


def _labelled(item: Entry) -> None:
    """``item`` with the label of the ``operation`` it was made in, if any."""
    label = _LABEL.get()
    if label is not None:
        item["op"] = label[0]
        detail = {**(item.get("detail") or {}), **label[1]}
        if detail:
            item["detail"] = detail


class AuditedSession:
    """A session of an :class:`AuditedBackend` transaction (made only while the log is on):
    its writes become entries."""

    def __init__(self, session: Session, backend: AuditedBackend, entries: list[Entry]) -> None:
        self.session = session
        self.backend = backend
        self._entries = entries  # the open transaction's

    def __getattr__(self, name: str) -> Any:  # missing_ids, foreign_commits, ...
        return getattr(self.session, name)

    def get(self, collection: str, key: str) -> Document | None:
        return self.session.get(collection, key)

    def get_many(self, collection: str, keys: Sequence[str]) -> list[Document | None]:
        return self.session.get_many(collection, keys)

    def query(
        self, aql: str, bind_vars: dict[str, Any] | None = None, limits: QueryLimits | None = None
    ) -> QueryRows:
        return self.session.query(aql, bind_vars, limits)

    def cursor(
        self, aql: str, bind_vars: dict[str, Any] | None = None, limits: QueryLimits | None = None
    ) -> Cursor:
        return self.session.cursor(aql, bind_vars, limits)

    def insert(self, collection: str, doc: Document) -> Document:
        stored = self.session.insert(collection, doc)
        if collection not in UNAUDITED:
            self._created(collection, (doc,), (stored,))
        return stored

    def insert_many(self, collection: str, docs: Sequence[Document]) -> list[Document]:
        stored = self.session.insert_many(collection, docs)
        if collection not in UNAUDITED:
            self._created(collection, docs, stored)
        return stored

    def update(self, collection: str, key: str, patch: Document) -> Document:
        if collection in UNAUDITED:
            return self.session.update(collection, key, patch)
        before = self.session.get(collection, key)
        after = self.session.update(collection, key, patch)
        self._add(change_entry(collection, "update", before, after))
        return after

    def replace(self, collection: str, key: str, doc: Document) -> Document:
        if collection in UNAUDITED:
            return self.session.replace(collection, key, doc)
        before = self.session.get(collection, key)
        after = self.session.replace(collection, key, doc)
        self._add(change_entry(collection, "update", before, after))
        return after

    def delete(self, collection: str, key: str) -> None:
        if collection in UNAUDITED:
            return self.session.delete(collection, key)
        before = self.session.get(collection, key)
        self.session.delete(collection, key)
        if before is not None:
            self._add(change_entry(collection, "delete", before, None))
        return None

    def delete_many(self, collection: str, keys: Sequence[str]) -> None:
        if collection in UNAUDITED:
            return self.session.delete_many(collection, keys)
        befores = self.session.get_many(collection, keys)
        self.session.delete_many(collection, keys)
        for before in befores:
            if before is not None:
                self._add(change_entry(collection, "delete", before, None))
        return None

    def _created(
        self, collection: str, docs: Sequence[Document], stored: Sequence[Document]
    ) -> None:
        # the hot path of every insert: ``records.entry`` written out (a third of its time)
        op = _op(collection, "insert")
        prefix = collection + "/"
        label = _LABEL.get()
        entries = self._entries
        for doc, saved in zip(docs, stored, strict=True):
            key = saved["_key"]
            made = {"op": op, "target": prefix + key, "type": collection}
            version = doc.get("version")
            if type(version) is int:  # not a bool
                made["version"] = version
            made["after"] = content_digest(doc if doc.get("_key") == key else {**doc, "_key": key})
            if "_from" in doc:
                made["detail"] = {"from": doc["_from"], "to": doc.get("_to")}
            if label is not None:
                _labelled(made)
            entries.append(made)

    def _add(self, item: Entry) -> None:
        _labelled(item)
        self._entries.append(item)


def change_entry(
    collection: str, write: str, before: Document | None, after: Document | None
) -> Entry:
    """The entry of an update (``write`` "update") or a deletion ("delete") of a document."""
    doc = after if after is not None else before
    assert doc is not None
    return entry(
        _op(collection, write),
        f"{collection}/{doc['_key']}",
        collection,
        version_of(doc),
        None if before is None else content_digest(before),
        None if after is None else content_digest(after),
        ends_of(doc),
    )


def ends_of(doc: Document) -> dict[str, Any] | None:
    """An edge's ends, for its record's ``detail``: so that a link made or removed shows
    in the history of the documents it joins (a record names the edge by its own id)."""
    if "_from" not in doc:
        return None
    return {"from": doc.get("_from"), "to": doc.get("_to")}
