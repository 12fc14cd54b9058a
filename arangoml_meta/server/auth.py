"""Authentication and authorization of every request, as ArangoDB 3.12 answers them.

A request says who it is with ``Authorization: basic <base64 user:password>`` or
``Authorization: bearer <jwt>`` (``tokens.py``; ``POST /_open/auth`` trades a user's
password for a token). Without valid credentials a request gets 401 with errorNum 11,
"not authorized to execute this request" (and the ``www-authenticate`` challenge that
ArangoDB adds to every 401), except on the paths ArangoDB leaves open: ``/_open/*``,
``/_admin/server/availability`` and ``/``. A user without access to the database a path
names gets the same 401 (so names of databases cannot be guessed), but may still read
and change their own record under ``/_api/user/``. A route that needs more than the user
has answers 403 with errorNum 11, "forbidden": :func:`need_of` says what each route needs
(a level on the database, on a collection, or administrator rights, i.e. read-write on
``_system``); an AQL query's collections are checked by :func:`authorize_collections`,
which the cursor and transaction handlers call once they know them.

Checking a password costs argon2's tenth of a second, on a worker thread; a verified
basic header is remembered (as a keyed hash, never in clear) until any user changes.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.types import Message, Scope, Send

from ..backends.database_names import SYSTEM_DATABASE
from ..errors import (
    ERROR_FORBIDDEN,
    ERROR_HTTP_BAD_PARAMETER,
    ERROR_HTTP_UNAUTHORIZED,
    ERROR_NOT_IMPLEMENTED,
)
from .grants import ROOT, WILDCARD, Grants, Identity, Level
from .responses import HTTPError, json_body, json_response
from .tokens import Tokens, check_secret, own_secret
from .users import UserStore

if TYPE_CHECKING:
    from .context import RequestContext
    from .state import Databases, ServerConfig

log = logging.getLogger("arangoml_meta.server")

# what ArangoDB sends with every 401 (unless the request asks X-Omit-WWW-Authenticate)
CHALLENGES = (
    (b"www-authenticate", b'Basic, realm="ArangoDB"'),
    (b"www-authenticate", b'Bearer, token_type="JWT", realm="ArangoDB"'),
)
BASIC_CACHE_SIZE = 1024
READS = frozenset({"GET", "HEAD", "OPTIONS"})


def unauthorized() -> HTTPError:
    return HTTPError(401, ERROR_FORBIDDEN, "not authorized to execute this request")


def forbidden() -> HTTPError:
    return HTTPError(403, ERROR_FORBIDDEN, "forbidden")


# --- what a route needs ----------------------------------------------------------------


@dataclass(frozen=True)
class Need:
    """What a request needs: nothing (``open``); authentication only, the handler
    deciding (``own``: the users API); else a level on its database, administrator
    rights, and a level on one collection."""

    open: bool = False
    own: bool = False
    database: Level = Level.RO
    admin: bool = False
    collection: str | None = None
    collection_level: Level = Level.NONE


OPEN = Need(open=True)
READ = Need()
ADMINISTRATE = Need(database=Level.RW)


def _on(collection: str | None, level: Level, database: Level = Level.RO) -> Need:
    if not collection:
        return Need(database=database)
    return Need(database=database, collection=collection, collection_level=level)


def need_of(method: str, parts: list[str], query: Mapping[str, str]) -> Need:
    """What ``method`` on the path ``parts`` (relative to the database) needs."""
    read = method in READS
    if not parts or parts[0] == "_open" or method == "OPTIONS":  # CORS preflight: open
        return OPEN
    if parts[0] == "_admin":
        if parts[1:] == ["server", "availability"] or parts[1:2] == ["aardvark"]:
            return OPEN
        return READ if read else Need(admin=True)
    if parts[0] != "_api" or len(parts) < 2:
        return READ if read else ADMINISTRATE
    api, rest = parts[1], parts[2:]
    target = rest[0] if rest else query.get("collection")
    if api == "user":
        return Need(own=True) if rest else READ
    if api == "document":
        only_get = method == "PUT" and query.get("onlyget", "").lower() in ("true", "yes", "1")
        return _on(target, Level.RO if read or only_get else Level.RW)
    if api == "edges":
        return _on(target, Level.RO)
    if api == "import":
        return _on(query.get("collection"), Level.RW)
    if api == "collection":
        return _collection_need(method, rest)
    if api == "index":
        if read:
            return _on(target, Level.RO)
        return _on(target, Level.RW, Level.RW)
    if api == "gharial":
        return _graph_need(method, rest)
    if api == "database":
        if read:
            return READ
        return Need(admin=True)
    if api in ("cursor", "transaction", "explain", "query", "version", "engine", "job"):
        return READ  # the handler checks the collections a query or transaction uses
    return READ if read else ADMINISTRATE


def _collection_need(method: str, rest: list[str]) -> Need:
    if not rest:
        return READ if method in READS else ADMINISTRATE
    name = rest[0]
    if method in READS:
        return _on(name, Level.RO)
    if method == "DELETE" or (len(rest) > 1 and rest[1] in ("properties", "rename")):
        return _on(name, Level.RW, Level.RW)
    if len(rest) > 1 and rest[1] == "truncate":
        return _on(name, Level.RW)
    return _on(name, Level.RO)  # load, unload, recalculateCount, compact: nothing changes


def _graph_need(method: str, rest: list[str]) -> Need:
    """``/_api/gharial``: a graph's definition needs read-write on the database; its
    vertices and edges (``/{graph}/{vertex|edge}/{collection}[/{key}]``) their collection."""
    if method in READS:
        return _on(rest[2], Level.RO) if len(rest) >= 3 else READ
    if len(rest) == 4 or (len(rest) == 3 and method == "POST"):
        return _on(rest[2], Level.RW)
    return ADMINISTRATE


# --- the authenticator -----------------------------------------------------------------


def _path_parts(scope: Scope) -> tuple[str, list[str]]:
    """The database a path names (``_system`` without ``/_db/NAME``) and its other parts."""
    parts = [p for p in str(scope["path"]).split("/") if p]
    if parts[:1] == ["_db"] and len(parts) >= 2:
        return parts[1], parts[2:]
    return SYSTEM_DATABASE, parts


class Authenticator:
    """Who sends each request, and whether they may (see the module docstring). With
    ``config.auth`` false (``--no-auth``) every request is root, as before; the users and
    their API work all the same."""

    def __init__(self, config: ServerConfig, databases: Databases) -> None:
        self.enforce = config.auth
        self.databases = databases
        system_file = databases.system_file
        self.users = UserStore(system_file, config.lock_timeout)
        if self.users.ensure_root(config.root_password):
            log.info(
                "created user root (%s password)", "with a" if config.root_password else "empty"
            )
        self.tokens = self._tokens(config, system_file)
        self._cache_key = secrets.token_bytes(32)
        self._basic: dict[bytes, tuple[str, str]] = {}

    @staticmethod
    def _tokens(config: ServerConfig, system_file: Path) -> Tokens:
        timeout = config.session_timeout
        if config.jwt_secret is not None:
            secret = check_secret(config.jwt_secret, "--jwt-secret")
            return Tokens(secret, accept_superuser=True, session_timeout=timeout)
        return Tokens(own_secret(system_file), accept_superuser=False, session_timeout=timeout)

    def close(self) -> None:
        self.users.close()

    # --- who -------------------------------------------------------------------------

    async def identify(self, header: str | None) -> tuple[Identity, tuple[str, ...] | None] | None:
        """Who the ``Authorization`` header speaks for, and the paths its token is limited
        to; None for no header, an unknown method, or credentials that do not hold."""
        if not header:
            return None
        method, _, credentials = header.partition(" ")
        credentials = credentials.strip(" ")
        method = method.lower()
        if method == "basic":
            user = await self._basic_user(credentials)
            return (Identity(user), None) if user is not None else None
        if method == "bearer":
            found = self.tokens.verify(credentials)
            if found is None:
                return None
            identity, paths = found
            if not identity.is_superuser and not self._active(identity.user):
                return None
            return identity, paths
        return None

    def _active(self, name: str) -> bool:
        user = self.users.get(name)
        return user is not None and user.active

    async def _basic_user(self, credentials: str) -> str | None:
        # a verified header is remembered (keyed by its HMAC, never in clear) with the
        # password hash it was checked against: it holds while that user is active with
        # that password, whatever else changes (grants change at every new collection)
        key = hmac.new(self._cache_key, credentials.encode("utf-8"), hashlib.sha256).digest()
        remembered = self._basic.get(key)
        if remembered is not None:
            user = self.users.get(remembered[0])
            if user is not None and user.active and user.password_hash == remembered[1]:
                return user.name
        try:
            text = base64.b64decode(credentials, validate=True).decode("utf-8")
        except (binascii.Error, ValueError):
            return None
        name, colon, password = text.partition(":")
        if not colon or not name:
            return None
        if not await run_in_threadpool(self.users.check_password, name, password):
            return None
        checked = self.users.get(name)
        if checked is None:  # removed meanwhile
            return None
        if len(self._basic) >= BASIC_CACHE_SIZE:
            self._basic.clear()
        self._basic[key] = (name, checked.password_hash)
        return name

    # --- may they --------------------------------------------------------------------

    def grants_of(self, identity: Identity) -> Grants | None:
        """The identity's grants (None for the superuser); none at all for a user that is
        gone or inactive."""
        if identity.is_superuser:
            return None
        user = self.users.get(identity.user)
        if user is None or not user.active:
            return Grants(identity.user)
        return user.grants

    async def authenticate(self, request: Request) -> None:
        """Set ``request.state.user`` / ``.identity``, or raise 401 / 403 (see the module
        docstring). A database that does not exist is left to the caller (1228), unless
        the user may not know of it."""
        found = await self.identify(request.headers.get("authorization"))
        identity, paths = found if found is not None else (None, None)
        if not self.enforce:
            identity = Identity(identity.user if identity else ROOT, is_superuser=True)
        request.state.identity = identity
        request.state.user = identity.user if identity is not None else None
        if not self.enforce:
            return
        database, parts = _path_parts(request.scope)
        if paths is not None and "/" + "/".join(parts) not in paths:
            raise unauthorized()
        if not self.databases.exists(database):
            if identity is None or self._database_level(identity, database) == Level.NONE:
                raise unauthorized()
            return
        need = need_of(request.method, parts, request.query_params)
        if need.open:
            return
        if identity is None:
            raise unauthorized()
        grants = self.grants_of(identity)
        if grants is None or need.own:
            return
        if grants.database_level(database) == Level.NONE:
            raise unauthorized()
        if need.admin and grants.database_level(SYSTEM_DATABASE) != Level.RW:
            raise forbidden()
        if grants.database_level(database) < need.database:
            raise forbidden()
        if (
            need.collection
            and grants.collection_level(database, need.collection) < need.collection_level
        ):
            raise forbidden()

    def _database_level(self, identity: Identity, database: str) -> Level:
        grants = self.grants_of(identity)
        return Level.RW if grants is None else grants.database_level(database)

    def check_collections(
        self, user: str | None, database: str, read: Iterable[str], write: Iterable[str]
    ) -> None:
        """403 unless ``user`` may read every collection of ``read`` and write every one
        of ``write`` in ``database`` (user "" is the superuser)."""
        if not self.enforce or user == "":
            return
        grants = self.grants_of(Identity(user)) if user else Grants("")
        assert grants is not None
        writes = set(write)
        for name in writes:
            if grants.collection_level(database, name) < Level.RW:
                raise forbidden()
        for name in set(read) - writes:
            if grants.collection_level(database, name) < Level.RO:
                raise forbidden()


# --- what other areas call ------------------------------------------------------------


def _authenticator(context: RequestContext) -> Authenticator | None:
    auth = context.server.auth
    return auth if isinstance(auth, Authenticator) else None


def authorize_collections(
    context: RequestContext, read: Iterable[str], write: Iterable[str]
) -> None:
    """403 / 11 unless the request's user may read ``read`` and write ``write`` (collection
    names of the request's database): what an AQL query or a stream transaction uses.
    In memory only: call it anywhere, before the work starts."""
    auth = _authenticator(context)
    if auth is not None:
        auth.check_collections(context.user, context.database.name, read, write)


def may_read_collection(context: RequestContext, name: str) -> bool:
    """Whether the request's user may read collection ``name`` (a listing leaves out the
    others, as ArangoDB's does)."""
    try:
        authorize_collections(context, [name], [])
    except HTTPError:
        return False
    return True


