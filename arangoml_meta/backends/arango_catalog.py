"""What an ArangoDB backend knows of its database's schema while it sets a store up.

Initialising a store asks, per collection, whether it exists, its schema and its
indexes — one request each, repeated per index (about a hundred sequential
requests for a new store). Inside ``backend.schema_snapshot()`` the backend
reads the list of collections once, each collection's indexes and schema at
most once, and keeps what it creates or changes itself, so that every further
question is answered without a request. Outside that block nothing is cached:
another process may change the schema at any time, and a backend lives long
(``arangoml-meta serve``, a notebook).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Document = dict[str, Any]
PERSISTENT_TYPES = ("persistent", "hash", "skiplist")  # the older two are persistent now


@dataclass
class SchemaSnapshot:
    """Collections (name -> is edge), and per collection its persistent indexes and its
    schema property, as far as read or written during one snapshot."""

    collections: dict[str, bool] | None = None
    indexes: dict[str, list[Document]] = field(default_factory=dict)
    schemas: dict[str, Document | None] = field(default_factory=dict)

    def created(self, name: str, edge: bool, schema: Document | None) -> None:
        """A collection this backend has just created: no index but the primary (and edge)
        ones, the schema it was created with."""
        if self.collections is not None:
            self.collections[name] = edge
        self.indexes[name] = []
        self.schemas[name] = schema


def persistent_indexes(indexes: list[Document]) -> list[Document]:
    """The persistent indexes among python-arango's index descriptions."""
    return [index for index in indexes if index.get("type") in PERSISTENT_TYPES]


def find_index(
    indexes: list[Document], fields: list[str], unique: bool, sparse: bool
) -> Document | None:
    """The persistent index with exactly these fields and options, if any."""
    for index in indexes:
        if (
            index.get("type") in PERSISTENT_TYPES
            and list(index.get("fields", ())) == list(fields)
            and bool(index.get("unique")) == unique
            and bool(index.get("sparse")) == sparse
        ):
            return index
    return None


def schema_of(properties: Document) -> Document | None:
    """A collection's schema property as compared: ``{rule, level, message}`` or None."""
    current = properties.get("schema") or None
    if current is None:
        return None
    return {key: current.get(key) for key in ("rule", "level", "message")}
