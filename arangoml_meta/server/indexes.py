"""``/_api/index``: list, create, read and drop a collection's indexes.

The engine's index kinds are ArangoDB's primary index (``_key``, id 0), the
edge index of an edge collection (``_from`` / ``_to``, listed once with id 1,
as ArangoDB lists its two halves), persistent indexes (``unique``,
``sparse``, ``name``; ``hash`` and ``skiplist`` are persistent ones, as in
ArangoDB 3.12), geo indexes (``geoJson``, ``legacyPolygons``; ``geo1`` and
``geo2`` are geo ones, see ``embedded/geo_index.py``) and inverted indexes
(``embedded/inverted_index.py``). Any other index's id is its catalog id plus
:data:`INDEX_ID_OFFSET`, so that it can never be 0, 1 or 2 (the system
indexes' ids) in any collection. The other types ArangoDB has (fulltext,
ttl, zkd, mdi) and array fields of persistent indexes (``tags[*]``) are
refused as ArangoDB refuses an index it cannot make (400, errorNum 10),
saying so. Options the
engine has no use for (``estimates``, ``deduplicate``, ``cacheEnabled``,
``inBackground``, ``storedValues``) are accepted; the defaults are reported.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ..embedded import EmbeddedDatabase, inverted_index
from ..embedded.geo_index import GEO_TYPES, parse_definition
from ..embedded.layout import CollectionInfo, IndexInfo
from ..errors import (
    ERROR_ARANGO_COLLECTION_PARAMETER_MISSING,
    ERROR_ARANGO_DUPLICATE_NAME,
    ERROR_ARANGO_INDEX_NOT_FOUND,
    ERROR_BAD_PARAMETER,
    ERROR_FORBIDDEN,
    BadParameterError,
    CollectionError,
)
from . import collection_catalog as catalog
from .context import context
from .responses import HTTPError, json_body, json_response

INDEX_ID_OFFSET = 100
PERSISTENT_ALIASES = ("persistent", "hash", "skiplist")
UNSUPPORTED = ("fulltext", "ttl", "zkd", "mdi", "mdi-prefixed")
Body = dict[str, Any]


def primary(collection: str) -> Body:
    return {
        "fields": ["_key"],
        "id": f"{collection}/0",
        "name": "primary",
        "selectivityEstimate": 1,
        "sparse": False,
        "type": "primary",
        "unique": True,
    }


def edge(collection: str) -> Body:
    return {
        "fields": ["_from", "_to"],
        "id": f"{collection}/1",
        "name": "edge",
        "selectivityEstimate": 1,
        "sparse": False,
        "type": "edge",
        "unique": False,
    }


def persistent(collection: str, index: IndexInfo) -> Body:
    return {
        "cacheEnabled": False,
        "deduplicate": True,
        "estimates": True,
        "fields": list(index.fields),
        "id": f"{collection}/{index.id + INDEX_ID_OFFSET}",
        "name": index.name,
        "selectivityEstimate": 1,
        "sparse": index.sparse,
        "type": "persistent",
        "unique": index.unique,
    }


def all_of(info: CollectionInfo) -> list[Body]:
    """A collection's indexes as ArangoDB lists them: primary, edge, then the others in
    the order they were made."""
    found = [primary(info.name)]
    if info.edge:
        found.append(edge(info.name))
    made = [(index.id, persistent(info.name, index)) for index in info.indexes]
    made += [(i.id, i.as_dict(info.name, INDEX_ID_OFFSET)) for i in info.geo_indexes]
    made += [(i.id, i.as_dict(info.name, INDEX_ID_OFFSET)) for i in info.inverted_indexes]
    return found + [body for _, body in sorted(made, key=lambda pair: pair[0])]


def not_found(handle: str) -> CollectionError:
    return CollectionError(f"index not found: {handle}", ERROR_ARANGO_INDEX_NOT_FOUND)


def find(info: CollectionInfo, handle: str) -> Body:
    """The index named by its id (the number after the ``/``) or name; 1212 when none."""
    for index in all_of(info):
        if index["id"].rpartition("/")[2] == handle or index["name"] == handle:
            return index
    raise not_found(handle)


def _collection_param(request: Request) -> str:
    name = request.query_params.get("collection")
    if not name:
        raise HTTPError(
            400,
            ERROR_ARANGO_COLLECTION_PARAMETER_MISSING,
            "'collection' is missing, expecting /_api/index?collection=<collection>",
        )
    return name


async def list_all(request: Request) -> Response:
    ctx = context(request)
    name = _collection_param(request)

    def listing(db: EmbeddedDatabase) -> list[Body]:
        with db.storage.atomic():
            return all_of(catalog.find(db, name))

    indexes = await ctx.run(listing)
    return json_response(
        {
            "error": False,
            "code": 200,
            "indexes": indexes,
            "identifiers": {index["id"]: index for index in indexes},
        }
    )


def _bad(message: str) -> BadParameterError:
    return BadParameterError(message, ERROR_BAD_PARAMETER)


def definition(body: Any) -> tuple[list[str], bool, bool, str | None]:
    """The fields, uniqueness, sparseness and name of a persistent index to make (400 / 10
    for a type or field the engine cannot index)."""
    if not isinstance(body, dict):
        raise _bad("invalid index definition: expecting a JSON object")
    kind = body.get("type")
    if kind in UNSUPPORTED:
        raise _bad(
            f"index type '{kind}' is not supported by arangoml-meta serve (its embedded "
            "engine has persistent, geo and inverted indexes only)"
        )
    if kind in ("primary", "edge"):
        raise _bad(f"cannot create an index of type '{kind}': every collection has its own")
    if kind not in PERSISTENT_ALIASES:
        raise _bad(f"invalid index type: {kind!r}")
    fields = body.get("fields")
    if (
        not isinstance(fields, list)
        or not fields
        or not all(isinstance(f, str) and f and '"' not in f for f in fields)
    ):
        raise _bad(
            "invalid index definition: 'fields' must be a non-empty array of attribute names"
        )
    if any("[*]" in f for f in fields):
        raise _bad(
            "array indexes (fields with [*]) are not supported by arangoml-meta serve: "
            "index a scalar attribute instead"
        )
    if len(set(fields)) != len(fields):
        raise _bad("duplicate attribute name in index fields list")
    name = _name(body)
    flags = [body.get(k, False) for k in ("unique", "sparse")]
    if not all(isinstance(value, bool) for value in flags):
        raise _bad("invalid index definition: 'unique' and 'sparse' must be booleans")
    return fields, flags[0], flags[1], name


def _name(body: dict[str, Any]) -> str | None:
    name = body.get("name")
    if name is not None and (not isinstance(name, str) or not name):
        raise _bad("invalid index name: expecting a non-empty string")
    return name


def _refuse_taken_name(info: CollectionInfo, name: str | None) -> None:
    """1207 when another index of the collection has the name."""
    if name is not None and any(index["name"] == name for index in all_of(info)):
        raise CollectionError(
            f"duplicate name: an index named '{name}' with another definition exists",
            ERROR_ARANGO_DUPLICATE_NAME,
        )


def _ensure_other(
    db: EmbeddedDatabase, collection: str, kind: str, definition: Any, name: str | None
) -> tuple[Body, bool]:
    """A geo index (``definition``: its GeoDefinition) or an inverted one (its description),
    found again when one has this definition; a new one's name must be free (1207)."""
    storage = db.storage
    with storage.atomic(write=True):
        info = catalog.find(db, collection)
        ensure: Callable[..., tuple[Any, bool]]
        if kind == "geo":
            known: list[Any] = [index.definition for index in info.geo_indexes]
            ensure = storage.ensure_geo_index
        else:
            known = [index.description for index in info.inverted_indexes]
            ensure = storage.ensure_inverted_index
        if definition not in known:
            _refuse_taken_name(info, name)
        made, created = ensure(info.name, definition, name)
        return made.as_dict(info.name, INDEX_ID_OFFSET), created


