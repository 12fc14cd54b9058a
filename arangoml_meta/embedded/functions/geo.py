"""AQL's geo functions that need no geo index (ArangoDB 3.12 "Geo-spatial functions").

This module owns the GeoJSON constructors GEO_POINT, GEO_MULTIPOINT,
GEO_LINESTRING, GEO_MULTILINESTRING, GEO_POLYGON and GEO_MULTIPOLYGON, the
distances DISTANCE (haversine on latitude/longitude pairs) and GEO_DISTANCE,
and the legacy IS_IN_POLYGON.

As in ArangoDB, coordinates live on a sphere of radius 6371 km and edges are
great-circle arcs. GEO_DISTANCE measures between the *centroids* of two shapes,
computed like S2 does (points averaged as unit vectors, lines weighted by arc
length, polygons by area with holes subtracted); the optional ``"wgs84"``
ellipsoid uses Vincenty's inverse formula. Bad input gives ``null`` plus a
warning whose text is ``in function 'NAME()': reason``.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

from ...errors import (
    ERROR_BAD_PARAMETER,
    ERROR_QUERY_FUNCTION_ARGUMENT_TYPE_MISMATCH,
)
from ..values import is_number, normalize_number
from .arguments import warn, warn_array_expected
from .registry import FunctionContext, aql_function, warn_invalid_argument

EARTH_RADIUS_M = 6371000.0
_WGS84_A = 6378137.0
_WGS84_F = 1 / 298.257223563

Vector = tuple[float, float, float]


class _GeoError(Exception):
    """Invalid geo input: the ArangoDB error number and the reason."""

    def __init__(self, reason: str, code: int = ERROR_QUERY_FUNCTION_ARGUMENT_TYPE_MISMATCH):
        super().__init__(reason)
        self.reason = reason
        self.code = code


def _warn(ctx: FunctionContext, function_name: str, error: _GeoError) -> None:
    warn(ctx, function_name, error.code, error.reason)


def _double(value: Any) -> int | float | None:
    """A number as ArangoDB stores it in a constructed shape (a double)."""
    return normalize_number(float(value))


# --------------------------------------------------------------------------- constructors


def _numeric_position(value: Any) -> list[Any]:
    """A position of a MultiPoint or LineString: an array of numbers."""
    if type(value) is not list:
        raise _GeoError("not an array containing positions")
    if not all(is_number(coordinate) for coordinate in value):
        raise _GeoError("not a numeric value")
    return [_double(coordinate) for coordinate in value]


def _pair(value: list[Any]) -> list[Any]:
    if not (is_number(value[0]) and is_number(value[1])):
        raise _GeoError("coordinate is not a number")
    return [_double(value[0]), _double(value[1])]


def _polygon_coordinates(polygon: Any) -> list[Any]:
    """GEO_POLYGON's reading of one polygon: a ring of positions or an array of rings."""
    if type(polygon) is not list:
        raise _GeoError("Polygon needs to be an array of positions.")
    unnested = any(type(v) is list and len(v) == 2 for v in polygon)
    rings: list[Any] = []
    for v in polygon:
        if type(v) is list and len(v) > 2:
            ring: list[Any] = []
            for coordinate in v:
                if is_number(coordinate):
                    ring.append(_double(coordinate))
                elif type(coordinate) is not list:
                    raise _GeoError("not an array containing positions")
                elif len(coordinate) < 2:
                    raise _GeoError("a Position needs at least two numeric values")
                else:
                    ring.append(
                        [
                            _nested_coordinate(c, "not an array describing a position")
                            for c in coordinate
                        ]
                    )
            rings.append(ring)
        elif type(v) is list and len(v) == 2:
            if len(polygon) <= 2:
                raise _GeoError("a Polygon needs at least three positions")
            rings.append([_nested_coordinate(c, "not a numeric value") for c in v])
        else:
            raise _GeoError("not an array containing positions")
    return [rings] if unnested else rings


def _nested_coordinate(value: Any, reason: str) -> Any:
    if is_number(value):
        return _double(value)
    if type(value) is list and len(value) == 2:
        return _pair(value)
    raise _GeoError(reason)


def _check_ring(ring: Any) -> list[Vector]:
    """Validate one linear ring ([lon, lat] positions, closed, 3+ distinct) as unit vectors."""
    if type(ring) is not list or len(ring) < 4:
        raise _GeoError("Invalid loop in polygon, must have at least 3 distinct vertices")
    points = [_position_vector(position) for position in ring]
    if ring[0] != ring[-1]:
        raise _GeoError("Loop not closed", ERROR_BAD_PARAMETER)
    distinct = {tuple(position[:2]) for position in ring}
    if len(distinct) < 3:
        raise _GeoError("Invalid loop in polygon, must have at least 3 distinct vertices")
    return points[:-1]


