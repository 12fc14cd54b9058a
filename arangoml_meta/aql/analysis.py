"""Static analysis of a parsed query: what it reads, what it needs, whether it writes.

Answers from the syntax tree alone, the same for every engine: the bind
parameters a query uses (values ``@name`` and collections ``@@name``), the
collections it names, and whether it modifies data, which the CLI's read-only
``aql`` and the stored queries' ``writes`` header both check.
"""

from __future__ import annotations

from . import ast as A


def modifies_data(query: A.Query) -> bool:
    """Whether ``query`` holds an INSERT, UPDATE, REPLACE, REMOVE or UPSERT (subqueries too)."""
    return next(query.find_all(A.Modification), None) is not None


def value_parameters(query: A.Query) -> set[str]:
    """The value bind parameters ``query`` uses, without their ``@``."""
    return set(query.bind_params)


def collection_parameters(query: A.Query) -> set[str]:
    """The collection bind parameters ``query`` uses, without their ``@@``."""
    return set(query.collection_params)


def collections_used(query: A.Query) -> set[str]:
    """The collections (or views) ``query`` names literally.

    An identifier that names no variable is a collection, as in ArangoDB; names
    given through ``@@`` parameters or as strings (``DOCUMENT("c/k")``, ``GRAPH
    "g"``) are known only at run time and are not listed.
    """
    return {node.name for node in query.find_all(A.CollectionRef)}