def _creator(context: RequestContext) -> tuple[Authenticator, str] | None:
    auth = _authenticator(context)
    if auth is None or not auth.enforce or not context.user or auth.users.get(context.user) is None:
        return None
    return auth, context.user


def collection_created(context: RequestContext, name: str) -> None:
    """Give the user who created collection ``name`` read-write on it, as ArangoDB does
    (not for the superuser, nor for a system collection). Writes the users table: call
    it off the event loop, after the collection exists, outside a stream transaction."""
    creator = _creator(context)
    if creator is None or name.startswith("_"):
        return
    auth, user = creator
    database = context.database.name
    auth.users.change_grants(user, lambda g: g.grant_collection(database, name, Level.RW))


def database_created(context: RequestContext, name: str, users: list[DatabaseUser]) -> None:
    """After database ``name`` was made: its creator and each of ``users`` (made when new)
    get read-write on it and its collections (ArangoDB's ``POST /_api/database``).
    Writes the users table: call it off the event loop."""
    auth = _authenticator(context)
    if auth is None:
        return
    store = auth.users

    def administrate(grants: Grants) -> None:
        grants.grant_database(name, Level.RW)
        grants.grant_collection(name, WILDCARD, Level.RW)

    for entry in users:
        if store.get(entry.username) is None:
            store.create(entry.username, entry.password, entry.active, entry.extra)
        store.change_grants(entry.username, administrate)
    creator = _creator(context)
    if creator is not None:
        store.change_grants(creator[1], administrate)