@aql_function("GEO_POINT", 2)
def geo_point(ctx: FunctionContext, longitude: Any, latitude: Any) -> dict[str, Any] | None:
    """GEO_POINT(longitude, latitude): a GeoJSON Point."""
    if not (is_number(longitude) and is_number(latitude)):
        warn_invalid_argument(ctx, "GEO_POINT")
        return None
    return {"type": "Point", "coordinates": [_double(longitude), _double(latitude)]}


def _positions_shape(
    ctx: FunctionContext, name: str, geo_type: str, positions: Any, too_few: str
) -> dict[str, Any] | None:
    if type(positions) is not list:
        warn_array_expected(ctx, name)
        return None
    try:
        if len(positions) < 2:
            raise _GeoError(too_few)
        return {"type": geo_type, "coordinates": [_numeric_position(p) for p in positions]}
    except _GeoError as error:
        _warn(ctx, name, error)
        return None


@aql_function("GEO_MULTIPOINT", 1)
def geo_multipoint(ctx: FunctionContext, positions: Any) -> dict[str, Any] | None:
    """GEO_MULTIPOINT(points): a GeoJSON MultiPoint of two or more positions."""
    return _positions_shape(
        ctx, "GEO_MULTIPOINT", "MultiPoint", positions, "a MultiPoint needs at least two positions"
    )


@aql_function("GEO_LINESTRING", 1)
def geo_linestring(ctx: FunctionContext, positions: Any) -> dict[str, Any] | None:
    """GEO_LINESTRING(points): a GeoJSON LineString of two or more positions."""
    return _positions_shape(
        ctx, "GEO_LINESTRING", "LineString", positions, "a LineString needs at least two positions"
    )


@aql_function("GEO_MULTILINESTRING", 1)
def geo_multilinestring(ctx: FunctionContext, lines: Any) -> dict[str, Any] | None:
    """GEO_MULTILINESTRING(lines): a GeoJSON MultiLineString of one or more lines."""
    if type(lines) is not list:
        warn_array_expected(ctx, "GEO_MULTILINESTRING")
        return None
    try:
        if not lines:
            raise _GeoError("a MultiLineString needs at least one array of linestrings")
        coordinates = []
        for line in lines:
            if type(line) is not list:
                raise _GeoError("not an array containing positions")
            if len(line) < 2:
                raise _GeoError("not an array containing linestrings")
            coordinates.append([_numeric_position(p) for p in line])
        return {"type": "MultiLineString", "coordinates": coordinates}
    except _GeoError as error:
        _warn(ctx, "GEO_MULTILINESTRING", error)
        return None


@aql_function("GEO_POLYGON", 1)
def geo_polygon(ctx: FunctionContext, polygon: Any) -> dict[str, Any] | None:
    """GEO_POLYGON(rings or ring): a GeoJSON Polygon; rings must be closed and valid."""
    if type(polygon) is not list:
        warn_array_expected(ctx, "GEO_POLYGON")
        return None
    try:
        coordinates = _polygon_coordinates(polygon)
        _polygon_centroid(coordinates)
        return {"type": "Polygon", "coordinates": coordinates}
    except _GeoError as error:
        _warn(ctx, "GEO_POLYGON", error)
        return None


@aql_function("GEO_MULTIPOLYGON", 1)
def geo_multipolygon(ctx: FunctionContext, polygons: Any) -> dict[str, Any] | None:
    """GEO_MULTIPOLYGON(polygons): a GeoJSON MultiPolygon of two or more polygons."""
    if type(polygons) is not list:
        warn_array_expected(ctx, "GEO_MULTIPOLYGON")
        return None
    try:
        if len(polygons) < 2 or any(type(p) is not list for p in polygons):
            raise _GeoError("a MultiPolygon needs at least two Polygons inside.")
        coordinates = [
            [ring for v in polygon for ring in _polygon_coordinates(v)] for polygon in polygons
        ]
        for polygon_rings in coordinates:
            _polygon_centroid(polygon_rings)
        return {"type": "MultiPolygon", "coordinates": coordinates}
    except _GeoError as error:
        _warn(ctx, "GEO_MULTIPOLYGON", error)
        return None


# --------------------------------------------------------------------------- sphere geometry


