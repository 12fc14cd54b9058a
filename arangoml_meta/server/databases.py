"""``/_api/database``: list, create and drop databases, and describe the current one.

Listing, creating and dropping are allowed from ``_system`` only (403, errorNum
1230), as in ArangoDB. A new database's name follows ArangoDB 3.12's rules
(``backends/database_names.py``; 400, errorNum 1229 otherwise). ``users`` in a
create request is checked for its shape and otherwise left to the user
management of the server (the databases themselves carry no permissions).
Dropping a database aborts its running stream transactions first.
"""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ..backends.database_names import SYSTEM_DATABASE, database_name
from ..errors import (
    ERROR_ARANGO_DATABASE_NAME_INVALID,
    ERROR_ARANGO_DATABASE_NOT_FOUND,
    ERROR_ARANGO_DUPLICATE_NAME,
    ERROR_ARANGO_USE_SYSTEM_DATABASE,
    ERROR_FORBIDDEN,
    ERROR_HTTP_BAD_PARAMETER,
    ArangoMLMetaError,
)
from .auth import database_created, database_dropped, database_users
from .collection_catalog import database_id
from .context import context
from .responses import HTTPError, json_body, json_response


def _system_only(request: Request) -> None:
    if context(request).database.name != SYSTEM_DATABASE:
        raise HTTPError(
            403, ERROR_ARANGO_USE_SYSTEM_DATABASE, "operation only allowed in system database"
        )


async def list_all(request: Request) -> Response:
    _system_only(request)
    names = await run_in_threadpool(context(request).server.databases.names)
    return json_response({"error": False, "code": 200, "result": names})


async def accessible(request: Request) -> Response:
    """The databases the user may use: all of them (permissions are not per database)."""
    names = await run_in_threadpool(context(request).server.databases.names)
    return json_response({"error": False, "code": 200, "result": names})


async def current(request: Request) -> Response:
    name = context(request).database.name
    info = {
        "id": database_id(name),
        "name": name,
        "isSystem": name == SYSTEM_DATABASE,
        "path": "none",
    }
    return json_response({"error": False, "code": 200, "result": info})


def _checked_users(users: Any) -> None:
    if users is None:
        return
    if not isinstance(users, list) or not all(
        isinstance(u, dict) and isinstance(u.get("username", u.get("user")), str) for u in users
    ):
        raise HTTPError(
            400,
            ERROR_HTTP_BAD_PARAMETER,
            "invalid 'users': expecting an array of objects with 'username'",
        )


async def create(request: Request) -> Response:
    _system_only(request)
    body = await json_body(request, {})
    name = body.get("name") if isinstance(body, dict) else None
    if not isinstance(name, str):
        raise HTTPError(
            400, ERROR_ARANGO_DATABASE_NAME_INVALID, "database name invalid: no name given"
        )
    try:
        database_name(name, "name")
    except ArangoMLMetaError as exc:
        reason = exc.message.rpartition(": ")[2]
        raise HTTPError(
            400, ERROR_ARANGO_DATABASE_NAME_INVALID, f"database name invalid: {reason}"
        ) from None
    if name == SYSTEM_DATABASE:
        raise HTTPError(409, ERROR_ARANGO_DUPLICATE_NAME, "duplicate database name '_system'")
    _checked_users(body.get("users"))
    users = database_users(body.get("users"))  # checked before anything is made
    ctx = context(request)
    await run_in_threadpool(ctx.server.databases.create, name)
    # its creator and its users get read-write on it, as on ArangoDB
    await run_in_threadpool(database_created, ctx, name, users)
    return json_response({"error": False, "code": 201, "result": True}, 201)


async def drop(request: Request) -> Response:
    _system_only(request)
    name = request.path_params["name"]
    server = context(request).server
    if name == SYSTEM_DATABASE:
        raise HTTPError(403, ERROR_FORBIDDEN, "the system database cannot be dropped")

    def work() -> None:
        if not server.databases.exists(name):
            raise HTTPError(404, ERROR_ARANGO_DATABASE_NOT_FOUND, "database not found")
        database = server.databases.get(name)
        for transaction in server.transactions.running(database):
            transaction.finish(commit=False).result(timeout=30)
        server.databases.drop(name)
        database_dropped(ctx, name)  # nobody keeps a grant on it

    ctx = context(request)
    await run_in_threadpool(work)
    return json_response({"error": False, "code": 200, "result": True})


ROUTES: list[BaseRoute] = [
    Route("/_api/database", list_all, methods=["GET"]),
    Route("/_api/database", create, methods=["POST"]),
    Route("/_api/database/current", current, methods=["GET"]),
    Route("/_api/database/user", accessible, methods=["GET"]),
    Route("/_api/database/{name}", drop, methods=["DELETE"]),
]
