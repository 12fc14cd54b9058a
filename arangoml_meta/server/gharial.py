"""Named graphs over HTTP: ArangoDB's ``/_api/gharial`` (3.12 shapes).

``/_api/gharial`` lists and creates graphs; ``/_api/gharial/{graph}`` reads and drops
one; ``.../vertex`` and ``.../edge`` list, add and remove its vertex collections and
edge definitions; ``.../vertex/{collection}[/{key}]`` and ``.../edge/{collection}[/{key}]``
create, read, update, replace and remove its vertices and edges. As in ArangoDB, the
path is taken apart by hand: the graph is looked up first (1924), then the kind of the
next segment (404), then the method (405). The request is parsed here; everything
that touches the database runs in one transaction through :meth:`RequestContext.run`
(joining the request's stream transaction, if any), the rules living in
``gharial_graphs`` (definitions), ``gharial_store`` (catalog and collections) and
``gharial_elements`` (vertices and edges). Status codes are ArangoDB's: 201 / 200 when
``waitForSync`` is set, else 202; changes of a graph's definition answer 202 always.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ..embedded import EmbeddedDatabase
from ..errors import (
    ERROR_ARANGO_CONFLICT,
    ERROR_ARANGO_DOCUMENT_TYPE_INVALID,
    ERROR_BAD_PARAMETER,
    ERROR_GRAPH_EDGE_COLLECTION_NOT_USED,
    ERROR_GRAPH_VERTEX_COL_DOES_NOT_EXIST,
    ERROR_GRAPH_WRONG_COLLECTION_TYPE_VERTEX,
    ERROR_HTTP_CORRUPTED_JSON,
    ERROR_HTTP_METHOD_NOT_ALLOWED,
    ERROR_HTTP_NOT_FOUND,
    BadParameterError,
    DocumentError,
    GraphError,
)
from . import gharial_elements as elements
from . import gharial_store as store
from .context import context
from .gharial_graphs import GraphDefinition, from_request, graph_name, parse_edge_definition
from .responses import HTTPError, flag, json_response

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


@dataclass
class Reply:
    """A response decided inside the transaction, sent from the event loop."""

    status: int
    body: dict[str, Any] | None
    headers: dict[str, str] = field(default_factory=dict)


def ok(status: int, etag: str | None = None, **fields: Any) -> Reply:
    """ArangoDB's success body ``{error: false, code, ...fields}``."""
    headers = {"etag": etag} if etag is not None else {}
    return Reply(status, {"error": False, "code": status, **fields}, headers)


@dataclass
class Call:
    """What one gharial request asks, parsed on the event loop."""

    method: str
    parts: list[str]
    raw: bytes
    sync: bool
    return_new: bool
    return_old: bool
    keep_null: bool
    drop_collections: bool
    drop_collection: bool
    create_collection: bool
    rev: str | None
    if_none_match: str | None

    def body(self, definition: bool = False) -> Any:
        """The JSON body (None when empty). Bad JSON is 400 / 10 "unable to parse body",
        or 400 / 600 for an edge definition (ArangoDB answers the two differently)."""
        if not self.raw.strip():
            return None
        try:
            return orjson.loads(self.raw)
        except orjson.JSONDecodeError as exc:
            if definition:
                raise HTTPError(
                    400, ERROR_HTTP_CORRUPTED_JSON, f"VPackError error: {exc}"
                ) from None
            raise HTTPError(400, ERROR_BAD_PARAMETER, "unable to parse body") from None

    def document(self) -> dict[str, Any]:
        """The body as a document: 1227 when it is not an object."""
        body = self.body()
        if not isinstance(body, dict):
            raise DocumentError("invalid document type", ERROR_ARANGO_DOCUMENT_TYPE_INVALID)
        return body

    def status(self, synced: int) -> int:
        return synced if self.sync else 202


def _revision(value: str | None) -> str | None:
    """A revision from an ``If-Match`` / ``If-None-Match`` header (quotes optional)."""
    if value is None:
        return None
    value = value.strip().strip('"')
    return value or None


async def _call(request: Request, parts: list[str]) -> Call:
    rev = _revision(request.headers.get("if-match")) or request.query_params.get("rev") or None
    return Call(
        method=request.method,
        parts=parts,
        raw=await request.body(),
        sync=flag(request, "waitForSync"),
        return_new=flag(request, "returnNew"),
        return_old=flag(request, "returnOld"),
        keep_null=flag(request, "keepNull", True),
        drop_collections=flag(request, "dropCollections"),
        drop_collection=flag(request, "dropCollection"),
        create_collection=flag(request, "createCollection", True),
        rev=rev,
        if_none_match=_revision(request.headers.get("if-none-match")),
    )


def _method_not_allowed() -> HTTPError:
    return HTTPError(405, ERROR_HTTP_METHOD_NOT_ALLOWED, "method not supported")


def _precondition_failed(current: dict[str, Any]) -> Reply:
    body = {
        "error": True,
        "code": 412,
        "errorNum": ERROR_ARANGO_CONFLICT,
        "errorMessage": "conflict, _rev values do not match",
        **current,
    }
    return Reply(412, body, {"etag": f'"{current["_rev"]}"'})


