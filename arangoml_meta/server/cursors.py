"""``/_api/cursor``: AQL queries and their result batches, as ArangoDB 3.12 answers them.

``POST /_api/cursor`` runs a query and answers its first batch (201): all of
it when it fits ``batchSize`` (no cursor is kept), else with a cursor ``id``
whose next batches ``POST /_api/cursor/{id}`` answers (``PUT`` is the older
form), ``POST /_api/cursor/{id}/{batchId}`` answers the last one again when
the query asked for ``allowRetry``, and ``DELETE /_api/cursor/{id}`` drops
(202). A query runs to its end before its first batch (``query_run.py``:
spooled, one transaction, all or nothing) unless it asks for ``stream``, and
reads inside the request's stream transaction when it names one (the batches
come from the spool: the transaction may end meanwhile). A streamed query
outside a transaction makes each batch when it is asked for; one that writes
runs to its end all the same. Limits: ``memoryLimit`` and ``maxRuntime`` go
to the engine; a query that gives no memory limit gets the project's default
(``query_limits.py``, 1 GiB), as ArangoDB limits every query by default. The cursors are ``cursor_registry.py``'s.
"""

from __future__ import annotations

import asyncio
import math
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ..embedded import EmbeddedDatabase
from ..errors import (
    ERROR_HTTP_BAD_PARAMETER,
    ERROR_HTTP_CORRUPTED_JSON,
    ERROR_QUERY_EMPTY,
    ERROR_TYPE_ERROR,
    ArangoMLMetaError,
    TransactionError,
)
from ..query_limits import DEFAULT_MEMORY_LIMIT
from .ast_json import collection_name
from .auth import authorize_collections
from .context import RequestContext, context, database_name
from .cursor_registry import Cursors, QueryCursor, not_found, response_body
from .query_access import query_collections
from .query_run import Outcome, QueryRequest, StreamQuery, aql_error, run_to_end
from .query_tracking import QueryTracker, RunningQuery
from .responses import HTTPError, json_body, json_response
from .transactions import StreamTransaction, as_conflict, next_id

DEFAULT_TTL = 30.0  # seconds (ArangoDB's --query.registry-ttl on a single server)
MEMORY_LIMIT = DEFAULT_MEMORY_LIMIT  # bytes a query may hold unless it asks otherwise
DEFAULT_BATCH_SIZE = 1000


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return float(value)


def parse_request(body: Any) -> tuple[QueryRequest, float, bool]:
    """The query request, the cursor's ttl and ``allowRetry``, checked as ArangoDB does."""
    if body == {}:
        raise HTTPError(400, ERROR_HTTP_CORRUPTED_JSON, "invalid JSON object")
    if not isinstance(body, dict) or not isinstance(body.get("query"), str) or not body["query"]:
        raise HTTPError(400, ERROR_QUERY_EMPTY, "query is empty")
    bind_vars = body.get("bindVars")
    if bind_vars is not None and not isinstance(bind_vars, dict):
        raise HTTPError(400, ERROR_TYPE_ERROR, "expecting object for <bindVars>")
    options = body.get("options")
    options = options if isinstance(options, dict) else {}
    batch_size = DEFAULT_BATCH_SIZE
    given = _number(body.get("batchSize"))
    if given is not None:
        if int(given) <= 0:
            raise HTTPError(400, ERROR_TYPE_ERROR, "expecting positive value for <batchSize>")
        batch_size = int(given)
    ttl = _number(body.get("ttl"))
    stream = body.get("stream") is True or options.get("stream") is True
    engine: dict[str, Any] = {}
    memory_limit = options.get("memoryLimit")
    if _number(memory_limit) is None:  # the top-level attribute when the option is not a number
        memory_limit = body.get("memoryLimit")
    # without one, the default of the project's queries (ArangoDB 3.12 also limits every
    # query by default, by a share of the RAM); 0 asks for none
    engine["memoryLimit"] = memory_limit if _number(memory_limit) is not None else MEMORY_LIMIT
    if _number(options.get("maxRuntime")) is not None:
        engine["maxRuntime"] = options["maxRuntime"]
    warnings = options.get("maxWarningCount")
    profile = options.get("profile")
    request = QueryRequest(
        query=body["query"],
        bind_vars=dict(bind_vars or {}),
        batch_size=batch_size,
        count=body.get("count") is True and not stream,
        stream=stream,
        full_count=options.get("fullCount") is True and not stream,
        fail_on_warning=options.get("failOnWarning") is True,
        max_warning_count=warnings if type(warnings) is int and warnings >= 0 else 10,
        profile=2 if profile == 2 else int(profile is True or profile == 1),
        engine_options=engine,
    )
    return (
        request,
        (ttl if ttl is not None and ttl > 0 else DEFAULT_TTL),
        bool(options.get("allowRetry") is True),
    )


