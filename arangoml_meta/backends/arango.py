"""The ArangoDB backend: the backend protocol over python-arango (ArangoDB 3.12, server or cluster).

It owns the connection (credentials from the URL or the arguments, never kept
in ``location``, reprs, logs or messages), creating the database and the
collections idempotently (two processes may initialise one store at once),
stream transactions, and the translation of every python-arango and server
error into :mod:`arangoml_meta.errors` by ArangoDB error number.

Inside ``with backend.transaction(...)`` the backend's own document and query
methods run in that stream transaction too (in the same thread or task), as
they do on the embedded backend; a nested ``transaction()`` joins the open one,
since ArangoDB cannot nest stream transactions. Schema operations (collections,
indexes, graphs) are never transactional on ArangoDB.
"""

from __future__ import annotations

import contextvars
import functools
import json
import logging
from collections.abc import Callable, Generator, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from arango import ArangoClient
from arango.cursor import Cursor as ArangoCursor
from arango.database import Database, StandardDatabase, TransactionDatabase
from arango.exceptions import (
    ArangoClientError,
    ArangoError,
    ArangoServerError,
    DocumentParseError,
)
from arango.http import DefaultHTTPAdapter, DefaultHTTPClient
from arango.request import Request
from arango.response import Response
from requests import ReadTimeout
from requests import Session as HTTPSession
from requests.exceptions import SSLError
from urllib3.util import Retry, Timeout

from ..cursor import Cursor
from ..document_rules import SET_BY_DATABASE, is_valid_key, require_object
from ..errors import (
    ERROR_ARANGO_DATA_SOURCE_NOT_FOUND,
    ERROR_ARANGO_DATABASE_NOT_FOUND,
    ERROR_ARANGO_DOCUMENT_HANDLE_BAD,
    ERROR_ARANGO_DOCUMENT_NOT_FOUND,
    ERROR_ARANGO_DOCUMENT_TYPE_INVALID,
    ERROR_ARANGO_DUPLICATE_NAME,
    ERROR_FORBIDDEN,
    ERROR_GRAPH_COLLECTION_MULTI_USE,
    ERROR_GRAPH_DUPLICATE,
    ERROR_HTTP_FORBIDDEN,
    ERROR_HTTP_UNAUTHORIZED,
    ERROR_QUERY_BIND_PARAMETER_TYPE,
    ERROR_QUERY_EMPTY,
    ERROR_SIMPLE_CLIENT_COULD_NOT_CONNECT,
    ERROR_SIMPLE_CLIENT_COULD_NOT_READ,
    ERROR_SIMPLE_CLIENT_UNKNOWN_ERROR,
    ERROR_TRANSACTION_NOT_FOUND,
    ERROR_TRANSACTION_UNREGISTERED_COLLECTION,
    ArangoMLMetaError,
    BadParameterError,
    BindParameterError,
    DocumentError,
    DocumentNotFoundError,
    QueryError,
    StoreError,
    TransactionError,
    error_for,
)
from ..query_limits import QueryLimits
from .base import (
    Document,
    QueryRows,
    collection_kind_error,
    iter_batches,
    schema_property,
)
from .http_failures import TLSFailure, not_arangodb_reply, raised_by_driver, tls_error

log = logging.getLogger(__name__)

_TRANSACTION_ERRORS = range(1650, 1700)

DEFAULT_DATABASE = "arangoml_meta"
DEFAULT_USERNAME = "root"
CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 60.0
INSERT_BATCH = 1000
QUERY_BATCH = 1000

# Document operations as AQL: the same statements the embedded engine runs, keys bound
# rather than put into URLs.
_UPDATE = (
    "UPDATE @key WITH @body IN @@collection "
    "OPTIONS { keepNull: false, mergeObjects: true } RETURN NEW"
)
_REPLACE = "REPLACE @key WITH @body IN @@collection RETURN NEW"
_DELETE_MANY = "FOR key IN @keys REMOVE key IN @@collection"
_GET_MANY = "FOR key IN @keys RETURN key == null ? null : DOCUMENT(@collection, key)"