async def _respond(
    request: Request, call: Call, action: Callable[[EmbeddedDatabase, Call], Reply]
) -> Response:
    write = call.method != "GET"

    def work(db: EmbeddedDatabase) -> Reply:
        try:
            with db.transaction(write=write):
                return action(db, call)
        except elements.PreconditionFailed as exc:
            return _precondition_failed(exc.current)

    reply = await context(request).run(work)
    if reply.body is None:
        return Response(status_code=reply.status, headers=reply.headers)
    return json_response(reply.body, reply.status, reply.headers)


# ---------------------------------------------------------------------- /_api/gharial


def _graphs(db: EmbeddedDatabase, call: Call) -> Reply:
    if call.method == "GET":
        return ok(200, graphs=[g.for_client() for g in store.load_all(db)])
    if call.method != "POST":
        raise _method_not_allowed()
    body = call.body()
    name = graph_name(body)
    store.require_free(db, name)
    graph = from_request(name, body)
    store.create(db, graph)
    return ok(call.status(201), graph.rev, graph=graph.for_client())


async def graphs_endpoint(request: Request) -> Response:
    return await _respond(request, await _call(request, []), _graphs)


# ---------------------------------------------------------------------- /_api/gharial/...


def _dispatch(db: EmbeddedDatabase, call: Call) -> Reply:
    name, *rest = call.parts
    graph = store.load(db, name)
    if not rest:
        return _graph(db, call, graph)
    kind, *rest = rest
    if kind not in ("vertex", "edge") or len(rest) > 2:
        raise HTTPError(404, ERROR_HTTP_NOT_FOUND, "not found")
    vertex = kind == "vertex"
    if not rest:
        return (_vertex_collections if vertex else _edge_definitions)(db, call, graph)
    if len(rest) == 1:
        return (_vertex_collection if vertex else _edge_definition)(db, call, graph, rest[0])
    return (_vertex if vertex else _edge)(db, call, graph, rest[0], rest[1])


async def graph_endpoint(request: Request) -> Response:
    suffix = request.path_params["suffix"].rstrip("/")
    if not suffix:  # /_api/gharial/
        return await graphs_endpoint(request)
    return await _respond(request, await _call(request, suffix.split("/")), _dispatch)


def _changed(graph: GraphDefinition) -> Reply:
    """The answer to a change of a graph's definition (always 202, as ArangoDB)."""
    return ok(202, graph.rev, graph=graph.for_client())


def _graph(db: EmbeddedDatabase, call: Call, graph: GraphDefinition) -> Reply:
    if call.method == "GET":
        return ok(200, graph=graph.for_client())
    if call.method != "DELETE":
        raise _method_not_allowed()
    db.drop_graph(graph.name)
    if call.drop_collections:
        store.drop_unused(
            db, [*graph.edge_collections, *graph.vertex_collections], store.load_all(db)
        )
    return ok(202, removed=True)


def _vertex_collections(db: EmbeddedDatabase, call: Call, graph: GraphDefinition) -> Reply:
    if call.method == "GET":
        return ok(200, collections=graph.vertex_collections)
    if call.method != "POST":
        raise _method_not_allowed()
    body = call.body()
    name = body.get("collection") if isinstance(body, dict) else None
    if not isinstance(name, str):
        raise BadParameterError(
            "expecting the vertex collection's name in attribute 'collection'", ERROR_BAD_PARAMETER
        )
    graph.add_orphan(name)
    info = db.storage.find_collection(name)
    if info is None and not call.create_collection:
        raise GraphError(
            f"{name} vertex collection does not exist or is not part of the graph",
            ERROR_GRAPH_VERTEX_COL_DOES_NOT_EXIST,
        )
    if info is not None and info.edge:
        raise GraphError(
            "collection not a vertex collection", ERROR_GRAPH_WRONG_COLLECTION_TYPE_VERTEX
        )
    store.ensure_collections(db, graph)
    store.save(db, graph)
    return _changed(graph)


def _vertex_collection(
    db: EmbeddedDatabase, call: Call, graph: GraphDefinition, name: str
) -> Reply:
    if call.method == "POST":
        body = call.document()
        info = elements.vertex_collection(db, graph, name)
        new = elements.insert(db, info, body)
        return _created(call, "vertex", new)
    if call.method != "DELETE":
        raise _method_not_allowed()
    graph.remove_orphan(name)
    existed = db.has_collection(name)
    store.save(db, graph)
    if call.drop_collection and existed:
        store.drop_unused(db, [name], store.load_all(db))
    return _changed(graph)


def _edge_definitions(db: EmbeddedDatabase, call: Call, graph: GraphDefinition) -> Reply:
    if call.method == "GET":
        return ok(200, collections=graph.edge_collections)
    if call.method != "POST":
        raise _method_not_allowed()
    graph.add_edge_definition(parse_edge_definition(call.body(definition=True)))
    graph.check_agrees_with(store.load_all(db))
    store.ensure_collections(db, graph)
    store.save(db, graph)
    return _changed(graph)