def _vector(latitude: float, longitude: float) -> Vector:
    """The unit vector of a latitude/longitude in degrees (latitude clamped to ±90)."""
    lat = math.radians(max(-90.0, min(90.0, latitude)))
    lon = math.radians(longitude)
    return (math.cos(lat) * math.cos(lon), math.cos(lat) * math.sin(lon), math.sin(lat))


def _position_vector(position: Any) -> Vector:
    """The unit vector of a GeoJSON position ``[longitude, latitude, ...]``."""
    if type(position) is not list or len(position) < 2 or not all(is_number(c) for c in position):
        raise _GeoError("Invalid GeoJSON coordinates", ERROR_BAD_PARAMETER)
    return _vector(float(position[1]), float(position[0]))


def _add(a: Vector, b: Vector) -> Vector:
    return (a[0] + b[0], a[1] + b[1], a[2] + b[2])


def _sub(a: Vector, b: Vector) -> Vector:
    return (a[0] - b[0], a[1] - b[1], a[2] - b[2])


def _scale(a: Vector, factor: float) -> Vector:
    return (a[0] * factor, a[1] * factor, a[2] * factor)


def _dot(a: Vector, b: Vector) -> float:
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]


def _cross(a: Vector, b: Vector) -> Vector:
    return (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0])


def _angle(a: Vector, b: Vector) -> float:
    cross = _cross(a, b)
    return math.atan2(math.sqrt(_dot(cross, cross)), _dot(a, b))


_ZERO: Vector = (0.0, 0.0, 0.0)


def _edge_centroid(a: Vector, b: Vector) -> Vector:
    """S2's true centroid of the arc a→b, times its length."""
    difference, total = _sub(a, b), _add(a, b)
    cos2 = _dot(total, total)
    if cos2 == 0:
        return _ZERO
    return _scale(total, math.sqrt(_dot(difference, difference) / cos2))


def _triangle_centroid(a: Vector, b: Vector, c: Vector) -> Vector:
    """S2's true centroid of the spherical triangle abc, times its signed area."""
    ratios = []
    for p, q in ((b, c), (c, a), (a, b)):
        side = _angle(p, q)
        ratios.append(1.0 if side == 0 else side / math.sin(side))
    x = (a[0], b[0] - a[0], c[0] - a[0])
    y = (a[1], b[1] - a[1], c[1] - a[1])
    z = (a[2], b[2] - a[2], c[2] - a[2])
    r = (ratios[0], ratios[1] - ratios[0], ratios[2] - ratios[0])
    return (
        0.5 * _dot(_cross(y, z), r),
        0.5 * _dot(_cross(z, x), r),
        0.5 * _dot(_cross(x, y), r),
    )


def _loop_centroid(points: list[Vector]) -> Vector:
    """The area-weighted centroid of the region left of the loop (fan from the first vertex)."""
    total = _ZERO
    for i in range(1, len(points) - 1):
        total = _add(total, _triangle_centroid(points[0], points[i], points[i + 1]))
    return total


def _polygon_centroid(rings: Any) -> Vector:
    """Outer ring's region minus the holes (holes are turned the right way round)."""
    if type(rings) is not list or not rings:
        raise _GeoError("Polygon must contain at least one ring", ERROR_BAD_PARAMETER)
    total = _loop_centroid(_check_ring(rings[0]))
    for ring in rings[1:]:
        points = _check_ring(ring)
        hole = _loop_centroid(points)
        middle = _ZERO
        for point in points:
            middle = _add(middle, point)
        total = _add(total, hole if _dot(hole, middle) < 0 else _scale(hole, -1.0))
    return total


def _line_centroid(positions: Any) -> Vector:
    if type(positions) is not list or len(positions) < 2:
        raise _GeoError("Invalid LineString, needs at least two positions", ERROR_BAD_PARAMETER)
    points = [_position_vector(p) for p in positions]
    total = _ZERO
    for a, b in itertools.pairwise(points):
        total = _add(total, _edge_centroid(a, b))
    return total


def _many(items: Any, centroid: Any) -> Vector:
    if type(items) is not list or not items:
        raise _GeoError("Invalid GeoJSON coordinates", ERROR_BAD_PARAMETER)
    total = _ZERO
    for item in items:
        total = _add(total, centroid(item))
    return total


_CENTROIDS: dict[str, Any] = {
    "point": _position_vector,
    "multipoint": lambda c: _many(c, _position_vector),
    "linestring": _line_centroid,
    "multilinestring": lambda c: _many(c, _line_centroid),
    "polygon": lambda c: _polygon_centroid(c),
    "multipolygon": lambda c: _many(c, _polygon_centroid),
}


