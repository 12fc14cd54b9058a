"""``/_api/collection``: list, create, describe, change and drop collections.

Shapes, status codes and errors are ArangoDB 3.12's (single server). A
collection's id is its catalog id (stable for its life, as a string); a request
may name it by name or id. ``POST`` takes ``type`` (2 document, 3 edge),
``schema`` (enforced by the engine on every write; one ArangoDB would refuse is
1621), ``keyOptions`` (see ``key_generators.py``) and ``waitForSync`` /
``cacheEnabled`` (kept and echoed; every commit is durable anyway), and accepts
the cluster options a single server ignores. A name starting with ``_`` makes a
system collection and needs ``isSystem: true``; dropping one needs
``?isSystem=true``. ``/rename`` renames (a system collection cannot be: 403 / 11;
the named graphs that use it name the new one; edges elsewhere keep their
``_from`` / ``_to``, and grants stay on the old name, as ArangoDB leaves them).
Sub-resources answer with a ``location`` header, as ArangoDB does.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ..embedded import EmbeddedDatabase
from ..embedded.documents import check_collection_name
from ..embedded.layout import CollectionInfo
from ..embedded.schemas import parse_property
from ..errors import (
    ERROR_ARANGO_ILLEGAL_NAME,
    ERROR_CLUSTER_ONLY_ON_COORDINATOR,
    ERROR_FORBIDDEN,
    ERROR_HTTP_BAD_PARAMETER,
    ERROR_NOT_IMPLEMENTED,
    CollectionError,
)
from . import collection_catalog as catalog
from . import collection_stats as stats
from .auth import collection_created, collection_dropped, may_read_collection
from .context import RequestContext, context
from .key_generators import LISTED, key_options
from .responses import HTTPError, flag, json_body, json_response

Body = dict[str, Any]


def ok(body: Body, code: int = 200) -> Body:
    return {"error": False, "code": code, **body}


def _flag(body: Body, name: str, default: bool) -> bool:
    value = body.get(name, default)
    return value if isinstance(value, bool) else default


def _refuse_computed_values(body: Body) -> None:
    if body.get("computedValues") not in (None, []):
        raise HTTPError(
            501,
            ERROR_NOT_IMPLEMENTED,
            "computedValues are not supported by arangoml-meta serve: compute the "
            "attributes before writing the documents",
        )


def _new_collection(body: Any) -> tuple[str, bool, Body]:
    """The name, kind and kept properties of a ``POST /_api/collection`` body (1208, 1232)."""
    name = body.get("name") if isinstance(body, dict) else None
    if not isinstance(name, str) or not name:
        raise CollectionError("illegal name: a collection needs a name", ERROR_ARANGO_ILLEGAL_NAME)
    check_collection_name(name)
    if name.startswith("_") and not _flag(body, "isSystem", False):
        raise CollectionError(
            f"illegal name: '{name}' starts with '_', which only system collections "
            "(isSystem: true) may",
            ERROR_ARANGO_ILLEGAL_NAME,
        )
    kind = body.get("type", 2)
    edge = kind in (3, "3", "edge")
    _refuse_computed_values(body)
    kept = {
        "waitForSync": _flag(body, "waitForSync", False),
        "cacheEnabled": _flag(body, "cacheEnabled", False),
        "keyOptions": key_options(body.get("keyOptions")),
    }
    return name, edge, kept


def _create(
    db: EmbeddedDatabase, database: str, name: str, edge: bool, kept: Body, schema: Any
) -> Body:
    with db.storage.atomic(write=True):
        info = db.storage.create_collection(name, edge)
        if schema is not None:
            db.set_schema(name, schema)
        catalog.save_properties(db, info, kept)
        return catalog.describe(db, database, catalog.find(db, name))


async def create(request: Request) -> Response:
    ctx = context(request)
    body = await json_body(request, {})
    name, edge, kept = _new_collection(body)
    schema = body.get("schema")
    if schema is not None:
        parse_property(name, schema)  # 1621 before anything is made
    database = ctx.database.name
    described = await ctx.run(lambda db: _create(db, database, name, edge, kept, schema))
    # its creator gets read-write on it, as on ArangoDB
    await run_in_threadpool(collection_created, ctx, name)
    return json_response(ok(described))


async def list_all(request: Request) -> Response:
    ctx = context(request)
    exclude_system = flag(request, "excludeSystem")
    database = ctx.database.name

    def listing(db: EmbeddedDatabase) -> list[Body]:
        return [
            catalog.summary(database, info)
            for info in db.storage.collections()
            if not (exclude_system and catalog.is_system(info))
            and may_read_collection(ctx, info.name)  # the others are left out, as on ArangoDB
        ]

    return json_response(ok({"result": await ctx.run(listing)}))


async def _on_collection(
    request: Request, work: Callable[[EmbeddedDatabase, CollectionInfo, str], Body], write: bool
) -> Body:
    """Run ``work(db, collection, database)`` on the collection the path names."""
    ctx = context(request)
    name = request.path_params["name"]
    database = ctx.database.name

    def run(db: EmbeddedDatabase) -> Body:
        with db.storage.atomic(write=write):
            return work(db, catalog.find(db, name), database)

    return await ctx.run(run)


def _located(request: Request, ctx: RequestContext, body: Body) -> Response:
    quote = urllib.parse.quote
    name, sub = request.path_params["name"], request.path_params["sub"]
    location = (
        f"/_db/{quote(ctx.database.name, safe='')}/_api/collection/{quote(name, safe='')}/{sub}"
    )
    return json_response(ok(body), 200, {"location": location})


async def get_one(request: Request) -> Response:
    body = await _on_collection(
        request, lambda db, info, database: catalog.summary(database, info), False
    )
    return json_response(ok(body))


def _read_sub(request: Request) -> Callable[[EmbeddedDatabase, CollectionInfo, str], Body]:
    sub = request.path_params["sub"]

    def describe(db: EmbeddedDatabase, info: CollectionInfo, database: str) -> Body:
        return catalog.describe(db, database, info)

    if sub == "properties":
        return describe
    if sub == "count":
        return lambda db, info, database: {
            **describe(db, info, database),
            "count": stats.count(db, info),
        }
    if sub == "figures":
        details = flag(request, "details")
        return lambda db, info, database: {
            "figures": stats.figures(db, info, details),
            **describe(db, info, database),
            "count": stats.count(db, info),
        }
    if sub == "revision":
        return lambda db, info, database: {
            **describe(db, info, database),
            "revision": stats.revision(db, info),
        }
    if sub == "checksum":
        with_revisions = flag(request, "withRevisions")
        with_data = flag(request, "withData")
        return lambda db, info, database: {
            **catalog.summary(database, info),
            "revision": stats.revision(db, info),
            "checksum": stats.checksum(db, info, with_revisions, with_data),
        }
    if sub == "shards":
        raise HTTPError(
            501, ERROR_CLUSTER_ONLY_ON_COORDINATOR, "shards are only available in a cluster"
        )
    raise HTTPError(
        400,
        ERROR_HTTP_BAD_PARAMETER,
        "expecting one of the resources 'checksum', 'count', 'figures', 'properties', "
        "'responsibleShard', 'revision', 'shards'",
    )


async def read_sub(request: Request) -> Response:
    body = await _on_collection(request, _read_sub(request), False)
    return _located(request, context(request), body)


def _set_properties(changes: Body) -> Callable[[EmbeddedDatabase, CollectionInfo, str], Body]:
    _refuse_computed_values(changes)
    kept = {
        name: changes[name]
        for name in ("waitForSync", "cacheEnabled")
        if isinstance(changes.get(name), bool)
    }

    def work(db: EmbeddedDatabase, info: CollectionInfo, database: str) -> Body:
        if "schema" in changes:
            db.set_schema(info.name, changes["schema"])  # None or {}: no schema (1621 if bad)
        if kept:
            catalog.save_properties(db, info, kept)
        return catalog.describe(db, database, info)

    return work


def _truncate(db: EmbeddedDatabase, info: CollectionInfo, database: str) -> Body:
    db.storage.truncate(info.name)
    return catalog.summary(database, info)


def _with_count(db: EmbeddedDatabase, info: CollectionInfo, database: str) -> Body:
    return {"count": stats.count(db, info), **catalog.summary(database, info)}


def _renamed(body: Any) -> Callable[[EmbeddedDatabase, CollectionInfo, str], Body]:
    """``/rename`` to ``body["name"]`` (1208 without a valid one, 1207 when it is taken)."""
    new_name = body.get("name") if isinstance(body, dict) else None
    if not isinstance(new_name, str) or not new_name:
        raise CollectionError("illegal name: rename needs a new name", ERROR_ARANGO_ILLEGAL_NAME)
    check_collection_name(new_name)

    def work(db: EmbeddedDatabase, info: CollectionInfo, database: str) -> Body:
        if catalog.is_system(info):
            raise HTTPError(
                403, ERROR_FORBIDDEN, f"forbidden: '{info.name}' is a system collection"
            )
        if new_name.startswith("_"):
            raise CollectionError(
                f"illegal name: '{new_name}' starts with '_', which only system collections may",
                ERROR_ARANGO_ILLEGAL_NAME,
            )
        catalog.rename_properties(db, info, new_name)
        renamed = db.storage.rename_collection(info.name, new_name)
        return catalog.summary(database, renamed)

    return work


def _recalculated(db: EmbeddedDatabase, info: CollectionInfo, database: str) -> Body:
    return {"result": True, "count": stats.count(db, info)}


async def change_sub(request: Request) -> Response:
    """``PUT /_api/collection/{name}/{action}``."""
    action = request.path_params["sub"]
    writes = {"properties", "truncate", "rename"}
    work: Callable[[EmbeddedDatabase, CollectionInfo, str], Body]
    if action == "properties":
        changes = await json_body(request, {})
        if not isinstance(changes, dict):
            raise HTTPError(400, ERROR_HTTP_BAD_PARAMETER, "expecting a JSON object of properties")
        work = _set_properties(changes)
    elif action == "truncate":
        work = _truncate
    elif action == "load":
        work = _with_count
    elif action in ("unload", "compact"):
        work = lambda db, info, database: catalog.summary(database, info)  # noqa: E731
    elif action == "loadIndexesIntoMemory":
        work = lambda db, info, database: {"result": True}  # noqa: E731
    elif action == "recalculateCount":
        work = _recalculated
    elif action == "rename":
        work = _renamed(await json_body(request, {}))
    elif action == "responsibleShard":
        raise HTTPError(
            501,
            ERROR_CLUSTER_ONLY_ON_COORDINATOR,
            "responsibleShard is only available in a cluster",
        )
    else:
        raise HTTPError(
            400,
            ERROR_HTTP_BAD_PARAMETER,
            "expected PUT /_api/collection/<collection-name>/<action>",
        )
    body = await _on_collection(request, work, action in writes)
    return _located(request, context(request), body)


async def no_action(request: Request) -> Response:
    raise HTTPError(
        400, ERROR_HTTP_BAD_PARAMETER, "expected PUT /_api/collection/<collection-name>/<action>"
    )


async def drop(request: Request) -> Response:
    """``DELETE /_api/collection/{name}`` (a system collection needs ``isSystem=true``)."""
    allow_system = flag(request, "isSystem")

    def work(db: EmbeddedDatabase, info: CollectionInfo, database: str) -> Body:
        if catalog.is_system(info) and not allow_system:
            raise HTTPError(
                403,
                ERROR_FORBIDDEN,
                f"forbidden: '{info.name}' is a system collection; drop it with isSystem=true",
            )
        catalog.forget_properties(db, info)
        db.storage.drop_collection(info.name)
        return {"id": str(info.id)}

    body = await _on_collection(request, work, True)
    name = str(request.path_params["name"])
    await run_in_threadpool(collection_dropped, context(request), name)  # grants on it go
    return json_response(ok(body))


async def key_generators(request: Request) -> Response:
    return json_response({"keyGenerators": list(LISTED)})


ROUTES: list[BaseRoute] = [
    Route("/_api/collection", list_all, methods=["GET"]),
    Route("/_api/collection", create, methods=["POST"]),
    Route("/_api/collection", no_action, methods=["PUT"]),
    Route("/_api/collection/{name}", get_one, methods=["GET"]),
    Route("/_api/collection/{name}", drop, methods=["DELETE"]),
    Route("/_api/collection/{name}", no_action, methods=["PUT"]),
    Route("/_api/collection/{name}/{sub}", read_sub, methods=["GET"]),
    Route("/_api/collection/{name}/{sub}", change_sub, methods=["PUT"]),
    Route("/_api/key-generators", key_generators, methods=["GET"]),
]
