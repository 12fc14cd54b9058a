"""Inverted indexes of the embedded engine: ArangoDB's ``inverted`` type over a table of terms.

In ArangoDB an inverted index is ArangoSearch's: each indexed attribute's values
go through an Analyzer into terms. Here the same definition (``fields``, each
a name or ``{name, analyzer, features, includeAllFields, searchField,
trackListPositions}``; the index-wide ``analyzer``, ``features``,
``includeAllFields``, ...) is checked and described as ArangoDB 3.12 does, and
the index is a table ``c<collection>_v<index>`` of (``seq``, attribute path,
term) rows, indexed by (path, term): strings through the field's Analyzer (the
built-in ``identity`` and ``text_<language>`` ones of TOKENS()), numbers,
booleans and null as ArangoSearch's terms of them, arrays element by element,
objects by their attributes when ``includeAllFields``. Triggers on the
collection's table keep it current in the statement that writes the row, as
for geo indexes (``geo_index.py``, with the same gap for older releases),
through :func:`sql_terms`.

Not used by the planner: ArangoDB reads an inverted index only for a FOR with an
``indexHint`` (``forceIndexHint``) or through a ``search-alias`` View's SEARCH,
neither of which the engine runs; queries scan. The writing and consolidation
options (``commitIntervalMsec``, ``consolidationPolicy``, ``writebuffer*``,
``primarySort``, ``storedValues``, ``optimizeTopK``) are kept and reported,
with no effect here.
"""

from __future__ import annotations

import functools
import json
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import BadParameterError
from .codec import decode
from .functions.tokenizers import find_analyzer, tokens_of

if TYPE_CHECKING:
    from .layout import CollectionInfo

SQL_FUNCTION = "arangoml_inverted_terms"
FEATURES = ("frequency", "norm", "position", "offset")
_FIELD_FLAGS = ("includeAllFields", "searchField", "trackListPositions")
_DEFAULT_POLICY = {
    "type": "tier",
    "segmentsBytesMax": 8589934592,
    "maxSkewThreshold": 0.4,
    "minDeletionRatio": 0.5,
}
# the writing options ArangoDB reports, with their defaults (3.12's spelling: writebuffer*)
_NUMBERS = {
    "cleanupIntervalStep": 2,
    "commitIntervalMsec": 1000,
    "consolidationIntervalMsec": 5000,
    "writebufferActive": 0,
    "writebufferIdle": 64,
    "writebufferSizeMax": 33554432,
}


def _bad(message: str) -> BadParameterError:
    return BadParameterError(message)


def analyzer_features(name: str) -> list[str]:
    """The features a built-in Analyzer has (what a field with it gets by default)."""
    return ["frequency", "norm"] if name == "identity" else ["frequency", "position", "norm"]


def _analyzer(value: Any, where: str) -> str:
    if not isinstance(value, str) or find_analyzer(value) is None:
        raise _bad(
            f"{where}: analyzer {value!r} not found (the built-in identity and text_<language>)"
        )
    return value.rpartition("::")[2]