def _edge_definition(db: EmbeddedDatabase, call: Call, graph: GraphDefinition, name: str) -> Reply:
    if call.method == "POST":
        body = call.document()
        elements.check_edge_collection(graph, name)
        ends = elements.check_edge_ends(db, graph, body, partial=False)
        info = elements.edge_collection(db, name, inserting=True)
        elements.check_ends_exist(db, ends)
        return _created(call, "edge", elements.insert(db, info, body))
    if call.method == "PUT":
        return _replace_edge_definition(db, call, graph, name)
    if call.method != "DELETE":
        raise _method_not_allowed()
    elements.check_edge_collection(graph, name)
    graph.remove_edge_definition(name)
    store.save(db, graph)
    if call.drop_collections:
        store.drop_unused(db, [name], store.load_all(db))
    return _changed(graph)


def _replace_edge_definition(
    db: EmbeddedDatabase, call: Call, graph: GraphDefinition, name: str
) -> Reply:
    """Replace a relation in every graph that has it (ArangoDB keeps one relation per
    edge collection across graphs); 1930 unless this graph has both the relation named
    in the path and the one in the body."""
    definition = parse_edge_definition(call.body(definition=True))
    for collection in (name, definition.collection):
        if collection not in graph.edges:
            raise GraphError(
                "edge collection not used in graph", ERROR_GRAPH_EDGE_COLLECTION_NOT_USED
            )
    for each in store.graphs_using(store.load_all(db), definition.collection):
        each.replace_edge_definition(definition)
        store.ensure_collections(db, each)
        store.save(db, each)
    return _changed(store.load(db, graph.name))


# ---------------------------------------------------------------------- vertices and edges


def _created(call: Call, kind: str, new: dict[str, Any]) -> Reply:
    fields: dict[str, Any] = {kind: elements.handle_of(new)}
    if call.return_new:
        fields["new"] = new
    return ok(call.status(201), new["_rev"], **fields)


def _modified(call: Call, kind: str, old: dict[str, Any], new: dict[str, Any]) -> Reply:
    fields: dict[str, Any] = {kind: {**elements.handle_of(new), "_oldRev": old["_rev"]}}
    if call.return_old:
        fields["old"] = old
    if call.return_new:
        fields["new"] = new
    return ok(call.status(200), new["_rev"], **fields)


def _read(call: Call, kind: str, document: dict[str, Any]) -> Reply:
    if call.if_none_match is not None and call.if_none_match == document["_rev"]:
        return Reply(304, None, {"etag": f'"{document["_rev"]}"'})
    return ok(200, document["_rev"], **{kind: document})


def _removed(call: Call, old: dict[str, Any]) -> Reply:
    fields: dict[str, Any] = {"removed": True}
    if call.return_old:
        fields["old"] = old
    return ok(call.status(200), **fields)


def _vertex(
    db: EmbeddedDatabase, call: Call, graph: GraphDefinition, collection: str, key: str
) -> Reply:
    if call.method == "GET":
        info = elements.vertex_collection(db, graph, collection)
        return _read(call, "vertex", elements.read(db, info, key, call.rev))
    if call.method in ("PATCH", "PUT"):
        body = call.body()
        info = elements.vertex_collection(db, graph, collection)
        old, new = elements.modify(
            db,
            info,
            key,
            body,
            patch=call.method == "PATCH",
            rev=call.rev,
            keep_null=call.keep_null,
        )
        return _modified(call, "vertex", old, new)
    if call.method != "DELETE":
        raise _method_not_allowed()
    info = elements.vertex_collection(db, graph, collection)
    touching = store.edge_collections_touching(graph, store.load_all(db), collection)
    return _removed(call, elements.remove(db, info, key, call.rev, touching))


def _edge(
    db: EmbeddedDatabase, call: Call, graph: GraphDefinition, collection: str, key: str
) -> Reply:
    if call.method == "GET":
        elements.check_edge_collection(graph, collection)
        info = elements.edge_collection(db, collection)
        return _read(call, "edge", elements.read(db, info, key, call.rev))
    if call.method in ("PATCH", "PUT"):
        body = call.body()
        patch = call.method == "PATCH"
        elements.check_edge_collection(graph, collection)
        ends = elements.check_edge_ends(db, graph, body if isinstance(body, dict) else {}, patch)
        info = elements.edge_collection(db, collection)
        elements.check_ends_exist(db, ends)
        old, new = elements.modify(
            db, info, key, body, patch=patch, rev=call.rev, keep_null=call.keep_null
        )
        return _modified(call, "edge", old, new)
    if call.method != "DELETE":
        raise _method_not_allowed()
    elements.check_edge_collection(graph, collection)
    info = elements.edge_collection(db, collection)
    touching = store.edge_collections_touching(graph, store.load_all(db), collection)
    return _removed(call, elements.remove(db, info, key, call.rev, touching))


ROUTES: list[BaseRoute] = [
    Route("/_api/gharial", graphs_endpoint, methods=METHODS),
    Route("/_api/gharial/{suffix:path}", graph_endpoint, methods=METHODS),
]
