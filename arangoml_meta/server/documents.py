"""``/_api/document``: documents one at a time and in arrays, as ArangoDB 3.12 answers.

Single-document routes (``/_api/document/{collection}/{key}``) answer the
document's ``etag`` (its ``_rev`` in quotes) and, for writes, its ``location``;
a ``_rev`` precondition that fails (``If-Match``, or a body's ``_rev`` with
``ignoreRevs=false``) answers 412 with errorNum 1200 and the document's
identity, a matching ``If-None-Match`` 304. Array routes
(``/_api/document/{collection}`` with an array body) answer one entry per
item, an error as ``{error, errorNum, errorMessage}``, and count the errors by
number in the ``X-Arango-Error-Codes`` header. A write answers 201 when it was
synced (``waitForSync``, the request's or the collection's) and 202 otherwise;
a removal 200 / 202. ``PUT ?onlyget=true`` reads many documents at once. The
operations themselves are in ``document_ops.py``.
"""

from __future__ import annotations

import urllib.parse
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ..errors import (
    ERROR_ARANGO_COLLECTION_PARAMETER_MISSING,
    ERROR_ARANGO_CONFLICT,
    ERROR_ARANGO_DATA_SOURCE_NOT_FOUND,
    ERROR_ARANGO_DOCUMENT_TYPE_INVALID,
    ERROR_HTTP_CORRUPTED_JSON,
    ERROR_NOT_IMPLEMENTED,
)
from . import document_ops as ops
from .context import context
from .responses import HTTPError, error_response, flag, json_body, json_response, status_of

# how a write operation's outcome is answered: created / accepted (removals: OK / accepted)
_SYNCED = {"insert": 201, "replace": 201, "update": 201, "remove": 200}
ACCEPTED = 202


def revision_header(request: Request, name: str) -> str | None:
    """A revision from ``If-Match`` / ``If-None-Match`` (quoted or not), None when absent."""
    value = request.headers.get(name)
    if value is None:
        return None
    return value.strip().strip('"')


def write_options(request: Request) -> ops.Options:
    if request.query_params.get("versionAttribute"):
        raise HTTPError(
            501,
            ERROR_NOT_IMPLEMENTED,
            "versionAttribute (external versioning) is not supported by arangoml-meta serve: "
            "compare the versions in a stream transaction or an AQL UPSERT instead",
        )
    mode = request.query_params.get("overwriteMode")
    if mode not in ("ignore", "replace", "update", "conflict"):
        mode = "replace" if flag(request, "overwrite") else None
    return ops.Options(
        return_new=flag(request, "returnNew"),
        return_old=flag(request, "returnOld"),
        silent=flag(request, "silent"),
        wait_for_sync=flag(request, "waitForSync"),
        overwrite_mode=mode,
        keep_null=flag(request, "keepNull", True),
        merge_objects=flag(request, "mergeObjects", True),
        ignore_revs=flag(request, "ignoreRevs", True),
    )


_EMPTY = object()


async def _body(request: Request) -> Any:
    body = await json_body(request, _EMPTY)
    if body is _EMPTY:
        raise HTTPError(400, ERROR_HTTP_CORRUPTED_JSON, "request body is empty: expecting JSON")
    return body


def _location(database: str, collection: str, key: str) -> str:
    quote = urllib.parse.quote
    return f"/_db/{quote(database, safe='')}/_api/document/{collection}/{quote(key, safe='')}"


def _etag(rev: str) -> dict[str, str]:
    return {"etag": f'"{rev}"'}


def failure_response(failure: ops.ItemFailure) -> Response:
    """A single-document request's error: 412 with the identity for a ``_rev`` conflict."""
    if failure.error_num == ERROR_ARANGO_CONFLICT and failure.existing is not None:
        body = {
            "error": True,
            "code": 412,
            "errorNum": failure.error_num,
            "errorMessage": failure.message,
            **failure.existing,
        }
        return json_response(body, 412, _etag(failure.existing["_rev"]))
    return error_response(status_of(failure.error_num), failure.error_num, failure.message)


def _single_reply(
    outcomes: ops.Outcomes, operation: str, options: ops.Options, database: str
) -> Response:
    item = outcomes.items[0]
    if isinstance(item, ops.ItemFailure):
        return failure_response(item)
    status = _SYNCED[operation] if outcomes.synced else ACCEPTED
    if options.silent:
        return json_response({}, status)
    headers = {
        **_etag(item["_rev"]),
        "location": _location(database, outcomes.collection, item["_key"]),
    }
    return json_response(item, status, headers)


def error_codes(failures: list[ops.ItemFailure]) -> dict[str, str]:
    """ArangoDB's ``X-Arango-Error-Codes`` header: how many items failed with each number."""
    if not failures:
        return {}
    counts: dict[str, int] = {}
    for failure in failures:
        counts[str(failure.error_num)] = counts.get(str(failure.error_num), 0) + 1
    return {"x-arango-error-codes": orjson.dumps(counts).decode()}


def _array_reply(outcomes: ops.Outcomes, operation: str, options: ops.Options) -> Response:
    status = _SYNCED[operation] if outcomes.synced else ACCEPTED
    failures = outcomes.failures
    headers = error_codes(failures)
    if options.silent:
        body: Any = [f.body() for f in failures] if failures else {}
        return json_response(body, status, headers)
    items = [i.body() if isinstance(i, ops.ItemFailure) else i for i in outcomes.items]
    return json_response(items, status, headers)