def database_dropped(context: RequestContext, name: str) -> None:
    """Forget every user's grants on the dropped database ``name`` (off the event loop)."""
    auth = _authenticator(context)
    if auth is not None:
        auth.users.change_every_grants(lambda g: g.forget_database(name))


def collection_dropped(context: RequestContext, name: str) -> None:
    """Forget every user's grant on the dropped collection ``name`` (off the event loop)."""
    auth = _authenticator(context)
    if auth is not None:
        database = context.database.name
        auth.users.change_every_grants(lambda g: g.forget_collection(database, name))


@dataclass(frozen=True)
class DatabaseUser:
    """One entry of ``users`` in ``POST /_api/database``."""

    username: str
    password: str = ""
    active: bool = True
    extra: dict[str, Any] | None = None


def database_users(given: Any) -> list[DatabaseUser]:
    """The ``users`` of a database creation body, checked (400 / 10 naming what is wrong)."""
    if given is None:
        return []
    if not isinstance(given, list):
        raise HTTPError(400, ERROR_HTTP_BAD_PARAMETER, "users must be an array")
    checked = []
    for entry in given:
        if not isinstance(entry, dict):
            raise HTTPError(400, ERROR_HTTP_BAD_PARAMETER, "each of users must be an object")
        name, password = entry.get("username", entry.get("user")), entry.get("passwd", "")
        active, extra = entry.get("active", True), entry.get("extra")
        if not isinstance(name, str) or not name:
            raise HTTPError(400, ERROR_HTTP_BAD_PARAMETER, "a user needs a username")
        if not isinstance(password, str) or not isinstance(active, bool):
            raise HTTPError(
                400, ERROR_HTTP_BAD_PARAMETER, "passwd must be a string, active a boolean"
            )
        if extra is not None and not isinstance(extra, dict):
            raise HTTPError(400, ERROR_HTTP_BAD_PARAMETER, "extra must be an object")
        checked.append(DatabaseUser(name, password, active, extra))
    return checked


