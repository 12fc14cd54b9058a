"""The collections an AQL query reads and writes, for its permission check.

ArangoDB checks a user's collection grants for every collection a query names
(literally, through a ``@@`` bind parameter, or through a named graph's edge
definitions) before it runs. Collections reached only at run time by a
computed name (``DOCUMENT(CONCAT(...))``) are not known beforehand; ArangoDB
checks those when they are read, this server does not (README: known gaps).
"""

from __future__ import annotations

from typing import Any

from ..aql import ast as A
from ..embedded import EmbeddedDatabase
from .ast_json import collection_name


def query_collections(
    db: EmbeddedDatabase, aql: str, bind_vars: dict[str, Any]
) -> tuple[set[str], set[str]]:
    """(read, written) collection names of ``aql`` (parse errors raise as for running it)."""
    prepared = db.prepare(aql)
    read: set[str] = set()
    for node in prepared.query.find_all((A.CollectionRef, A.CollectionParam)):
        name = collection_name(node, bind_vars)
        if name is not None:
            read.add(name)
    for spec in prepared.query.find_all(A.GraphSpec):
        if isinstance(spec.graph, A.Literal) and isinstance(spec.graph.value, str):
            read |= _graph_collections(db, spec.graph.value)
        elif isinstance(spec.graph, A.BindParam):
            value = bind_vars.get(spec.graph.name)
            if isinstance(value, str):
                read |= _graph_collections(db, value)
    written = {
        name
        for name in (collection_name(m.collection, bind_vars) for m in prepared.modifications)
        if name is not None
    }
    return read | written, written


def _graph_collections(db: EmbeddedDatabase, name: str) -> set[str]:
    if not db.has_graph(name):
        return set()  # the query fails with 1924 when it runs
    graph = db.graph(name)
    names: set[str] = set(graph.get("orphanCollections") or [])
    for definition in graph.get("edgeDefinitions") or []:
        names.add(definition["collection"])
        names.update(definition.get("from") or [])
        names.update(definition.get("to") or [])
    return names
