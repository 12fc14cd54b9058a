"""``/_api/transaction``: stream transactions (begin, status, commit, abort, list).

The transactions themselves are ``transactions.py``'s; this module reads the
requests and answers in ArangoDB 3.12's shapes and codes. JavaScript
transactions (``POST /_api/transaction`` with an ``action``) need V8, which
this server does not have: they answer 501 / error 9, as an ArangoDB built
without V8 does.
"""

from __future__ import annotations

import asyncio
import math
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ..errors import (
    ERROR_BAD_PARAMETER,
    BadParameterError,
)
from .auth import authorize_collections
from .context import context, database_name
from .responses import HTTPError, json_body, json_response
from .state import Database
from .transactions import TransactionOptions, Transactions


def _registry(request: Request) -> Transactions:
    transactions: Transactions = request.app.state.server.transactions
    return transactions


def _database(request: Request) -> Database:
    database: Database = request.app.state.server.databases.get(database_name(request))
    return database


def _result(trx_id: str, status: str, code: int = 200) -> Response:
    return json_response(
        {"code": code, "error": False, "result": {"id": trx_id, "status": status}}, code
    )


def _names(value: Any) -> list[str] | None:
    """A ``collections`` entry: a name or a list of names (None: invalid)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) and v for v in value):
        return list(value)
    return None


def _number(body: dict[str, Any], name: str) -> float:
    value = body.get(name)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return 0.0
    return float(value)


def parse_options(body: Any) -> TransactionOptions:
    """The options of a begin request, checked as ArangoDB's transaction manager does."""
    if not isinstance(body, dict) or not isinstance(body.get("collections"), dict):
        raise BadParameterError("missing 'collections'", ERROR_BAD_PARAMETER)
    collections = body["collections"]
    read, write, exclusive = (_names(collections.get(k)) for k in ("read", "write", "exclusive"))
    if read is None or write is None or exclusive is None:
        raise BadParameterError("invalid 'collections' attribute", ERROR_BAD_PARAMETER)
    lock_timeout = _number(body, "lockTimeout")
    if lock_timeout < 0:
        raise BadParameterError("<lockTimeout> needs to be positive", ERROR_BAD_PARAMETER)
    allow_implicit = body.get("allowImplicit")
    return TransactionOptions(
        read=read,
        write=write,
        exclusive=exclusive,
        allow_implicit=allow_implicit if isinstance(allow_implicit, bool) else True,
        lock_timeout=lock_timeout,
        max_size=int(max(_number(body, "maxTransactionSize"), 0)),
    )


def _transaction_id(request: Request, bad: str) -> str:
    """The id in the path (a positive decimal number, as ArangoDB's), else 400 / 10."""
    trx_id = str(request.path_params["trx_id"])
    if not trx_id.isdigit() or int(trx_id) == 0:
        raise HTTPError(400, ERROR_BAD_PARAMETER, bad)
    return trx_id


async def begin(request: Request) -> Response:
    if request.headers.get("x-arango-trx-id"):
        raise HTTPError(
            400,
            ERROR_BAD_PARAMETER,
            "unexpected transaction ID received in begin transaction request",
        )
    options = parse_options(await json_body(request))
    # the user must be allowed what the transaction declares (403 / 11)
    authorize_collections(context(request), options.read, [*options.write, *options.exclusive])
    registry = _registry(request)
    trx = registry.create(_database(request), options)
    await asyncio.wrap_future(registry.start(trx))
    return _result(trx.id, "running", 201)


async def status(request: Request) -> Response:
    trx_id = _transaction_id(request, "Illegal transaction ID")
    trx = _registry(request).status(trx_id, _database(request))
    return _result(trx.id, trx.final_status)


async def commit(request: Request) -> Response:
    return await _finish(request, commit=True)


async def abort(request: Request) -> Response:
    if request.path_params["trx_id"] == "write":
        return await _abort_writers(request)
    return await _finish(request, commit=False)


async def _finish(request: Request, commit: bool) -> Response:
    trx_id = _transaction_id(request, "bad transaction ID")
    done = _registry(request).finish(trx_id, _database(request), commit)
    final = await asyncio.wrap_future(done)
    return _result(trx_id, final)


async def _abort_writers(request: Request) -> Response:
    """``DELETE /_api/transaction/write``: abort every running transaction that writes."""
    registry = _registry(request)
    database = _database(request)
    ending = [
        asyncio.wrap_future(registry.finish(trx.id, database, commit=False))
        for trx in registry.running(database)
        if trx.write
    ]
    await asyncio.gather(*ending, return_exceptions=True)  # one that just ended is fine
    return json_response({"error": False, "code": 200, "result": {}})


async def listing(request: Request) -> Response:
    running = _registry(request).running(_database(request))
    return json_response({"transactions": [{"id": t.id, "state": "running"} for t in running]})


async def unknown_post(request: Request) -> Response:
    raise HTTPError(400, ERROR_BAD_PARAMETER, "bad parameter")


ROUTES: list[BaseRoute] = [
    Route("/_api/transaction", listing, methods=["GET"]),
    Route("/_api/transaction/begin", begin, methods=["POST"]),
    Route("/_api/transaction/{trx_id}", status, methods=["GET"]),
    Route("/_api/transaction/{trx_id}", commit, methods=["PUT"]),
    Route("/_api/transaction/{trx_id}", abort, methods=["DELETE"]),
    Route("/_api/transaction/{trx_id}", unknown_post, methods=["POST"]),
]