async def _write(
    request: Request, operation: str, items: list[Any], *, single: bool, key: str | None = None
) -> Response:
    ctx = context(request)
    options = write_options(request)
    collection = request.path_params.get("collection") or request.query_params.get("collection")
    if not collection:
        raise HTTPError(
            400,
            ERROR_ARANGO_COLLECTION_PARAMETER_MISSING,
            "'collection' is missing, expecting /_api/document/<collection> or query "
            "parameter 'collection'",
        )
    header_rev = revision_header(request, "if-match") if single and operation != "insert" else None
    outcomes = await ctx.run(
        lambda db: ops.write(
            db,
            collection,
            operation,
            items,
            options,
            key=key,
            header_rev=header_rev,
        )
    )
    if single:
        return _single_reply(outcomes, operation, options, ctx.database.name)
    return _array_reply(outcomes, operation, options)


def _require(body: Any, kind: type) -> Any:
    if not isinstance(body, kind):
        raise HTTPError(
            400,
            ERROR_ARANGO_DOCUMENT_TYPE_INVALID,
            f"invalid document type: expecting {'an array' if kind is list else 'an object'}",
        )
    return body


# ---------------------------------------------------------------------- handlers


async def insert(request: Request) -> Response:
    body = await _body(request)
    if isinstance(body, list):
        return await _write(request, "insert", body, single=False)
    return await _write(request, "insert", [_require(body, dict)], single=True)


async def change_many(request: Request) -> Response:
    """PUT (replace, or a batch read with ``onlyget``), PATCH and DELETE of an array."""
    if request.method == "PUT" and "onlyget" in request.query_params:
        return await read_many(request)
    operation = {"PUT": "replace", "PATCH": "update", "DELETE": "remove"}[request.method]
    body = await _body(request)
    if operation == "remove" and isinstance(body, dict):
        return await _write(request, operation, [body], single=True)
    return await _write(request, operation, _require(body, list), single=False)


async def change_one(request: Request) -> Response:
    """PUT (replace), PATCH (update) and DELETE of ``/{collection}/{key}``."""
    key = request.path_params["key"]
    if request.method == "DELETE":
        return await _write(request, "remove", [key], single=True, key=key)
    operation = "replace" if request.method == "PUT" else "update"
    body = _require(await _body(request), dict)
    return await _write(request, operation, [body], single=True, key=key)


async def read_one(request: Request) -> Response:
    """GET / HEAD of one document, with ``If-Match`` and ``If-None-Match``."""
    ctx = context(request)
    collection, key = request.path_params["collection"], request.path_params["key"]
    if_match = revision_header(request, "if-match")
    if_none_match = revision_header(request, "if-none-match")
    outcomes = await ctx.run(lambda db: ops.read(db, collection, [key], if_match=if_match))
    item = outcomes.items[0]
    head = request.method == "HEAD"
    if isinstance(item, ops.ItemFailure):
        reply = failure_response(item)
        return Response(status_code=reply.status_code, headers=_etag_of(reply)) if head else reply
    headers = _etag(item["_rev"])
    if if_none_match is not None and if_none_match == item["_rev"]:
        return Response(status_code=304, headers=headers, media_type="text/plain")
    if head:
        return Response(status_code=200, headers=headers, media_type="application/json")
    return json_response(item, 200, headers)


def _etag_of(reply: Response) -> dict[str, str]:
    etag = reply.headers.get("etag")
    return {"etag": etag} if etag else {}


async def read_many(request: Request) -> Response:
    """``PUT /_api/document/{collection}?onlyget=true``: the documents of keys or objects."""
    ctx = context(request)
    collection = request.path_params["collection"]
    body = await _body(request)
    single = isinstance(body, dict)
    items = [body] if single else _require(body, list)
    ignore_revs = flag(request, "ignoreRevs", True)
    outcomes = await ctx.run(lambda db: ops.read(db, collection, items, ignore_revs=ignore_revs))
    if single:
        item = outcomes.items[0]
        return failure_response(item) if isinstance(item, ops.ItemFailure) else json_response(item)
    return json_response(
        [i.body() if isinstance(i, ops.ItemFailure) else i for i in outcomes.items],
        200,
        error_codes(outcomes.failures),
    )


async def without_key(request: Request) -> Response:
    raise HTTPError(
        404, ERROR_ARANGO_DATA_SOURCE_NOT_FOUND, "expecting GET /_api/document/<collection>/<key>"
    )


ROUTES: list[BaseRoute] = [
    Route("/_api/document", insert, methods=["POST"]),
    Route("/_api/document/{collection}", insert, methods=["POST"]),
    Route("/_api/document/{collection}", change_many, methods=["PUT", "PATCH", "DELETE"]),
    Route("/_api/document/{collection}", without_key, methods=["GET"]),
    Route("/_api/document/{collection}/{key}", read_one, methods=["GET", "HEAD"]),
    Route("/_api/document/{collection}/{key}", change_one, methods=["PUT", "PATCH", "DELETE"]),
]