def challenging(scope: Scope, send: Send) -> Send:
    """``send`` that adds ArangoDB's ``www-authenticate`` challenge to a 401 response,
    unless the request has an ``x-omit-www-authenticate`` header."""
    if any(name == b"x-omit-www-authenticate" for name, _ in scope.get("headers", [])):
        return send

    async def send_challenging(message: Message) -> None:
        if message["type"] == "http.response.start" and message["status"] == 401:
            message = {**message, "headers": [*message.get("headers", []), *CHALLENGES]}
        await send(message)

    return send_challenging


# --- POST /_open/auth ------------------------------------------------------------------


async def open_auth(request: Request) -> Response:
    """A JWT for ``{"username", "password"}``: 401 / 401 "Wrong credentials" when they do
    not hold (the password never appears in an answer or a log)."""
    auth = request.app.state.server.auth
    if not isinstance(auth, Authenticator):
        raise HTTPError(501, ERROR_NOT_IMPLEMENTED, "this server keeps no users")
    body = await json_body(request, None)
    name = body.get("username") if isinstance(body, dict) else None
    password = body.get("password") if isinstance(body, dict) else None
    if not isinstance(name, str) or not isinstance(password, str):
        raise HTTPError(400, ERROR_HTTP_BAD_PARAMETER, "invalid JSON")
    if not await run_in_threadpool(auth.users.check_password, name, password):
        raise HTTPError(401, ERROR_HTTP_UNAUTHORIZED, "Wrong credentials")
    return json_response({"jwt": auth.tokens.issue(name)})


ROUTES: list[BaseRoute] = [Route("/_open/auth", open_auth, methods=["POST"])]

__all__ = [
    "ROUTES",
    "Authenticator",
    "DatabaseUser",
    "authorize_collections",
    "challenging",
    "collection_created",
    "collection_dropped",
    "database_created",
    "database_dropped",
    "database_users",
    "may_read_collection",
    "need_of",
]
