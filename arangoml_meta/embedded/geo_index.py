"""Geo indexes of the embedded engine: ArangoDB's ``geo`` index type over SQLite's R*Tree.

A geo index reads a position from each document, as ArangoDB 3.12's does:

- two fields ``[lat, lon]``: the latitude and the longitude, each a number;
- one field, ``geoJson: false``: an array of at least two numbers, latitude first;
- one field, ``geoJson: true``: an array ``[longitude, latitude]`` or a GeoJSON
  geometry (Point, MultiPoint, LineString, MultiLineString, Polygon, MultiPolygon),
  placed at its centroid — the point GEO_DISTANCE measures a shape from.

Latitudes lie in [-90, 90] and longitudes in [-180, 180]; a document without such a
position is not indexed (a geo index is sparse by nature). Unlike ArangoDB's, a
``geoJson`` index leaves out ``[lon, lat, altitude]`` arrays: GEO_DISTANCE reads no
position from them, and the index holds only what the distance functions read, at
the point they read (``geo_search.py`` relies on it). ``legacyPolygons`` is kept
and reported; a shape's centroid does not depend on it. The S2 cover parameters
ArangoDB reports (``bestIndexedLevel`` ...) are its defaults: there are no S2 cells
here.

Storage: per index, an R*Tree ``c<collection>_g<index>`` of (``seq``, latitude range,
longitude range) — a point for now, a box in the layout so that shapes could be
indexed by their extent later — and a table ``..._out`` of the ``seq`` of every
document the R*Tree does not hold. The second one lets a query narrowed by the index
(``geo_search.py``) still meet the documents a scan would give it that have no
position: ``DISTANCE(...) <= r`` is true for them, since null is less than every
number. Triggers on the collection's table keep both current in the statement that
writes the row (insert, update, replace, remove, truncate), so in its transaction;
they call :func:`sql_position`, registered on every connection of the storage
(:func:`register`). The catalog keeps an index in ``_indexes`` (its id, name and
fields, ``sparse`` true) and its type and options in ``_index_options``.

Known gap: a release of arangoml-meta from before geo indexes cannot write into a
collection that has one — it registers no such function, and SQLite refuses the
write ("no such function") — and reads the index as a persistent one. Drop the
index before going back to such a release.
"""

from __future__ import annotations

import functools
import json
import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import BadParameterError
from .codec import decode
from .functions.geo import shape_position
from .values import value_at

if TYPE_CHECKING:
    from .layout import CollectionInfo

GEO_TYPES = ("geo", "geo1", "geo2")  # geo1 / geo2: older names, for one field / two fields
# what ArangoDB 3.12 reports of its S2 cover (the defaults; nothing here uses cells)
COVER_DEFAULTS = {"bestIndexedLevel": 17, "worstIndexedLevel": 4, "maxNumCoverCells": 8}
SQL_FUNCTION = "arangoml_geo_position"

Position = tuple[float, float]


@dataclass(frozen=True)
class GeoDefinition:
    """What a geo index is made of: its fields and how a position is read from them."""

    fields: tuple[str, ...]
    geo_json: bool = False
    legacy_polygons: bool = False

    def options(self) -> dict[str, Any]:
        """The options ``_index_options`` keeps (the fields are in ``_indexes``)."""
        return {"geoJson": self.geo_json, "legacyPolygons": self.legacy_polygons}


def _bad(message: str) -> BadParameterError:
    return BadParameterError(message)


