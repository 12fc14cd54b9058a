"""The ArangoDB backend: the backend protocol over python-arango (ArangoDB 3.12, server or cluster).

It owns the connection (``arango_url.py``: credentials never kept in
``location``, reprs, logs or messages; ``arango_http.py``: fail fast, never send
a write twice), its sessions (``arango_session.py``: documents and queries),
creating the database and the collections idempotently (two
processes may initialise one store at once; ``schema_snapshot()`` reads the
schema once while a store is set up, ``arango_catalog.py``), stream
transactions, and the translation of every python-arango and server error into
:mod:`arangoml_meta.errors` by ArangoDB error number (``arango_errors.py``).

Inside ``with backend.transaction(...)`` the backend's own document and query
methods run in that stream transaction too (in the same thread or task), as
they do on the embedded backend; a nested ``transaction()`` joins the open one,
since ArangoDB cannot nest stream transactions. As on the embedded backend a
transaction is all or nothing: once a write inside it failed (even one the
caller caught), its end aborts it and raises 1650. Schema operations
(collections, indexes, graphs) are never transactional on ArangoDB.

Limits of stream transactions: ArangoDB aborts one that gets no request for 60 s
(``--transaction.streaming-idle-timeout``; later requests get 1655). The store
never keeps one open while user code runs: a step collects its writes and sends
them in one short transaction at its end (``steps.py``), one array insert per
collection. Every request may take ``timeout`` seconds (``ARANGOML_META_TIMEOUT``,
60 by default); every AQL query gets a ``maxRuntime`` below it, so that the
server stops a query the client has given up on.
"""

from __future__ import annotations

import contextvars
import functools
import logging
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any
from urllib.parse import quote

from arango import ArangoClient
from arango.database import StandardDatabase, TransactionDatabase
from arango.exceptions import ArangoServerError
from arango.http import HTTPClient
from arango.request import Request

from ..cursor import Cursor
from ..errors import (
    ERROR_ARANGO_DATA_SOURCE_NOT_FOUND,
    ERROR_ARANGO_DATABASE_NOT_FOUND,
    ERROR_ARANGO_DUPLICATE_NAME,
    ERROR_FORBIDDEN,
    ERROR_GRAPH_COLLECTION_MULTI_USE,
    ERROR_GRAPH_DUPLICATE,
    ERROR_TRANSACTION_INTERNAL,
    ERROR_TRANSACTION_UNREGISTERED_COLLECTION,
    ArangoMLMetaError,
    BadParameterError,
    StoreError,
    TransactionError,
    error_for,
)
from ..query_limits import QueryLimits
from .arango_catalog import SchemaSnapshot, find_index, persistent_indexes, schema_of
from .arango_errors import (
    arango_errors,
    quietly,
    serialize,
    translate_error,
)
from .arango_http import CONNECT_TIMEOUT, ArangoHTTPClient
from .arango_session import INSERT_BATCH, QUERY_BATCH, ArangoSession, server_max_runtime
from .arango_url import DEFAULT_TIMEOUT, parse_server_url, public_url, request_timeout
from .base import (
    Document,
    QueryRows,
    collection_kind_error,
    schema_property,
)

log = logging.getLogger(__name__)

__all__ = [
    "CONNECT_TIMEOUT",
    "DEFAULT_DATABASE",
    "INSERT_BATCH",
    "QUERY_BATCH",
    "READ_TIMEOUT",
    "ArangoBackend",
    "ArangoSession",
    "public_url",
    "schema_property",
    "server_max_runtime",
    "split_credentials",
    "translate_error",
]

DEFAULT_DATABASE = "arangoml_meta"
DEFAULT_USERNAME = "root"
READ_TIMEOUT = DEFAULT_TIMEOUT
# the names of what moved to modules of their own, as older code and tests know them
_HTTPClient = ArangoHTTPClient
_serialize = serialize

_FAILED_WRITE = "a write inside this all-or-nothing transaction failed: nothing was written"