def _shape_centroid(shape: Any) -> Vector:
    """The unit centroid of a GeoJSON object or a ``[longitude, latitude]`` array."""
    if type(shape) is list:
        if len(shape) != 2:
            raise _GeoError("Invalid coordinate pair", ERROR_BAD_PARAMETER)
        total = _position_vector(shape)
    elif type(shape) is dict and type(shape.get("type")) is str:
        centroid = _CENTROIDS.get(shape["type"].lower())
        if centroid is None:
            raise _GeoError("Invalid GeoJSON Geometry Object.", ERROR_BAD_PARAMETER)
        total = centroid(shape.get("coordinates"))
    else:
        raise _GeoError("Invalid GeoJSON Geometry Object.", ERROR_BAD_PARAMETER)
    norm = math.sqrt(_dot(total, total))
    if norm == 0:
        raise _GeoError("Shape has no centroid", ERROR_BAD_PARAMETER)
    return _scale(total, 1.0 / norm)


def _latlng(point: Vector) -> tuple[float, float]:
    """Latitude and longitude of a unit vector, in radians."""
    return math.atan2(point[2], math.hypot(point[0], point[1])), math.atan2(point[1], point[0])


def shape_position(shape: Any) -> tuple[float, float] | None:
    """The latitude and longitude (degrees) GEO_DISTANCE measures ``shape`` from: a
    ``[longitude, latitude]`` pair or a GeoJSON object's centroid; None when it reads none.

    For the geo index (``geo_index.py``): a value the function cannot read is no error there.
    """
    try:
        latitude, longitude = _latlng(_shape_centroid(shape))
    except (_GeoError, TypeError, ValueError, ArithmeticError, RecursionError):
        return None
    return math.degrees(latitude), math.degrees(longitude)


def wgs84_distance(a: Vector, b: Vector) -> float:
    """The geodesic distance in metres on the WGS84 ellipsoid (Vincenty's inverse formula)."""
    lat1, lon1 = _latlng(a)
    lat2, lon2 = _latlng(b)
    f, major = _WGS84_F, _WGS84_A
    minor = major * (1 - f)
    u1 = math.atan((1 - f) * math.tan(lat1))
    u2 = math.atan((1 - f) * math.tan(lat2))
    sin_u1, cos_u1, sin_u2, cos_u2 = math.sin(u1), math.cos(u1), math.sin(u2), math.cos(u2)
    diff = lon2 - lon1
    lam = diff
    for _ in range(200):
        sin_lam, cos_lam = math.sin(lam), math.cos(lam)
        sin_sigma = math.hypot(cos_u2 * sin_lam, cos_u1 * sin_u2 - sin_u1 * cos_u2 * cos_lam)
        if sin_sigma == 0:
            return 0.0
        cos_sigma = sin_u1 * sin_u2 + cos_u1 * cos_u2 * cos_lam
        sigma = math.atan2(sin_sigma, cos_sigma)
        sin_alpha = cos_u1 * cos_u2 * sin_lam / sin_sigma
        cos2_alpha = 1 - sin_alpha * sin_alpha
        cos_2sm = cos_sigma - 2 * sin_u1 * sin_u2 / cos2_alpha if cos2_alpha else 0.0
        c = f / 16 * cos2_alpha * (4 + f * (4 - 3 * cos2_alpha))
        previous = lam
        lam = diff + (1 - c) * f * sin_alpha * (
            sigma + c * sin_sigma * (cos_2sm + c * cos_sigma * (-1 + 2 * cos_2sm * cos_2sm))
        )
        if abs(lam - previous) < 1e-12:
            break
    else:
        return _angle(a, b) * EARTH_RADIUS_M
    u_sq = cos2_alpha * (major * major - minor * minor) / (minor * minor)
    big_a = 1 + u_sq / 16384 * (4096 + u_sq * (-768 + u_sq * (320 - 175 * u_sq)))
    big_b = u_sq / 1024 * (256 + u_sq * (-128 + u_sq * (74 - 47 * u_sq)))
    delta = (
        big_b
        * sin_sigma
        * (
            cos_2sm
            + big_b
            / 4
            * (
                cos_sigma * (-1 + 2 * cos_2sm * cos_2sm)
                - big_b
                / 6
                * cos_2sm
                * (-3 + 4 * sin_sigma * sin_sigma)
                * (-3 + 4 * cos_2sm * cos_2sm)
            )
        )
    )
    return minor * big_a * (sigma - delta)


# --------------------------------------------------------------------------- distances


