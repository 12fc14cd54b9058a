"""The server's users: stored in the ``_system`` store file, managed through ``/_api/user``.

Users live in a table of their own (``_server_users``) in the ``_system`` database's
SQLite file, beside the engine's tables but outside its catalog: no AQL query, document
request or dump can read them. A user is one row: a JSON record of the active flag,
the argon2id hash of the password (never the password), ``extra`` data, the web
interface's ``config`` and the grants (``grants.py``). The server holds every user in
memory (users are few) and writes through on each change, so authentication and
authorization read no file, and a change (a revoked grant, a new password) applies to
the next request. One server process owns a store's users: a second server on the
same store would not see the first one's changes until it restarts.

The HTTP API follows ArangoDB 3.12's ``RestUsersHandler``: an administrator (read-write
on ``_system``) manages everyone; any user reads and changes their own record.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ..backends.database_names import SYSTEM_DATABASE
from ..errors import (
    ERROR_ARANGO_DATA_SOURCE_NOT_FOUND,
    ERROR_ARANGO_DATABASE_NOT_FOUND,
    ERROR_BAD_PARAMETER,
    ERROR_FORBIDDEN,
    ERROR_HTTP_FORBIDDEN,
    ERROR_NOT_IMPLEMENTED,
    ERROR_USER_DUPLICATE,
    ERROR_USER_INVALID_NAME,
    ERROR_USER_NOT_FOUND,
    ArangoMLMetaError,
    CollectionNotFoundError,
    StoreError,
)
from .grants import ROOT, WILDCARD, Grants, Identity, Level, level_of, root_grants
from .responses import HTTPError, flag, json_body, json_response

TABLE = "_server_users"
# argon2id as OWASP's Password Storage Cheat Sheet recommends at least (19 MiB, 2 passes,
# 1 lane): ~25 ms a hash here, where argon2-cffi's default (64 MiB, 3 passes) takes ~150 ms
# of every login and of every server start; a stored hash of other parameters is renewed at
# the next login
ARGON2_TIME_COST, ARGON2_MEMORY_KIB, ARGON2_LANES = 2, 19 * 1024, 1
# each hash holds its memory while it runs: at most this many at once, whatever the requests
HASHING_AT_ONCE = max(2, os.cpu_count() or 2)


@dataclass(frozen=True)
class User:
    """One user as stored (a value: a change makes a new one)."""

    name: str
    active: bool
    password_hash: str
    grants: Grants
    extra: dict[str, Any] = field(default_factory=dict)
    config: dict[str, Any] = field(default_factory=dict)

    def public(self) -> dict[str, Any]:
        """What the HTTP API shows of a user."""
        return {"user": self.name, "active": self.active, "extra": self.extra}

    def record(self) -> str:
        return json.dumps(
            {
                "active": self.active,
                "hash": self.password_hash,
                "extra": self.extra,
                "config": self.config,
                "databases": self.grants.to_json(),
            }
        )

    @classmethod
    def from_record(cls, name: str, text: str) -> User:
        stored = json.loads(text)
        return cls(
            name,
            stored["active"],
            stored["hash"],
            Grants.from_json(name, stored["databases"]),
            stored["extra"],
            stored["config"],
        )


def user_not_found() -> ArangoMLMetaError:
    return ArangoMLMetaError("user not found", ERROR_USER_NOT_FOUND)


class UserStore:
    """The users of one server: all in memory, written through to the ``_system`` file.

    Changes are serialised by a lock; :attr:`version` grows with each one (what an
    authentication cache checks). Methods that hash or verify a password take about a
    tenth of a second of CPU: call them off the event loop."""

    def __init__(self, file: Path, timeout: float = 30.0) -> None:
        self._hasher = PasswordHasher(ARGON2_TIME_COST, ARGON2_MEMORY_KIB, ARGON2_LANES)
        self._hashing = threading.BoundedSemaphore(HASHING_AT_ONCE)
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(
            str(file), timeout=timeout, isolation_level=None, check_same_thread=False
        )
        self._dummy_hash: str | None = None
        try:
            self._conn.execute(
                f"CREATE TABLE IF NOT EXISTS {TABLE} (name TEXT PRIMARY KEY, record TEXT NOT NULL)"
            )
            rows = self._conn.execute(f"SELECT name, record FROM {TABLE}").fetchall()
        except sqlite3.Error as exc:
            self._conn.close()
            raise StoreError(f"cannot read the users of {file}: {exc}") from None
        self._users: dict[str, User] = {name: User.from_record(name, text) for name, text in rows}
        self.version = 0

    def close(self) -> None:
        self._conn.close()

    # --- reading (memory only) -----------------------------------------------------------

    def get(self, name: str) -> User | None:
        return self._users.get(name)

    def all(self) -> list[User]:
        return sorted(self._users.values(), key=lambda user: user.name)

    def check_password(self, name: str, password: str) -> bool:
        """Whether ``name`` is an active user with this password. An unknown or inactive
        user costs the same verification, so the answer's time tells nothing."""
        user = self._users.get(name)
        if user is None or not user.active:
            self._verify(self._dummy(), password)
            return False
        if not self._verify(user.password_hash, password):
            return False
        if self._hasher.check_needs_rehash(user.password_hash):
            new_hash = self.hash(password)
            self._change(name, lambda u: replace(u, password_hash=new_hash))
        return True

    def hash(self, password: str) -> str:
        """The argon2id hash of ``password`` (salted: a new one each time)."""
        with self._hashing:
            return self._hasher.hash(password)

    def _verify(self, password_hash: str, password: str) -> bool:
        try:
            with self._hashing:
                return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def _dummy(self) -> str:
        if self._dummy_hash is None:
            self._dummy_hash = self.hash("arangoml-meta: no such user")
        return self._dummy_hash

    # --- changing (written through) ------------------------------------------------------

    def ensure_root(self, password: str) -> bool:
        """Create ``root`` with ``password`` unless it exists (the first start); whether
        it was created."""
        if ROOT in self._users:
            return False
        root = User(ROOT, True, self.hash(password), root_grants())
        with self._lock:
            if ROOT in self._users:
                return False
            self._write(root)
        return True

    def create(
        self, name: Any, password: str, active: bool = True, extra: dict[str, Any] | None = None
    ) -> User:
        """A new user without grants; 1700 for an invalid name, 1702 when it exists."""
        if not isinstance(name, str) or not name:
            raise ArangoMLMetaError("invalid user name", ERROR_USER_INVALID_NAME)
        if name in self._users:
            raise ArangoMLMetaError("duplicate user", ERROR_USER_DUPLICATE)
        user = User(name, active, self.hash(password), Grants(name), extra or {})
        with self._lock:
            if name in self._users:
                raise ArangoMLMetaError("duplicate user", ERROR_USER_DUPLICATE)
            self._write(user)
        return user

    def replace(
        self, name: str, password: str, active: bool = True, extra: dict[str, Any] | None = None
    ) -> User:
        """A user made anew under the same name, as ArangoDB's replace does: the password
        given (empty when none), no grants, no config (root keeps its ``_system`` access)."""
        new_hash = self.hash(password)
        return self._change(
            name,
            lambda _: User(name, active, new_hash, Grants.from_json(name, {}), extra or {}),
        )

    def update(
        self,
        name: str,
        password: str | None = None,
        active: bool | None = None,
        extra: dict[str, Any] | None = None,
    ) -> User:
        """Change what is given; ``extra`` only when it is a non-empty object (as ArangoDB)."""
        new_hash = self.hash(password) if password is not None else None

        def change(user: User) -> User:
            return replace(
                user,
                password_hash=new_hash or user.password_hash,
                active=user.active if active is None else active,
                extra=extra if extra else user.extra,
            )

        return self._change(name, change)

    def change_grants(self, name: str, change: Callable[[Grants], None]) -> User:
        """Apply ``change`` to a copy of the user's grants and store it."""

        def apply(user: User) -> User:
            grants = user.grants.copy()
            change(grants)
            return replace(user, grants=grants)

        return self._change(name, apply)

    def change_config(self, name: str, change: Callable[[dict[str, Any]], None]) -> User:
        def apply(user: User) -> User:
            config = json.loads(json.dumps(user.config))
            change(config)
            return replace(user, config=config)

        return self._change(name, apply)

    def change_every_grants(self, change: Callable[[Grants], bool]) -> None:
        """Apply ``change`` to every user's grants; store those it says it changed."""
        with self._lock:
            for user in list(self._users.values()):
                grants = user.grants.copy()
                if change(grants):
                    self._write(replace(user, grants=grants))

    def remove(self, name: str) -> None:
        """Delete a user; 1703 when there is none, 11 for root."""
        if name == ROOT:
            raise ArangoMLMetaError("forbidden", ERROR_FORBIDDEN)
        with self._lock:
            if name not in self._users:
                raise user_not_found()
            self._execute(f"DELETE FROM {TABLE} WHERE name = ?", (name,))
            users = dict(self._users)
            del users[name]
            self._users = users
            self.version += 1

    def _change(self, name: str, change: Callable[[User], User]) -> User:
        with self._lock:
            user = self._users.get(name)
            if user is None:
                raise user_not_found()
            new = change(user)
            self._write(new)
            return new

    def _write(self, user: User) -> None:
        """Store ``user`` (the lock held) and make it the one in memory."""
        self._execute(
            f"INSERT INTO {TABLE} (name, record) VALUES (?, ?) "
            "ON CONFLICT (name) DO UPDATE SET record = excluded.record",
            (user.name, user.record()),
        )
        self._users = {**self._users, user.name: user}
        self.version += 1

    def _execute(self, sql: str, params: tuple[str, ...]) -> None:
        try:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                self._conn.execute(sql, params)
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            raise StoreError(f"cannot write the users table: {exc}") from None


