"""The ASGI application: ArangoDB's HTTP API routes over the server's databases.

Every area module exposes ``ROUTES`` with paths as ArangoDB spells them
(``/_api/document/{collection}``); each is served at the root (database
``_system``) and under ``/_db/{database}``. Errors leave handlers as
exceptions and become ArangoDB's error bodies here; an unknown path answers
404 with errorNum 404, as ArangoDB does.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, Protocol

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount
from starlette.types import ASGIApp, Receive, Scope, Send

from ..errors import ERROR_ARANGO_DATABASE_NOT_FOUND, ArangoMLMetaError, StoreError
from .auth import Authenticator as UserAuthentication
from .auth import challenging
from .cursor_registry import Cursors
from .query_tracking import QueryTracker
from .responses import HTTPError, error_from_exception, error_response
from .state import Databases, ServerConfig
from .transactions import Transactions

log = logging.getLogger("arangoml_meta.server")

# the area modules, each with ROUTES (imported by name so that an area is one module)
AREAS: list[str] = [
    "admin",
    "auth",
    "collections",
    "cursors",
    "databases",
    "documents",
    "edges",
    "gharial",
    "import_api",
    "indexes",
    "js_transactions",
    "query_api",
    "transaction_api",
    "users",
]


class Authenticator(Protocol):
    """Who sends a request, and whether they may: ``authenticate`` sets
    ``request.state.user`` or raises :class:`HTTPError` (401, or 403 when the route needs
    more than the user has)."""

    async def authenticate(self, request: Request) -> None: ...


class Server:
    """The state one running server holds: its databases and stream transactions."""

    def __init__(self, config: ServerConfig, auth: Authenticator | None = None) -> None:
        self.config = config
        self.databases = Databases(config.store, config.lock_timeout)
        self.transactions = Transactions(
            config.transaction_idle_timeout, config.lock_timeout, config.transaction_max_size
        )
        self.cursors = Cursors()
        self.queries = QueryTracker()
        # users and their grants (auth.py); with config.auth false every request is root
        self.auth: Authenticator = auth or UserAuthentication(config, self.databases)

    def close(self) -> None:
        self.cursors.close()
        self.transactions.abort_all()
        close_auth = getattr(self.auth, "close", None)
        if close_auth is not None:
            close_auth()
        self.databases.close()


def _area_routes() -> list[BaseRoute]:
    import importlib

    routes: list[BaseRoute] = []
    for name in AREAS:
        module = importlib.import_module(f"{__package__}.{name}")
        routes.extend(module.ROUTES)
    return routes


class _ArangoErrors:
    """ASGI middleware: authentication first, then any exception as ArangoDB's error body."""

    def __init__(self, app: ASGIApp, server: Server) -> None:
        self.app = app
        self.server = server

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # ArangoDB's headers on every response, its www-authenticate challenge on every 401
        send = challenging(scope, _with_server_headers(send))
        request = Request(scope, receive)
        try:
            # who first: a user who may not know of a database gets 401, not 1228
            await self.server.auth.authenticate(request)
            name = database_in_path(scope)
            if name is not None and not self.server.databases.exists(name):
                raise StoreError("database not found", ERROR_ARANGO_DATABASE_NOT_FOUND)
        except Exception as exc:
            await error_from_exception(exc)(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Any) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except (HTTPError, ArangoMLMetaError) as exc:
            if started:
                raise
            await error_from_exception(exc)(scope, receive, send)
        except Exception as exc:
            log.exception("internal error answering %s %s", scope["method"], scope["path"])
            if started:
                raise
            await error_from_exception(exc)(scope, receive, send)


# ArangoDB sends every response with the time the request waited in its scheduler queue
# (clients read it for back-off); requests here are not queued
_SERVER_HEADERS = [(b"x-arango-queue-time-seconds", b"0.000000"), (b"server", b"ArangoDB")]


def _with_server_headers(send: Send) -> Send:
    async def sending(message: Any) -> None:
        if message["type"] == "http.response.start":
            names = {name.lower() for name, _ in message.get("headers", [])}
            extra = [(n, v) for n, v in _SERVER_HEADERS if n not in names]
            message = {**message, "headers": [*message.get("headers", []), *extra]}
        await send(message)

    return sending


def database_in_path(scope: Scope) -> str | None:
    """The database a ``/_db/NAME/...`` path names (None: no such prefix, ``_system``)."""
    path: str = scope["path"]
    if not path.startswith("/_db/"):
        return None
    return path[len("/_db/") :].split("/", 1)[0]


async def _not_found(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        return error_response(405, 405, "method not supported")
    return error_response(exc.status_code, exc.status_code, "unknown path " + request.url.path)


def create_app(server: Server) -> Starlette:
    """The application serving ``server``'s databases."""
    routes = _area_routes()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> Any:
        yield
        server.close()

    handlers: dict[Any, Callable[[Request, Exception], Awaitable[Response]]] = {
        HTTPException: _not_found
    }
    app = Starlette(
        routes=[Mount("/_db/{database}", routes=routes), *routes],
        exception_handlers=handlers,
        lifespan=lifespan,
    )
    app.state.server = server
    app.add_middleware(_ArangoErrors, server=server)
    return app
