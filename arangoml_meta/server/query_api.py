"""``/_api/query`` and ``/_api/explain``: parse, explain, and the server's query list.

``POST /_api/query`` parses a query (``parsed``, ``collections``,
``bindVars``, ``ast``; ``ast_json.py``), ``POST /_api/explain`` describes its
plan (``explain.py``), ``GET /_api/query/current`` and ``/slow`` list the
running and the slow queries, ``DELETE /_api/query/{id}`` kills a running one
and ``DELETE /_api/query/slow`` clears the slow list, ``GET`` / ``PUT
/_api/query/properties`` read and set the tracking properties
(``query_tracking.py``), and ``GET /_api/query/rules`` lists the optimizations
the embedded planner makes, under ArangoDB's names. Errors as ArangoDB words
them here: a parse error as the parser says it, explain's with ``(while
parsing)``.
"""

from __future__ import annotations

import time
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ..embedded import EmbeddedDatabase
from ..errors import (
    ERROR_HTTP_BAD_PARAMETER,
    ERROR_HTTP_NOT_FOUND,
    ERROR_QUERY_NOT_FOUND,
    ArangoMLMetaError,
    error_for,
)
from .ast_json import AstPrinter, bind_parameters_of, collections_of
from .context import context, database_name
from .explain import cacheable, explain
from .query_tracking import QueryTracker
from .responses import HTTPError, json_body, json_response

# what the embedded planner does, under the names of ArangoDB's optimizer rules
RULES = (
    (
        "use-indexes",
        "FILTER conditions on a collection's attributes become SQL over the stored documents, "
        "which reads a persistent index (or the primary or edge index) when one leads with "
        "the attribute",
    ),
    (
        "remove-filter-covered-by-index",
        "a FILTER condition the SQL decides exactly (equality, ranges over numbers, IN) is not "
        "evaluated again",
    ),
    (
        "use-index-for-sort",
        "SORT then LIMIT on an indexed attribute of a collection loop reads the index in "
        "order, only as far as the LIMIT goes, instead of sorting",
    ),
    (
        "reduce-extraction-to-projection",
        "a loop variable read only as some of its attributes decodes only those",
    ),
    (
        "optimize-traversals",
        "FILTER conditions on a traversal's vertices and depth run inside the traversal, "
        "once per level where they can",
    ),
)


def _body_object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise HTTPError(400, ERROR_HTTP_BAD_PARAMETER, "expecting a JSON object as body")
    return body


def _query_text(body: dict[str, Any]) -> str:
    query = body.get("query")
    if not isinstance(query, str):
        raise HTTPError(400, ERROR_HTTP_BAD_PARAMETER, "expecting a string in attribute 'query'")
    return query


def _tracker(request: Request) -> QueryTracker:
    tracker: QueryTracker = request.app.state.server.queries
    return tracker


async def parse(request: Request) -> Response:
    query = _query_text(_body_object(await json_body(request)))

    def parsed(db: EmbeddedDatabase) -> dict[str, Any]:
        tree = db.parse(query)
        return {
            "error": False,
            "code": 200,
            "parsed": True,
            "collections": collections_of(tree),
            "bindVars": bind_parameters_of(tree),
            "ast": [AstPrinter().query(tree)],
            "warnings": [],
        }

    return json_response(await context(request).run(parsed))


async def explain_query(request: Request) -> Response:
    body = _body_object(await json_body(request))
    query = _query_text(body)
    bind_vars = body.get("bindVars") or {}
    if not isinstance(bind_vars, dict):
        raise HTTPError(400, ERROR_HTTP_BAD_PARAMETER, "expecting an object in 'bindVars'")
    options = body.get("options") if isinstance(body.get("options"), dict) else {}
    assert isinstance(options, dict)
    started = time.monotonic()

    def planned(db: EmbeddedDatabase) -> tuple[dict[str, Any], bool]:
        try:
            plan = explain(db, query, bind_vars)
            return plan, cacheable(db.parse(query))
        except ArangoMLMetaError as exc:
            error = error_for(exc.error_num, f"{exc.message} (while parsing)")
            raise error from None

    plan, can_cache = await context(request).run(planned)
    stats = {
        "rulesExecuted": 0,
        "rulesSkipped": 0,
        "plansCreated": 1,
        "rules": {},
        "peakMemoryUsage": 0,
        "executionTime": time.monotonic() - started,
    }
    answer: dict[str, Any] = {}
    if options.get("allPlans") is True:
        answer["plans"] = [plan]
    else:
        answer["plan"] = plan
        answer["cacheable"] = can_cache
    answer.update(warnings=[], stats=stats, error=False, code=200)
    return json_response(answer)


async def current(request: Request) -> Response:
    return json_response(_tracker(request).current(database_name(request)))


async def slow(request: Request) -> Response:
    return json_response(_tracker(request).slow(database_name(request)))


async def clear_slow(request: Request) -> Response:
    _tracker(request).clear_slow(database_name(request))
    return json_response({"error": False, "code": 200})


async def kill(request: Request) -> Response:
    query_id = str(request.path_params["query_id"])
    if not _tracker(request).kill(database_name(request), query_id):
        raise HTTPError(404, ERROR_QUERY_NOT_FOUND, "query ID not found in query list")
    return json_response({"error": False, "code": 200})


def _properties(tracker: QueryTracker) -> Response:
    return json_response({"error": False, "code": 200, **tracker.properties.as_dict()})


async def read_properties(request: Request) -> Response:
    return _properties(_tracker(request))


async def set_properties(request: Request) -> Response:
    body = await json_body(request)
    if not isinstance(body, dict):
        raise HTTPError(400, ERROR_HTTP_BAD_PARAMETER, "expecting a JSON object as body")
    tracker = _tracker(request)
    tracker.properties.update(body)
    return _properties(tracker)


async def rules(request: Request) -> Response:
    flags = {
        "hidden": False,
        "clusterOnly": False,
        "canBeDisabled": False,
        "canCreateAdditionalPlans": False,
        "disabledByDefault": False,
        "enterpriseOnly": False,
    }
    return json_response(
        [{"name": name, "description": text, "flags": dict(flags)} for name, text in RULES]
    )


async def unknown_list(request: Request) -> Response:
    name = request.path_params["query_id"]
    raise HTTPError(
        404,
        ERROR_HTTP_NOT_FOUND,
        f"unknown type '{name}', expecting 'slow', 'current', or 'properties'",
    )


async def unknown_put(request: Request) -> Response:
    raise HTTPError(400, ERROR_HTTP_BAD_PARAMETER, "expecting PUT /_api/query/properties")


ROUTES: list[BaseRoute] = [
    Route("/_api/query", parse, methods=["POST"]),
    Route("/_api/explain", explain_query, methods=["POST"]),
    Route("/_api/query/current", current, methods=["GET"]),
    Route("/_api/query/slow", slow, methods=["GET"]),
    Route("/_api/query/slow", clear_slow, methods=["DELETE"]),
    Route("/_api/query/properties", read_properties, methods=["GET"]),
    Route("/_api/query/properties", set_properties, methods=["PUT"]),
    Route("/_api/query/rules", rules, methods=["GET"]),
    Route("/_api/query/{query_id}", kill, methods=["DELETE"]),
    Route("/_api/query/{query_id}", unknown_list, methods=["GET"]),
    Route("/_api/query/{query_id}", unknown_put, methods=["PUT"]),
]