def split_credentials(url: str) -> tuple[str, str | None, str | None]:
    """``url`` without credentials (each host's), and the user and password it carried
    (see ``arango_url.py``)."""
    parsed = parse_server_url(url)
    return parsed.public, parsed.username, parsed.password


def _names(collections: str | Sequence[str]) -> list[str]:
    """Collection names, accepting one name where a list is expected."""
    return [collections] if isinstance(collections, str) else list(collections)


def _accepts_credentials(system: StandardDatabase, username: str) -> bool:
    """Whether the server accepts the credentials of ``system`` (a ``_system`` database
    handle): any user it authenticates may read their own record, whatever their access."""
    request = Request(method="get", endpoint=f"/_api/user/{quote(username, safe='')}")
    response = system.request(request)
    return response.status_code != 401  # type: ignore[union-attr]


# ---------------------------------------------------------------------- backend


class ArangoBackend:
    """A :class:`~.base.Backend` over one ArangoDB database, through python-arango.

    ``url`` may list several coordinators (``http://a:8529,http://b:8529``) and may
    carry ``user:password@``; explicit ``username`` / ``password`` win over the URL,
    which wins over ``root`` and an empty password. The database is created when
    missing and the user may create it.
    """

    name = "arangodb"
    declares_write_collections = True

    def __init__(
        self,
        url: str,
        database: str = DEFAULT_DATABASE,
        username: str | None = None,
        password: str | None = None,
        create: bool = True,
        *,
        timeout: float | None = None,
        http_client: HTTPClient | None = None,
    ) -> None:
        """``create``: create the database when it is missing (else 1228); ``timeout``:
        seconds a request may take (else ``ARANGOML_META_TIMEOUT``, else 60);
        ``http_client``: python-arango's HTTP client (else one that fails fast and never
        sends a write twice, ``arango_http.py``)."""
        parsed = parse_server_url(url)
        self.location = parsed.public
        self.database = database
        self.timeout = request_timeout(os.environ, timeout)
        self._create = create
        self.tracer: Callable[[str, dict[str, Any]], None] | None = None
        self._active: contextvars.ContextVar[ArangoSession | None] = contextvars.ContextVar(
            f"arangoml_meta_transaction_{id(self)}", default=None
        )
        self._snapshot: contextvars.ContextVar[SchemaSnapshot | None] = contextvars.ContextVar(
            f"arangoml_meta_schema_snapshot_{id(self)}", default=None
        )
        username = username or parsed.username or DEFAULT_USERNAME
        self.username = username  # who the server knows this client as (the audit log's user)
        password = password if password is not None else (parsed.password or "")
        if http_client is None:
            http_client = ArangoHTTPClient(read_timeout=self.timeout)
        self._client = ArangoClient(
            hosts=self.location, http_client=http_client, serializer=serialize
        )
        try:
            self._db = self._open_database(username, password)
        except BaseException:
            self._client.close()
            raise
        self._plain = ArangoSession(self._db, self)
        log.debug("ArangoDB backend: database %s at %s", database, self.location)

    def __repr__(self) -> str:
        return f"ArangoBackend({self.location!r}, database={self.database!r})"

    def _errors(self) -> AbstractContextManager[None]:
        return arango_errors(self.location, self.timeout)

    def _open_database(self, username: str, password: str) -> StandardDatabase:
        """The store's database; created when it is missing and this user may create databases.

        ArangoDB answers a request for a missing database with 404 (1228) only when the
        user could use a database of that name (root, or a ``*`` grant); anyone else gets
        401 whether the database exists or not, so that names cannot be guessed. A 401
        for credentials the server accepts thus means "missing, or not this user's":
        trying to create the database tells which.
        """
        db = self._client.db(self.database, username=username, password=password)
        with self._errors():
            try:
                db.properties()
                return db
            except ArangoServerError as exc:
                system = self._client.db("_system", username=username, password=password)
                if exc.error_code == ERROR_ARANGO_DATABASE_NOT_FOUND and not self._create:
                    raise StoreError(
                        f"no database '{self.database}' at {self.location}: create the store "
                        "with 'arangoml-meta store init' (or a command that writes)",
                        ERROR_ARANGO_DATABASE_NOT_FOUND,
                    ) from None
                if exc.error_code == ERROR_ARANGO_DATABASE_NOT_FOUND:
                    hidden = False
                elif exc.http_code == 401 and _accepts_credentials(system, username):
                    hidden = True
                else:
                    raise
            try:
                system.create_database(self.database)
            except ArangoServerError as exc:
                if exc.error_code == ERROR_ARANGO_DUPLICATE_NAME:
                    if hidden:
                        self._check_access(db)
                    return db  # another process created it a moment ago
                if exc.http_code in (401, 403) or exc.error_code == ERROR_FORBIDDEN:
                    maybe = ", or this user may not use it," if hidden else ""
                    raise error_for(
                        ERROR_FORBIDDEN if hidden else ERROR_ARANGO_DATABASE_NOT_FOUND,
                        f"database '{self.database}' does not exist at {self.location}{maybe} "
                        "and this user may not create it: ask an administrator to create it and "
                        "grant access, or set ARANGOML_META_DATABASE to a database that exists",
                    ) from None
                raise
            log.info("ArangoDB: created database %s at %s", self.database, self.location)
        return db

    def _check_access(self, db: StandardDatabase) -> None:
        """After 401 and then 1207 (the database exists): usable now if another process of
        this user created it a moment ago (ArangoDB grants the creator access), else not ours."""
        try:
            db.properties()
        except ArangoServerError as exc:
            if exc.http_code != 401:
                raise
            raise ArangoMLMetaError(
                f"database '{self.database}' exists at {self.location} but this user may not "
                "use it: ask an administrator to grant access, or set ARANGOML_META_DATABASE "
                "to another database",
                ERROR_FORBIDDEN,
            ) from None

    @functools.cached_property
    def sharded(self) -> bool:
        """True on a cluster: its coordinators answer the role COORDINATOR."""
        with self._errors():
            return self._db.role() == "COORDINATOR"

    def _session(self) -> ArangoSession:
        """The open transaction of this thread or task, else the plain database."""
        return self._active.get() or self._plain

    # ------------------------------------------------------------------ collections

    @property
    def transaction_open(self) -> bool:
        """Whether a transaction of this backend is open in this thread or task."""
        return self._active.get() is not None

    @contextmanager
    def schema_snapshot(self) -> Iterator[None]:
        """Inside the block, collections, their schemas and indexes are read from the
        server at most once (see ``arango_catalog.py``); a nested block joins the open one."""
        if self._snapshot.get() is not None:
            yield
            return
        token = self._snapshot.set(SchemaSnapshot())
        try:
            yield
        finally:
            self._snapshot.reset(token)

    def _is_edge(self, name: str) -> bool | None:
        """Whether collection ``name`` is an edge collection; None when it does not exist."""
        snapshot = self._snapshot.get()
        if snapshot is not None:
            if snapshot.collections is None:
                with self._errors():
                    listed = self._db.collections()
                snapshot.collections = {
                    c["name"]: c["type"] == "edge"
                    for c in listed  # type: ignore[union-attr]
                }
            return snapshot.collections.get(name)
        return self._read_is_edge(name)

    def _read_is_edge(self, name: str) -> bool | None:
        with self._errors():
            try:
                properties = self._db.collection(name).properties()
            except ArangoServerError as exc:
                if exc.error_code == ERROR_ARANGO_DATA_SOURCE_NOT_FOUND:
                    return None
                raise
        snapshot = self._snapshot.get()
        if snapshot is not None:
            snapshot.schemas[name] = schema_of(properties)  # type: ignore[arg-type]
            if snapshot.collections is not None:
                snapshot.collections[name] = bool(properties["edge"])  # type: ignore[index]
        return bool(properties["edge"])  # type: ignore[index]

    def has_collection(self, name: str) -> bool:
        return self._is_edge(name) is not None

    def create_collection(
        self, name: str, edge: bool = False, schema: Document | None = None
    ) -> None:
        """Create the collection with its schema in one request (a schema the server
        refuses, 1621, creates nothing); an existing one gets the schema set."""
        # Look before creating, so that a user who may only read can open an initialised store.
        is_edge = self._is_edge(name)
        wanted = None if schema is None else schema_property(name, schema)
        if is_edge is None:
            with self._errors():
                try:
                    self._db.create_collection(name, edge=edge, schema=wanted)
                    snapshot = self._snapshot.get()
                    if snapshot is not None:
                        snapshot.created(name, edge, wanted)
                    return
                except ArangoServerError as exc:
                    if exc.error_code != ERROR_ARANGO_DUPLICATE_NAME:
                        raise
            is_edge = self._read_is_edge(name)  # created by another process a moment ago
        if is_edge is not None and is_edge != edge:
            raise collection_kind_error(name, is_edge)
        if schema is not None:
            self.set_schema(name, schema)

    def set_schema(self, name: str, schema: Document | None) -> None:
        """Install ArangoDB's own validation (``schema`` is a JSON Schema or a whole
        ``{rule, level, message}`` property); None removes it."""
        wanted = None if schema is None else schema_property(name, schema)
        snapshot = self._snapshot.get()
        with self._errors():
            if snapshot is not None and name in snapshot.schemas:
                current = snapshot.schemas[name]
            else:
                current = schema_of(self._db.collection(name).properties())  # type: ignore[arg-type]
            if current == wanted:
                return
            if wanted is not None:
                self._db.collection(name).configure(schema=wanted)
            else:
                # python-arango refuses an empty schema; ArangoDB removes it on null.
                request = Request(
                    method="put",
                    endpoint=f"/_api/collection/{name}/properties",
                    data={"schema": None},
                )
                response = self._db.request(request)
                if not response.is_success:  # type: ignore[union-attr]
                    raise ArangoServerError(response, request)  # type: ignore[arg-type]
        if snapshot is not None:
            snapshot.schemas[name] = wanted

    def _indexes(self, collection: str) -> list[Document]:
        """The persistent indexes of ``collection`` (listed once inside a snapshot)."""
        snapshot = self._snapshot.get()
        if snapshot is not None and collection in snapshot.indexes:
            return snapshot.indexes[collection]
        with self._errors():
            listed = persistent_indexes(self._db.collection(collection).indexes())  # type: ignore[arg-type]
        if snapshot is not None:
            snapshot.indexes[collection] = listed
        return listed

    def ensure_index(
        self, collection: str, fields: list[str], unique: bool = False, sparse: bool = False
    ) -> None:
        indexes = self._indexes(collection)
        if find_index(indexes, fields, unique, sparse) is not None:
            return
        definition = {
            "type": "persistent",
            "fields": list(fields),
            "unique": unique,
            "sparse": sparse,
        }
        with self._errors():
            created = self._db.collection(collection).add_index(definition)
        indexes.append(dict(created))  # type: ignore[arg-type]

    def drop_index(
        self, collection: str, fields: list[str], unique: bool = False, sparse: bool = False
    ) -> None:
        indexes = self._indexes(collection)
        index = find_index(indexes, fields, unique, sparse)
        if index is None:
            return
        with self._errors():
            self._db.collection(collection).delete_index(str(index["id"]).rpartition("/")[2])
        indexes.remove(index)

    def count(self, collection: str) -> int:
        return self._session().count(collection)

    # ------------------------------------------------------------------ graphs

    def has_graph(self, name: str) -> bool:
        with self._errors():
            return bool(self._db.has_graph(name))

    def graph_definitions(self, name: str) -> list[Document]:
        with self._errors():
            definitions = self._db.graph(name).edge_definitions()
        return [
            {
                "collection": d["edge_collection"],
                "from": list(d["from_vertex_collections"]),
                "to": list(d["to_vertex_collections"]),
            }
            for d in definitions  # type: ignore[union-attr]
        ]

    def save_graph(self, name: str, edge_definitions: list[Document]) -> None:
        wanted = [_edge_definition(d) for d in edge_definitions]
        with self._errors():
            if not self._db.has_graph(name):
                try:
                    self._db.create_graph(
                        name, edge_definitions=[_driver_definition(d) for d in wanted]
                    )
                    return
                except ArangoServerError as exc:
                    if exc.error_code != ERROR_GRAPH_DUPLICATE:
                        raise  # else another process created it a moment ago: bring it up to date
            graph = self._db.graph(name)
            current = {d["collection"]: _edge_definition(d) for d in self.graph_definitions(name)}
            for definition in wanted:
                existing = current.pop(definition["collection"], None)
                if existing == definition:
                    continue
                args = _driver_definition(definition)
                if existing is None:
                    try:
                        graph.create_edge_definition(**args)
                        continue
                    except ArangoServerError as exc:
                        if exc.error_code != ERROR_GRAPH_COLLECTION_MULTI_USE:
                            raise
                graph.replace_edge_definition(**args)
            for collection in current:
                graph.delete_edge_definition(collection, purge=False)

    # ------------------------------------------------------------------ documents (Session)

    def insert(self, collection: str, doc: Document) -> Document:
        return self._session().insert(collection, doc)

    def insert_many(self, collection: str, docs: Sequence[Document]) -> list[Document]:
        return self._session().insert_many(collection, docs)

    def get(self, collection: str, key: str) -> Document | None:
        return self._session().get(collection, key)

    def update(self, collection: str, key: str, patch: Document) -> Document:
        return self._session().update(collection, key, patch)

    def get_many(self, collection: str, keys: Sequence[str]) -> list[Document | None]:
        return self._session().get_many(collection, keys)

    def replace(self, collection: str, key: str, doc: Document) -> Document:
        return self._session().replace(collection, key, doc)

    def delete(self, collection: str, key: str) -> None:
        self._session().delete(collection, key)

    def delete_many(self, collection: str, keys: Sequence[str]) -> None:
        self._session().delete_many(collection, keys)

    def query(
        self, aql: str, bind_vars: dict[str, Any] | None = None, limits: QueryLimits | None = None
    ) -> QueryRows:
        return self._session().query(aql, bind_vars, limits)

    def cursor(
        self, aql: str, bind_vars: dict[str, Any] | None = None, limits: QueryLimits | None = None
    ) -> Cursor:
        return self._session().cursor(aql, bind_vars, limits)

    # ------------------------------------------------------------------ transactions

    @contextmanager
    def transaction(
        self, write: Sequence[str], read: Sequence[str] = (), exclusive: Sequence[str] = ()
    ) -> Iterator[ArangoSession]:
        """A stream transaction; committed when the block ends, aborted when it raises.
        ``exclusive``: collections written under an exclusive lock (one such transaction
        at a time: the audit log's appends)."""
        write_names, read_names = _names(write), _names(read)
        exclusive_names = [n for n in _names(exclusive) if n not in write_names]
        outer = self._active.get()
        if outer is not None:
            yield self._join(outer, [*write_names, *exclusive_names])
            return
        reads = [n for n in read_names if n not in write_names]
        locks: dict[str, Any] = {"exclusive": exclusive_names} if exclusive_names else {}
        with self._errors():
            trx = self._db.begin_transaction(write=write_names, read=reads, **locks)
        session = ArangoSession(trx, self, frozenset([*write_names, *exclusive_names]))
        token = self._active.set(session)
        try:
            yield session
        except BaseException as exc:
            self._active.reset(token)
            with quietly("aborting a stream transaction"):
                trx.abort_transaction()
            if isinstance(exc, ArangoMLMetaError) and exc.details.get("outcome_unknown"):
                # known after all: a stream transaction is never committed unless asked to
                raise ArangoMLMetaError(
                    f"the connection to ArangoDB at {self.location} failed inside a stream "
                    "transaction, which was not committed: nothing of it was written (it "
                    "expires on the server if the abort did not arrive); try again",
                    exc.error_num,
                ) from exc
            raise
        self._active.reset(token)
        if session.failed is not None:  # a write failed and the caller went on: all or nothing
            with quietly("aborting a stream transaction in which a write failed"):
                trx.abort_transaction()
            raise TransactionError(
                f"{_FAILED_WRITE} (the first failure: {session.failed})",
                ERROR_TRANSACTION_INTERNAL,
            )
        self._commit(trx)

    def _join(self, outer: ArangoSession, write: list[str]) -> ArangoSession:
        declared = outer.write_collections or frozenset()
        missing = sorted(set(write) - declared)
        if missing:
            raise TransactionError(
                f"a transaction is already open for {sorted(declared)}; ArangoDB cannot "
                f"nest transactions, so the inner one cannot add {missing}: declare them in the "
                "outer transaction",
                ERROR_TRANSACTION_UNREGISTERED_COLLECTION,
            )
        return outer

    def _commit(self, trx: TransactionDatabase) -> None:
        try:
            with self._errors():
                trx.commit_transaction()
        except ArangoMLMetaError:
            with quietly("aborting a stream transaction that failed to commit"):
                trx.abort_transaction()
            raise

    def api(
        self,
        method: str,
        endpoint: str,
        params: dict[str, Any] | None = None,
        data: Any = None,
    ) -> Any:
        """The JSON body of a request to the database's HTTP API (``/_api/...``; ``data``: a
        JSON body), a server error as the project's exception: what the protocol does not
        cover (a dump's catalog, its geo indexes)."""
        request = Request(method=method, endpoint=endpoint, params=params, data=data)
        with self._errors():
            response = self._db.request(request)
            if not response.is_success:  # type: ignore[union-attr]
                raise ArangoServerError(response, request)  # type: ignore[arg-type]
        return response.body  # type: ignore[union-attr]

    # ------------------------------------------------------------------ users and grants

    def users(self) -> list[Document]:
        """The server's users (``user``, ``active``); an administrator's question (403 else)."""
        with self._errors():
            users: list[Document] = self._db.users()  # type: ignore[assignment]
        return [{"user": user["username"], "active": user["active"]} for user in users]

    def user_grants(self, username: str) -> Document:
        """What ``username`` is granted, as configured (``undefined`` where nothing is), by
        database: ``{db: {"permission": level, "collections": {name: level}}}``."""
        with self._errors():
            grants: Document = self._db.permissions(_path_part(username))  # type: ignore[assignment]
        return grants

    def grant(
        self, username: str, level: str, database: str, collection: str | None = None
    ) -> None:
        """Set ``username``'s level (``rw``, ``ro``, ``none``) on a database (``*``: every
        one) or one of its collections (``*``: every one)."""
        with self._errors():
            self._db.update_permission(
                _path_part(username), level, _path_part(database), _optional_part(collection)
            )

    def revoke(self, username: str, database: str, collection: str | None = None) -> None:
        """Remove ``username``'s grant on a database or collection (the level then follows
        from the wider grants: the database's, the wildcard's)."""
        with self._errors():
            self._db.reset_permission(
                _path_part(username), _path_part(database), _optional_part(collection)
            )

    def close(self) -> None:
        self._client.close()


# ---------------------------------------------------------------------- request paths


def _path_part(name: str) -> str:
    """A user, database or collection name as one part of a request path: python-arango
    puts names into paths as they are, and a user name may hold any character (``/`` too)."""
    return quote(name, safe="")


def _optional_part(name: str | None) -> str | None:
    return None if name is None else _path_part(name)


# ---------------------------------------------------------------------- schema and graph forms


def _edge_definition(definition: Any) -> Document:
    """An edge definition in the protocol's form, with sorted vertex collections (as ArangoDB keeps them)."""
    if not isinstance(definition, dict) or not isinstance(definition.get("collection"), str):
        raise BadParameterError(f"an edge definition needs a 'collection' name, got {definition!r}")
    return {
        "collection": definition["collection"],
        "from": sorted(_names(definition.get("from", []))),
        "to": sorted(_names(definition.get("to", []))),
    }


def _driver_definition(definition: Document) -> Document:
    return {
        "edge_collection": definition["collection"],
        "from_vertex_collections": definition["from"],
        "to_vertex_collections": definition["to"],
    }
