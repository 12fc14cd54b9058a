"""SQLite storage for the embedded engine: collections, indexes, graphs, transactions.

One SQLite file per store (or ``:memory:``) in WAL mode with a busy timeout, so
several processes can share a store. Each collection is a table ``c<id>`` laid
out as ``layout.py`` says: the system attributes in columns (``key`` is the
primary index, edge tables carry the edge index on ``from_id`` / ``to_id``),
the others as JSON in ``doc``. Persistent indexes are SQLite expression
indexes over the typed SQL of each field (a column, or ``json_type`` /
``json_extract`` of ``doc``), so that a unique index distinguishes ``1`` from
``"1"`` and ``true`` and treats a missing attribute as null, as ArangoDB does.
Geo and inverted indexes are tables of their own that triggers on the
collection's table keep current (``geo_index.py``, ``inverted_index.py``); the
catalog keeps their type and options in ``_index_options``.
:meth:`Storage.atomic` is the transaction context manager (``BEGIN IMMEDIATE``
for writers, SAVEPOINT when nested); a committed transaction survives a killed
process. A file of an older layout is converted when opened (``upgrade.py``).

``_edge_ends`` records, per edge collection, which vertex collections its
``_from`` and ``_to`` values have ever pointed into (see ``edge_ends.py``);
traversals use it to skip edge lookups that cannot find anything.
:attr:`Storage.catalog_generation` changes
whenever the catalog (collections, indexes, graphs) may have changed, so that
compiled query plans can be cached against it.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from ..document_rules import is_valid_key, require_object
from ..errors import (
    ERROR_ARANGO_DATABASE_NOT_FOUND,
    ERROR_ARANGO_DOCUMENT_NOT_FOUND,
    ERROR_ARANGO_DUPLICATE_NAME,
    ERROR_ARANGO_READ_ONLY,
    ERROR_GRAPH_DUPLICATE,
    ERROR_GRAPH_NOT_FOUND,
    ERROR_LOCK_TIMEOUT,
    BadParameterError,
    CollectionError,
    CollectionNotFoundError,
    DocumentNotFoundError,
    GraphError,
    StoreError,
    TransactionError,
    UniqueConstraintError,
)
from . import geo_index, inverted_index, store_file
from .codec import decode, encode
from .documents import REVISIONS, check_collection_name, check_edge_handle, check_key
from .edge_ends import SCHEMA as EDGE_ENDS_SCHEMA
from .edge_ends import EdgeEnds, EdgeEndsSummary
from .geo_index import GeoDefinition, GeoIndexInfo
from .inverted_index import InvertedIndexInfo
from .layout import FORMAT, VERTEX_ROW, CollectionInfo, IndexInfo, json_path, table_sql
from .lock_wait import begin_transaction
from .schemas import CollectionSchema, decode_property, encode_property
from .unique_checks import (
    check_unique_objects,
    duplicates_for_new_index,
    refuse_duplicate_objects,
    unique_error,
)
from .unique_checks import holds_objects_under_unique_index as _holds_objects_under_unique_index
from .upgrade import check_known, stored_format, upgrade

_SCHEMA = (
    """