# --- the HTTP API ---------------------------------------------------------------------


def users_of(request: Request) -> UserStore:
    """The server's user store (501 when its authenticator keeps none)."""
    store = getattr(request.app.state.server.auth, "users", None)
    if not isinstance(store, UserStore):
        raise HTTPError(501, ERROR_NOT_IMPLEMENTED, "this server keeps no users")
    return store


def identity_of(request: Request) -> Identity:
    """Who sent the request (without authentication: the superuser)."""
    identity = getattr(request.state, "identity", None)
    return identity if isinstance(identity, Identity) else Identity.superuser()


def is_admin(store: UserStore, identity: Identity) -> bool:
    """ArangoDB's "server access level Administrate": read-write on ``_system``."""
    if identity.is_superuser:
        return True
    user = store.get(identity.user)
    return user is not None and user.grants.database_level(SYSTEM_DATABASE) == Level.RW


def _suffixes(request: Request) -> list[str]:
    """The path's parts after ``/_api/user``, each percent-decoded (a user name may hold
    any character, ``/`` too), empty parts left out."""
    raw: bytes = request.scope.get("raw_path") or request.scope["path"].encode()
    parts = [urllib.parse.unquote(p) for p in raw.decode("ascii", "replace").split("/") if p]
    if parts[:1] == ["_db"]:
        parts = parts[2:]
    return parts[2:]


