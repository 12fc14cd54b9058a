"""Server information: ``/_api/version``, ``/_admin/server/availability`` and the other
``/_admin`` reads that clients ask before they start (role, engine, time)."""

from __future__ import annotations

import time

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from .. import __version__
from .responses import flag, json_response

# the ArangoDB API level this server implements (clients gate features on it)
API_VERSION = "3.12.4"
LICENSE = "community"


async def version(request: Request) -> Response:
    body: dict[str, object] = {
        "server": "arango",
        "version": API_VERSION,
        "license": LICENSE,
        # the HTTP API versions served (ArangoDB 3.12: v0 only, none deprecated)
        "apiVersions": ["v0"],
        "deprecatedApiVersions": [],
        "requestedApiVersion": "v0",
    }
    if flag(request, "details"):
        body["details"] = {
            "architecture": "64bit",
            "mode": "server",
            "role": "SINGLE",
            "engine": "rocksdb",
            "server": "arangoml-meta",
            "arangoml-meta-version": __version__,
            "implementation": "arangoml-meta serve: ArangoDB's HTTP API over the embedded "
            "store (single-node team mode; use ArangoDB to scale out)",
        }
    return json_response(body)


async def availability(request: Request) -> Response:
    return json_response({"mode": "default", "readOnly": False})


async def role(request: Request) -> Response:
    return json_response({"code": 200, "error": False, "role": "SINGLE", "mode": "default"})


async def engine(request: Request) -> Response:
    return json_response(
        {
            "name": "rocksdb",
            "supports": {"indexes": ["primary", "edge", "persistent", "geo", "inverted"]},
        }
    )


async def server_time(request: Request) -> Response:
    return json_response({"code": 200, "error": False, "time": time.time()})


ROUTES: list[BaseRoute] = [
    Route("/_api/version", version, methods=["GET"]),
    Route("/_admin/version", version, methods=["GET"]),
    Route("/_admin/server/availability", availability, methods=["GET"]),
    Route("/_admin/server/role", role, methods=["GET"]),
    Route("/_api/engine", engine, methods=["GET"]),
    Route("/_admin/time", server_time, methods=["GET"]),
]