def _not_found(collection: str, key: str) -> DocumentNotFoundError:
    return DocumentNotFoundError(
        f"document not found: {collection}/{key}", ERROR_ARANGO_DOCUMENT_NOT_FOUND
    )


# ---------------------------------------------------------------------- URLs and credentials


def split_credentials(url: str) -> tuple[str, str | None, str | None]:
    """``url`` without ``user:password@`` (each of several comma-separated hosts), and the credentials.

    The password is percent-decoded, as in any URL. The public URL keeps scheme,
    host, port and path (a reverse proxy's prefix); query and fragment are dropped.
    """
    hosts, username, password = [], None, None
    for host in url.split(","):
        parts = urlsplit(host.strip())
        userinfo, at, hostport = parts.netloc.rpartition("@")
        if at and username is None:
            user, colon, secret = userinfo.partition(":")
            username = unquote(user) or None
            password = unquote(secret) if colon else None
        hosts.append(urlunsplit((parts.scheme.lower(), hostport, parts.path.rstrip("/"), "", "")))
    return ",".join(hosts), username, password


def public_url(url: str) -> str:
    """``url`` with any credentials removed: safe to print, log or store."""
    return split_credentials(url)[0]


# ---------------------------------------------------------------------- errors


class _NotJSONError(BadParameterError):
    """A value handed to python-arango is not JSON (raised from its serializer)."""