def parse_definition(body: dict[str, Any]) -> GeoDefinition:
    """The definition of a geo index to make from its HTTP body (or an ``ensure_index``
    call), checked as ArangoDB checks it: 400 / 10 with its message otherwise."""
    kind = body.get("type")
    fields = body.get("fields")
    if not isinstance(fields, list) or not all(isinstance(f, str) and f for f in fields):
        raise _bad("index field names must be non-empty strings")
    if len(set(fields)) != len(fields):
        raise _bad("duplicate attribute name in index fields list")
    wanted = {"geo1": (1, 1), "geo2": (2, 2)}.get(str(kind), (1, 2))
    if not wanted[0] <= len(fields) <= wanted[1]:
        raise _bad("invalid number of index attributes")
    for name in fields:
        if name == "_id" or name.endswith("._id"):
            raise _bad("_id attribute cannot be indexed")
        if "[*]" in name:
            raise _bad("cannot use [*] expansion for this type of index")
    flags = [body.get(key, False) for key in ("geoJson", "legacyPolygons")]
    if not all(isinstance(flag, bool) for flag in flags):
        raise _bad("invalid index definition: 'geoJson' and 'legacyPolygons' must be booleans")
    # geoJson concerns a single field; two fields are a latitude and a longitude
    return GeoDefinition(tuple(fields), flags[0] and len(fields) == 1, flags[1])


@dataclass
class GeoIndexInfo:
    """A geo index's catalog entry."""

    id: int
    name: str
    fields: list[str]
    geo_json: bool = False
    legacy_polygons: bool = False
    type: str = "geo"

    @property
    def definition(self) -> GeoDefinition:
        return GeoDefinition(tuple(self.fields), self.geo_json, self.legacy_polygons)

    def tables(self, info: CollectionInfo) -> tuple[str, str]:
        """The R*Tree of positions and the table of the documents without one."""
        tree = f"{info.table}_g{self.id}"
        return tree, f"{tree}_out"

    def as_dict(self, collection: str, id_offset: int = 0) -> dict[str, Any]:
        """The index as ArangoDB 3.12 describes it (``id_offset``: see ``server/indexes.py``)."""
        return {
            **COVER_DEFAULTS,
            "fields": list(self.fields),
            "geoJson": self.geo_json,
            "id": f"{collection}/{self.id + id_offset}",
            "legacyPolygons": self.legacy_polygons,
            "name": self.name,
            "sparse": True,
            "type": "geo",
            "unique": False,
        }


def from_catalog(iid: int, name: str, fields: list[str], options: str) -> GeoIndexInfo:
    """The entry of a geo index from its ``_indexes`` row and its ``_index_options``."""
    given = json.loads(options)
    return GeoIndexInfo(
        iid, name, fields, bool(given.get("geoJson")), bool(given.get("legacyPolygons"))
    )


# --------------------------------------------------------------------------- positions


def _number(value: Any) -> bool:
    t = type(value)
    return t is int or t is float


def _valid(latitude: Any, longitude: Any) -> bool:
    return (
        _number(latitude)
        and _number(longitude)
        and -90 <= latitude <= 90
        and -180 <= longitude <= 180
    )


def position(doc: dict[str, Any], definition: GeoDefinition) -> Position | None:
    """The (latitude, longitude) the index holds for ``doc``, None when it holds none."""
    paths = [name.split(".") for name in definition.fields]
    if len(paths) == 2:
        latitude, longitude = (value_at(doc, path) for path in paths)
        return (float(latitude), float(longitude)) if _valid(latitude, longitude) else None
    value = value_at(doc, paths[0])
    if type(value) is list:
        # GEO_DISTANCE reads a pair [lon, lat] only (null for more): the index holds what
        # the function measures, so that a query it narrows gives what a scan gives
        if len(value) != 2 if definition.geo_json else len(value) < 2:
            return None
        latitude, longitude = (value[1], value[0]) if definition.geo_json else value[:2]
        return (float(latitude), float(longitude)) if _valid(latitude, longitude) else None
    if not definition.geo_json or type(value) is not dict:
        return None
    if value.get("type") == "Point":
        coordinates = value.get("coordinates")
        if type(coordinates) is not list or len(coordinates) < 2:
            return None
        if not _valid(coordinates[1], coordinates[0]):
            return None
    return shape_position(value)