@aql_function("DISTANCE", 4)
def distance(
    ctx: FunctionContext, latitude1: Any, longitude1: Any, latitude2: Any, longitude2: Any
) -> int | float | None:
    """DISTANCE(lat1, lon1, lat2, lon2): haversine distance in metres."""
    if not all(is_number(v) for v in (latitude1, longitude1, latitude2, longitude2)):
        warn_invalid_argument(ctx, "DISTANCE")
        return None
    to_radians = math.acos(-1.0) / 180.0
    try:
        p1 = latitude1 * to_radians
        p2 = latitude2 * to_radians
        d1 = (latitude2 - latitude1) * to_radians
        d2 = (longitude2 - longitude1) * to_radians
        a = math.sin(d1 / 2.0) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(d2 / 2.0) ** 2
        return normalize_number(EARTH_RADIUS_M * 2.0 * math.atan2(math.sqrt(a), math.sqrt(1.0 - a)))
    except (ValueError, OverflowError):
        return None


@aql_function("GEO_DISTANCE", 2, 3)
def geo_distance(ctx: FunctionContext, *args: Any) -> int | float | None:
    """GEO_DISTANCE(shapeA, shapeB, ellipsoid): metres between the shapes' centroids."""
    try:
        first = _shape_centroid(args[0])
        second = _shape_centroid(args[1])
    except _GeoError as error:
        _warn(ctx, "GEO_DISTANCE", error)
        return None
    if len(args) > 2 and _ellipsoid(ctx, args[2]) == "wgs84":
        return normalize_number(wgs84_distance(first, second))
    return normalize_number(_angle(first, second) * EARTH_RADIUS_M)


def _ellipsoid(ctx: FunctionContext, value: Any) -> str:
    """The ellipsoid name, falling back to "sphere" with a warning."""
    if value in ("sphere", "wgs84"):
        return str(value)
    if type(value) is str:
        reason = f'invalid ellipsoid {value} specified, falling back to "sphere"'
    else:
        reason = 'invalid value for ellipsoid specified, falling back to "sphere"'
    _warn(ctx, "GEO_DISTANCE", _GeoError(reason, ERROR_BAD_PARAMETER))
    return "sphere"


# --------------------------------------------------------------------------- IS_IN_POLYGON


def _winding_angle(point: Vector, loop: list[Vector]) -> float:
    """The total angle the loop turns around ``point`` (±2π inside, 0 outside)."""
    total = 0.0
    for a, b in zip(loop, loop[1:] + loop[:1], strict=True):
        ta = _sub(a, _scale(point, _dot(a, point)))
        tb = _sub(b, _scale(point, _dot(b, point)))
        total += math.atan2(_dot(point, _cross(ta, tb)), _dot(ta, tb))
    return total


@aql_function("IS_IN_POLYGON", 2, 3)
def is_in_polygon(ctx: FunctionContext, *args: Any) -> bool | None:
    """IS_IN_POLYGON(polygon, latitude, longitude) or (polygon, [lat, lon], geoJson).

    The polygon is an array of [lat, lon] pairs ([lon, lat] with geoJson) whose
    smaller enclosed region counts as inside.
    """
    polygon = args[0]
    second = args[1]
    third = args[2] if len(args) > 2 else None
    if type(polygon) is not list:
        warn_array_expected(ctx, "IS_IN_POLYGON")
        return None
    geo_json = third is True
    if type(second) is list:
        if len(second) < 2:
            warn_invalid_argument(ctx, "IS_IN_POLYGON")
            return None
        latitude, longitude = (second[1], second[0]) if geo_json else (second[0], second[1])
    else:
        latitude, longitude = second, third
    if not (is_number(latitude) and is_number(longitude)):
        warn_invalid_argument(ctx, "IS_IN_POLYGON")
        return None
    loop: list[Vector] = []
    for pair in polygon:
        if (
            type(pair) is not list
            or len(pair) < 2
            or not (is_number(pair[0]) and is_number(pair[1]))
        ):
            _warn(ctx, "IS_IN_POLYGON", _GeoError("Invalid coordinate pair", ERROR_BAD_PARAMETER))
            return None
        lat, lon = (pair[1], pair[0]) if geo_json else (pair[0], pair[1])
        loop.append(_vector(float(lat), float(lon)))
    if len(loop) > 1 and loop[0] == loop[-1]:
        loop.pop()
    if len(set(loop)) < 3:
        _warn(ctx, "IS_IN_POLYGON", _GeoError("Invalid loop, needs at least 3 vertices"))
        return None
    return abs(_winding_angle(_vector(float(latitude), float(longitude)), loop)) > math.pi