def _serialize(value: Any) -> str:
    try:
        return json.dumps(value, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise _NotJSONError(f"not a JSON value: {exc}") from None


def translate_error(exc: BaseException, location: str) -> ArangoMLMetaError:
    """The project's exception for a python-arango, server or connection error.

    Server errors keep ArangoDB's error number and message; the class comes from
    :func:`~arangoml_meta.errors.error_for`. Messages name the server by its
    public URL only.
    """
    if isinstance(exc, ArangoServerError):
        num = exc.error_code
        message = exc.error_message or exc.message
        if exc.http_code == 401 or num == ERROR_HTTP_UNAUTHORIZED:
            # ArangoDB also answers 401 (not 403) to a user who may not use the database
            return ArangoMLMetaError(
                f"ArangoDB at {location} refused the credentials ({message}): "
                "check ARANGO_USERNAME / ARANGO_PASSWORD, and that this user may use the database",
                num,
            )
        if exc.http_code == 403 or num in (ERROR_FORBIDDEN, ERROR_HTTP_FORBIDDEN):
            return ArangoMLMetaError(
                f"ArangoDB at {location}: permission denied ({message}); "
                "ask an administrator to grant this user access to the database",
                num,
            )
        if exc.error_message is None:  # no ArangoDB error body: python-arango put the HTTP status
            return ArangoMLMetaError(
                f"{location} answered {exc.message} without an ArangoDB error: "
                "is the URL that of an ArangoDB server?",
                num,
            )
        if num == ERROR_TRANSACTION_NOT_FOUND:
            message += " (a stream transaction expires after 60 s without requests: keep it short)"
        error = error_for(num, message)
        if type(error) is ArangoMLMetaError and num in _TRANSACTION_ERRORS:
            error = TransactionError(message, num)
        return error
    if isinstance(exc, DocumentParseError):
        return DocumentError(exc.message, ERROR_ARANGO_DOCUMENT_HANDLE_BAD)
    if isinstance(exc, ArangoClientError):
        return ArangoMLMetaError(
            f"ArangoDB client error ({location}): {exc.message}", ERROR_SIMPLE_CLIENT_UNKNOWN_ERROR
        )
    if isinstance(exc, ReadTimeout):  # connected, but no answer in time: not a wrong URL
        return ArangoMLMetaError(
            f"ArangoDB at {location} did not answer within {READ_TIMEOUT:g} s (the server is "
            "busy, the request takes that long, or the URL is not that of an ArangoDB server); "
            "the request was not sent again",
            ERROR_SIMPLE_CLIENT_COULD_NOT_READ,
        )
    if isinstance(exc, TLSFailure):
        return tls_error(exc, location)
    if isinstance(exc, OSError):  # requests' exceptions and python-arango's ConnectionAbortedError
        hint = "; for https, its certificate (REQUESTS_CA_BUNDLE)" if "https:" in location else ""
        return ArangoMLMetaError(
            f"cannot reach ArangoDB at {location} ({type(exc).__name__}): check the URL "
            f"(ARANGOML_META_STORE) and that the server is running{hint}",
            ERROR_SIMPLE_CLIENT_COULD_NOT_CONNECT,
        )
    return ArangoMLMetaError(
        f"ArangoDB request failed ({location}): {exc}", ERROR_SIMPLE_CLIENT_UNKNOWN_ERROR
    )


@contextmanager
def _arango_errors(location: str) -> Iterator[None]:
    try:
        yield
    except (ArangoError, OSError) as exc:
        raise translate_error(exc, location) from exc
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        if not raised_by_driver(exc):  # ours: a bug to report, not to hide
            raise
        raise not_arangodb_reply(exc, location) from exc


def _names(collections: str | Sequence[str]) -> list[str]:
    """Collection names, accepting one name where a list is expected."""
    return [collections] if isinstance(collections, str) else list(collections)


def _accepts_credentials(system: StandardDatabase, username: str) -> bool:
    """Whether the server accepts the credentials of ``system`` (a ``_system`` database
    handle): any user it authenticates may read their own record, whatever their access."""
    request = Request(method="get", endpoint=f"/_api/user/{quote(username, safe='')}")
    response = system.request(request)
    return response.status_code != 401  # type: ignore[union-attr]


# ---------------------------------------------------------------------- HTTP


class _HTTPClient(DefaultHTTPClient):
    """python-arango's HTTP client, failing fast when no server answers.

    python-arango retries a refused connection with back-off (about 18 s before a
    wrong URL is reported); here connection errors are not retried by urllib3, while
    a busy server (429, 503, ...) still is, and connecting times out separately.

    A read timeout is not retried either (``read=False``: urllib3 raises it as it is,
    so requests reports ``ReadTimeout``, which python-arango does not retry). With
    urllib3's default a GET that gets no answer was sent 4 times, and the resulting
    ``ConnectionError`` made python-arango start over 3 times: 12 minutes against a
    server that accepts connections but does not answer.
    """

    def __init__(
        self, connect_timeout: float = CONNECT_TIMEOUT, read_timeout: float = READ_TIMEOUT
    ) -> None:
        super().__init__(request_timeout=read_timeout)
        self._timeout = Timeout(connect=connect_timeout, read=read_timeout)
        self.request_timeout = (connect_timeout, read_timeout)  # type: ignore[assignment]

    def create_session(self, host: str) -> HTTPSession:
        retry = Retry(
            total=3,
            connect=0,
            read=False,
            backoff_factor=0.5,
            status_forcelist=[429, 500, 502, 503, 504],
            allowed_methods=["HEAD", "GET", "OPTIONS"],
            raise_on_status=False,  # then python-arango reports the server's own answer
            other=0,  # a failed TLS handshake (https:// to a plain port) fails at once
        )
        adapter = DefaultHTTPAdapter(connection_timeout=self._timeout, max_retries=retry)  # type: ignore[arg-type]
        session = HTTPSession()
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        return session

    def send_request(self, session: HTTPSession, *args: Any, **kwargs: Any) -> Response:
        try:
            return super().send_request(session, *args, **kwargs)
        except SSLError as exc:  # not retried as a refused connection: see http_failures.py
            raise TLSFailure(exc) from exc


# ---------------------------------------------------------------------- sessions


class ArangoSession:
    """Document and query operations on one python-arango database (plain or in a transaction)."""

    def __init__(
        self, db: Database, backend: ArangoBackend, write: frozenset[str] | None = None
    ) -> None:
        self._db = db
        self._backend = backend
        self.write_collections = write  # None outside a transaction

    @property
    def in_transaction(self) -> bool:
        return self.write_collections is not None

    def _errors(self) -> AbstractContextManager[None]:
        return _arango_errors(self._backend.location)

    def insert(self, collection: str, doc: Document) -> Document:
        require_object(doc)
        with _documents_as_json(), self._errors():
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
        for batch in iter_batches(docs, INSERT_BATCH):
            with _documents_as_json(), self._errors():
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
        self.count(collection)  # an unknown collection is an error, not a list of nulls
        valid = [key if is_valid_key(key) else None for key in keys]
        rows = self._run(_GET_MANY, {"keys": valid, "collection": collection})
        return [None if row is None else dict(row) for row in rows]

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
        with _documents_as_json():
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
        except _NotJSONError as exc:
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
        # 0 is no limit of ours: memoryLimit 0 and an absent maxRuntime leave the server's own
        memory_limit = limits.memory_limit if limits is not None else 0
        max_runtime = limits.max_runtime if limits is not None and limits.max_runtime else None
        with self._errors():
            cursor = self._db.aql.execute(
                aql,
                bind_vars=bind_vars,
                batch_size=QUERY_BATCH,
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
                with _quietly("closing an AQL cursor"):
                    cursor.close(ignore_missing=True)


@contextmanager
def _documents_as_json() -> Iterator[None]:
    """A document that python-arango cannot send as JSON is a document error."""
    try:
        yield
    except _NotJSONError as exc:
        raise DocumentError(
            f"invalid document: {exc.message}", ERROR_ARANGO_DOCUMENT_TYPE_INVALID
        ) from None


@contextmanager
def _quietly(what: str) -> Iterator[None]:
    """Run a clean-up step whose failure must not hide the error being raised."""
    try:
        yield
    except (ArangoError, OSError) as exc:
        log.warning("ArangoDB: %s failed: %s", what, type(exc).__name__)


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
    ) -> None:
        """``create``: create the database when it is missing (else 1228)."""
        hosts, url_username, url_password = split_credentials(url)
        self.location = hosts
        self.database = database
        self._create = create
        self.tracer: Callable[[str, dict[str, Any]], None] | None = None
        self._active: contextvars.ContextVar[ArangoSession | None] = contextvars.ContextVar(
            f"arangoml_meta_transaction_{id(self)}", default=None
        )
        username = username or url_username or DEFAULT_USERNAME
        password = password if password is not None else (url_password or "")
        self._client = ArangoClient(hosts=hosts, http_client=_HTTPClient(), serializer=_serialize)
        try:
            self._db = self._open_database(username, password)
        except BaseException:
            self._client.close()
            raise
        self._plain = ArangoSession(self._db, self)
        log.debug("ArangoDB backend: database %s at %s", database, hosts)

    def __repr__(self) -> str:
        return f"ArangoBackend({self.location!r}, database={self.database!r})"

    def _errors(self) -> AbstractContextManager[None]:
        return _arango_errors(self.location)

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

    def _is_edge(self, name: str) -> bool | None:
        """Whether collection ``name`` is an edge collection; None when it does not exist."""
        with self._errors():
            try:
                properties = self._db.collection(name).properties()
            except ArangoServerError as exc:
                if exc.error_code == ERROR_ARANGO_DATA_SOURCE_NOT_FOUND:
                    return None
                raise
        return bool(properties["edge"])  # type: ignore[index]

    def has_collection(self, name: str) -> bool:
        return self._is_edge(name) is not None

    def create_collection(
        self, name: str, edge: bool = False, schema: Document | None = None
    ) -> None:
        # Look before creating, so that a user who may only read can open an initialised store.
        is_edge = self._is_edge(name)
        if is_edge is None:
            with self._errors():
                try:
                    self._db.create_collection(
                        name,
                        edge=edge,
                        schema=None if schema is None else schema_property(name, schema),
                    )
                    return
                except ArangoServerError as exc:
                    if exc.error_code != ERROR_ARANGO_DUPLICATE_NAME:
                        raise
            is_edge = self._is_edge(name)  # created by another process a moment ago
        if is_edge is not None and is_edge != edge:
            raise collection_kind_error(name, is_edge)
        if schema is not None:
            self.set_schema(name, schema)

    def set_schema(self, name: str, schema: Document | None) -> None:
        """Install ArangoDB's own validation (``schema`` is a JSON Schema or a whole
        ``{rule, level, message}`` property); None removes it."""
        wanted = None if schema is None else schema_property(name, schema)
        with self._errors():
            current = self._db.collection(name).properties().get("schema") or None  # type: ignore[union-attr]
            if current is not None:
                current = {k: current.get(k) for k in ("rule", "level", "message")}
            if current == wanted:
                return
            if wanted is not None:
                self._db.collection(name).configure(schema=wanted)
                return
            # python-arango refuses an empty schema; ArangoDB removes it on null.
            request = Request(
                method="put", endpoint=f"/_api/collection/{name}/properties", data={"schema": None}
            )
            response = self._db.request(request)
            if not response.is_success:  # type: ignore[union-attr]
                raise ArangoServerError(response, request)  # type: ignore[arg-type]

    def ensure_index(
        self, collection: str, fields: list[str], unique: bool = False, sparse: bool = False
    ) -> None:
        definition = {
            "type": "persistent",
            "fields": list(fields),
            "unique": unique,
            "sparse": sparse,
        }
        with self._errors():
            target = self._db.collection(collection)
            for index in target.indexes():  # type: ignore[union-attr]
                if (
                    index.get("type") in ("persistent", "hash", "skiplist")
                    and list(index.get("fields", ())) == definition["fields"]
                    and bool(index.get("unique")) == unique
                    and bool(index.get("sparse")) == sparse
                ):
                    return
            target.add_index(definition)

    def drop_index(
        self, collection: str, fields: list[str], unique: bool = False, sparse: bool = False
    ) -> None:
        with self._errors():
            target = self._db.collection(collection)
            for index in target.indexes():  # type: ignore[union-attr]
                if (
                    index.get("type") in ("persistent", "hash", "skiplist")
                    and list(index.get("fields", ())) == list(fields)
                    and bool(index.get("unique")) == unique
                    and bool(index.get("sparse")) == sparse
                ):
                    target.delete_index(str(index["id"]).rpartition("/")[2])
                    return

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
        self, write: Sequence[str], read: Sequence[str] = ()
    ) -> Iterator[ArangoSession]:
        """A stream transaction; committed when the block ends, aborted when it raises."""
        write_names, read_names = _names(write), _names(read)
        outer = self._active.get()
        if outer is not None:
            yield self._join(outer, write_names)
            return
        with self._errors():
            trx = self._db.begin_transaction(
                write=write_names, read=[n for n in read_names if n not in write_names]
            )
        session = ArangoSession(trx, self, frozenset(write_names))
        token = self._active.set(session)
        try:
            yield session
        except BaseException:
            self._active.reset(token)
            with _quietly("aborting a stream transaction"):
                trx.abort_transaction()
            raise
        self._active.reset(token)
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
            with _quietly("aborting a stream transaction that failed to commit"):
                trx.abort_transaction()
            raise

    def api(self, method: str, endpoint: str, params: dict[str, Any] | None = None) -> Any:
        """The JSON body of a request to the database's HTTP API (``/_api/...``), a server
        error as the project's exception: what the protocol does not cover (a dump's catalog)."""
        request = Request(method=method, endpoint=endpoint, params=params)
        with self._errors():
            response = self._db.request(request)
            if not response.is_success:  # type: ignore[union-attr]
                raise ArangoServerError(response, request)  # type: ignore[arg-type]
        return response.body  # type: ignore[union-attr]

    def close(self) -> None:
        self._client.close()


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
