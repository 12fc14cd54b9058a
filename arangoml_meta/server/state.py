"""The server's databases: where each one's SQLite file is, and a connection per thread.

The store directory (``--store``) is the embedded store of database ``_system``
(``store.db``, as ``arangoml-meta`` opens it locally); every other database is
a store file of its own under ``databases/`` beside it, named by the database
name percent-encoded (any name ArangoDB accepts is a safe file name then).
Requests outside a stream transaction run on the request thread's own
connection to the database: readers run side by side (SQLite WAL), writers are
serialised by SQLite's write lock with a fair wait (``embedded/lock_wait.py``).
"""

from __future__ import annotations

import contextlib
import threading
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from ..backends.database_names import SYSTEM_DATABASE
from ..backends.embedded import LOCK_TIMEOUT_SECONDS, STORE_FILE, store_file_of
from ..embedded import EmbeddedDatabase
from ..errors import (
    ERROR_ARANGO_DATABASE_NOT_FOUND,
    ERROR_ARANGO_DUPLICATE_NAME,
    CollectionError,
    StoreError,
)
from .key_generators import KeyOptionsPolicy

DATABASES_DIR = "databases"


@dataclass
class ServerConfig:
    """What ``arangoml-meta serve`` was started with."""

    store: Path
    host: str = "127.0.0.1"
    port: int = 8529
    auth: bool = True
    # ArangoDB's --server.jwt-secret: superuser JWTs signed with it are accepted
    jwt_secret: str | None = None
    # the password of user root when the server creates it (first start)
    root_password: str = ""
    # how long a JWT from POST /_open/auth is valid (ArangoDB's --server.session-timeout)
    session_timeout: float = 3600.0
    # --transaction.streaming-idle-timeout (seconds) and the size limit of one transaction
    transaction_idle_timeout: float = 60.0
    transaction_max_size: int = 128 * 1024 * 1024
    lock_timeout: float = LOCK_TIMEOUT_SECONDS
    # a JavaScript transaction's action: seconds it may run, bytes of JavaScript heap
    js_time_limit: float = 30.0
    js_memory_limit: int = 64 * 1024 * 1024
    extra: dict[str, object] = field(default_factory=dict)


class Database:
    """One database: its store file and the connections the server holds to it."""

    def __init__(self, name: str, file: Path, lock_timeout: float) -> None:
        self.name = name
        self.file = file
        self.lock_timeout = lock_timeout
        self._local = threading.local()
        self._opened: list[EmbeddedDatabase] = []
        self._lock = threading.Lock()
        self.dropped = False

    def open(self) -> EmbeddedDatabase:
        """A new connection of its own (a stream transaction holds one)."""
        db = EmbeddedDatabase(str(self.file), name=self.name, timeout=self.lock_timeout)
        db.storage.key_policy = KeyOptionsPolicy(db)  # every insert keys by keyOptions
        with self._lock:
            self._opened.append(db)
        return db

    def forget(self, db: EmbeddedDatabase) -> None:
        """Close a connection :meth:`open` gave."""
        with self._lock:
            if db in self._opened:
                self._opened.remove(db)
        db.close()

    def connection(self) -> EmbeddedDatabase:
        """This thread's connection to the database (opened on first use)."""
        db: EmbeddedDatabase | None = getattr(self._local, "db", None)
        if db is None:
            if self.dropped:
                raise StoreError(
                    f"database '{self.name}' not found", ERROR_ARANGO_DATABASE_NOT_FOUND
                )
            db = self.open()
            self._local.db = db
        return db

    def close(self) -> None:
        with self._lock:
            opened, self._opened = self._opened, []
        for db in opened:
            with contextlib.suppress(Exception):  # closing at shutdown: nothing to report to
                db.close()


def _file_name(name: str) -> str:
    return urllib.parse.quote(name, safe="") + ".db"


class Databases:
    """The server's databases, by name."""

    def __init__(self, store: Path, lock_timeout: float = LOCK_TIMEOUT_SECONDS) -> None:
        self.system_file = store_file_of(store)
        self.system_file.parent.mkdir(parents=True, exist_ok=True)
        self.root = self.system_file.parent / (
            DATABASES_DIR if self.system_file.name == STORE_FILE else self.system_file.name + ".d"
        )
        self.lock_timeout = lock_timeout
        self._lock = threading.Lock()
        self._open: dict[str, Database] = {}
        system = Database(SYSTEM_DATABASE, self.system_file, lock_timeout)
        system.connection()  # creates the store when there is none
        self._open[SYSTEM_DATABASE] = system

    def file_of(self, name: str) -> Path:
        if name == SYSTEM_DATABASE:
            return self.system_file
        return self.root / _file_name(name)

    def names(self) -> list[str]:
        names = [SYSTEM_DATABASE]
        if self.root.is_dir():
            names += sorted(
                urllib.parse.unquote(p.name[: -len(".db")])
                for p in self.root.glob("*.db")
                if p.is_file()
            )
        return names

    def exists(self, name: str) -> bool:
        return name == SYSTEM_DATABASE or self.file_of(name).is_file()

    def get(self, name: str) -> Database:
        """The database ``name``; 1228 when there is none."""
        with self._lock:
            db = self._open.get(name)
            if db is not None and not db.dropped:
                return db
            if not self.exists(name):
                raise StoreError("database not found", ERROR_ARANGO_DATABASE_NOT_FOUND)
            db = Database(name, self.file_of(name), self.lock_timeout)
            self._open[name] = db
            return db

    def create(self, name: str) -> Database:
        """Make database ``name`` (its name checked by the caller); 1207 when it exists."""
        with self._lock:
            if self.exists(name):
                raise CollectionError("duplicate database name", ERROR_ARANGO_DUPLICATE_NAME)
            self.root.mkdir(parents=True, exist_ok=True)
            db = Database(name, self.file_of(name), self.lock_timeout)
            db.connection()  # creates the file
            self._open[name] = db
            return db

    def drop(self, name: str) -> None:
        """Remove database ``name`` and its files; 1228 when there is none."""
        with self._lock:
            if name == SYSTEM_DATABASE or not self.exists(name):
                raise StoreError("database not found", ERROR_ARANGO_DATABASE_NOT_FOUND)
            db = self._open.pop(name, None)
            if db is not None:
                db.dropped = True
                db.close()
            file = self.file_of(name)
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(str(file) + suffix).unlink(missing_ok=True)

    def close(self) -> None:
        with self._lock:
            for db in self._open.values():
                db.close()
            self._open.clear()


__all__ = ["Database", "Databases", "ServerConfig"]
