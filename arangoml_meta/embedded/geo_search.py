"""Narrowing a collection scan with a geo index: a FILTER on the distance to a point.

``FOR d IN coll FILTER <distance> <= r`` (or ``<``, or ``r >= <distance>``, ``r >``)
reads, through a geo index of ``coll`` (``geo_index.py``), only the documents
whose position lies in the box bounding the spherical cap of radius ``r`` around
the point, and those the index leaves out (no position: the distance is null
for them, and null is below every number, so a scan passes them too). The
distances it recognises, ``d`` being the FOR's variable and the rest not
depending on it:

- ``DISTANCE(d.lat, d.lon, lat, lon)`` (the pairs in either order) with an index
  of the two fields ``[lat, lon]``;
- ``DISTANCE(d.loc[0], d.loc[1], lat, lon)`` with an index of ``loc`` without
  ``geoJson`` (``[lat, lon]`` arrays);
- ``GEO_DISTANCE(d.loc, point)`` (either order; a third argument ``"sphere"``
  allowed) with an index of ``loc`` with ``geoJson``, the point ``[lon, lat]``,
  ``GEO_POINT(lon, lat)`` or any GeoJSON shape (its centroid, as GEO_DISTANCE).

The condition itself still runs on every row read, so a query gives what a scan
gives — rows, order (insertion order) and warnings; the box only spares the
rows that cannot pass. When the point or the radius is not a number in an
execution, the scan is not narrowed. A SORT by such a distance with a LIMIT
reads nearest first (``geo_nearest.py``). Not done (a scan then): GEO_CONTAINS /
GEO_INTERSECTS / GEO_IN_RANGE, and the ``wgs84`` ellipsoid.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..aql import ast as A
from .functions.geo import EARTH_RADIUS_M, shape_position
from .geo_index import GeoIndexInfo
from .layout import CollectionInfo
from .planner import Pushed, attribute_path, independent
from .values import is_number

Frame = list[Any]
Compile = Callable[[A.Node], Callable[[Frame], Any]]
Locate = Callable[[Frame], "tuple[float, float] | None"]

# what the box is widened by, on top of the radius: floating-point error in the distance
# functions is far below it (the R*Tree itself rounds its stored bounds outward)
_PAD_RADIANS = 1e-6
_PAD_DEGREES = 1e-6


def _fixed_path(node: A.Node, slot: int) -> list[str] | None:
    path = attribute_path(node, slot)
    if path is None or not all(type(name) is str for name in path):
        return None
    return [str(name) for name in path]


def _element(node: A.Node, slot: int, position: int) -> list[str] | None:
    """``d.path[position]`` → path."""
    if not isinstance(node, A.IndexAccess):
        return None
    index = node.index
    if not (isinstance(index, A.Literal) and type(index.value) is int and index.value == position):
        return None
    return _fixed_path(node.obj, slot)


def _fields(index: GeoIndexInfo) -> list[list[str]]:
    return [name.split(".") for name in index.fields]


def _normalized(latitude: float, longitude: float) -> tuple[float, float]:
    """The point of any latitude / longitude on the sphere (DISTANCE reads them as such)."""
    lat, lon = math.radians(latitude), math.radians(longitude)
    x, y, z = math.cos(lat) * math.cos(lon), math.cos(lat) * math.sin(lon), math.sin(lat)
    return math.degrees(math.atan2(z, math.hypot(x, y))), math.degrees(math.atan2(y, x))


def _numbers_at(latitude: Callable[[Frame], Any], longitude: Callable[[Frame], Any]) -> Locate:
    def locate(frame: Frame) -> tuple[float, float] | None:
        lat, lon = latitude(frame), longitude(frame)
        if not (is_number(lat) and is_number(lon)):
            return None
        try:
            return _normalized(float(lat), float(lon))
        except (OverflowError, ValueError):
            return None

    return locate


def _distance_search(
    info: CollectionInfo, args: list[A.Node], slot: int, compile_expr: Compile
) -> tuple[GeoIndexInfo, Locate] | None:
    """DISTANCE(doc lat, doc lon, lat, lon) in either order, and its index."""
    for mine, other in ((args[:2], args[2:]), (args[2:], args[:2])):
        if not all(independent(node, slot) for node in other):
            continue
        located = _numbers_at(compile_expr(other[0]), compile_expr(other[1]))
        two = [_fixed_path(node, slot) for node in mine]
        if two[0] is not None and two[1] is not None:
            for index in info.geo_indexes:
                if _fields(index) == two:
                    return index, located
        pair = [_element(mine[0], slot, 0), _element(mine[1], slot, 1)]
        if pair[0] is not None and pair[0] == pair[1]:
            for index in info.geo_indexes:
                if not index.geo_json and _fields(index) == [pair[0]]:
                    return index, located
    return None


def _shape(node: A.Node, slot: int, compile_expr: Compile) -> Locate | None:
    """Where a GEO_DISTANCE argument not depending on ``d`` lies (GEO_POINT(lon, lat) read
    from its arguments: calling it could warn once more than the FILTER does)."""
    if isinstance(node, A.FunctionCall) and node.name == "GEO_POINT" and len(node.args) == 2:
        if not all(independent(arg, slot) for arg in node.args):
            return None
        longitude, latitude = (compile_expr(arg) for arg in node.args)

        def point(frame: Frame) -> tuple[float, float] | None:
            lon, lat = longitude(frame), latitude(frame)
            return shape_position([lon, lat]) if is_number(lon) and is_number(lat) else None

        return point
    if not independent(node, slot):
        return None
    shape = compile_expr(node)
    return lambda frame: shape_position(shape(frame))


def _geo_distance_search(
    info: CollectionInfo, args: list[A.Node], slot: int, compile_expr: Compile
) -> tuple[GeoIndexInfo, Locate] | None:
    """GEO_DISTANCE(doc shape, shape) in either order, and its index."""
    if len(args) == 3 and not (isinstance(args[2], A.Literal) and args[2].value == "sphere"):
        return None
    for mine, other in ((args[0], args[1]), (args[1], args[0])):
        path = _fixed_path(mine, slot)
        if path is None:
            continue
        located = _shape(other, slot, compile_expr)
        if located is None:
            continue
        for index in info.geo_indexes:
            if index.geo_json and _fields(index) == [path]:
                return index, located
    return None


@dataclass
class GeoSearch:
    """A FILTER conjunct a geo index narrows: per execution, the SQL that does it."""

    info: CollectionInfo
    index: GeoIndexInfo
    locate: Locate
    radius: Callable[[Frame], Any]

    def __call__(self, frame: Frame) -> Pushed | None:
        point = self.locate(frame)
        radius = self.radius(frame)
        if point is None or not is_number(radius):
            return None
        boxes = cap_boxes(point[0], point[1], float(radius))
        if boxes is None:
            return None  # the whole sphere: nothing to spare
        (south, north), ranges = boxes
        tree, out = self.index.tables(self.info)
        lon_sql = " OR ".join("(min_lon <= ? AND max_lon >= ?)" for _ in ranges)
        sql = (
            f"seq IN (SELECT id FROM {tree} WHERE min_lat <= ? AND max_lat >= ? AND "
            f"({lon_sql}) UNION ALL SELECT seq FROM {out})"
        )
        params: list[Any] = [north, south]
        for west, east in ranges:
            params += [east, west]
        return Pushed([], "geo", None, sql, params)


def distance_index(
    info: CollectionInfo, call: A.Node, slot: int, compile_expr: Compile
) -> tuple[GeoIndexInfo, Locate] | None:
    """The geo index that answers a distance (see the module docstring) and where the point
    it is measured from lies; None when ``call`` is no such distance."""
    if not isinstance(call, A.FunctionCall):
        return None
    if call.name == "DISTANCE" and len(call.args) == 4:
        return _distance_search(info, call.args, slot, compile_expr)
    if call.name == "GEO_DISTANCE" and len(call.args) in (2, 3):
        return _geo_distance_search(info, call.args, slot, compile_expr)
    return None


def geo_search(
    info: CollectionInfo, node: A.Node, slot: int, compile_expr: Compile
) -> GeoSearch | None:
    """The geo index search for a FILTER conjunct, when one applies (see the module
    docstring)."""
    if not isinstance(node, A.Binary) or node.op not in ("<", "<=", ">", ">="):
        return None
    call, radius = (node.left, node.right) if node.op in ("<", "<=") else (node.right, node.left)
    if not independent(radius, slot):
        return None
    found = distance_index(info, call, slot, compile_expr)
    if found is None:
        return None
    return GeoSearch(info, found[0], found[1], compile_expr(radius))


def cap_boxes(
    latitude: float, longitude: float, radius: float
) -> tuple[tuple[float, float], list[tuple[float, float]]] | None:
    """The latitude range and longitude ranges (two across the antimeridian) holding every
    point within ``radius`` metres of the point; None when that is the whole sphere."""
    angle = max(radius, 0.0) / EARTH_RADIUS_M
    angle += _PAD_RADIANS + angle * _PAD_RADIANS
    if angle >= math.pi:
        return None
    spread = math.degrees(angle)
    south, north = latitude - spread, latitude + spread
    if south <= -90 or north >= 90:  # the cap holds a pole: every longitude
        return (max(south, -90.0), min(north, 90.0)), [(-180.0, 180.0)]
    ratio = math.sin(angle) / math.cos(math.radians(latitude))
    width = math.degrees(math.asin(min(1.0, ratio))) + _PAD_DEGREES
    west, east = longitude - width, longitude + width
    if west < -180:
        ranges = [(west + 360, 180.0), (-180.0, east)]
    elif east > 180:
        ranges = [(west, 180.0), (-180.0, east - 360)]
    else:
        ranges = [(west, east)]
    return (south, north), ranges