CREATE TABLE IF NOT EXISTS _collections (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, edge INTEGER NOT NULL,
    key_counter INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS _indexes (
    id INTEGER PRIMARY KEY, collection_id INTEGER NOT NULL, name TEXT NOT NULL,
    fields TEXT NOT NULL, is_unique INTEGER NOT NULL, sparse INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS _graphs (name TEXT PRIMARY KEY, definition TEXT NOT NULL);
"""
    + EDGE_ENDS_SCHEMA
)


# After WAL mode, every connection's settings. A commit is durable against a killed
# process at once and against power loss at the next checkpoint (synchronous=NORMAL).
# A checkpoint copies the WAL into the database file and syncs both; every 10,000
# pages (about 40 MB of WAL) instead of SQLite's 1,000, a page rewritten by many
# small transactions (index leaves, the key counters) is copied once, not ten times:
# about 6% of the API's ingest time. (Checkpoints on a worker thread were tried: they
# took ~10% off ingest, but a checkpoint running in the background makes a
# wal_checkpoint(TRUNCATE) asked meanwhile, by an erasure or a tool, fail as busy, and
# with commits going on it never completes, so the WAL did not restart and grew to the
# 10,000 pages anyway.) secure_delete: what a write frees (a document's old
# body, an index entry, a page) is overwritten with zeros, so that an erased value
# (erasure.py) survives neither in the file's free space nor in the pages the WAL carries.
CONNECTION_PRAGMAS = ("synchronous=NORMAL", "wal_autocheckpoint=10000", "secure_delete=ON")
# how long truncate_write_ahead_log waits for readers of older snapshots to finish
CHECKPOINT_WAIT_SECONDS = 5.0

# what gives new documents their keys by a collection's keyOptions: the documents, keyed
KeyPolicy = Callable[["CollectionInfo", Sequence[dict[str, Any]]], Sequence[dict[str, Any]]]
# the most keys a connection reserves at once (see Storage._next_keys)
KEY_BLOCK_MAX = 64


class _Atomic:
    """The context manager :meth:`Storage.atomic` returns (a class: it runs for every query).

    Inside a transaction a write block is a savepoint, so that it can fail alone; a read
    block has nothing to undo and takes none (nothing inside it may write). A transaction
    opened with ``savepoints=False`` is all or nothing: write blocks inside it take no
    savepoint, and if one of them fails the whole transaction is rolled back at its end,
    even when the caller caught the error.
    """

    __slots__ = ("result", "savepoint", "savepoints", "storage", "write")

    def __init__(self, storage: Storage, write: bool, result: Any, savepoints: bool) -> None:
        self.storage = storage
        self.write = write
        self.result = result
        self.savepoints = savepoints
        self.savepoint = ""

    def __enter__(self) -> Any:
        storage = self.storage
        self.savepoint = ""
        with storage.lock:  # held until __exit__ (reentrant: taken once more here)
            depth = storage._depth
            if self.write and storage._read_depth:
                raise TransactionError("cannot write inside a read-only transaction")
            if depth == 0:  # waits for another process's lock fairly (lock_wait.py)
                begin_transaction(
                    storage._control,
                    self.write,
                    storage._refresh_catalog_if_changed,
                    storage.timeout,
                )
                storage._all_or_nothing = self.write and not self.savepoints
                storage._doomed = False
            elif self.write and not storage.conn.in_transaction:
                # SQLite rolled the transaction back after an error (a full disk): a write now
                # would be committed on its own, outside the transaction
                raise TransactionError(
                    "the transaction was rolled back after an error: nothing of it was written"
                )
            elif self.write and not storage._all_or_nothing:
                self.savepoint = f"sp{depth}"
                storage.conn.execute(f"SAVEPOINT {self.savepoint}")
            storage.lock.acquire()
        storage._depth = depth + 1
        if not self.write:
            storage._read_depth += 1  # what runs inside may not write, even in a write transaction
        return self.result

    def __exit__(self, exc_type: type[BaseException] | None, *rest: object) -> None:
        storage = self.storage
        savepoint = self.savepoint
        try:
            storage._depth -= 1
            if not self.write:
                storage._read_depth -= 1
            outermost = not storage._depth
            # SQLite rolls a whole transaction back itself after some errors (a full disk,
            # an I/O error): then there is nothing left to roll back or to commit
            active = storage.conn.in_transaction
            if exc_type is not None:
                if not active:
                    storage._doomed = not outermost
                elif savepoint:
                    storage.conn.execute(f"ROLLBACK TO {savepoint}")
                    storage.conn.execute(f"RELEASE {savepoint}")
                elif outermost:
                    storage.conn.execute("ROLLBACK")
                elif self.write:
                    storage._doomed = True  # no savepoint to undo it: the whole goes
                # the caches may hold what only the rolled-back statements created
                storage._invalidate_catalog()
            elif savepoint:
                if active:
                    storage.conn.execute(f"RELEASE {savepoint}")
                else:
                    storage._doomed = True
            elif outermost and (storage._doomed or not active):
                if active:
                    storage.conn.execute("ROLLBACK")
                storage._invalidate_catalog()
                raise TransactionError(
                    "a write inside this all-or-nothing transaction failed: nothing was written"
                )
            elif outermost:
                storage._control.execute("COMMIT")
                storage._keys_pending = False
                if self.write:
                    storage._commits += 1  # see write_state
        finally:
            if not storage._depth:
                storage._all_or_nothing = storage._doomed = False
                if storage._keys_pending:  # reserved in a transaction that did not commit
                    storage._forget_reserved_keys()
            storage.lock.release()


# Up to this many values a lookup binds them as ``IN (?, ?, ...)``, the list padded to
# a power of two by repeating the last value (a few statement texts, each prepared once);
# more go in one JSON array through json_each, which costs ~3 µs more per statement.
_IN_LIST_MAX = 64


# at most this many documents a statement of Storage.have looks up
_HAVE_MAX = 64


@functools.lru_cache(maxsize=256)  # a step's commit asks of the same few tables each time
def _exists_sql(tables: tuple[str, ...]) -> str:
    """A statement whose one row tells, per table, whether it holds the key bound there."""
    return "SELECT " + ", ".join(f"EXISTS (SELECT 1 FROM {t} WHERE key = ?)" for t in tables)


def in_list_size(count: int) -> int:
    """How many parameters a lookup of ``count`` values binds (0: one JSON array)."""
    if count <= 1:
        return 1
    if count > _IN_LIST_MAX:
        return 0
    return 1 << (count - 1).bit_length()


def in_list_params(values: Sequence[str], size: int) -> Sequence[str]:
    """The parameters for :func:`in_list_size` ``size``."""
    if size == 0:
        return (json.dumps(list(values)),)
    if len(values) == size:
        return values
    return [*values, *[values[-1]] * (size - len(values))]


def _in_list(size: int) -> str:
    if size == 0:
        return "(SELECT value FROM json_each(?))"
    return "(" + ", ".join("?" * size) + ")"


def _cannot_prepare_read_only(path: str, new: bool, stored: int) -> StoreError:
    """Opened read-only, a file that would need a write before it can be read."""
    if new:
        return StoreError(
            f"no store at {path} (an empty file): create one with 'arangoml-meta store init'",
            ERROR_ARANGO_DATABASE_NOT_FOUND,
        )
    older = (
        f"storage format {stored}, this one writes {FORMAT}" if stored < FORMAT else "its catalog"
    )
    return StoreError(
        f"the store {path} was written by an older arangoml-meta ({older}) and must be "
        "upgraded once, which writes to it: open it once with write access (e.g. "
        "'arangoml-meta store init'), then it can be read",
        ERROR_ARANGO_READ_ONLY,
    )


class Storage:
    """The SQLite-backed catalog and document store (see the module docstring)."""

    def __init__(self, path: str, timeout: float = 30.0, *, read_only: bool = False) -> None:
        """``read_only``: open an existing store for reading only (see ``store_file.py``)."""
        self.path = path
        self.timeout = timeout  # how long a transaction waits for another connection's lock
        self.read_only = read_only and path != ":memory:"
        self.conn = store_file.connect(path, timeout, self.read_only)
        geo_index.register(self.conn)  # the geo and inverted indexes' triggers call them
        inverted_index.register(self.conn)
        # the cursor of the statements every transaction runs (BEGIN, PRAGMA data_version,
        # COMMIT): a cursor made per statement, as conn.execute makes one, costs ~0.4 us each
        self._control = self.conn.cursor()
        self.lock = threading.RLock()
        self._depth = 0
        self._read_depth = 0  # open read-only blocks (see _Atomic)
        self._all_or_nothing = False  # the open transaction takes no savepoints (see _Atomic)
        self._doomed = False  # a write inside it failed: it rolls back at its end
        self._catalog: dict[str, CollectionInfo] | None = None
        self._graphs: dict[str, dict[str, Any]] | None = None
        self._catalog_version = -1
        self.catalog_generation = 0
        self.ends = EdgeEndsSummary(self.conn)
        self._data_version = -1
        # this connection's total_changes as the open (or last) transaction began
        self.changes_at_begin = -1
        # what queries keep across executions for this connection (an edge_lists.Kept, made
        # by edge_lists.kept_lists: an attribute, as it is asked for by every query)
        self.kept: Any = None
        # key generation (see _next_keys): collection id -> [next, last] of the keys this
        # connection reserved; the size of its next reservation; a reservation not committed yet
        self._reserved_keys: dict[int, list[int]] = {}
        self._key_block: dict[int, int] = {}
        # collection id -> a value its key_counter is known to be at or above (see
        # _bump_key_counter), valid as long as a reservation is
        self._counter_floor: dict[int, int] = {}
        self._keys_pending = False
        # the keys of new documents a server gives by its collections' keyOptions (every
        # insert: its document API, AQL's INSERT, imports); None: traditional keys
        self.key_policy: KeyPolicy | None = None
        self._keys_pid = os.getpid()
        # collection id -> its schema property (see schemas.py); None until read
        self._schemas: dict[int, CollectionSchema] | None = None
        self.tracer: Any = None
        self._commits = 0  # write transactions committed by this connection
        with self.lock:
            try:
                self.conn.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
                if path != ":memory:":
                    # another application's file is refused before WAL mode rewrites its header
                    store_file.is_new(self.conn, path)
                    if not self.read_only:
                        self._enable_wal(timeout)
                for pragma in CONNECTION_PRAGMAS:
                    self.conn.execute(f"PRAGMA {pragma}")
                if self.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
                    # only a transaction's start waits for a lock in WAL mode: begin_transaction
                    # waits there itself, fairly, instead of SQLite's busy handler
                    self.conn.execute("PRAGMA busy_timeout=0")
                self._open_catalog()
            except BaseException:
                self.conn.close()
                raise

    def _open_catalog(self) -> None:
        """Make a new file a store, or bring one of an older release up to date; opening
        an up-to-date file reads it only (and waits for no writer)."""
        with self.atomic():
            new = store_file.is_new(self.conn, self.path)  # a foreign file is refused here
            stored = stored_format(self.conn)
            ready = not new and stored == FORMAT and self._catalog_ready()
        check_known(self.path, stored)
        if ready:
            return
        if self.read_only:
            raise _cannot_prepare_read_only(self.path, new, stored)
        rewritten = False
        with self.atomic(write=True):
            store_file.is_new(self.conn, self.path)  # another process may have written meanwhile
            stored = stored_format(self.conn)
            check_known(self.path, stored)
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    self.conn.execute(statement)
            if stored < FORMAT:
                rewritten = upgrade(self.conn, stored)
                self._invalidate_catalog()
            store_file.mark(self.conn)
            self.ends.complete_missing()
        if rewritten:
            self._give_back_free_pages()

    def _give_back_free_pages(self) -> None:
        """Shrink the file after a conversion: the old tables' pages, now free, would make
        it larger than the store it holds until writes reuse them. Best effort: another
        process busy with the file keeps it as it is."""
        with contextlib.suppress(sqlite3.OperationalError):
            self.conn.execute("VACUUM")

    def _catalog_ready(self) -> bool:
        """Whether the catalog tables exist and every edge collection is summarised."""
        tables = {
            name
            for (name,) in self.conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '\\_%' ESCAPE '\\'"
            )
        }
        if not {"_collections", "_indexes", "_graphs", "_edge_ends"} <= tables:
            return False
        return not self.ends.incomplete()

    def _enable_wal(self, timeout: float) -> None:
        """Switch to WAL; while another process holds a fresh file's lock SQLite answers
        "database is locked" at once instead of waiting, so retry until ``timeout``."""
        deadline = time.monotonic() + timeout
        delay = 0.005
        while True:
            try:
                self.conn.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise TransactionError(
                        f"cannot open the store {self.path}: {exc}", ERROR_LOCK_TIMEOUT
                    ) from exc
                time.sleep(delay)
                delay = min(delay * 2, 0.2)

    def close(self) -> None:
        with self.lock:
            self.conn.close()

    def truncate_write_ahead_log(self, wait: float = CHECKPOINT_WAIT_SECONDS) -> bool:
        """Copy the write-ahead log into the file and empty it (``wal_checkpoint(TRUNCATE)``),
        so that no page it held, old content included, is left in it. A reader of another
        connection still using an older snapshot blocks it: retried for ``wait`` seconds,
        then False (a later checkpoint completes it). True without a log (``:memory:``)."""
        deadline = time.monotonic() + wait
        delay = 0.01
        with self.lock:
            if self._depth:
                raise TransactionError("the write-ahead log is truncated outside a transaction")
            while True:
                busy, _, _ = self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
                if not busy:
                    return True
                if time.monotonic() > deadline:
                    return False
                time.sleep(delay)
                delay = min(delay * 2, 0.2)

    # ------------------------------------------------------------------ transactions

    def atomic(self, write: bool = False, result: Any = None, savepoints: bool = True) -> _Atomic:
        """A transaction (or a savepoint inside one); rolled back if the block raises.

        ``with storage.atomic(...) as x`` binds ``result``; ``savepoints=False`` makes a
        new write transaction all or nothing (see :class:`_Atomic`).
        """
        return _Atomic(self, write, result, savepoints)

    def _refresh_catalog_if_changed(self) -> None:
        """At the start of a transaction: forget what other connections may have changed.

        ``data_version`` moves when another connection commits anything (our own
        commits leave it, and keep our caches right themselves); only then is
        the schema version read. Reading either starts the read transaction, so
        the caches are checked against the snapshot the transaction reads.
        """
        self.changes_at_begin = self.conn.total_changes  # see edge_lists.py
        # (read to its end: the statement is reset, not left running on the kept cursor)
        data_version = self._control.execute("PRAGMA data_version").fetchall()[0][0]
        if data_version == self._data_version:
            return
        self._data_version = data_version
        self.ends.forget()
        # another connection wrote: it may have taken a key of a reservation (an explicit
        # numeric one), and it competes for keys, so reserve no more than is asked for now
        self._forget_reserved_keys()
        self._key_block.clear()
        self._schemas = None  # another process may have set one (a row, not a table)
        version = self.conn.execute("PRAGMA schema_version").fetchone()[0]
        if version != self._catalog_version:
            self._invalidate_catalog()
            self._catalog_version = version

    @property
    def data_version(self) -> int:
        """SQLite's ``data_version`` as the open (or last) transaction began: it moves only
        when another connection has committed."""
        return int(self._data_version)

    def write_state(self) -> tuple[int, int]:
        """(SQLite's ``data_version``, the write transactions this connection committed):
        while both stay the same, nothing was written to the store, by any connection.
        Inside a transaction: as it began; outside: now (``data_version`` costs a statement)."""
        with self.lock:
            if self._depth:
                return self._data_version, self._commits
            return int(self.conn.execute("PRAGMA data_version").fetchone()[0]), self._commits

    def _invalidate_catalog(self) -> None:
        """Forget the cached catalog and graphs; compiled plans keyed on the generation expire.

        Also called when statements are rolled back: a reservation of keys they made is gone.
        """
        self._catalog = None
        self._graphs = None
        self._schemas = None
        self.ends.forget()
        self._forget_reserved_keys()
        self.catalog_generation += 1

    def _forget_keys_if_forked(self) -> None:
        """In a forked copy of this connection, forget the parent's reservations and counter."""
        if self._keys_pid != os.getpid():
            self._forget_reserved_keys()
            self._keys_pid = os.getpid()

    def _forget_reserved_keys(self) -> None:
        self._reserved_keys.clear()
        self._counter_floor.clear()
        self._keys_pending = False

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        if self.tracer is not None:
            self.tracer(sql, params)
        return self.conn.execute(sql, params)

    # ------------------------------------------------------------------ catalog

    def _load_catalog(self) -> dict[str, CollectionInfo]:
        if self._catalog is None:
            catalog: dict[str, CollectionInfo] = {}
            by_id: dict[int, CollectionInfo] = {}
            for cid, name, edge in self.conn.execute(
                "SELECT id, name, edge FROM _collections ORDER BY id"
            ):
                info = CollectionInfo(cid, name, bool(edge))
                catalog[name] = info
                by_id[cid] = info
            kinds = self._index_options()
            for iid, cid, name, fields, unique, sparse in self.conn.execute(
                "SELECT id, collection_id, name, fields, is_unique, sparse FROM _indexes ORDER BY id"
            ):
                if cid not in by_id:
                    continue
                kind, options = kinds.get(iid, ("persistent", ""))
                if kind == "geo":
                    by_id[cid].geo_indexes.append(
                        geo_index.from_catalog(iid, name, json.loads(fields), options)
                    )
                elif kind == "inverted":
                    by_id[cid].inverted_indexes.append(
                        InvertedIndexInfo(iid, name, json.loads(options))
                    )
                else:
                    by_id[cid].indexes.append(
                        IndexInfo(iid, name, json.loads(fields), bool(unique), bool(sparse))
                    )
            self._catalog = catalog
        return self._catalog

    def _index_options(self) -> dict[int, tuple[str, str]]:
        """Index id -> (type, options JSON) of the indexes that are not persistent ones (geo,
        inverted); a store that never had one has no ``_index_options`` table."""
        if not self._has_table("_index_options"):
            return {}
        return {
            iid: (kind, options)
            for iid, kind, options in self.conn.execute(
                "SELECT index_id, type, options FROM _index_options"
            )
        }

    def collections(self) -> list[CollectionInfo]:
        with self.atomic():
            return list(self._load_catalog().values())

    def _catalog_entry(self, name: str) -> CollectionInfo | None:
        if self._depth:  # already inside a transaction: no savepoint needed to read the catalog
            catalog = self._catalog
            return (catalog if catalog is not None else self._load_catalog()).get(name)
        with self.atomic():
            return self._load_catalog().get(name)

    def has_collection(self, name: str) -> bool:
        return self._catalog_entry(name) is not None

    def find_collection(self, name: str) -> CollectionInfo | None:
        """The collection's catalog entry, or None when there is no such collection."""
        return self._catalog_entry(name)

    def collection(self, name: str) -> CollectionInfo:
        info = self._catalog_entry(name)
        if info is None:
            raise CollectionNotFoundError(f"collection or view not found: {name}")
        return info

    def create_collection(self, name: str, edge: bool = False) -> CollectionInfo:
        check_collection_name(name)
        with self.atomic(write=True):
            if name in self._load_catalog():
                raise CollectionError(
                    f"duplicate name: collection {name} exists", ERROR_ARANGO_DUPLICATE_NAME
                )
            cid = self._execute(
                "INSERT INTO _collections(name, edge) VALUES (?, ?)", (name, int(edge))
            ).lastrowid
            assert cid is not None
            for statement in table_sql(f"c{cid}", edge):
                self._execute(statement)
            if edge:
                self.ends.created(cid)
            self._invalidate_catalog()
            return self._load_catalog()[name]

    def drop_collection(self, name: str) -> None:
        with self.atomic(write=True):
            info = self.collection(name)
            self._execute(f"DROP TABLE {info.table}")  # and its triggers
            for geo in info.geo_indexes:
                self._drop_other_index(info, geo)
            for inverted in info.inverted_indexes:
                self._drop_other_index(info, inverted)
            self._execute("DELETE FROM _indexes WHERE collection_id = ?", (info.id,))
            if self._has_schemas_table():
                self._execute("DELETE FROM _schemas WHERE collection_id = ?", (info.id,))
            self.ends.dropped(info.id)
            self._execute("DELETE FROM _collections WHERE id = ?", (info.id,))
            self._invalidate_catalog()

    def rename_collection(self, name: str, new_name: str) -> CollectionInfo:
        """Give a collection another name (1207 when one has it, 1208 when it is not a
        name): its documents, indexes and schema stay, the named graphs that use it name
        the new one, and edges elsewhere keep the ``_from`` / ``_to`` they hold, as
        ArangoDB's rename leaves them."""
        check_collection_name(new_name)
        with self.atomic(write=True):
            info = self.collection(name)
            if new_name == name:
                return info
            if new_name in self._load_catalog():
                raise CollectionError(
                    f"duplicate name: collection {new_name} exists", ERROR_ARANGO_DUPLICATE_NAME
                )
            self._execute("UPDATE _collections SET name = ? WHERE id = ?", (new_name, info.id))
            for graph, definition in self._load_graphs().items():
                renamed = _graph_renaming(definition, name, new_name)
                if renamed != definition:
                    self._execute(
                        "UPDATE _graphs SET definition = ? WHERE name = ?",
                        (json.dumps(renamed), graph),
                    )
            self._invalidate_catalog()
            return self._load_catalog()[new_name]

    def truncate(self, name: str) -> None:
        with self.atomic(write=True):
            self._execute(f"DELETE FROM {self.collection(name).table}")

    def ensure_index(
        self,
        collection: str,
        fields: list[str],
        unique: bool = False,
        sparse: bool = False,
        name: str | None = None,
    ) -> IndexInfo:
        """Create a persistent index (or return the identical existing one)."""
        if not fields or not all(isinstance(f, str) and f and '"' not in f for f in fields):
            raise BadParameterError(f"invalid index fields: {fields!r}")
        with self.atomic(write=True):
            info = self.collection(collection)
            for existing in info.indexes:
                if (
                    existing.fields == fields
                    and existing.unique == unique
                    and existing.sparse == sparse
                ):
                    return existing
            iid = self._execute(
                "INSERT INTO _indexes(collection_id, name, fields, is_unique, sparse) VALUES (?, ?, ?, ?, ?)",
                (info.id, name or "", json.dumps(fields), int(unique), int(sparse)),
            ).lastrowid
            assert iid is not None
            index_name = name or f"idx_{iid}"
            self._execute("UPDATE _indexes SET name = ? WHERE id = ?", (index_name, iid))
            index = IndexInfo(iid, index_name, fields, unique, sparse)
            try:
                self._execute(info.index_sql(index))
            except sqlite3.IntegrityError as exc:
                raise duplicates_for_new_index(fields) from exc
            if unique:
                refuse_duplicate_objects(self._execute, info, fields, sparse)
            self._invalidate_catalog()
            return next(i for i in self.collection(collection).indexes if i.id == iid)

    def ensure_geo_index(
        self, collection: str, definition: GeoDefinition, name: str | None = None
    ) -> tuple[GeoIndexInfo, bool]:
        """Create a geo index (see ``geo_index.py``) over the documents there already, or
        find the one with this definition; and whether it was created."""
        with self.atomic(write=True):
            info = self.collection(collection)
            for existing in info.geo_indexes:
                if existing.definition == definition:
                    return existing, False
            fields = list(definition.fields)
            iid, index_name = self._catalog_index(info, "geo", fields, definition.options(), name)
            made = GeoIndexInfo(
                iid, index_name, fields, definition.geo_json, definition.legacy_polygons
            )
            for statement in geo_index.create_sql(info, made):
                self._execute(statement)
            self._invalidate_catalog()
            return made, True

    def ensure_inverted_index(
        self, collection: str, description: dict[str, Any], name: str | None = None
    ) -> tuple[InvertedIndexInfo, bool]:
        """Create an inverted index (see ``inverted_index.py``; ``description`` from its
        ``parse_definition``) over the documents there already, or find the one with
        this description; and whether it was created."""
        with self.atomic(write=True):
            info = self.collection(collection)
            for existing in info.inverted_indexes:
                if existing.description == description:
                    return existing, False
            fields = [field["name"] for field in description["fields"]]
            iid, index_name = self._catalog_index(info, "inverted", fields, description, name)
            made = InvertedIndexInfo(iid, index_name, description)
            for statement in inverted_index.create_sql(info, made):
                self._execute(statement)
            self._invalidate_catalog()
            return made, True

    def _catalog_index(
        self,
        info: CollectionInfo,
        kind: str,
        fields: list[str],
        options: dict[str, Any],
        name: str | None,
    ) -> tuple[int, str]:
        """A new index of another kind than persistent in the catalog: its id and name."""
        iid = self._execute(
            "INSERT INTO _indexes(collection_id, name, fields, is_unique, sparse) "
            "VALUES (?, ?, ?, 0, 1)",
            (info.id, name or "", json.dumps(fields)),
        ).lastrowid
        assert iid is not None
        index_name = name or f"idx_{iid}"
        self._execute("UPDATE _indexes SET name = ? WHERE id = ?", (index_name, iid))
        self._execute(
            "CREATE TABLE IF NOT EXISTS _index_options "
            "(index_id INTEGER PRIMARY KEY, type TEXT NOT NULL, options TEXT NOT NULL)"
        )
        self._execute(
            "INSERT INTO _index_options(index_id, type, options) VALUES (?, ?, ?)",
            (iid, kind, json.dumps(options)),
        )
        return iid, index_name

    def _drop_other_index(
        self, info: CollectionInfo, index: GeoIndexInfo | InvertedIndexInfo
    ) -> None:
        """A geo or inverted index's tables, triggers and options (not its ``_indexes`` row)."""
        if isinstance(index, GeoIndexInfo):
            statements = geo_index.drop_sql(info, index)
        else:
            statements = inverted_index.drop_sql(info, index)
        for statement in statements:
            self._execute(statement)
        self._execute("DELETE FROM _index_options WHERE index_id = ?", (index.id,))

    def drop_index(self, collection: str, index_name: str) -> None:
        """Drop the index (of any kind) with this name or id; 1212 when there is none."""
        with self.atomic(write=True):
            info = self.collection(collection)
            for index in info.indexes:
                if index.name == index_name or str(index.id) == index_name:
                    self._execute(f"DROP INDEX {info.table}_i{index.id}")
                    self._execute("DELETE FROM _indexes WHERE id = ?", (index.id,))
                    self._invalidate_catalog()
                    return
            others: list[GeoIndexInfo | InvertedIndexInfo] = [
                *info.geo_indexes,
                *info.inverted_indexes,
            ]
            for other in others:
                if other.name == index_name or str(other.id) == index_name:
                    self._drop_other_index(info, other)
                    self._execute("DELETE FROM _indexes WHERE id = ?", (other.id,))
                    self._invalidate_catalog()
                    return
            raise CollectionError(f"index not found: {index_name}", 1212)

    # ------------------------------------------------------------------ graphs

    def _load_graphs(self) -> dict[str, dict[str, Any]]:
        if self._graphs is None:
            self._graphs = {
                name: json.loads(definition)
                for name, definition in self.conn.execute("SELECT name, definition FROM _graphs")
            }
        return self._graphs

    def graphs(self) -> dict[str, dict[str, Any]]:
        with self.atomic():
            return dict(self._load_graphs())

    def graph(self, name: str) -> dict[str, Any]:
        if self._depth:  # inside a transaction: no savepoint needed to read the catalog
            graph = self._load_graphs().get(name)
        else:
            with self.atomic():
                graph = self._load_graphs().get(name)
        if graph is None:
            raise GraphError(f"graph '{name}' not found", ERROR_GRAPH_NOT_FOUND)
        return graph

    def save_graph(self, name: str, definition: dict[str, Any], replace: bool = False) -> None:
        with self.atomic(write=True):
            if not replace and name in self._load_graphs():
                raise GraphError(f"graph already exists: {name}", ERROR_GRAPH_DUPLICATE)
            self._execute(
                "INSERT OR REPLACE INTO _graphs(name, definition) VALUES (?, ?)",
                (name, json.dumps(definition)),
            )
            self._invalidate_catalog()

    def drop_graph(self, name: str) -> None:
        with self.atomic(write=True):
            self.graph(name)
            self._execute("DELETE FROM _graphs WHERE name = ?", (name,))
            self._invalidate_catalog()

    # ------------------------------------------------------------------ edge ends

    def edge_ends(self, info: CollectionInfo) -> EdgeEnds | None:
        """The vertex collections that ``_from`` / ``_to`` of ``info``'s edges may lie in.

        A superset (None when unknown): an edge lookup for a vertex in any other
        collection finds nothing (see ``edge_ends.py``).
        """
        return self.ends.get(info.id, cached=self._depth > 0)

    # ------------------------------------------------------------------ schemas

    def _has_schemas_table(self) -> bool:
        return self._has_table("_schemas")

    def _has_table(self, name: str) -> bool:
        return (
            self.conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
            ).fetchone()
            is not None
        )

    def _load_schemas(self) -> dict[int, CollectionSchema]:
        """Every collection's schema; a store without the table (made before schemas
        were kept, or never given one) has none."""
        if self._schemas is None:
            schemas: dict[int, CollectionSchema] = {}
            if self._has_schemas_table():
                for cid, text in self.conn.execute("SELECT collection_id, property FROM _schemas"):
                    schema = decode_property(text)
                    if schema is not None:
                        schemas[cid] = schema
            self._schemas = schemas
        return self._schemas

    def schema_of(self, info: CollectionInfo) -> CollectionSchema | None:
        """The schema of a collection, None when it has none."""
        if self._depth:
            schemas = self._schemas
            return (schemas if schemas is not None else self._load_schemas()).get(info.id)
        with self.atomic():
            return self._load_schemas().get(info.id)

    def set_schema(self, name: str, schema: CollectionSchema | None) -> None:
        """Set (None: remove) a collection's schema; documents stored stay as they are."""
        with self.atomic(write=True):
            info = self.collection(name)
            if schema is None:
                if self._has_schemas_table():
                    self._execute("DELETE FROM _schemas WHERE collection_id = ?", (info.id,))
            else:
                self._execute(
                    "CREATE TABLE IF NOT EXISTS _schemas "
                    "(collection_id INTEGER PRIMARY KEY, property TEXT NOT NULL)"
                )
                self._execute(
                    "INSERT OR REPLACE INTO _schemas(collection_id, property) VALUES (?, ?)",
                    (info.id, encode_property(schema)),
                )
            self._schemas = None

    # ------------------------------------------------------------------ documents

    def count(self, collection: str) -> int:
        info = self.collection(collection)
        with self.atomic():
            return int(self._execute(f"SELECT count(*) FROM {info.table}").fetchone()[0])

    def get(self, info: CollectionInfo, key: str) -> dict[str, Any] | None:
        row = self._execute(
            f"SELECT {info.columns} FROM {info.table} WHERE key = ?", (key,)
        ).fetchone()
        return info.document(row) if row else None

    def has(self, info: CollectionInfo, key: str) -> bool:
        """Whether the document exists (the primary index alone: nothing is read or decoded)."""
        return (
            self._execute(f"SELECT 1 FROM {info.table} WHERE key = ?", (key,)).fetchone()
            is not None
        )

    def have(self, documents: Sequence[tuple[CollectionInfo, str]]) -> list[bool]:
        """:meth:`has` for several (collection, key) pairs, in one statement per
        :data:`_HAVE_MAX` (a step's commit checks the ids its edges point to and what
        confirms its versions at once)."""
        found: list[bool] = []
        for start in range(0, len(documents), _HAVE_MAX):
            chunk = documents[start : start + _HAVE_MAX]
            tables = tuple([info.table for info, _ in chunk])
            row = self._execute(_exists_sql(tables), [key for _, key in chunk]).fetchone()
            found += map(bool, row)
        return found

    def scan(
        self, info: CollectionInfo, where: str = "", params: Sequence[Any] = (), order: str = "seq"
    ) -> Iterator[dict[str, Any]]:
        """Documents of a collection in insertion order, optionally pre-filtered in SQL."""
        sql = f"SELECT {info.columns} FROM {info.table}"
        if where:
            sql += f" WHERE {where}"
        if order:
            sql += f" ORDER BY {order}"
        return map(info.document, self._execute(sql, params))

    @staticmethod
    def vertex_rows(info: CollectionInfo) -> str:
        """What vertex statements read ``info``'s rows from: SQL over them may use ``key``,
        ``rev``, ``doc``, ``from_id`` and ``to_id`` (null outside edge collections), so that
        one expression serves vertices of both kinds (see ``layout.VERTEX_DOCUMENT``)."""
        return info.table if info.edge else VERTEX_ROW.format(table=info.table)

    def fetch(self, info: CollectionInfo, columns: str, key: str) -> tuple[Any, ...] | None:
        """Selected columns (SQL over a vertex row, see :meth:`vertex_rows`) of one document."""
        row: tuple[Any, ...] | None = self._execute(
            f"SELECT {columns} FROM {self.vertex_rows(info)} WHERE key = ?", (key,)
        ).fetchone()
        return row

    def scan_rows(
        self, info: CollectionInfo, columns: str, where: str = "", params: Sequence[Any] = ()
    ) -> sqlite3.Cursor:
        """Like :meth:`scan`, but selected columns (SQL expressions) instead of decoded documents."""
        sql = f"SELECT {columns} FROM {info.table}"
        if where:
            sql += f" WHERE {where}"
        return self._execute(sql + " ORDER BY seq", params)

    def probe_sql(
        self,
        outbound: bool,
        collections: frozenset[str],
        select: str = "",
        selected: frozenset[str] | None = None,
    ) -> str:
        """SQL telling, per edge row, whether its far end exists (null: not known here).

        ``collections`` must hold every collection the far ends may lie in
        (see :meth:`edge_ends`); one that does not exist holds no vertex. With
        ``select`` (an SQL expression over the far vertex's row that is never
        null, see :meth:`vertex_rows`), its value, or 0 when the vertex does not
        exist; with ``selected`` too, only for far ends in those collections (the
        others: 1 or 0). For :meth:`edge_links_sql`, whose edge row is ``e``.
        """
        far = "e.to_id" if outbound else "e.from_id"
        catalog = self._load_catalog()
        cases = []
        for name in sorted(collections):
            info = catalog.get(name)
            if info is None:
                found = "0"
            else:
                row = f"FROM {self.vertex_rows(info)} WHERE key = substr({far}, {len(name) + 2})"
                found = (
                    f"coalesce((SELECT {select} {row}), 0)"
                    if select and (selected is None or name in selected)
                    else f"EXISTS (SELECT 1 {row})"
                )
            cases.append(f"WHEN '{name}' THEN {found}")
        if not cases:
            return "NULL"
        return f"CASE substr({far}, 1, instr({far}, '/') - 1) {' '.join(cases)} END"

    @staticmethod
    def edge_links_sql(
        info: CollectionInfo, outbound: bool, probe: str = "NULL", columns: str = "", count: int = 1
    ) -> str:
        """The edges from (outbound) or to ``count`` vertices (see :func:`in_list_size`).

        Rows are ``(seq, other end, probe, *columns)``, and the near end when
        ``count`` is not 1: ``probe`` tells of the other end (see :meth:`probe_sql`),
        ``columns`` are SQL expressions over the edge row (``key``, ``doc``, ...).
        With one vertex they come in insertion order, with more in no particular
        order. Run it with :meth:`rows`.
        """
        near, far = ("from_id", "to_id") if outbound else ("to_id", "from_id")
        select = f"SELECT seq, {far}, {probe}{', ' + columns if columns else ''}"
        if count == 1:
            return f"{select} FROM {info.table} AS e WHERE {near} = ? ORDER BY seq"
        return f"{select}, {near} FROM {info.table} AS e WHERE {near} IN {_in_list(count)}"

    def rows(self, sql: str, params: Sequence[Any]) -> list[Any]:
        """All rows of a read-only statement made by this module (e.g. :meth:`edge_links_sql`)."""
        return self._execute(sql, params).fetchall()

    def fetch_many(
        self, info: CollectionInfo, columns: str, keys: Sequence[str]
    ) -> dict[str, tuple[Any, ...]]:
        """:meth:`fetch` for several keys in one statement: key -> selected columns (if found)."""
        count = in_list_size(len(keys))
        rows = self._execute(
            f"SELECT key, {columns} FROM {self.vertex_rows(info)} WHERE key IN {_in_list(count)}",
            in_list_params(keys, count),
        )
        return {row[0]: row[1:] for row in rows}

    def edges(self, info: CollectionInfo, vertex_id: str, outbound: bool) -> list[dict[str, Any]]:
        """Edges from (outbound) or to a vertex, in insertion order."""
        column = "from_id" if outbound else "to_id"
        rows = self._execute(
            f"SELECT {info.columns} FROM {info.table} WHERE {column} = ? ORDER BY seq", (vertex_id,)
        )
        return list(map(info.document, rows))

    def _next_keys(self, info: CollectionInfo, n: int) -> list[str]:
        """``n`` new keys of ``info`` (inside a write transaction): from this connection's
        reservation, else from a new one.

        ``_collections.key_counter`` is above every key handed out or reserved, so two
        connections never hand out one key. A connection reserves a block of keys at
        once (doubling up to :data:`KEY_BLOCK_MAX`): one counter update for many
        inserts, where every update is a statement and a page more for the commit to
        write. A reservation lasts while nothing else writes: it is forgotten when
        its transaction does not commit (the counter went back), when statements are
        rolled back, when another connection committed (it may have stored an explicit
        numeric key inside the block), and in a forked child; the keys it left unused
        are skipped.
        """
        self._forget_keys_if_forked()
        block = self._reserved_keys.get(info.id)
        if block is not None and block[1] - block[0] + 1 >= n:
            first = block[0]
            block[0] += n
            return [str(k) for k in range(first, first + n)]
        size = max(n, self._key_block.get(info.id, 1))
        row = self._execute(
            "UPDATE _collections SET key_counter = key_counter + ? WHERE id = ? RETURNING key_counter",
            (size, info.id),
        ).fetchone()
        last = int(row[0])
        first = last - size + 1
        if block is not None and block[0] <= block[1] == first - 1:
            first = block[0]  # the new block continues the old one: its rest comes first
        self._reserved_keys[info.id] = [first + n, last]
        self._key_block[info.id] = min(2 * size, KEY_BLOCK_MAX)
        self._keys_pending = True
        return [str(k) for k in range(first, first + n)]

    def _bump_key_counter(
        self, info: CollectionInfo, keys: Sequence[str], headroom: bool = True
    ) -> None:
        """Keep ``_collections.key_counter`` at or above the explicit numeric ``keys``.

        A key at or below what this connection knows the counter to be needs no update.
        An update moves the counter a block above the key (sized as :meth:`_next_keys`'
        reservations): explicit keys that come in order (the audit log's blocks) update
        it once per block, not once per commit. Like a reservation's unused keys, the
        block is skipped by the key generator. Without ``headroom``, the counter moves to
        the highest key exactly (a restore setting a dump's ``lastValue``)."""
        numeric = [int(k) for k in keys if k.isdigit() and len(k) < 19]
        if not numeric:
            return
        self._forget_keys_if_forked()
        highest = max(numeric)
        block = self._reserved_keys.get(info.id)
        if block is not None and highest >= block[0]:
            block[0] = highest + 1  # generated keys stay above every explicit one
        floor = self._counter_floor.get(info.id)
        if floor is not None and highest <= floor:
            return
        size = self._key_block.get(info.id, 1) if headroom else 1
        row = self._execute(
            "UPDATE _collections SET key_counter = max(key_counter, ?) WHERE id = ? "
            "RETURNING key_counter",
            (highest + size - 1, info.id),
        ).fetchone()
        if row is not None:
            self._counter_floor[info.id] = int(row[0])
            self._key_block[info.id] = min(2 * size, KEY_BLOCK_MAX)
            self._keys_pending = True  # forgotten if the transaction does not commit

    def prepare_new(self, info: CollectionInfo, doc: dict[str, Any], key: str) -> dict[str, Any]:
        """A stored form of ``doc``: system attributes first, key checked, edge handles checked."""
        system: dict[str, Any] = {
            "_key": key,
            "_id": f"{info.name}/{key}",
            "_rev": REVISIONS.next(),
        }
        if info.edge:
            system["_from"] = check_edge_handle(doc.get("_from"), "_from")
            system["_to"] = check_edge_handle(doc.get("_to"), "_to")
        # the document's attributes after the system ones, whose values are the database's
        # (two copies at C speed where a loop over the attributes took three times as long)
        out = dict(system)
        out.update(doc)
        out.update(system)
        return out

    def insert_many(
        self, info: CollectionInfo, docs: Sequence[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        """Insert documents (keys generated where absent, by the :attr:`key_policy` when
        there is one), all checked before any is written, inside the caller's write
        transaction (or savepoint), which a failure leaves for it to roll back."""
        for doc in docs:
            if not isinstance(doc, dict):
                require_object(doc)  # 1227
        if self.key_policy is not None:
            docs = self.key_policy(info, docs)
        explicit = [check_key(d["_key"]) for d in docs if "_key" in d]
        if explicit:  # first: a key generated for the batch is above its explicit ones
            self._bump_key_counter(info, explicit)
        missing = len(docs) - len(explicit)
        generated = iter(self._next_keys(info, missing)) if missing else iter(())
        given = iter(explicit)
        stored = [
            self.prepare_new(info, doc, next(given) if "_key" in doc else next(generated))
            for doc in docs
        ]
        self.write_new(info, stored)
        return stored

    def write_new(self, info: CollectionInfo, stored: Sequence[dict[str, Any]]) -> None:
        """Persist prepared documents (see :meth:`prepare_new`), checked against the
        collection's schema."""
        schema = self.schema_of(info)
        if schema is not None:
            schema.check_insert(info.name, stored)
        if _holds_objects_under_unique_index(info, stored):
            with self.atomic(write=True):  # a savepoint: a refused write leaves nothing behind
                self._insert_rows(info, stored)
                self._check_unique_objects(info, stored)
        else:
            self._insert_rows(info, stored)

    def _insert_rows(self, info: CollectionInfo, stored: Sequence[dict[str, Any]]) -> None:
        system = info.system
        rows: list[tuple[Any, ...]]
        if info.edge:
            self.ends.note(info.id, stored)
            sql = f"INSERT INTO {info.table}(key, rev, doc, from_id, to_id) VALUES (?, ?, ?, ?, ?)"
            rows = [(d["_key"], d["_rev"], encode(d, system), d["_from"], d["_to"]) for d in stored]
        else:
            sql = f"INSERT INTO {info.table}(key, rev, doc) VALUES (?, ?, ?)"
            rows = [(d["_key"], d["_rev"], encode(d, system)) for d in stored]
        try:
            if len(rows) == 1:  # a step writes one document to most collections it touches
                self.conn.execute(sql, rows[0])
            else:
                self.conn.executemany(sql, rows)
        except sqlite3.IntegrityError as exc:
            raise self._unique_error(info, exc) from exc

    def append_row(
        self, info: CollectionInfo, doc: dict[str, Any], encoded: str | None = None
    ) -> dict[str, Any]:
        """Insert ``doc`` with its own ``_key`` as one row, encoded as every document is
        (``encoded``: that text, made by the caller), into a collection without schema or
        edges, the key generator tracking a numeric key as ArangoDB's does (the audit log's
        blocks: no per-document layers). Any other collection takes :meth:`insert_many`.
        The stored document."""
        if info.edge or self.key_policy is not None or self.schema_of(info) is not None:
            return self.insert_many(info, [doc])[0]
        key = check_key(doc["_key"])
        self._bump_key_counter(info, (key,))
        rev = REVISIONS.next()
        text = encode(doc, info.system) if encoded is None else encoded
        try:
            self.conn.execute(
                f"INSERT INTO {info.table}(key, rev, doc) VALUES (?, ?, ?)", (key, rev, text)
            )
        except sqlite3.IntegrityError as exc:
            raise self._unique_error(info, exc) from exc
        return {**doc, "_key": key, "_id": f"{info.name}/{key}", "_rev": rev}

    def generate_key(self, info: CollectionInfo) -> str:
        return self._next_keys(info, 1)[0]

    def note_explicit_key(self, info: CollectionInfo, key: str) -> None:
        self._bump_key_counter(info, [key], headroom=False)

    def replace_stored(
        self, info: CollectionInfo, new: dict[str, Any], old: dict[str, Any] | None = None
    ) -> None:
        """Overwrite a document in place of its old version (moves it to the end of the scan
        order), checked against the collection's schema (``old``, the version it replaces, is
        read when the schema's level needs it and the caller has not given it)."""
        schema = self.schema_of(info)
        if schema is not None:
            schema.check_change(
                info.name, new, lambda: old if old is not None else self.get(info, new["_key"])
            )
        if _holds_objects_under_unique_index(info, [new]):
            with self.atomic(write=True):  # a savepoint: a refused write leaves nothing behind
                self._replace_row(info, new)
                self._check_unique_objects(info, [new])
        else:
            self._replace_row(info, new)

    def _replace_row(self, info: CollectionInfo, new: dict[str, Any]) -> None:
        try:
            last = f"(SELECT max(seq) + 1 FROM {info.table})"
            body = encode(new, info.system)
            if info.edge:
                self.ends.note(info.id, [new])
                cur = self._execute(
                    f"UPDATE {info.table} SET rev = ?, doc = ?, from_id = ?, to_id = ?, "
                    f"seq = {last} WHERE key = ?",
                    (new["_rev"], body, new["_from"], new["_to"], new["_key"]),
                )
            else:
                cur = self._execute(
                    f"UPDATE {info.table} SET rev = ?, doc = ?, seq = {last} WHERE key = ?",
                    (new["_rev"], body, new["_key"]),
                )
        except sqlite3.IntegrityError as exc:
            raise self._unique_error(info, exc) from exc
        if cur.rowcount == 0:
            raise DocumentNotFoundError("document not found", ERROR_ARANGO_DOCUMENT_NOT_FOUND)

    def delete(self, info: CollectionInfo, key: str) -> None:
        cur = self._execute(f"DELETE FROM {info.table} WHERE key = ?", (key,))
        if cur.rowcount == 0:
            raise DocumentNotFoundError("document not found", ERROR_ARANGO_DOCUMENT_NOT_FOUND)

    def _check_unique_objects(self, info: CollectionInfo, docs: Sequence[dict[str, Any]]) -> None:
        check_unique_objects(self._execute, info, docs)

    def _unique_error(
        self, info: CollectionInfo, exc: sqlite3.IntegrityError
    ) -> UniqueConstraintError:
        return unique_error(info, exc)


def _graph_renaming(definition: dict[str, Any], old: str, new: str) -> dict[str, Any]:
    """A graph's catalog entry with collection ``old`` named ``new`` wherever it appears."""

    def names(values: Any) -> Any:
        return [new if v == old else v for v in values] if isinstance(values, list) else values

    edges = [
        {
            **edge,
            "collection": new if edge.get("collection") == old else edge.get("collection"),
            "from": names(edge.get("from")),
            "to": names(edge.get("to")),
        }
        if isinstance(edge, dict)
        else edge
        for edge in definition.get("edgeDefinitions") or []
    ]
    return {
        **definition,
        "edgeDefinitions": edges,
        "orphanCollections": names(definition.get("orphanCollections") or []),
    }


__all__ = [
    "CONNECTION_PRAGMAS",
    "CollectionInfo",
    "IndexInfo",
    "Storage",
    "decode",
    "encode",
    "is_valid_key",
    "json_path",
]  # decode, encode (codec.py) and json_path (layout.py): re-exported for the engine
