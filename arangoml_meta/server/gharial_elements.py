"""Vertices and edges of a named graph, for gharial: the checks ArangoDB 3.12 makes
before it writes through the graph API, then the engine's one write path
(``embedded/writes.py``).

A vertex collection must be one of the graph's (1949) and exist (1926); an edge
collection must have a relation in the graph (1930). An edge's ``_from`` / ``_to``
must be document handles (1233) into the graph's vertex collections (1947), which
exist (1926), and, when both are given, name documents that exist (1202). A revision
given with the request (``If-Match`` or ``rev``) must be the document's
(:class:`PreconditionFailed`, answered 412). Removing a vertex removes the edges that
point at it in the graph's edge collections and in those of every relation that uses
its collection, as ArangoDB does. Every function runs in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..document_rules import require_object
from ..embedded import EmbeddedDatabase
from ..embedded.storage import CollectionInfo
from ..embedded.writes import DocumentWriter
from ..errors import (
    ERROR_ARANGO_CONFLICT,
    ERROR_ARANGO_DATA_SOURCE_NOT_FOUND,
    ERROR_ARANGO_DOCUMENT_NOT_FOUND,
    ERROR_ARANGO_INVALID_EDGE_ATTRIBUTE,
    ERROR_GRAPH_COLLECTION_NOT_PART_OF_THE_GRAPH,
    ERROR_GRAPH_EDGE_COLLECTION_NOT_USED,
    ERROR_GRAPH_REFERENCED_VERTEX_COLLECTION_NOT_PART_OF_THE_GRAPH,
    ERROR_GRAPH_VERTEX_COL_DOES_NOT_EXIST,
    ConflictError,
    DocumentError,
    DocumentNotFoundError,
    GraphError,
)
from .gharial_graphs import GraphDefinition
from .responses import HTTPError

Document = dict[str, Any]


class PreconditionFailed(ConflictError):
    """The revision a request gave is not the document's: ArangoDB answers 412 with the
    document's ``_id``, ``_key`` and ``_rev`` (``current``)."""

    def __init__(self, document: Document) -> None:
        super().__init__("conflict, _rev values do not match", ERROR_ARANGO_CONFLICT)
        self.current = {k: document[k] for k in ("_id", "_key", "_rev")}


def document_not_found() -> DocumentNotFoundError:
    return DocumentNotFoundError("document not found", ERROR_ARANGO_DOCUMENT_NOT_FOUND)


def handle_of(document: Document) -> Document:
    """What a write answers of the document it wrote: ``_id``, ``_key``, ``_rev``."""
    return {k: document[k] for k in ("_id", "_key", "_rev")}


def _collection_gone(name: str) -> HTTPError:
    """A collection of the graph that the database no longer has, as ArangoDB reports it:
    named (404) where the request named it for a write, else 400."""
    if name:
        return HTTPError(
            404, ERROR_ARANGO_DATA_SOURCE_NOT_FOUND, f"collection or view not found: {name}"
        )
    return HTTPError(400, ERROR_ARANGO_DATA_SOURCE_NOT_FOUND, "no collection name specified")


def vertex_collection(db: EmbeddedDatabase, graph: GraphDefinition, name: str) -> CollectionInfo:
    """A vertex collection of ``graph``: 1949 when the graph has no such collection, 1926
    when the database has not."""
    if not graph.has_vertex_collection(name):
        raise GraphError(
            "the given collection is not part of the graph",
            ERROR_GRAPH_COLLECTION_NOT_PART_OF_THE_GRAPH,
        )
    info = db.storage.find_collection(name)
    if info is None:
        raise GraphError(
            f"{name} vertex collection does not exist or is not part of the graph",
            ERROR_GRAPH_VERTEX_COL_DOES_NOT_EXIST,
        )
    return info


def check_edge_collection(graph: GraphDefinition, name: str) -> None:
    """1930 when ``graph`` has no relation of ``name``."""
    if name not in graph.edges:
        raise GraphError("edge collection not used in graph", ERROR_GRAPH_EDGE_COLLECTION_NOT_USED)


def edge_collection(db: EmbeddedDatabase, name: str, inserting: bool = False) -> CollectionInfo:
    """The edge collection ``name`` (its relation checked by :func:`check_edge_collection`)."""
    info = db.storage.find_collection(name)
    if info is None:
        raise _collection_gone(name if inserting else "")
    return info