def _bad_parameter(message: str = "bad parameter") -> HTTPError:
    return HTTPError(400, ERROR_BAD_PARAMETER, message)


def _forbidden(error_num: int = ERROR_FORBIDDEN) -> HTTPError:
    return HTTPError(403, error_num, "forbidden")


def _user_result(body: dict[str, Any], status: int = 200) -> Response:
    return json_response({**body, "error": False, "code": status}, status)


def _ok(result: Any, status: int = 200) -> Response:
    return json_response({"error": False, "code": status, "result": result}, status)


async def _object_body(request: Request) -> dict[str, Any]:
    body = await json_body(request, None)
    if not isinstance(body, dict):
        raise _bad_parameter("expecting a JSON object as body")
    return body


def _user_fields(body: dict[str, Any]) -> tuple[str | None, bool | None, dict[str, Any] | None]:
    """``passwd``, ``active`` and ``extra`` of a body, each None when absent; 400 when one
    has the wrong type (ArangoDB would silently take an empty password)."""
    password, active, extra = body.get("passwd"), body.get("active"), body.get("extra")
    if password is not None and not isinstance(password, str):
        raise _bad_parameter("passwd must be a string")
    if active is not None and not isinstance(active, bool):
        raise _bad_parameter("active must be a boolean")
    if extra is not None and not isinstance(extra, dict):
        raise _bad_parameter("extra must be an object")
    return password, active, extra