def _features(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(f in FEATURES for f in value):
        raise _bad(f"{where}: 'features' must be an array of {', '.join(FEATURES)}")
    return list(dict.fromkeys(value))


def _flag(body: dict[str, Any], name: str, where: str) -> bool:
    value = body.get(name, False)
    if not isinstance(value, bool):
        raise _bad(f"{where}: '{name}' must be a boolean")
    return value


def _field(entry: Any) -> dict[str, Any]:
    """A field as ArangoDB reports it: ``{name}``, and what it sets itself."""
    if isinstance(entry, str):
        entry = {"name": entry}
    if not isinstance(entry, dict):
        raise _bad("invalid inverted index field: expecting an attribute name or an object")
    name = entry.get("name")
    if not isinstance(name, str) or not name:
        raise _bad("invalid inverted index field: 'name' must be a non-empty string")
    if name == "_id" or name.endswith("._id"):
        raise _bad("_id attribute cannot be indexed")
    if "nested" in entry:
        raise _bad(
            f"field {name}: 'nested' fields are not supported (an Enterprise Edition feature)"
        )
    field: dict[str, Any] = {"name": name}
    if "analyzer" in entry:
        field["analyzer"] = _analyzer(entry["analyzer"], f"field {name}")
        field["features"] = analyzer_features(field["analyzer"])
    if "features" in entry:
        field["features"] = _features(entry["features"], f"field {name}")
    for flag in _FIELD_FLAGS:
        if flag in entry:
            field[flag] = _flag(entry, flag, f"field {name}")
    return field


def _list_of_objects(body: dict[str, Any], name: str) -> list[Any]:
    value = body.get(name, [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise _bad(f"invalid inverted index definition: '{name}' must be an array of objects")
    return value


def parse_definition(body: dict[str, Any]) -> dict[str, Any]:
    """The description (ArangoDB 3.12's, without id and name) of an inverted index to make,
    checked: 400 / 10 for what ArangoDB refuses or the engine cannot index."""
    fields = body.get("fields", [])
    if not isinstance(fields, list):
        raise _bad("invalid inverted index definition: 'fields' must be an array")
    normalized = [_field(entry) for entry in fields]
    names = [f["name"] for f in normalized]
    if len(set(names)) != len(names):
        raise _bad("duplicate attribute name in index fields list")
    include_all = _flag(body, "includeAllFields", "inverted index")
    if not normalized and not include_all:
        raise _bad(
            "inverted index definition: 'fields' must not be empty without 'includeAllFields'"
        )
    analyzer = _analyzer(body.get("analyzer", "identity"), "inverted index")
    features = (
        _features(body["features"], "inverted index")
        if "features" in body
        else analyzer_features(analyzer)
    )
    numbers: dict[str, Any] = {}
    for name, default in _NUMBERS.items():
        camel = name.replace("writebuffer", "writeBuffer")
        value = body.get(name, body.get(camel, default))
        if type(value) is not int or value < 0:
            raise _bad(f"invalid inverted index definition: '{name}' must be a whole number >= 0")
        numbers[name] = value
    policy = body.get("consolidationPolicy", {})
    if not isinstance(policy, dict):
        raise _bad("invalid inverted index definition: 'consolidationPolicy' must be an object")
    sort = body.get("primarySort", {})
    if not isinstance(sort, dict):
        raise _bad("invalid inverted index definition: 'primarySort' must be an object")
    top = body.get("optimizeTopK", [])
    if not isinstance(top, list) or not all(isinstance(t, str) for t in top):
        raise _bad("invalid inverted index definition: 'optimizeTopK' must be an array of strings")
    return {
        "analyzer": analyzer,
        **numbers,
        "consolidationPolicy": {**_DEFAULT_POLICY, **policy},
        "features": features,
        "fields": normalized,
        "includeAllFields": include_all,
        "optimizeTopK": top,
        "primarySort": {
            "fields": _list_of_objects(sort, "fields"),
            "compression": sort.get("compression", "lz4"),
        },
        "searchField": _flag(body, "searchField", "inverted index"),
        "sparse": True,
        "storedValues": _list_of_objects(body, "storedValues"),
        "trackListPositions": _flag(body, "trackListPositions", "inverted index"),
        "type": "inverted",
        "unique": False,
        "version": 1,
    }


@dataclass
class InvertedIndexInfo:
    """An inverted index's catalog entry: its description (see :func:`parse_definition`)."""

    id: int
    name: str
    description: dict[str, Any]
    type: str = "inverted"

    @property
    def fields(self) -> list[str]:
        return [field["name"] for field in self.description["fields"]]

    def table(self, info: CollectionInfo) -> str:
        return f"{info.table}_v{self.id}"

    def as_dict(self, collection: str, id_offset: int = 0) -> dict[str, Any]:
        return {
            **self.description,
            "id": f"{collection}/{self.id + id_offset}",
            "name": self.name,
        }


# --------------------------------------------------------------------------- terms

# a field to index: its path, its Analyzer, whether an object's attributes are indexed
Field = tuple[tuple[str, ...], str, bool]


def _fields_of(description: dict[str, Any]) -> list[Field]:
    analyzer, include_all = description["analyzer"], description["includeAllFields"]
    return [
        (
            tuple(f["name"].replace("[*]", "").split(".")),
            f.get("analyzer", analyzer),
            f.get("includeAllFields", include_all),
        )
        for f in description["fields"]
    ]


def _flat(tokens: Any) -> Iterator[str]:
    if type(tokens) is list:
        for token in tokens:
            yield from _flat(token)
    else:
        yield str(tokens)


def _terms_of(
    path: str, value: Any, analyze: Callable[[str], list[str]], include_all: bool
) -> Iterator[tuple[str, str]]:
    if type(value) is dict:
        if include_all:
            for name, inner in value.items():
                yield from _terms_of(f"{path}.{name}", inner, analyze, include_all)
        return
    if type(value) is list:
        for item in value:
            yield from _terms_of(path, item, analyze, include_all)
        return
    for term in _flat(tokens_of(value, analyze)):
        yield path, term


def _values_at(value: Any, path: tuple[str, ...]) -> Iterator[Any]:
    """The values at ``path`` (an array on the way is gone through element by element, as
    ``a[*].b`` says); a missing attribute gives none."""
    if not path:
        yield value
    elif type(value) is dict:
        if path[0] in value:
            yield from _values_at(value[path[0]], path[1:])
    elif type(value) is list:
        for item in value:
            yield from _values_at(item, path)


def terms(doc: dict[str, Any], description: dict[str, Any]) -> list[tuple[str, str]]:
    """The (attribute path, term) pairs the index holds for ``doc``, sorted."""
    found: set[tuple[str, str]] = set()
    fields = _fields_of(description)
    if not fields:  # includeAllFields alone: every attribute
        analyze = find_analyzer(description["analyzer"])
        assert analyze is not None
        for name, value in doc.items():
            found.update(_terms_of(name, value, analyze, True))
        return sorted(found)
    for path, analyzer, include_all in fields:
        analyze = find_analyzer(analyzer)
        assert analyze is not None
        for value in _values_at(doc, path):  # a missing attribute has no terms, null has one
            found.update(_terms_of(".".join(path), value, analyze, include_all))
    return sorted(found)


@functools.lru_cache(maxsize=64)
def _description_of(spec: str) -> dict[str, Any]:
    description: dict[str, Any] = json.loads(spec)
    return description


def sql_terms(doc: str | None, spec: str) -> str:
    """The SQL function the triggers call: ``doc``'s terms as a JSON array of pairs."""
    if doc is None:
        return "[]"
    try:
        return json.dumps(terms(decode(doc), _description_of(spec)))
    except (ValueError, TypeError, RecursionError, ArithmeticError):
        return "[]"  # a value the Analyzer cannot read has no terms: a write never fails here


def register(conn: sqlite3.Connection) -> None:
    conn.create_function(SQL_FUNCTION, 2, sql_terms, deterministic=True)


def create_sql(info: CollectionInfo, index: InvertedIndexInfo) -> list[str]:
    """The statements making the index's table and triggers, and filling it."""
    table, rows = index.table(info), info.table
    spec = "'" + json.dumps(index.description).replace("'", "''") + "'"
    place = (
        f"INSERT INTO {table}(seq, path, term) SELECT new.seq, json_extract(j.value, '$[0]'), "
        f"json_extract(j.value, '$[1]') FROM json_each({SQL_FUNCTION}(new.doc, {spec})) AS j;"
    )
    forget = f"DELETE FROM {table} WHERE seq = old.seq;"
    return [
        f"CREATE TABLE {table} (seq INTEGER NOT NULL, path TEXT NOT NULL, term TEXT NOT NULL)",
        f"CREATE INDEX {table}_term ON {table}(path, term)",
        f"CREATE INDEX {table}_seq ON {table}(seq)",
        f"CREATE TRIGGER {table}_insert AFTER INSERT ON {rows} BEGIN {place} END",
        f"CREATE TRIGGER {table}_update AFTER UPDATE ON {rows} BEGIN {forget} {place} END",
        f"CREATE TRIGGER {table}_delete AFTER DELETE ON {rows} BEGIN {forget} END",
        f"INSERT INTO {table}(seq, path, term) SELECT seq, p, t FROM "
        f"(SELECT {rows}.seq AS seq, json_extract(j.value, '$[0]') AS p, "
        f"json_extract(j.value, '$[1]') AS t FROM {rows}, "
        f"json_each({SQL_FUNCTION}({rows}.doc, {spec})) AS j)",
    ]


def drop_sql(info: CollectionInfo, index: InvertedIndexInfo) -> list[str]:
    table = index.table(info)
    return [
        f"DROP TRIGGER IF EXISTS {table}_insert",
        f"DROP TRIGGER IF EXISTS {table}_update",
        f"DROP TRIGGER IF EXISTS {table}_delete",
        f"DROP TABLE IF EXISTS {table}",
    ]
