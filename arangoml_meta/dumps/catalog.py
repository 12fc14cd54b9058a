"""What a dump says about each collection, read from a backend and checked from a file.

A :class:`CollectionSpec` is the part of a ``structure.json`` a store needs back:
name, kind (2 document / 3 edge), persistent, geo and inverted indexes, schema and the key
generator's last value. :func:`structures` reads every collection's structure from
a backend (the embedded catalog, or ArangoDB's own properties and indexes, kept as
the server gives them); :meth:`CollectionSpec.parse` checks one read from a dump.

The embedded store keeps no server-side schema (the domain layer validates every
write), so its dump carries the schema ArangoDB would enforce for each registered
type (``types.arango_rule`` of its registry entry): restored into ArangoDB, the
server validates as a store created there would.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..embedded import inverted_index
from ..embedded.documents import check_collection_name
from ..embedded.geo_index import COVER_DEFAULTS, GEO_TYPES, GeoDefinition, parse_definition
from ..errors import (
    ERROR_BAD_PARAMETER,
    ERROR_NOT_IMPLEMENTED,
    ArangoMLMetaError,
    DumpError,
    DumpFormatError,
)
from .files import DOCUMENT_TYPE, EDGE_TYPE, GRAPHS

if TYPE_CHECKING:
    from ..backends import Backend
    from ..backends.arango import ArangoBackend
    from ..backends.embedded import EmbeddedBackend

PERSISTENT = ("persistent", "hash", "skiplist")  # hash and skiplist: aliases of persistent
IMPLICIT = ("primary", "edge")  # every collection (edge collection) has them: not dumped


@dataclass(frozen=True)
class IndexSpec:
    fields: tuple[str, ...]
    unique: bool = False
    sparse: bool = False
    name: str | None = None
    geo: GeoDefinition | None = None  # a geo index's (then fields are its too)
    inverted: str | None = None  # an inverted index's description (JSON, keys sorted)

    def as_dump(self) -> dict[str, Any]:
        """The index as arangodump lists it (the server assigns its id when restored)."""
        if self.inverted is not None:
            return {**json.loads(self.inverted), **({"name": self.name} if self.name else {})}
        if self.geo is not None:
            return {
                **COVER_DEFAULTS,
                "fields": list(self.fields),
                "geoJson": self.geo.geo_json,
                "legacyPolygons": self.geo.legacy_polygons,
                "sparse": True,
                "type": "geo",
                "unique": False,
                **({"name": self.name} if self.name else {}),
            }
        described: dict[str, Any] = {
            "fields": list(self.fields),
            "type": "persistent",
            "unique": self.unique,
            "sparse": self.sparse,
            "deduplicate": True,
            "estimates": True,
            "cacheEnabled": False,
        }
        if self.name:
            described["name"] = self.name
        return described


@dataclass
class CollectionSpec:
    name: str
    edge: bool
    indexes: list[IndexSpec] = field(default_factory=list)
    schema: dict[str, Any] | None = None
    last_value: int = 0  # the key generator's last generated key

    def structure(self) -> dict[str, Any]:
        """``NAME.structure.json`` of an embedded collection."""
        return {
            "indexes": [index.as_dump() for index in self.indexes],
            "parameters": {
                "name": self.name,
                "type": EDGE_TYPE if self.edge else DOCUMENT_TYPE,
                "isSystem": False,
                "keyOptions": {
                    "type": "traditional",
                    "allowUserKeys": True,
                    "lastValue": self.last_value,
                },
                "schema": self.schema,
                "computedValues": None,
                "cacheEnabled": False,
                "waitForSync": False,
                "numberOfShards": 1,
                "replicationFactor": 1,
                "writeConcern": 1,
                "shardKeys": ["_key"],
            },
        }

    @classmethod
    def parse(cls, structure: dict[str, Any]) -> CollectionSpec:
        """The spec of a structure read from a dump (see ``files.DumpDirectory``), checked."""
        parameters, indexes = structure["parameters"], structure["indexes"]
        name = check_collection_name(parameters["name"])
        kind = parameters.get("type", DOCUMENT_TYPE)
        if kind not in (DOCUMENT_TYPE, EDGE_TYPE):
            raise _bad(name, f"type {kind!r} is neither 2 (document) nor 3 (edge)")
        schema = parameters.get("schema")
        if schema is not None and not isinstance(schema, dict):
            raise _bad(name, "its schema is not an object")
        key_options = parameters.get("keyOptions") or {}
        last = key_options.get("lastValue", 0) if isinstance(key_options, dict) else 0
        if isinstance(last, str) and last.isdigit():
            last = int(last)
        if isinstance(last, bool) or not isinstance(last, int) or last < 0:
            raise _bad(name, f"keyOptions.lastValue {last!r} is not a whole number")
        return cls(name, kind == EDGE_TYPE, [_index(name, i) for i in indexes], schema, last)


def _index(collection: str, index: Any) -> IndexSpec:
    if not isinstance(index, dict):
        raise _bad(collection, f"an index is not an object: {index!r}")
    kind = index.get("type")
    fields = index.get("fields")
    name = index.get("name")
    name = name if isinstance(name, str) and name else None
    if kind in GEO_TYPES:
        try:
            geo = parse_definition(index)
        except ArangoMLMetaError as exc:
            raise _bad(collection, f"a geo index: {exc.message}") from None
        return IndexSpec(geo.fields, False, True, name, geo)
    if kind == "inverted":
        try:
            described = inverted_index.parse_definition(index)
        except ArangoMLMetaError as exc:
            raise _bad(collection, f"an inverted index: {exc.message}") from None
        return inverted_spec(described, name)
    if kind not in PERSISTENT:
        raise DumpError(
            f"collection {collection}: an index of type {kind!r} cannot be restored (only "
            "persistent, geo and inverted indexes can)",
            ERROR_NOT_IMPLEMENTED,
        )
    if not (isinstance(fields, list) and fields and all(isinstance(f, str) and f for f in fields)):
        raise _bad(collection, f"an index has no list of fields: {index!r}")
    return IndexSpec(tuple(fields), index.get("unique") is True, index.get("sparse") is True, name)


def inverted_spec(description: dict[str, Any], name: str | None) -> IndexSpec:
    """The spec of an inverted index (see ``embedded/inverted_index.py``)."""
    fields = tuple(field["name"] for field in description["fields"])
    return IndexSpec(fields, False, True, name, inverted=json.dumps(description, sort_keys=True))


def _bad(collection: str, what: str) -> DumpError:
    return DumpFormatError(f"collection {collection} in the dump: {what}", ERROR_BAD_PARAMETER)


def collection_names(backend: Backend) -> list[str]:
    """The (non-system) collections of a backend."""
    from ..backends.embedded import EmbeddedBackend

    if isinstance(backend, EmbeddedBackend):
        return [info.name for info in backend.db.storage.collections()]
    listed = arango_backend(backend).api("get", "/_api/collection", {"excludeSystem": "true"})
    return sorted(c["name"] for c in listed["result"] if not c.get("isSystem"))


def structures(backend: Backend) -> list[dict[str, Any]]:
    """Every collection's ``structure.json`` content, in creation order (embedded) or by name."""
    from ..backends.embedded import EmbeddedBackend

    if isinstance(backend, EmbeddedBackend):
        return [spec.structure() for spec in _embedded_specs(backend)]
    return [_arango_structure(arango_backend(backend), name) for name in collection_names(backend)]