def _ensure(
    db: EmbeddedDatabase,
    collection: str,
    fields: list[str],
    unique: bool,
    sparse: bool,
    name: str | None,
) -> tuple[Body, bool]:
    storage = db.storage
    with storage.atomic(write=True):
        info = catalog.find(db, collection)
        for existing in info.indexes:
            if (existing.fields, existing.unique, existing.sparse) == (fields, unique, sparse):
                return persistent(info.name, existing), False
        _refuse_taken_name(info, name)
        made = storage.ensure_index(info.name, fields, unique, sparse, name)
        return persistent(info.name, made), True


async def create(request: Request) -> Response:
    ctx = context(request)
    collection = _collection_param(request)
    body = await json_body(request, {})
    kind = body.get("type") if isinstance(body, dict) else None
    if kind in GEO_TYPES or kind == "inverted":
        family = "inverted" if kind == "inverted" else "geo"  # geo1 and geo2 are geo
        parse = inverted_index.parse_definition if family == "inverted" else parse_definition
        made, made_name = parse(body), _name(body)
        index, created = await ctx.run(
            lambda db: _ensure_other(db, collection, family, made, made_name)
        )
    else:
        fields, unique, sparse, name = definition(body)
        index, created = await ctx.run(
            lambda db: _ensure(db, collection, fields, unique, sparse, name)
        )
    status = 201 if created else 200
    return json_response(
        {**index, "isNewlyCreated": created, "code": status, "error": False}, status
    )


async def get_one(request: Request) -> Response:
    ctx = context(request)
    collection, handle = request.path_params["collection"], request.path_params["handle"]

    def read(db: EmbeddedDatabase) -> Body:
        with db.storage.atomic():
            return find(catalog.find(db, collection), handle)

    return json_response({**await ctx.run(read), "code": 200, "error": False})


async def drop(request: Request) -> Response:
    ctx = context(request)
    collection, handle = request.path_params["collection"], request.path_params["handle"]

    def work(db: EmbeddedDatabase) -> str:
        storage = db.storage
        with storage.atomic(write=True):
            info = catalog.find(db, collection)
            index = find(info, handle)
            if index["type"] in ("primary", "edge"):
                raise HTTPError(403, ERROR_FORBIDDEN, f"cannot drop the {index['type']} index")
            storage.drop_index(info.name, index["name"])
            return str(index["id"])

    return json_response({"id": await ctx.run(work), "error": False, "code": 200})


ROUTES: list[BaseRoute] = [
    Route("/_api/index", list_all, methods=["GET"]),
    Route("/_api/index", create, methods=["POST"]),
    Route("/_api/index/{collection}/{handle}", get_one, methods=["GET"]),
    Route("/_api/index/{collection}/{handle}", drop, methods=["DELETE"]),
]