def _invalid_edge() -> DocumentError:
    return DocumentError("edge attribute missing or invalid", ERROR_ARANGO_INVALID_EDGE_ATTRIBUTE)


def check_edge_ends(
    db: EmbeddedDatabase, graph: GraphDefinition, body: Document, partial: bool
) -> list[tuple[CollectionInfo, str]]:
    """The ``_from`` / ``_to`` of an edge written through ``graph``: both required unless
    ``partial`` (an update), each a handle (1233) into a vertex collection of the graph
    (1947) that exists (1926). Returns the ends given as strings, (collection, key)."""
    given = [(a, v) for a in ("_from", "_to") if isinstance(v := body.get(a), str)]
    if len(given) < 2 and not partial:
        raise _invalid_edge()
    ends = []
    for attribute, handle in given:
        collection, slash, key = handle.partition("/")
        if not slash:
            raise _invalid_edge()
        if not graph.has_vertex_collection(collection):
            raise GraphError(
                f"referenced {attribute} collection '{collection}' is not part of the graph",
                ERROR_GRAPH_REFERENCED_VERTEX_COLLECTION_NOT_PART_OF_THE_GRAPH,
            )
        ends.append((vertex_collection(db, graph, collection), key))
    return ends


def check_ends_exist(db: EmbeddedDatabase, ends: list[tuple[CollectionInfo, str]]) -> None:
    """1202 unless both ends name documents that exist (checked when both are given)."""
    if len(ends) == 2 and not all(db.storage.has(info, key) for info, key in ends):
        raise document_not_found()


def read(db: EmbeddedDatabase, info: CollectionInfo, key: str, rev: str | None) -> Document:
    """The document ``key`` (1202 when there is none; 412 when ``rev`` is not its)."""
    document = db.storage.get(info, key)
    if document is None:
        raise document_not_found()
    if rev is not None and document["_rev"] != rev:
        raise PreconditionFailed(document)
    return document


def insert(db: EmbeddedDatabase, info: CollectionInfo, body: Any) -> Document:
    """Insert one document (keys, edge handles, schema and unique indexes checked)."""
    return DocumentWriter(db.storage, info).insert_many([require_object(body)])[0]


def _revision(rev: str | None) -> Document | None:
    return None if rev is None else {"_rev": rev}


def modify(
    db: EmbeddedDatabase,
    info: CollectionInfo,
    key: str,
    body: Any,
    *,
    patch: bool,
    rev: str | None,
    keep_null: bool = True,
) -> tuple[Document, Document]:
    """UPDATE (``patch``) or REPLACE document ``key``; (old, new). A ``_rev`` in the body
    is ignored: only the request's revision is checked, as gharial does."""
    body = require_object(body)
    writer = DocumentWriter(db.storage, info, keep_null=keep_null, ignore_revs=rev is None)
    try:
        if patch:
            return writer.update(key, body, _revision(rev))
        old, new = writer.replace(key, body, _revision(rev), return_old=True)
    except DocumentNotFoundError:
        raise document_not_found() from None
    except ConflictError:
        raise PreconditionFailed(read(db, info, key, None)) from None
    assert old is not None
    return old, new


def remove(
    db: EmbeddedDatabase,
    info: CollectionInfo,
    key: str,
    rev: str | None,
    edge_collections: Iterable[str],
) -> Document:
    """Remove document ``key`` and then every edge of ``edge_collections`` from or to it;
    the removed document."""
    writer = DocumentWriter(db.storage, info, ignore_revs=rev is None)
    try:
        old, _ = writer.remove(key, _revision(rev), return_old=True)
    except DocumentNotFoundError:
        raise document_not_found() from None
    except ConflictError:
        raise PreconditionFailed(read(db, info, key, None)) from None
    assert old is not None
    remove_edges_of(db, old["_id"], edge_collections)
    return old


def remove_edges_of(db: EmbeddedDatabase, document_id: str, edge_collections: Iterable[str]) -> int:
    """Remove the edges of ``edge_collections`` (those that exist) from or to
    ``document_id``; how many were removed."""
    storage = db.storage
    removed = 0
    for name in sorted(set(edge_collections)):
        info = storage.find_collection(name)
        if info is None or not info.edge:
            continue
        keys = {
            edge["_key"]
            for outbound in (True, False)
            for edge in storage.edges(info, document_id, outbound)
        }
        writer = DocumentWriter(storage, info)
        for key in sorted(keys):
            writer.remove(key, return_old=False)
        removed += len(keys)
    return removed
