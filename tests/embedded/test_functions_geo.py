"""Geo functions that need no index, from ArangoDB 3.12's "Geo-spatial functions" page."""

from __future__ import annotations

import math

import pytest

import arangoml_meta.embedded.functions.geo  # noqa: F401  (registers the geo family)
from arangoml_meta.errors import (
    ERROR_BAD_PARAMETER,
    ERROR_QUERY_ARRAY_EXPECTED,
    ERROR_QUERY_FUNCTION_ARGUMENT_TYPE_MISMATCH,
)

from .conftest import call_function, call_with_warnings

SQUARE_RING = [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]


def warning_codes(name, *args):
    result, warnings = call_with_warnings(name, *args)
    assert result is None
    return [code for code, _ in warnings]


# --------------------------------------------------------------------------- constructors


def test_geo_point():
    assert call_function("GEO_POINT", 1.0, 2.0) == {"type": "Point", "coordinates": [1, 2]}


def test_geo_point_with_non_numbers_is_null_with_warning():
    assert warning_codes("GEO_POINT", "1", 2) == [ERROR_QUERY_FUNCTION_ARGUMENT_TYPE_MISMATCH]


def test_geo_multipoint():
    assert call_function("GEO_MULTIPOINT", [[35, 10], [45, 45]]) == {
        "type": "MultiPoint",
        "coordinates": [[35, 10], [45, 45]],
    }


def test_geo_multipoint_needs_two_positions():
    assert warning_codes("GEO_MULTIPOINT", [[35, 10]]) == [
        ERROR_QUERY_FUNCTION_ARGUMENT_TYPE_MISMATCH
    ]


def test_geo_multipoint_of_non_array_warns_array_expected():
    assert warning_codes("GEO_MULTIPOINT", "x") == [ERROR_QUERY_ARRAY_EXPECTED]


def test_geo_linestring():
    assert call_function("GEO_LINESTRING", [[35, 10], [45, 45]]) == {
        "type": "LineString",
        "coordinates": [[35, 10], [45, 45]],
    }


def test_geo_linestring_with_non_numeric_coordinate_is_null_with_warning():
    assert warning_codes("GEO_LINESTRING", [[35, "10"], [45, 45]]) == [
        ERROR_QUERY_FUNCTION_ARGUMENT_TYPE_MISMATCH
    ]


def test_geo_multilinestring():
    lines = [[[100.0, 0.0], [101.0, 1.0]], [[102.0, 2.0], [101.0, 2.3]]]
    assert call_function("GEO_MULTILINESTRING", lines) == {
        "type": "MultiLineString",
        "coordinates": lines,
    }


def test_geo_multilinestring_rejects_one_position_lines():
    assert warning_codes("GEO_MULTILINESTRING", [[[1, 2]]]) == [
        ERROR_QUERY_FUNCTION_ARGUMENT_TYPE_MISMATCH
    ]


def test_geo_polygon_from_single_ring():
    ring = [[0.0, 0.0], [7.5, 2.5], [0.0, 5.0], [0.0, 0.0]]
    assert call_function("GEO_POLYGON", ring) == {"type": "Polygon", "coordinates": [ring]}


def test_geo_polygon_with_hole():
    rings = [
        [[35, 10], [45, 45], [15, 40], [10, 20], [35, 10]],
        [[20, 30], [30, 20], [35, 35], [20, 30]],
    ]
    assert call_function("GEO_POLYGON", rings) == {"type": "Polygon", "coordinates": rings}


def test_geo_polygon_with_open_ring_is_null_with_warning():
    result, warnings = call_with_warnings("GEO_POLYGON", [[0, 0], [7.5, 2.5], [0, 5], [1, 1]])
    assert (result, len(warnings)) == (None, 1)


def test_geo_polygon_needs_three_positions():
    assert warning_codes("GEO_POLYGON", [[0, 0], [1, 1]]) == [
        ERROR_QUERY_FUNCTION_ARGUMENT_TYPE_MISMATCH
    ]


def test_geo_multipolygon():
    polygons = [
        [[[40, 40], [20, 45], [45, 30], [40, 40]]],
        [
            [[20, 35], [10, 30], [10, 10], [30, 5], [45, 20], [20, 35]],
            [[30, 20], [20, 15], [20, 25], [30, 20]],
        ],
    ]
    assert call_function("GEO_MULTIPOLYGON", polygons) == {
        "type": "MultiPolygon",
        "coordinates": polygons,
    }


def test_geo_multipolygon_needs_two_polygons():
    assert warning_codes("GEO_MULTIPOLYGON", [[SQUARE_RING]]) == [
        ERROR_QUERY_FUNCTION_ARGUMENT_TYPE_MISMATCH
    ]


# --------------------------------------------------------------------------- DISTANCE


def test_distance_berlin_to_cologne():
    assert call_function("DISTANCE", 52.5163, 13.3777, 50.9322, 6.94) == pytest.approx(
        476918.89688380965
    )


def test_distance_to_itself_is_zero():
    assert call_function("DISTANCE", 10, 20, 10, 20) == 0