async def user_paths(request: Request) -> Response:
    """``/_api/user[/...]``: dispatched on the method and the number of path parts."""
    store = users_of(request)
    identity = identity_of(request)
    parts = _suffixes(request)
    method = request.method
    if method in ("GET", "HEAD"):  # Starlette routes HEAD with GET
        return await _get(request, store, identity, parts)
    if method == "POST":
        return await _post(request, store, identity, parts)
    if method in ("PUT", "PATCH"):
        return await _put_or_patch(request, store, identity, parts)
    if method == "DELETE":
        return await _delete(request, store, identity, parts)
    raise HTTPError(405, 405, "method not supported")


def _may_access(store: UserStore, identity: Identity, name: str) -> bool:
    return (not identity.is_superuser and identity.user == name) or is_admin(store, identity)


async def _get(
    request: Request, store: UserStore, identity: Identity, parts: list[str]
) -> Response:
    if not parts:
        if not is_admin(store, identity):
            raise _forbidden(ERROR_HTTP_FORBIDDEN)
        return _ok([user.public() for user in store.all()])
    name = parts[0]
    if not _may_access(store, identity, name):
        raise _forbidden(ERROR_HTTP_FORBIDDEN)
    if len(parts) == 1:
        user = store.get(name)
        if user is None:
            raise user_not_found()
        return _user_result(user.public())
    if parts[1] == "database":
        return await _get_levels(request, store, name, parts[2:])
    if parts[1] == "config" and len(parts) <= 3:
        user = store.get(name)
        if user is None:
            raise user_not_found()
        config: Any = user.config or None
        if len(parts) == 3:
            config = user.config.get(parts[2])
        return _ok(config)
    raise _bad_parameter()


async def _get_levels(request: Request, store: UserStore, name: str, rest: list[str]) -> Response:
    """A user's effective level for a database or collection, or their databases."""
    user = store.get(name)
    if len(rest) == 1:
        return _ok(user.grants.database_level(rest[0]).text if user else "none")
    if len(rest) == 2:
        return _ok(user.grants.collection_level(rest[0], rest[1]).text if user else "none")
    if rest:
        raise _bad_parameter()
    if user is None:
        raise user_not_found()
    full = flag(request, "full")
    server = request.app.state.server
    names: list[str] = server.databases.names()
    if not full:
        levels = {db: user.grants.database_level(db) for db in names}
        return _ok({db: level.text for db, level in levels.items() if level >= Level.RO})

    def collections_of_every_database() -> dict[str, list[str]]:
        return {
            db: [c["name"] for c in server.databases.get(db).connection().collections()]
            for db in names
        }

    collections = await run_in_threadpool(collections_of_every_database)
    grants = user.grants
    result: dict[str, Any] = {}
    for db, names_in_db in collections.items():
        in_db = {c: grants.configured_collection_level(db, c).text for c in names_in_db}
        in_db[WILDCARD] = grants.configured_collection_level(db, WILDCARD).text
        result[db] = {"permission": grants.configured_database_level(db).text, "collections": in_db}
    result[WILDCARD] = {"permission": grants.database_level(WILDCARD).text}
    return _ok(result)


async def _post(
    request: Request, store: UserStore, identity: Identity, parts: list[str]
) -> Response:
    body = await _object_body(request)
    if not parts:
        if not is_admin(store, identity):
            raise _forbidden()
        password, active, extra = _user_fields(body)
        name = body.get("user")
        user = await run_in_threadpool(
            store.create, name, password or "", True if active is None else active, extra
        )
        return _user_result(user.public(), 201)
    if len(parts) == 1:
        # checks a password: only one's own (or an administrator), unlike ArangoDB, which
        # lets any user test any user's password
        if not _may_access(store, identity, parts[0]):
            raise _forbidden()
        password, _, _ = _user_fields(body)
        if not await run_in_threadpool(store.check_password, parts[0], password or ""):
            raise user_not_found()
        return _ok(True)
    raise _bad_parameter()


async def _put_or_patch(
    request: Request, store: UserStore, identity: Identity, parts: list[str]
) -> Response:
    if len(parts) == 1:
        name = parts[0]
        if not _may_access(store, identity, name):
            raise _forbidden()
        password, active, extra = _user_fields(await _object_body(request))
        if request.method == "PUT":
            replaced = (name, password or "", True if active is None else active, extra)
            user = await run_in_threadpool(store.replace, *replaced)
        else:
            user = await run_in_threadpool(store.update, name, password, active, extra)
        return _user_result(user.public())
    if request.method == "PUT" and len(parts) in (3, 4) and parts[1] == "database":
        return await _grant(request, store, identity, parts)
    if request.method == "PUT" and len(parts) == 3 and parts[1] == "config":
        return await _set_config(request, store, identity, parts[0], parts[2])
    raise _bad_parameter()