@functools.lru_cache(maxsize=64)
def _definition_of(spec: str) -> GeoDefinition:
    fields, geo_json = json.loads(spec)
    return GeoDefinition(tuple(fields), geo_json)


# the last call's arguments and answer (one tuple, replaced whole: connections may call
# from several threads): a trigger asks twice about each row it writes
_last: list[tuple[Any, Any, str | None]] = [(None, None, None)]


def sql_position(doc: str | None, spec: str) -> str | None:
    """The SQL function the triggers call: ``doc``'s position as ``[lat, lon]`` JSON, or
    null. A document it cannot read has no position: a write never fails here."""
    last_doc, last_spec, answer = _last[0]
    if last_doc == doc and last_spec == spec:
        return answer
    found = None
    if doc is not None:
        try:
            found = position(decode(doc), _definition_of(spec))
        except (ValueError, TypeError, RecursionError):
            found = None
    answer = None if found is None else json.dumps(found)
    _last[0] = (doc, spec, answer)
    return answer


def register(conn: sqlite3.Connection) -> None:
    """Make :func:`sql_position` callable from the triggers on ``conn``."""
    conn.create_function(SQL_FUNCTION, 2, sql_position, deterministic=True)


# --------------------------------------------------------------------------- SQL


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def create_sql(info: CollectionInfo, index: GeoIndexInfo) -> list[str]:
    """The statements making the index's tables and triggers, and filling them."""
    tree, out = index.tables(info)
    spec = _quoted(json.dumps([list(index.fields), index.geo_json]))
    found = f"{SQL_FUNCTION}(new.doc, {spec})"
    place = (
        f"INSERT INTO {tree} SELECT new.seq, json_extract(p, '$[0]'), json_extract(p, '$[0]'), "
        f"json_extract(p, '$[1]'), json_extract(p, '$[1]') FROM (SELECT {found} AS p) "
        f"WHERE p IS NOT NULL; INSERT INTO {out}(seq) SELECT new.seq WHERE {found} IS NULL;"
    )
    forget = f"DELETE FROM {tree} WHERE id = old.seq; DELETE FROM {out} WHERE seq = old.seq;"
    table = info.table
    return [
        f"CREATE VIRTUAL TABLE {tree} USING rtree(id, min_lat, max_lat, min_lon, max_lon)",
        f"CREATE TABLE {out} (seq INTEGER PRIMARY KEY)",
        f"CREATE TRIGGER {tree}_insert AFTER INSERT ON {table} BEGIN {place} END",
        f"CREATE TRIGGER {tree}_update AFTER UPDATE ON {table} BEGIN {forget} {place} END",
        f"CREATE TRIGGER {tree}_delete AFTER DELETE ON {table} BEGIN {forget} END",
        # the rows there already, as the insert trigger would have placed them
        f"INSERT INTO {tree} SELECT seq, json_extract(p, '$[0]'), json_extract(p, '$[0]'), "
        f"json_extract(p, '$[1]'), json_extract(p, '$[1]') FROM "
        f"(SELECT seq, {SQL_FUNCTION}(doc, {spec}) AS p FROM {table}) WHERE p IS NOT NULL",
        f"INSERT INTO {out}(seq) SELECT seq FROM {table} WHERE {SQL_FUNCTION}(doc, {spec}) IS NULL",
    ]


def drop_sql(info: CollectionInfo, index: GeoIndexInfo) -> list[str]:
    """The statements removing the index's tables and triggers (with its collection's
    table, SQLite drops the triggers itself)."""
    tree, out = index.tables(info)
    return [
        f"DROP TRIGGER IF EXISTS {tree}_insert",
        f"DROP TRIGGER IF EXISTS {tree}_update",
        f"DROP TRIGGER IF EXISTS {tree}_delete",
        f"DROP TABLE IF EXISTS {tree}",
        f"DROP TABLE IF EXISTS {out}",
    ]