def test_distance_with_non_number_is_null_with_warning():
    assert warning_codes("DISTANCE", 1, 2, "3", 4) == [ERROR_QUERY_FUNCTION_ARGUMENT_TYPE_MISMATCH]


# --------------------------------------------------------------------------- GEO_DISTANCE


def test_geo_distance_between_coordinate_pairs_is_lon_lat():
    expected = call_function("DISTANCE", 50.734, 7.0998, 50.9364, 6.9528)
    assert call_function("GEO_DISTANCE", [7.0998, 50.734], [6.9528, 50.9364]) == pytest.approx(
        expected
    )


def test_geo_distance_between_point_objects():
    a = {"type": "Point", "coordinates": [0, 0]}
    b = {"type": "Point", "coordinates": [0, 1]}
    assert call_function("GEO_DISTANCE", a, b) == pytest.approx(6371000 * math.pi / 180)


def test_geo_distance_uses_the_centroid_of_a_polygon():
    polygon = {"type": "Polygon", "coordinates": [[[-1, -1], [1, -1], [1, 1], [-1, 1], [-1, -1]]]}
    assert call_function("GEO_DISTANCE", polygon, [0, 0]) == pytest.approx(0, abs=1e-6)


def test_geo_distance_uses_the_centroid_of_a_linestring():
    line = {"type": "LineString", "coordinates": [[0, 0], [2, 0]]}
    assert call_function("GEO_DISTANCE", line, [1, 0]) == pytest.approx(0, abs=1e-6)


def test_geo_distance_uses_the_centroid_of_a_multipoint():
    points = {"type": "MultiPoint", "coordinates": [[0, 10], [0, -10]]}
    assert call_function("GEO_DISTANCE", points, [0, 0]) == pytest.approx(0, abs=1e-6)


def test_geo_distance_polygon_hole_moves_the_centroid():
    outer = [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]
    hole = [[6, 1], [9, 1], [9, 9], [6, 9], [6, 1]]
    plain = {"type": "Polygon", "coordinates": [outer]}
    holed = {"type": "Polygon", "coordinates": [outer, hole]}
    assert call_function("GEO_DISTANCE", holed, [0, 5]) < call_function(
        "GEO_DISTANCE", plain, [0, 5]
    )


def test_geo_distance_on_wgs84_differs_from_the_sphere():
    sphere = call_function("GEO_DISTANCE", [0, 0], [0, 1])
    wgs84 = call_function("GEO_DISTANCE", [0, 0], [0, 1], "wgs84")
    assert wgs84 == pytest.approx(110574.389, abs=0.01) and wgs84 != sphere


def test_geo_distance_with_unknown_ellipsoid_falls_back_to_sphere_with_warning():
    result, warnings = call_with_warnings("GEO_DISTANCE", [0, 0], [0, 1], "mars")
    assert (result, warnings[0][0]) == (
        call_function("GEO_DISTANCE", [0, 0], [0, 1]),
        ERROR_BAD_PARAMETER,
    )


def test_geo_distance_of_invalid_geojson_is_null_with_warning():
    result, warnings = call_with_warnings(
        "GEO_DISTANCE", {"type": "Circle", "coordinates": [0, 0]}, [0, 0]
    )
    assert (result, len(warnings)) == (None, 1)


def test_geo_distance_of_non_geo_value_is_null_with_warning():
    result, warnings = call_with_warnings("GEO_DISTANCE", "Bonn", [0, 0])
    assert (result, len(warnings)) == (None, 1)


# --------------------------------------------------------------------------- IS_IN_POLYGON


def test_is_in_polygon_with_latitude_and_longitude():
    assert call_function("IS_IN_POLYGON", SQUARE_RING, 4, 7) is True


def test_is_in_polygon_outside():
    assert call_function("IS_IN_POLYGON", SQUARE_RING, 4, 17) is False


def test_is_in_polygon_with_point_array():
    assert call_function("IS_IN_POLYGON", SQUARE_RING, [4, 7]) is True


def test_is_in_polygon_geojson_order_swaps_coordinates():
    ring = [[0, 0], [20, 0], [20, 10], [0, 10]]
    assert call_function("IS_IN_POLYGON", ring, [15, 5], True) is True


def test_is_in_polygon_ignores_ring_orientation():
    assert call_function("IS_IN_POLYGON", SQUARE_RING[::-1], 4, 7) is True


def test_is_in_polygon_with_non_array_polygon_warns_array_expected():
    assert warning_codes("IS_IN_POLYGON", "square", 4, 7) == [ERROR_QUERY_ARRAY_EXPECTED]


def test_is_in_polygon_with_invalid_point_is_null_with_warning():
    assert warning_codes("IS_IN_POLYGON", SQUARE_RING, "4", 7) == [
        ERROR_QUERY_FUNCTION_ARGUMENT_TYPE_MISMATCH
    ]


def test_is_in_polygon_with_too_few_vertices_is_null_with_warning():
    result, warnings = call_with_warnings("IS_IN_POLYGON", [[0, 0], [1, 1], [0, 0]], 0.5, 0.5)
    assert (result, len(warnings)) == (None, 1)
