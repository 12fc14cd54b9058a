"""``GET /_api/edges/{collection}?vertex=&direction=``: a vertex's edges in one collection.

Answered from the edge index: ``out`` the edges whose ``_from`` is the vertex,
``in`` those whose ``_to`` is, ``any`` (the default) both, the outgoing first
and an edge from the vertex to itself once. The ``stats`` are those of the
AQL query ArangoDB runs for it, counted here (index lookups, documents).
"""

from __future__ import annotations

import time
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ..embedded import EmbeddedDatabase
from ..errors import (
    ERROR_ARANGO_COLLECTION_TYPE_INVALID,
    ERROR_ARANGO_DOCUMENT_HANDLE_BAD,
    ERROR_HTTP_BAD_PARAMETER,
    CollectionError,
)
from . import collection_catalog as catalog
from .context import context
from .responses import HTTPError, json_response

DIRECTIONS = ("any", "in", "out")


def edges_of(db: EmbeddedDatabase, collection: str, vertex: str, direction: str) -> dict[str, Any]:
    """The edges and the stats of the lookup (see the module docstring)."""
    started = time.perf_counter()
    storage = db.storage
    with storage.atomic():
        info = catalog.find(db, collection)
        if not info.edge:
            raise CollectionError(
                f"collection type invalid: '{info.name}' is not an edge collection",
                ERROR_ARANGO_COLLECTION_TYPE_INVALID,
            )
        found: list[dict[str, Any]] = []
        scanned = lookups = 0
        if direction in ("any", "out"):
            outgoing = storage.edges(info, vertex, outbound=True)
            found += outgoing
            scanned += len(outgoing)
            lookups += 1
        if direction in ("any", "in"):
            incoming = storage.edges(info, vertex, outbound=False)
            scanned += len(incoming)
            lookups += 1
            if direction == "any":  # an edge from the vertex to itself came with the outgoing
                incoming = [e for e in incoming if e["_from"] != vertex]
            found += incoming
    stats = {
        "writesExecuted": 0,
        "writesIgnored": 0,
        "documentLookups": len(found),
        "seeks": 0,
        "scannedFull": 0,
        "scannedIndex": scanned,
        "searchParallelism": 1,
        "cursorsCreated": lookups,
        "cursorsRearmed": 0,
        "cacheHits": 0,
        "cacheMisses": lookups,
        "filtered": scanned - len(found),
        "httpRequests": 0,
        "executionTime": time.perf_counter() - started,
        "peakMemoryUsage": 0,
        "intermediateCommits": 0,
    }
    return {"edges": found, "error": False, "code": 200, "stats": stats}


async def read(request: Request) -> Response:
    ctx = context(request)
    collection = request.path_params["collection"]
    vertex = request.query_params.get("vertex")
    if not vertex:
        raise HTTPError(
            400,
            ERROR_ARANGO_DOCUMENT_HANDLE_BAD,
            "illegal document handle: expecting GET /_api/edges/<collection>?vertex=<vertex id>",
        )
    direction = request.query_params.get("direction") or "any"
    if direction not in DIRECTIONS:
        raise HTTPError(
            400, ERROR_HTTP_BAD_PARAMETER, f"<direction> must by any, in, or out, not: {direction}"
        )
    return json_response(await ctx.run(lambda db: edges_of(db, collection, vertex, direction)))


ROUTES: list[BaseRoute] = [Route("/_api/edges/{collection}", read, methods=["GET"])]