async def _grant(
    request: Request, store: UserStore, identity: Identity, parts: list[str]
) -> Response:
    name, database = parts[0], parts[2]
    collection = parts[3] if len(parts) == 4 else None
    if not is_admin(store, identity):
        raise _forbidden()
    if collection is not None:
        await _check_exists(request, database, collection)
    body = await json_body(request, None)
    if not isinstance(body, dict) or not isinstance(body.get("grant"), str):
        raise _bad_parameter()
    level = level_of(body["grant"])
    if collection is None:
        await run_in_threadpool(
            store.change_grants, name, lambda g: g.grant_database(database, level)
        )
        return _user_result({database: level.text})
    await run_in_threadpool(
        store.change_grants, name, lambda g: g.grant_collection(database, collection, level)
    )
    return _user_result({f"{database}/{collection}": level.text})


async def _check_exists(request: Request, database: str, collection: str) -> None:
    """1228 / 1203 unless ``database`` and ``collection`` exist (or are wildcards). Names
    starting with ``_`` are taken for ArangoDB's system collections, which this store does
    not hold, so that granting on them gets ArangoDB's answer (400)."""
    if database == WILDCARD:
        return
    databases = request.app.state.server.databases
    if not databases.exists(database):
        raise StoreError("database not found", ERROR_ARANGO_DATABASE_NOT_FOUND)
    if collection == WILDCARD or collection.startswith("_"):
        return
    exists = await run_in_threadpool(
        lambda: databases.get(database).connection().has_collection(collection)
    )
    if not exists:
        raise CollectionNotFoundError(
            "collection or view not found", ERROR_ARANGO_DATA_SOURCE_NOT_FOUND
        )


async def _set_config(
    request: Request, store: UserStore, identity: Identity, name: str, key: str
) -> Response:
    """Store ``{"value": ...}`` under ``key`` of the user's config; any other body removes
    the key (the web interface's settings, as ArangoDB keeps them)."""
    if not _may_access(store, identity, name):
        raise _forbidden()
    body = await json_body(request, None)

    def change(config: dict[str, Any]) -> None:
        if isinstance(body, dict) and "value" in body:
            config[key] = body["value"]
        else:
            config.pop(key, None)

    await run_in_threadpool(store.change_config, name, change)
    return json_response({"error": False, "code": 200})


async def _delete(
    request: Request, store: UserStore, identity: Identity, parts: list[str]
) -> Response:
    if len(parts) == 1:
        if not is_admin(store, identity):
            raise _forbidden()
        await run_in_threadpool(store.remove, parts[0])
        return json_response({"error": False, "code": 202}, 202)
    if len(parts) in (2, 3) and parts[1] == "config":
        name = parts[0]
        if not _may_access(store, identity, name):
            raise _forbidden()
        key = parts[2] if len(parts) == 3 else None
        await run_in_threadpool(
            store.change_config, name, lambda c: c.clear() if key is None else c.pop(key, None)
        )
        return json_response({"error": False, "code": 200})
    if len(parts) in (3, 4) and parts[1] == "database":
        name, database = parts[0], parts[2]
        collection = parts[3] if len(parts) == 4 else None
        if not is_admin(store, identity):
            raise _forbidden()
        if collection is None:
            await run_in_threadpool(
                store.change_grants, name, lambda g: g.revoke_database(database)
            )
        else:
            await _check_exists(request, database, collection)
            await run_in_threadpool(
                store.change_grants, name, lambda g: g.revoke_collection(database, collection)
            )
        return json_response({"error": False, "code": 202}, 202)
    raise _bad_parameter()


ROUTES: list[BaseRoute] = [
    Route("/_api/user", user_paths, methods=["GET", "POST"]),
    Route("/_api/user/{rest:path}", user_paths, methods=["GET", "POST", "PUT", "PATCH", "DELETE"]),
]

__all__ = ["ROUTES", "User", "UserStore", "is_admin"]
