"""Named graphs in a database, for gharial: graph definitions read from and written to
the engine's graph catalog (where AQL's ``GRAPH 'name'`` finds them), the collections
a graph names created, and those no other graph uses dropped. Every function runs in
the caller's transaction, so a request that fails half-way leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..embedded import EmbeddedDatabase
from ..embedded.documents import check_collection_name
from ..errors import ERROR_GRAPH_DUPLICATE, ERROR_GRAPH_EDGE_DEFINITION_IS_DOCUMENT, GraphError
from .gharial_graphs import GraphDefinition, from_catalog


def load(db: EmbeddedDatabase, name: str) -> GraphDefinition:
    """The graph ``name``; 1924 when there is none."""
    return from_catalog(name, db.graph(name))


def load_all(db: EmbeddedDatabase) -> list[GraphDefinition]:
    """Every graph of the database, in catalog order."""
    return [from_catalog(name, entry) for name, entry in db.storage.graphs().items()]


def save(db: EmbeddedDatabase, graph: GraphDefinition) -> None:
    """Write ``graph`` to the catalog with a new ``_rev``."""
    graph.new_revision()
    db.replace_graph(graph.name, graph.catalog_entry())


def require_free(db: EmbeddedDatabase, name: str) -> None:
    """1925 when the database has a graph ``name``."""
    if db.has_graph(name):
        raise GraphError("graph already exists", ERROR_GRAPH_DUPLICATE)


def create(db: EmbeddedDatabase, graph: GraphDefinition) -> None:
    """Store a new graph (its name checked by :func:`require_free`) after creating its
    collections: 1921 when a relation disagrees with another graph's."""
    graph.check_agrees_with(load_all(db))
    ensure_collections(db, graph)
    save(db, graph)


def ensure_collections(db: EmbeddedDatabase, graph: GraphDefinition) -> None:
    """Create the collections ``graph`` names that do not exist, its edge collections as
    edge collections: 1944 when an edge collection exists as a document collection, 1208
    for a name ArangoDB refuses, every name checked before any collection is made."""
    storage = db.storage
    missing: list[tuple[str, bool]] = []
    for name in graph.edge_collections:
        info = storage.find_collection(name)
        if info is None:
            missing.append((name, True))
        elif not info.edge:
            raise GraphError(
                f"Collection: '{name}' is not an EdgeCollection",
                ERROR_GRAPH_EDGE_DEFINITION_IS_DOCUMENT,
            )
    for name in graph.vertex_collections:
        if name not in graph.edges and storage.find_collection(name) is None:
            missing.append((name, False))
    for name, _ in missing:
        check_collection_name(name)
    for name, edge in missing:
        db.create_collection(name, edge=edge)


def drop_unused(
    db: EmbeddedDatabase, names: Iterable[str], graphs: Iterable[GraphDefinition]
) -> None:
    """Drop those collections of ``names`` that exist and that none of ``graphs`` uses."""
    graphs = list(graphs)
    for name in sorted(set(names)):
        if db.has_collection(name) and not any(g.uses(name) for g in graphs):
            db.drop_collection(name)


def graphs_using(graphs: Iterable[GraphDefinition], edge_collection: str) -> list[GraphDefinition]:
    """The graphs with a relation of ``edge_collection``."""
    return [g for g in graphs if edge_collection in g.edges]


def edge_collections_touching(
    graph: GraphDefinition, graphs: Iterable[GraphDefinition], collection: str
) -> set[str]:
    """The edge collections whose edges may point at a document of ``collection``: the
    graph's own, and every relation of any graph that has ``collection`` among its
    vertex collections (what ArangoDB searches when a vertex is removed)."""
    names = set(graph.edges)
    for other in graphs:
        names |= {c for c, d in other.edges.items() if d.uses(collection)}
    return names
