"""How a document lies in its collection's table (storage format 1), and the catalog entries.

A collection is a table ``c<id>``:

- ``seq INTEGER PRIMARY KEY``: insertion order (a replaced document moves to the end);
- ``key TEXT NOT NULL UNIQUE``: ``_key``, and the primary index;
- ``rev TEXT NOT NULL``: ``_rev`` as ArangoDB prints it (the clock's integer would
  save three bytes a row and cost a conversion on every read);
- ``doc TEXT NOT NULL``: the JSON of the other attributes, in their order;
- edge collections: ``from_id``, ``to_id TEXT NOT NULL``: ``_from`` and ``_to``,
  each indexed (the edge index).

``_id`` is the collection's name, ``/`` and the key. So the system attributes
are in no document's JSON: that would repeat ~130 bytes of each document
and ~170 of each edge. A document read from its row has them first
(``_key, _id, _rev[, _from, _to]``), then the JSON's attributes, as ArangoDB
returns it. SQL over an attribute path (filters, indexes, projections) comes
from :meth:`CollectionInfo.typed_value_sql`: a system attribute is its
column, a path below one is missing (a string has no attributes), any other
path is read from ``doc``. ``_from`` / ``_to`` are system attributes of edge
collections only: a document collection keeps them in ``doc``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .codec import decode

if TYPE_CHECKING:
    from .geo_index import GeoIndexInfo
    from .inverted_index import InvertedIndexInfo

Row = Sequence[Any]

# what `PRAGMA user_version` holds in a file of this layout (0: every attribute in `doc`)
FORMAT = 1

DOCUMENT_SYSTEM = frozenset({"_key", "_id", "_rev"})
EDGE_SYSTEM = DOCUMENT_SYSTEM | {"_from", "_to"}

DOCUMENT_COLUMNS = "key, rev, doc"
EDGE_COLUMNS = "key, rev, doc, from_id, to_id"


def table_sql(table: str, edge: bool) -> list[str]:
    """The statements creating a collection's table (and its edge index)."""
    if not edge:
        return [
            f"CREATE TABLE {table} (seq INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, "
            "rev TEXT NOT NULL, doc TEXT NOT NULL)"
        ]
    return [
        f"CREATE TABLE {table} (seq INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, "
        "rev TEXT NOT NULL, doc TEXT NOT NULL, from_id TEXT NOT NULL, to_id TEXT NOT NULL)",
        f"CREATE INDEX {table}_from ON {table}(from_id)",
        f"CREATE INDEX {table}_to ON {table}(to_id)",
    ]


def json_path(attribute_path: Sequence[str]) -> str:
    """SQLite JSON path for an attribute path, each name quoted."""
    return "$" + "".join('."' + name + '"' for name in attribute_path)


def document_builder(collection: str, edge: bool) -> Callable[[Row], dict[str, Any]]:
    """A document from a row starting with its columns (:data:`DOCUMENT_COLUMNS` or
    :data:`EDGE_COLUMNS`): the system attributes first, then the stored JSON's.

    A dict display with the JSON unpacked into it: the fastest way measured, about
    0.2 µs above decoding the same document from one JSON text (and the sqlite3
    module takes ~0.1 µs for each column more it reads)."""
    prefix = collection + "/"
    if edge:
        return lambda row: {
            "_key": row[0], "_id": prefix + row[0], "_rev": row[1], "_from": row[3], "_to": row[4],
            **decode(row[2]),
        }  # fmt: skip
    return lambda row: {"_key": row[0], "_id": prefix + row[0], "_rev": row[1], **decode(row[2])}


# A vertex may lie in a collection of either kind: statements reading vertices (see
# Storage.probe_sql) read a document table as if it had null from_id / to_id columns.
VERTEX_ROW = "(SELECT key, rev, doc, NULL AS from_id, NULL AS to_id FROM {table})"
# A whole vertex as one value over such a row (its id gives _key and _id): the revision,
# an edge's ends after a space each, then the JSON (no revision or handle holds a `{`).
VERTEX_DOCUMENT = "rev || ifnull(' ' || from_id || ' ' || to_id, '') || doc"