def _registries(request: Request) -> tuple[Cursors, QueryTracker]:
    server = request.app.state.server
    return server.cursors, server.queries


def _written_collections(db: EmbeddedDatabase, query: QueryRequest) -> list[str]:
    try:
        prepared = db.prepare(query.query)
    except ArangoMLMetaError as exc:
        raise aql_error(exc, parsing=True) from None
    named = (collection_name(m.collection, query.bind_vars) for m in prepared.modifications)
    return [name for name in named if name is not None]


def _authorize(ctx: RequestContext, db: EmbeddedDatabase, query: QueryRequest) -> None:
    """403 unless the user may read and write the collections the query names."""
    try:
        read, written = query_collections(db, query.query, query.bind_vars)
    except ArangoMLMetaError as exc:
        raise aql_error(exc, parsing=True) from None
    authorize_collections(ctx, read, written)


def _run(
    db: EmbeddedDatabase, query: QueryRequest, entry: RunningQuery, trx: StreamTransaction | None
) -> Outcome:
    if trx is not None:  # a write to a collection the transaction did not declare: 1652
        for name in _written_collections(db, query):
            try:
                trx.check_write(name)
            except TransactionError as exc:
                raise aql_error(exc, parsing=False) from None
    return run_to_end(db, query, entry.killed)


def _first_batch(
    request: Request, outcome: Outcome, query: QueryRequest, ttl: float, retriable: bool
) -> Response:
    """The answer of a query run to its end: everything, or the first batch and a cursor."""
    cursors, tracker = _registries(request)
    spool = outcome.spool
    if spool.batches == 1:
        spool.close()
        fields: dict[str, Any] = {"hasMore": False}
        if query.count:
            fields["count"] = spool.count
        fields.update(cached=False, extra=outcome.extra, error=False, code=201)
        return _raw(response_body(spool.first, fields), 201)
    cursor = QueryCursor(
        next_id(),
        database_name(request),
        ttl,
        retriable=retriable,
        count=spool.count if query.count else None,
        tracker=tracker,
        entry=None,  # the query has run: a cursor over its rows is no running query
        spool=spool,
        extra=outcome.extra,
        streamed=query.stream,
    )
    body = cursor.respond(spool.first, True, None if query.stream else outcome.extra, 201)
    cursors.add(cursor)
    return _raw(body, 201)


def _raw(body: bytes, status: int) -> Response:
    return Response(body, status_code=status, media_type="application/json")


async def create(request: Request) -> Response:
    query, ttl, retriable = parse_request(await json_body(request))
    ctx = context(request)
    _, tracker = _registries(request)
    await ctx.run(lambda db: _authorize(ctx, db, query))
    entry = tracker.start(ctx.database.name, ctx.user, query.query, query.bind_vars, query.stream)
    if query.stream and ctx.transaction is None:
        return await _create_streamed(request, ctx, query, ttl, retriable, entry)
    try:
        outcome = await ctx.run(lambda db: _run(db, query, entry, ctx.transaction))
    finally:
        tracker.finish(entry)
    return _first_batch(request, outcome, query, ttl, retriable)