def graph_documents(backend: Backend) -> list[dict[str, Any]]:
    """The named graphs as documents of ``_graphs`` (the form arangodump writes)."""
    from ..backends.embedded import EmbeddedBackend

    if not isinstance(backend, EmbeddedBackend):
        # the graph API answers them as _graphs holds them (and serve keeps no _graphs)
        listed = arango_backend(backend).api("get", "/_api/gharial")
        answered = [g for g in listed.get("graphs", []) if isinstance(g, dict)]
        return sorted(answered, key=lambda g: str(g.get("_key")))
    graphs = backend.db.storage.graphs()
    return [
        {
            "_key": name,
            "_id": f"{GRAPHS}/{name}",
            "edgeDefinitions": graph.get("edgeDefinitions", []),
            "orphanCollections": graph.get("orphanCollections", []),
            "numberOfShards": 1,
            "replicationFactor": 1,
            "isSmart": False,
        }
        for name, graph in sorted(graphs.items())
    ]


def _embedded_specs(backend: EmbeddedBackend) -> list[CollectionSpec]:
    from ..migrations import REGISTRY, type_from_doc
    from ..types import arango_rule

    storage = backend.db.storage
    schemas: dict[str, dict[str, Any]] = {}
    if storage.has_collection(REGISTRY):
        for doc in backend.query(f"FOR t IN {REGISTRY} RETURN t"):
            try:
                schemas[doc["name"]] = arango_rule(type_from_doc(doc))
            except (KeyError, TypeError, ValueError):
                continue  # not a type this release can read: dumped without a schema
    specs = []
    for info in storage.collections():
        ((last,),) = storage.rows("SELECT key_counter FROM _collections WHERE id = ?", (info.id,))
        made = [
            (i.id, IndexSpec(tuple(i.fields), i.unique, i.sparse, i.name))
            for i in info.indexes
            if i.type in PERSISTENT
        ]
        made += [
            (i.id, IndexSpec(tuple(i.fields), False, True, i.name, i.definition))
            for i in info.geo_indexes
        ]
        made += [(i.id, inverted_spec(i.description, i.name)) for i in info.inverted_indexes]
        indexes = [spec for _, spec in sorted(made, key=lambda pair: pair[0])]
        specs.append(CollectionSpec(info.name, info.edge, indexes, schemas.get(info.name), last))
    return specs


def arango_backend(backend: Backend) -> ArangoBackend:
    from ..backends.arango import ArangoBackend

    assert isinstance(backend, ArangoBackend), backend
    return backend


def _arango_structure(backend: ArangoBackend, name: str) -> dict[str, Any]:
    """A collection's structure as arangodump writes it: the server's own properties and
    indexes (without the implicit primary and edge indexes)."""
    parameters = backend.api("get", f"/_api/collection/{name}/properties")
    for key in ("error", "code"):
        parameters.pop(key, None)
    indexes = backend.api("get", "/_api/index", {"collection": name})["indexes"]
    return {
        "indexes": [i for i in indexes if i.get("type") not in IMPLICIT],
        "parameters": parameters,
    }