def vertex_document(vertex_id: str, packed: str) -> dict[str, Any]:
    """The document of a vertex from :data:`VERTEX_DOCUMENT`."""
    start = packed.index("{")
    head = packed[:start]
    doc = {"_key": vertex_id.partition("/")[2], "_id": vertex_id}
    if " " in head:
        doc["_rev"], doc["_from"], doc["_to"] = head.split(" ")
    else:
        doc["_rev"] = head
    doc.update(decode(packed[start:]))
    return doc


@dataclass
class IndexInfo:
    id: int
    name: str
    fields: list[str]
    unique: bool
    sparse: bool
    type: str = "persistent"

    def as_dict(self, collection: str) -> dict[str, Any]:
        return {
            "id": f"{collection}/{self.id}",
            "name": self.name,
            "type": self.type,
            "fields": list(self.fields),
            "unique": self.unique,
            "sparse": self.sparse,
        }


@dataclass
class CollectionInfo:
    """A collection's catalog entry, and the SQL of its table's layout.

    A catalog change loads new entries, so what is derived from one never goes stale.
    """

    id: int
    name: str
    edge: bool
    indexes: list[IndexInfo] = field(default_factory=list)  # the persistent ones
    geo_indexes: list[GeoIndexInfo] = field(default_factory=list)  # see geo_index.py
    inverted_indexes: list[InvertedIndexInfo] = field(default_factory=list)  # inverted_index.py
    table: str = field(init=False, repr=False, compare=False)  # the SQL table: c<id>
    system: frozenset[str] = field(init=False, repr=False, compare=False)
    columns: str = field(init=False, repr=False, compare=False)  # a whole document's
    # a whole document from a row starting with ``columns``
    document: Callable[[Row], dict[str, Any]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.table = f"c{self.id}"
        self.system = EDGE_SYSTEM if self.edge else DOCUMENT_SYSTEM
        self.columns = EDGE_COLUMNS if self.edge else DOCUMENT_COLUMNS
        self.document = document_builder(self.name, self.edge)

    @functools.cached_property
    def unique_paths(self) -> list[tuple[IndexInfo, list[list[str]]]]:
        """Each unique index with the attribute paths of its fields."""
        return [(i, [f.split(".") for f in i.fields]) for i in self.indexes if i.unique]

    def system_sql(self, name: str) -> str | None:
        """The SQL of system attribute ``name``'s value (a string), None when not one."""
        if name not in self.system:
            return None
        if name == "_id":
            return f"'{self.name}/' || key"  # a collection name holds no quote
        return {"_key": "key", "_rev": "rev", "_from": "from_id", "_to": "to_id"}[name]

    @functools.cached_property
    def _typed(self) -> dict[tuple[str, ...], tuple[str, str]]:
        return {}

    def typed_value_sql(self, path: Sequence[str]) -> tuple[str, str]:
        """The (JSON type, value) SQL expressions indexes and pushed-down filters use for a path.

        A missing value is of type ``'null'``: so a unique index tells ``1`` from
        ``"1"`` and ``true`` and holds a missing attribute null, as ArangoDB's does.
        """
        key = tuple(path)
        typed = self._typed.get(key)
        if typed is None:
            column = self.system_sql(path[0])
            if column is not None:
                # a string, and nothing below it
                typed = ("'text'", column) if len(path) == 1 else ("'null'", "0")
            else:
                p = json_path(path).replace("'", "''")
                typed = (
                    f"ifnull(json_type(doc, '{p}'), 'null')",
                    f"ifnull(json_extract(doc, '{p}'), '')",
                )
            self._typed[key] = typed
        return typed

    def index_columns(self, path: Sequence[str]) -> list[str]:
        """The expressions an index holds for a field: type and value (a system
        attribute's type goes without saying; below one, nothing varies)."""
        type_sql, value_sql = self.typed_value_sql(path)
        if path[0] in self.system:
            return [value_sql]
        return [type_sql, value_sql]

    def index_sql(self, index: IndexInfo) -> str:
        """The statement creating a persistent index (a sparse one holds no null field)."""
        columns: list[str] = []
        conditions: list[str] = []
        for name in index.fields:
            path = name.split(".")
            columns += self.index_columns(path)
            conditions.append(f"{self.typed_value_sql(path)[0]} <> 'null'")
        where = f" WHERE {' AND '.join(conditions)}" if index.sparse else ""
        kind = "UNIQUE INDEX" if index.unique else "INDEX"
        return (
            f"CREATE {kind} {self.table}_i{index.id} ON {self.table}({', '.join(columns)}){where}"
        )
