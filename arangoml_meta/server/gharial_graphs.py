"""Named graphs as gharial manages them: a graph's definition, checked and changed by
ArangoDB 3.12's rules (its ``Graph`` and ``GraphManager``).

A :class:`GraphDefinition` is built from a client's request (:func:`from_request`) or
from the engine's graph catalog (:func:`from_catalog`), changed in memory (edge
definitions added, replaced or removed, orphan collections added or removed, the
orphans rebuilt as ArangoDB rebuilds them) and written back in the catalog's form
(:meth:`GraphDefinition.catalog_entry`), which AQL's ``GRAPH 'name'`` reads. Edge
definitions are kept by collection and their ``from`` / ``to`` as sets, so that every
form comes out sorted, as ArangoDB prints them. Nothing here touches the database.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson

from ..document_rules import is_valid_key
from ..embedded.documents import REVISIONS, RevisionClock
from ..errors import (
    ERROR_ARANGO_DOCUMENT_KEY_BAD,
    ERROR_BAD_PARAMETER,
    ERROR_GRAPH_COLLECTION_MULTI_USE,
    ERROR_GRAPH_COLLECTION_USE_IN_MULTI_GRAPHS,
    ERROR_GRAPH_COLLECTION_USED_IN_EDGE_DEF,
    ERROR_GRAPH_COLLECTION_USED_IN_ORPHANS,
    ERROR_GRAPH_CREATE_MALFORMED_EDGE_DEFINITION,
    ERROR_GRAPH_CREATE_MALFORMED_ORPHAN_LIST,
    ERROR_GRAPH_CREATE_MISSING_NAME,
    ERROR_GRAPH_INTERNAL_DATA_CORRUPT,
    ERROR_GRAPH_INVALID_GRAPH,
    ERROR_GRAPH_NOT_IN_ORPHAN_COLLECTION,
    BadParameterError,
    DocumentError,
    GraphError,
)

GRAPHS_COLLECTION = "_graphs"


@dataclass(frozen=True)
class EdgeDefinition:
    """One relation of a graph: the edge collection and the vertex collections its
    edges come from (``sources``) and go to (``targets``)."""

    collection: str
    sources: frozenset[str]
    targets: frozenset[str]

    @property
    def vertex_collections(self) -> frozenset[str]:
        return self.sources | self.targets

    def uses(self, collection: str) -> bool:
        """Whether ``collection`` is a vertex collection of this definition."""
        return collection in self.sources or collection in self.targets

    def as_dict(self) -> dict[str, Any]:
        return {
            "collection": self.collection,
            "from": sorted(self.sources),
            "to": sorted(self.targets),
        }


def parse_edge_definition(value: Any) -> EdgeDefinition:
    """An edge definition ``{collection, from, to}`` as a client sends it: 1923 when it is
    not an object or ``from`` / ``to`` is empty, 1941 when an attribute is missing or of
    the wrong type (ArangoDB's numbers and messages)."""
    if not isinstance(value, dict):
        raise GraphError("malformed edge definition", ERROR_GRAPH_CREATE_MALFORMED_EDGE_DEFINITION)
    for attribute in ("collection", "from", "to"):
        if attribute not in value:
            raise GraphError(
                f"Attribute '{attribute}' missing in edge definition!",
                ERROR_GRAPH_INTERNAL_DATA_CORRUPT,
            )
    if not isinstance(value["collection"], str):
        raise GraphError("edge definition is not a string!", ERROR_GRAPH_INTERNAL_DATA_CORRUPT)
    ends: list[frozenset[str]] = []
    for attribute in ("from", "to"):
        names = value[attribute]
        if not isinstance(names, list):
            raise GraphError(
                f"Edge definition '{attribute}' is not an array!", ERROR_GRAPH_INTERNAL_DATA_CORRUPT
            )
        if not all(isinstance(name, str) for name in names):
            raise GraphError(
                f"Edge definition '{attribute}' does not only contain strings!",
                ERROR_GRAPH_INTERNAL_DATA_CORRUPT,
            )
        if not names:
            raise GraphError(
                "malformed edge definition", ERROR_GRAPH_CREATE_MALFORMED_EDGE_DEFINITION
            )
        ends.append(frozenset(names))
    return EdgeDefinition(value["collection"], ends[0], ends[1])


def content_revision(content: Any) -> str:
    """A ``_rev`` for a catalog entry written without one (by the embedded backend): the
    same for the same content, another for other content."""
    digest = hashlib.sha256(orjson.dumps(content, option=orjson.OPT_SORT_KEYS)).digest()
    return RevisionClock.digits(int.from_bytes(digest[:8], "big") | 1 << 60)


@dataclass
class GraphDefinition:
    """A named graph: its edge definitions by collection, its orphan collections, the
    attributes of an enterprise graph (``properties``, kept as given) and its ``_rev``."""

    name: str
    edges: dict[str, EdgeDefinition] = field(default_factory=dict)
    orphans: set[str] = field(default_factory=set)
    properties: dict[str, Any] = field(default_factory=dict)
    rev: str = ""

    # ------------------------------------------------------------------ reading

    @property
    def vertex_collections(self) -> list[str]:
        """Every vertex collection, the orphans included, sorted."""
        names = set(self.orphans)
        for definition in self.edges.values():
            names |= definition.vertex_collections
        return sorted(names)

    @property
    def edge_collections(self) -> list[str]:
        return sorted(self.edges)

    def has_vertex_collection(self, name: str) -> bool:
        return name in self.orphans or any(d.uses(name) for d in self.edges.values())

    def uses(self, collection: str) -> bool:
        """Whether ``collection`` is any part of this graph (edge, vertex or orphan)."""
        return collection in self.edges or self.has_vertex_collection(collection)

    # ------------------------------------------------------------------ changing

    def add_edge_definition(self, definition: EdgeDefinition) -> None:
        """Add a relation (1920 when its collection already has one); its vertex
        collections stop being orphans."""
        if definition.collection in self.edges:
            raise GraphError(
                f"{definition.collection} multi use of edge collection in edge def",
                ERROR_GRAPH_COLLECTION_MULTI_USE,
            )
        self.edges[definition.collection] = definition
        self.orphans -= definition.vertex_collections

    def remove_edge_definition(self, collection: str) -> EdgeDefinition:
        """Remove the relation of ``collection`` (the caller checked it exists); its vertex
        collections that no other relation uses become orphans, as in ArangoDB."""
        old = self.edges.pop(collection)
        for name in old.vertex_collections:
            if not any(d.uses(name) for d in self.edges.values()):
                self.orphans.add(name)
        return old

    def replace_edge_definition(self, definition: EdgeDefinition) -> None:
        self.remove_edge_definition(definition.collection)
        self.add_edge_definition(definition)

    def add_orphan(self, name: str) -> None:
        """Add an orphan collection: 1938 when it is one already, 1929 when a relation
        uses it."""
        if name in self.orphans:
            raise GraphError("collection used in orphans", ERROR_GRAPH_COLLECTION_USED_IN_ORPHANS)
        if self.has_vertex_collection(name):
            raise GraphError(
                f"{name} collection already used in edge def",
                ERROR_GRAPH_COLLECTION_USED_IN_EDGE_DEF,
            )
        self.orphans.add(name)

    def remove_orphan(self, name: str) -> None:
        if name not in self.orphans:
            raise GraphError(
                "collection is not in list of orphan collections",
                ERROR_GRAPH_NOT_IN_ORPHAN_COLLECTION,
            )
        self.orphans.discard(name)

    def check_agrees_with(self, others: Iterable[GraphDefinition]) -> None:
        """1921 when another graph has a relation of the same edge collection with other
        vertex collections (an edge collection means one relation in every graph)."""
        for other in others:
            if other.name == self.name:
                continue
            for collection, theirs in other.edges.items():
                mine = self.edges.get(collection)
                if mine is not None and mine != theirs:
                    raise GraphError(
                        f"{collection} edge collection already used in edge def",
                        ERROR_GRAPH_COLLECTION_USE_IN_MULTI_GRAPHS,
                    )

    def new_revision(self) -> None:
        self.rev = REVISIONS.next()

    # ------------------------------------------------------------------ forms

    def for_client(self) -> dict[str, Any]:
        """The graph as gharial answers it (``graphForClient`` on a single server)."""
        return {
            "_key": self.name,
            "_id": f"{GRAPHS_COLLECTION}/{self.name}",
            "_rev": self.rev,
            "name": self.name,
            "edgeDefinitions": [self.edges[c].as_dict() for c in self.edge_collections],
            "orphanCollections": sorted(self.orphans),
            **self.properties,
        }

    def catalog_entry(self) -> dict[str, Any]:
        """The graph as the engine's catalog keeps it (what ``GRAPH 'name'`` reads)."""
        return {
            "name": self.name,
            "edgeDefinitions": [self.edges[c].as_dict() for c in self.edge_collections],
            "orphanCollections": sorted(self.orphans),
            "_rev": self.rev,
            **self.properties,
        }


_CATALOG_ATTRIBUTES = ("name", "edgeDefinitions", "orphanCollections", "_rev", "_key", "_id")


def from_catalog(name: str, entry: dict[str, Any]) -> GraphDefinition:
    """The graph of a catalog entry (written by gharial, the embedded backend or a
    restore). Cluster attributes are kept for enterprise graphs only: a General Graph on a
    single server has none (a restored dump may carry ``numberOfShards: 1`` and the like)."""
    graph = GraphDefinition(name)
    for value in entry.get("edgeDefinitions") or []:
        definition = parse_edge_definition(value)
        graph.edges[definition.collection] = definition
    graph.orphans = {o for o in entry.get("orphanCollections") or [] if isinstance(o, str)}
    graph.orphans -= {v for d in graph.edges.values() for v in d.vertex_collections}
    if entry.get("isSmart") is True or entry.get("isSatellite") is True:
        graph.properties = {k: v for k, v in entry.items() if k not in _CATALOG_ATTRIBUTES}
    rev = entry.get("_rev")
    graph.rev = rev if isinstance(rev, str) and rev else content_revision(entry)
    return graph


def graph_name(body: Any) -> str:
    """The ``name`` of a graph a client creates: 1922 when there is none."""
    name = body.get("name") if isinstance(body, dict) else None
    if not isinstance(name, str) or not name:
        raise GraphError("missing graph name", ERROR_GRAPH_CREATE_MISSING_NAME)
    return name


def from_request(name: str, body: dict[str, Any]) -> GraphDefinition:
    """The graph a client asks for (``POST /_api/gharial``), checked as ArangoDB checks
    it: the name must be a document key (it is the graph's ``_key``: 1221), the edge
    definitions well formed (1901 / 1923 / 1941) with no collection twice (1920), the
    orphans strings (1901 / 1943); an orphan a relation uses is dropped, as ArangoDB does."""
    if not is_valid_key(name):
        raise DocumentError("illegal document key", ERROR_ARANGO_DOCUMENT_KEY_BAD)
    graph = GraphDefinition(name)
    definitions = _array(body, "edgeDefinitions")
    for value in definitions:
        graph.add_edge_definition(parse_edge_definition(value))
    orphans = _array(body, "orphanCollections")
    for orphan in orphans:
        if not isinstance(orphan, str):
            raise GraphError(
                "orphan collection is not a string!", ERROR_GRAPH_CREATE_MALFORMED_ORPHAN_LIST
            )
        if not graph.has_vertex_collection(orphan):
            graph.orphans.add(orphan)
    _check_options(body.get("options"))
    graph.properties = enterprise_properties(body, _initial(definitions, orphans))
    return graph


def _array(body: dict[str, Any], attribute: str) -> list[Any]:
    """The list ``body[attribute]`` (empty when absent); 1901 when it is not a list."""
    value = body.get(attribute, [])
    if not isinstance(value, list):
        raise GraphError(
            f"'{attribute}' are not an array in the graph definition", ERROR_GRAPH_INVALID_GRAPH
        )
    return value


def _initial(definitions: list[Any], orphans: list[Any]) -> str | None:
    """The first vertex collection the client named (a SmartGraph's ``initial``)."""
    for value in definitions:
        for name in value["from"]:
            return str(name)
    for name in orphans:
        return str(name)
    return None


def _count(options: dict[str, Any], name: str, default: int) -> int:
    value = options.get(name, default)
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _check_options(options: Any) -> None:
    """10 for a ``replicationFactor`` below 1 (ArangoDB checks it for every graph)."""
    if isinstance(options, dict):
        factor = options.get("replicationFactor")
        if isinstance(factor, (int, float)) and not isinstance(factor, bool) and factor < 1:
            raise BadParameterError(
                "replicationFactor must be greater than zero", ERROR_BAD_PARAMETER
            )


def enterprise_properties(body: dict[str, Any], initial: str | None) -> dict[str, Any]:
    """The attributes a single server keeps and prints for a SmartGraph or an
    EnterpriseGraph (``isSmart``, with or without ``smartGraphAttribute``) and a
    SatelliteGraph (``replicationFactor: "satellite"``); none for a General Graph. They
    are kept and answered only: this server has one node, nothing is sharded or
    replicated by them. A SatelliteGraph has no write concern, as in ArangoDB."""
    options = body.get("options")
    if not isinstance(options, dict):
        options = {}

    def flag(name: str) -> bool:
        return bool(body.get(name) or options.get(name))

    smart = flag("isSmart") or isinstance(options.get("smartGraphAttribute"), str)
    properties: dict[str, Any]
    if smart:
        write_concern = _count(options, "writeConcern", _count(options, "minReplicationFactor", 1))
        properties = {
            "numberOfShards": _count(options, "numberOfShards", 1),
            "replicationFactor": _count(options, "replicationFactor", 1),
            "minReplicationFactor": write_concern,
            "writeConcern": write_concern,
            "isSmart": True,
            "isSatellite": False,
            "isDisjoint": flag("isDisjoint"),
        }
        if isinstance(options.get("smartGraphAttribute"), str):
            properties["smartGraphAttribute"] = options["smartGraphAttribute"]
    elif options.get("replicationFactor") == "satellite":
        properties = {
            "numberOfShards": 1,
            "replicationFactor": "satellite",
            "isSmart": False,
            "isSatellite": True,
        }
    else:
        return {}
    if initial is not None:
        properties["initial"] = initial
    return properties