async def _create_streamed(
    request: Request,
    ctx: RequestContext,
    query: QueryRequest,
    ttl: float,
    retriable: bool,
    entry: RunningQuery,
) -> Response:
    cursors, tracker = _registries(request)
    cursors.room_for_stream()
    cursor_id = next_id()
    stream = StreamQuery(ctx.database, query, ttl, f"arangoml-meta-cursor-{cursor_id}")
    stream.killed = entry.killed
    try:
        await asyncio.wrap_future(stream.start())
        try:
            await asyncio.wrap_future(stream.submit(stream.open))
        except TransactionError as exc:  # a writing query waited too long for the lock
            raise as_conflict(exc, ctx.database.lock_timeout) from None
        if stream.outcome is not None:  # it wrote, so it ran to its end
            stream.stop()
            tracker.finish(entry)
            return _first_batch(request, stream.outcome, query, ttl, retriable)
        cursor = QueryCursor(
            cursor_id,
            ctx.database.name,
            ttl,
            retriable=retriable,
            count=None,
            tracker=tracker,
            entry=entry,
            stream=stream,
            streamed=True,
        )
        batch, more, extra = await asyncio.wrap_future(stream.submit(stream.take))
    except BaseException:
        stream.stop()
        tracker.finish(entry)
        raise
    body = cursor.respond(batch, more, extra, 201)
    if more or retriable:
        cursors.add(cursor)
    else:
        cursor.close()
    return _raw(body, 201)


async def next_batch(request: Request) -> Response:
    cursors, _ = _registries(request)
    cursor = cursors.lease(str(request.path_params["cursor_id"]), database_name(request))
    return await _advance(cursors, cursor)


async def _advance(cursors: Cursors, cursor: QueryCursor) -> Response:
    try:
        body = await cursor.next_batch()
    except BaseException:
        cursor.release()
        cursors.forget(cursor)  # a query that failed is gone, as on ArangoDB
        raise
    cursor.release()
    if not cursor.has_more and not cursor.retriable:
        cursors.forget(cursor)
    return _raw(body, 200)


async def batch_again(request: Request) -> Response:
    """``POST /_api/cursor/{id}/{batchId}``: the last batch again, or the next one."""
    cursors, _ = _registries(request)
    cursor = cursors.lease(str(request.path_params["cursor_id"]), database_name(request))
    text = str(request.path_params["batch_id"])
    batch_id = int(text) if text.isdigit() else 0
    if batch_id == cursor.batch_id + 1 and cursor.has_more:
        return await _advance(cursors, cursor)
    try:
        if batch_id != cursor.batch_id:
            raise not_found("batch id not found")
        if not cursor.retriable or cursor.last is None:
            raise HTTPError(400, ERROR_HTTP_BAD_PARAMETER, "expecting allowRetry option to be true")
        return _raw(cursor.last, 200)
    finally:
        cursor.release()


async def delete(request: Request) -> Response:
    cursor_id = str(request.path_params["cursor_id"])
    cursors, _ = _registries(request)
    if not cursors.remove(cursor_id, database_name(request)):
        raise not_found()
    return json_response({"id": cursor_id, "error": False, "code": 202}, 202)


def _expecting(method: str, path: str) -> Any:
    async def refuse(request: Request) -> Response:
        raise HTTPError(400, ERROR_HTTP_BAD_PARAMETER, f"expecting {method} {path}")

    return refuse


ROUTES: list[BaseRoute] = [
    Route("/_api/cursor", create, methods=["POST"]),
    Route("/_api/cursor", _expecting("POST", "/_api/cursor/<cursor-id>"), methods=["PUT"]),
    Route("/_api/cursor", _expecting("DELETE", "/_api/cursor/<cursor-id>"), methods=["DELETE"]),
    Route("/_api/cursor/{cursor_id}", next_batch, methods=["POST", "PUT"]),
    Route("/_api/cursor/{cursor_id}", delete, methods=["DELETE"]),
    Route("/_api/cursor/{cursor_id}/{batch_id}", batch_again, methods=["POST"]),
    Route(
        "/_api/cursor/{cursor_id}/{batch_id}",
        _expecting("POST", "/_api/cursor/<cursor-id>"),
        methods=["PUT"],
    ),
    Route(
        "/_api/cursor/{cursor_id}/{batch_id}",
        _expecting("DELETE", "/_api/cursor/<cursor-id>"),
        methods=["DELETE"],
    ),
]
