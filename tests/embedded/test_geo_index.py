"""Geo indexes: what they hold, kept current by every write, and queries narrowed by them.

A geo index holds a document when it has a position (see ``geo_index.py``); every
write kind keeps that true in its own transaction. A query a geo index narrows
must give exactly what the same query gives on a collection without one: rows,
their order and the warnings.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arangoml_meta.embedded import EmbeddedDatabase
from arangoml_meta.embedded.edge_lists import forget
from arangoml_meta.embedded.geo_search import cap_boxes
from arangoml_meta.errors import ERROR_BAD_PARAMETER, ArangoMLMetaError

from .helpers import error_num, make_db, run


def holdings(db: EmbeddedDatabase, collection: str = "c") -> tuple[dict[str, Any], list[str]]:
    """Per index of ``collection``: key -> (lat, lon) it holds; and the keys it leaves out."""
    storage = db.storage
    info = storage.collection(collection)
    (index,) = info.geo_indexes
    tree, out = index.tables(info)
    held = {
        key: (lat, lon)
        for key, lat, lon in storage.rows(
            f"SELECT key, t.min_lat, t.min_lon FROM {info.table} JOIN {tree} AS t ON t.id = seq",
            (),
        )
    }
    left = [
        key for (key,) in storage.rows(f"SELECT key FROM {info.table} JOIN {out} USING (seq)", ())
    ]
    return held, sorted(left)


def keys_held(db: EmbeddedDatabase, collection: str = "c") -> list[str]:
    return sorted(holdings(db, collection)[0])


# --------------------------------------------------------------------------- definitions


def test_an_index_is_listed_as_arangodb_describes_it() -> None:
    with make_db({"c": []}) as db:
        db.ensure_index("c", ["name"])
        made = db.ensure_geo_index("c", ["lat", "lon"])
        assert made == {
            "bestIndexedLevel": 17,
            "fields": ["lat", "lon"],
            "geoJson": False,
            "id": made["id"],
            "legacyPolygons": False,
            "maxNumCoverCells": 8,
            "name": made["name"],
            "sparse": True,
            "type": "geo",
            "unique": False,
            "worstIndexedLevel": 4,
        }
        assert [i["type"] for i in db.indexes("c")] == ["primary", "persistent", "geo"]
        assert db.ensure_geo_index("c", ["lat", "lon"]) == made  # the same one again


def test_geo_json_is_a_single_fields_option() -> None:
    with make_db({"c": []}) as db:
        assert db.ensure_geo_index("c", ["a", "b"], geo_json=True)["geoJson"] is False
        assert db.ensure_geo_index("c", ["loc"], geo_json=True)["geoJson"] is True
        assert db.ensure_geo_index("c", ["loc"], legacy_polygons=True)["legacyPolygons"] is True
        assert len(db.indexes("c")) == 4


@pytest.mark.parametrize(
    "fields",
    [[], ["a", "b", "c"], ["a", "a"], ["_id"], ["x._id"], ["points[*]"], [""], ["a", 1]],
)
def test_a_bad_definition_is_error_10(fields: list[Any]) -> None:
    with make_db({"c": []}) as db:
        assert error_num(db.ensure_geo_index, "c", fields) == ERROR_BAD_PARAMETER
        assert len(db.indexes("c")) == 1


def test_a_missing_collection_is_1203() -> None:
    with make_db() as db:
        assert error_num(db.ensure_geo_index, "nowhere", ["loc"]) == 1203


def test_drop_the_index_and_its_tables() -> None:
    with make_db({"c": [{"lat": 1, "lon": 2}]}) as db:
        made = db.ensure_geo_index("c", ["lat", "lon"])
        before = {n for (n,) in db.storage.rows("SELECT name FROM sqlite_master", ())}
        db.storage.drop_index("c", made["name"])
        after = {n for (n,) in db.storage.rows("SELECT name FROM sqlite_master", ())}
        table = db.storage.collection("c").table
        assert {n for n in before - after if n.startswith(f"{table}_g")}
        assert not {n for n in after if n.startswith(f"{table}_g")}
        db.insert("c", {"lat": 3, "lon": 4})  # the triggers went with it
        assert db.count("c") == 2
        with pytest.raises(ArangoMLMetaError) as error:
            db.storage.drop_index("c", made["name"])
        assert error.value.error_num == 1212


def test_dropping_the_collection_drops_its_geo_tables() -> None:
    with make_db({"c": [{"lat": 1, "lon": 2}]}) as db:
        db.ensure_geo_index("c", ["lat", "lon"])
        table = db.storage.collection("c").table
        db.drop_collection("c")
        names = [n for (n,) in db.storage.rows("SELECT name FROM sqlite_master", ())]
        assert not [n for n in names if n.startswith(table)]
        db.create_collection("c")
        assert db.storage.collection("c").geo_indexes == []


# --------------------------------------------------------------------------- what is held


@pytest.mark.parametrize(
    ("fields", "geo_json", "value", "held"),
    [
        (["lat", "lon"], False, {"lat": 10, "lon": 20.5}, (10, 20.5)),
        (["lat", "lon"], False, {"lat": -90, "lon": 180}, (-90, 180)),
        (["lat", "lon"], False, {"lat": 90.5, "lon": 0}, None),
        (["lat", "lon"], False, {"lat": 0, "lon": -181}, None),
        (["lat", "lon"], False, {"lat": "1", "lon": 2}, None),
        (["lat", "lon"], False, {"lat": True, "lon": 2}, None),
        (["lat", "lon"], False, {"lat": 1}, None),
        (["pos.lat", "pos.lon"], False, {"pos": {"lat": 5, "lon": 6}}, (5, 6)),
        (["loc"], False, {"loc": [10, 20]}, (10, 20)),
        (["loc"], False, {"loc": [10, 20, 30]}, (10, 20)),
        (["loc"], False, {"loc": [10]}, None),
        (["loc"], False, {"loc": [100, 20]}, None),
        (["loc"], False, {"loc": {"type": "Point", "coordinates": [20, 10]}}, None),
        (["loc"], True, {"loc": [20, 10]}, (10, 20)),
        (["loc"], True, {"loc": [20, 10, 100]}, None),
        (["loc"], True, {"loc": {"type": "Point", "coordinates": [20, 10]}}, (10, 20)),
        (["loc"], True, {"loc": {"type": "Point", "coordinates": [20, 100]}}, None),
        (["loc"], True, {"loc": {"type": "LineString", "coordinates": [[0, 0], [2, 0]]}}, (0, 1)),
        (["loc"], True, {"loc": {"type": "Polygon", "coordinates": [[0, 0]]}}, None),
        (["loc"], True, {"loc": {"type": "Circle", "coordinates": [0, 0]}}, None),
        (["loc"], True, {"loc": "somewhere"}, None),
    ],
)
def test_a_document_is_held_where_its_position_is(
    fields: list[str], geo_json: bool, value: dict[str, Any], held: tuple[float, float] | None
) -> None:
    with make_db({"c": [{"_key": "k", **value}]}) as db:
        db.ensure_geo_index("c", fields, geo_json=geo_json)
        positions, left = holdings(db)
        if held is None:
            assert (positions, left) == ({}, ["k"])
        else:
            assert left == []
            assert positions["k"] == pytest.approx(held, abs=1e-4)


def test_every_write_keeps_the_index_current() -> None:
    with make_db({"c": [{"_key": "a", "lat": 1, "lon": 1}, {"_key": "b"}]}) as db:
        db.ensure_geo_index("c", ["lat", "lon"])
        assert holdings(db)[1] == ["b"]
        db.insert_many("c", [{"_key": "c", "lat": 3, "lon": 3}, {"_key": "d", "lat": "x"}])
        assert (keys_held(db), holdings(db)[1]) == (["a", "c"], ["b", "d"])
        run(db, "UPDATE 'b' WITH {lat: 2, lon: 2} IN c")
        run(db, "UPDATE 'a' WITH {lat: null} IN c")
        assert (keys_held(db), holdings(db)[1]) == (["b", "c"], ["a", "d"])
        run(db, "REPLACE 'c' WITH {lat: 30, lon: 31} IN c")
        assert holdings(db)[0]["c"] == (30, 31)
        run(db, "UPSERT {_key: 'e'} INSERT {_key: 'e', lat: 5, lon: 5} UPDATE {} IN c")
        run(db, "REMOVE 'b' IN c")
        assert (keys_held(db), holdings(db)[1]) == (["c", "e"], ["a", "d"])
        db.truncate("c")
        assert holdings(db) == ({}, [])
        db.insert("c", {"_key": "f", "lat": 6, "lon": 6})
        assert keys_held(db) == ["f"]


def test_a_write_rolled_back_leaves_the_index_as_it_was() -> None:
    with make_db({"c": [{"_key": "a", "lat": 1, "lon": 1}]}) as db:
        db.ensure_geo_index("c", ["lat", "lon"])
        with pytest.raises(ArangoMLMetaError):
            run(db, "FOR i IN 1..2 INSERT {_key: 'dup', lat: i, lon: i} INTO c")
        with pytest.raises(ArangoMLMetaError):
            run(db, "UPDATE 'a' WITH {lat: 50} IN c LET x = FAIL('stop') RETURN x")
        assert holdings(db) == ({"a": (1, 1)}, [])


def test_an_index_over_existing_documents_and_a_reopened_store(tmp_path: Path) -> None:
    path = str(tmp_path / "store.db")
    with make_db({"c": [{"_key": "a", "loc": [1, 2]}, {"_key": "b"}]}, path=path) as db:
        db.ensure_geo_index("c", ["loc"])
        assert holdings(db) == ({"a": (1, 2)}, ["b"])
    with EmbeddedDatabase(path) as db:  # a new connection: its triggers still work
        db.insert("c", {"_key": "c", "loc": [3, 4]})
        assert holdings(db) == ({"a": (1, 2), "c": (3, 4)}, ["b"])
        assert [i["type"] for i in db.indexes("c")] == ["primary", "geo"]


# --------------------------------------------------------------------------- queries


def _places(count: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    docs: list[dict[str, Any]] = []
    for i in range(count):
        lat, lon = rng.uniform(-90, 90), rng.uniform(-180, 180)
        if i % 5 == 0:  # crowd the poles and the antimeridian
            lat = rng.choice([1, -1]) * rng.uniform(85, 90)
        if i % 7 == 0:
            lon = rng.choice([1, -1]) * rng.uniform(175, 180)
        docs.append({"_key": f"p{i}", "lat": lat, "lon": lon, "loc": [lon, lat], "arr": [lat, lon]})
    # what the index does not hold: a scan may still pass them (null < every number)
    docs += [
        {"_key": "none"},
        {"_key": "text", "lat": "1", "lon": 2, "loc": "here", "arr": "here"},
        {"_key": "far", "lat": 200, "lon": 20, "loc": [20, 200], "arr": [200, 20]},
        # GEO_DISTANCE reads a pair only: an altitude makes it null
        {"_key": "alt", "lat": -40, "lon": 100, "loc": [100, -40, 5], "arr": [-40, 100, 5]},
        {
            "_key": "shape",
            "loc": {"type": "Polygon", "coordinates": [[[1, 1], [3, 1], [2, 3], [1, 1]]]},
        },
    ]
    return docs


@pytest.fixture(scope="module")
def twins() -> Any:
    """The same documents in ``c`` (with geo indexes) and ``plain`` (without)."""
    docs = _places(3000, seed=7)
    with make_db({"c": docs, "plain": docs}) as db:
        db.ensure_geo_index("c", ["lat", "lon"])
        db.ensure_geo_index("c", ["loc"], geo_json=True)
        db.ensure_geo_index("c", ["arr"])
        yield db


QUERIES = [
    "FOR d IN @@c FILTER DISTANCE(d.lat, d.lon, @lat, @lon) <= @r RETURN d._key",
    "FOR d IN @@c FILTER DISTANCE(@lat, @lon, d.lat, d.lon) < @r RETURN d._key",
    "FOR d IN @@c FILTER @r >= DISTANCE(d.arr[0], d.arr[1], @lat, @lon) RETURN [d._key, d.arr]",
    "FOR d IN @@c FILTER GEO_DISTANCE(d.loc, [@lon, @lat]) <= @r RETURN d._key",
    "FOR d IN @@c FILTER GEO_DISTANCE(GEO_POINT(@lon, @lat), d.loc, 'sphere') < @r "
    "RETURN {k: d._key, m: GEO_DISTANCE(GEO_POINT(@lon, @lat), d.loc)}",
    "FOR d IN @@c FILTER d.lat > 0 AND DISTANCE(d.lat, d.lon, @lat, @lon) <= @r "
    "SORT d.lat LIMIT 5 RETURN d._key",
]
CENTRES = [
    (48.85, 2.35, 800_000),
    (89.5, 10, 300_000),
    (-88, -170, 1_500_000),
    (10, 179.5, 400_000),
    (-20, -179.9, 250_000),
    (0, 0, 0),
    (0, 0, -5),
    (45, 90, 25_000_000),
    (135, 10, 500_000),  # DISTANCE reads any latitude: a point past the pole
]


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize(("lat", "lon", "r"), CENTRES)
def test_a_narrowed_query_gives_what_the_scan_gives(
    twins: EmbeddedDatabase, query: str, lat: float, lon: float, r: float
) -> None:
    bind = {"lat": lat, "lon": lon, "r": r}
    indexed = twins.query(query, {"@c": "c", **bind})
    scanned = twins.query(query, {"@c": "plain", **bind})
    assert list(indexed) == list(scanned)
    assert indexed.warnings == scanned.warnings


@pytest.mark.parametrize(
    "bind",
    [
        {"lat": "x", "lon": 2, "r": 1000},
        {"lat": 1, "lon": 2, "r": "far"},
        {"lat": 1, "lon": 2, "r": None},
    ],
)
def test_a_point_or_radius_that_is_no_number_scans(
    twins: EmbeddedDatabase, bind: dict[str, Any]
) -> None:
    query = QUERIES[0]
    assert run(twins, query, **{"@c": "c"}, **bind) == run(twins, query, **{"@c": "plain"}, **bind)


def _statements(db: EmbeddedDatabase, query: str, **bind: Any) -> list[str]:
    seen: list[str] = []
    forget(db.storage)  # read afresh, not from what an earlier run of ``query`` kept
    db.storage.tracer = lambda sql, params: seen.append(sql)
    try:
        run(db, query, **bind)
    finally:
        db.storage.tracer = None
    return seen


@pytest.mark.parametrize("query", QUERIES)
def test_the_index_narrows_the_scan(twins: EmbeddedDatabase, query: str) -> None:
    seen = _statements(twins, query, **{"@c": "c", "lat": 1, "lon": 2, "r": 1000})
    assert any("_g" in sql and "rtree" not in sql for sql in seen), seen


@pytest.mark.parametrize(
    "query",
    [
        # an index of [lat, lon] arrays does not read GeoJSON order
        "FOR d IN c FILTER GEO_DISTANCE(d.arr, [2, 1]) <= 1000 RETURN d._key",
        # fields in the other order than the index's
        "FOR d IN c FILTER DISTANCE(d.lon, d.lat, 1, 2) <= 1000 RETURN d._key",
        "FOR d IN c FILTER GEO_DISTANCE(d.loc, [2, 1], 'wgs84') <= 1000 RETURN d._key",
        "FOR d IN c FILTER DISTANCE(d.lat, d.lon, 1, 2) >= 1000 RETURN d._key",
        "FOR d IN c FILTER DISTANCE(d.lat, d.lon, d.lat, 2) <= 1000 RETURN d._key",
    ],
)
def test_a_distance_the_index_does_not_answer_scans(twins: EmbeddedDatabase, query: str) -> None:
    assert not any("_g" in sql for sql in _statements(twins, query))
    plain = query.replace(" IN c ", " IN plain ")
    assert run(twins, query) == run(twins, plain)


NEAREST = [
    "FOR d IN @@c SORT DISTANCE(d.lat, d.lon, @lat, @lon) LIMIT @n RETURN d._key",
    "FOR d IN @@c SORT DISTANCE(@lat, @lon, d.arr[0], d.arr[1]) ASC LIMIT 2, @n "
    "RETURN [d._key, DISTANCE(@lat, @lon, d.arr[0], d.arr[1])]",
    "FOR d IN @@c SORT GEO_DISTANCE([@lon, @lat], d.loc) LIMIT @n RETURN d._key",
    "FOR d IN @@c FILTER d.lat > 0 SORT GEO_DISTANCE(GEO_POINT(@lon, @lat), d.loc) "
    "LIMIT @n RETURN d._key",
    # not nearest first (a FILTER left to Python, DESC): the same rows all the same
    "FOR d IN @@c FILTER d.loc != 'here' SORT GEO_DISTANCE(d.loc, [@lon, @lat]) LIMIT @n "
    "RETURN d._key",
    "FOR d IN @@c SORT DISTANCE(d.lat, d.lon, @lat, @lon) DESC LIMIT @n RETURN d._key",
]


@pytest.mark.parametrize("query", NEAREST)
@pytest.mark.parametrize(
    ("lat", "lon", "count"),
    [(48.85, 2.35, 10), (89.9, 0, 30), (0, -179.99, 5), (-10, 40, 3500), (135, 10, 4)],
)
def test_nearest_first_gives_what_the_sort_gives(
    twins: EmbeddedDatabase, query: str, lat: float, lon: float, count: int
) -> None:
    bind = {"lat": lat, "lon": lon, "n": count}
    indexed = twins.query(query, {"@c": "c", **bind})
    scanned = twins.query(unhinted(query), {"@c": "plain", **bind})
    assert list(indexed) == list(scanned)
    assert indexed.warnings == scanned.warnings


def unhinted(query: str) -> str:
    """The query as the SORT and LIMIT stages run it, after a scan (one loop more, of one
    row, and the FOR stage does not sort)."""
    return query.replace("FOR d IN @@c", "FOR one IN [1] FOR d IN @@c", 1)


@pytest.mark.parametrize("query", NEAREST[:4])
def test_nearest_first_reads_through_the_index(twins: EmbeddedDatabase, query: str) -> None:
    seen = _statements(twins, query, **{"@c": "c", "lat": 1, "lon": 2, "n": 3})
    assert any("_g" in sql and "rtree" not in sql for sql in seen), seen


def test_nearest_first_with_ties_keeps_insertion_order() -> None:
    docs = [{"_key": f"k{i}", "lat": 10.0 * (i % 3), "lon": 20.0} for i in range(12)]
    docs.insert(5, {"_key": "nowhere"})
    with make_db({"c": docs, "plain": docs}) as db:
        db.ensure_geo_index("c", ["lat", "lon"])
        query = "FOR d IN @@c SORT DISTANCE(d.lat, d.lon, 0, 20) LIMIT 8 RETURN d._key"
        assert run(db, query, **{"@c": "c"}) == run(db, unhinted(query), **{"@c": "plain"})


def test_cap_boxes_cross_the_antimeridian_and_hold_poles() -> None:
    (south, north), ranges = cap_boxes(0, 179, 300_000)  # type: ignore[misc]
    assert south < 0 < north and len(ranges) == 2
    (south, north), ranges = cap_boxes(89, 0, 300_000)  # type: ignore[misc]
    assert north == 90 and ranges == [(-180, 180)]
    assert cap_boxes(0, 0, 20_100_000) is None


# --------------------------------------------------------------------------- generated cases

_coordinate = st.one_of(
    st.floats(-95, 95, allow_nan=False),
    st.floats(-190, 190, allow_nan=False),
    st.integers(-200, 200),
    st.sampled_from([None, "1", True, 90, -90, 180, -180, 0]),
)
_place = st.fixed_dictionaries(
    {},
    optional={
        "lat": _coordinate,
        "lon": _coordinate,
        "loc": st.one_of(
            st.lists(_coordinate, min_size=0, max_size=3),
            st.builds(
                lambda lon, lat: {"type": "Point", "coordinates": [lon, lat]},
                _coordinate,
                _coordinate,
            ),
            st.just("here"),
        ),
    },
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    places=st.lists(_place, max_size=25),
    lat=st.floats(-100, 100, allow_nan=False),
    lon=st.floats(-200, 200, allow_nan=False),
    radius=st.one_of(st.floats(-10, 2.1e7, allow_nan=False), st.integers(0, 5_000_000)),
    count=st.integers(0, 30),
)
def test_generated_documents_and_points_give_what_a_scan_gives(
    places: list[dict[str, Any]], lat: float, lon: float, radius: float, count: int
) -> None:
    with make_db({"c": places, "plain": places}) as db:
        db.ensure_geo_index("c", ["lat", "lon"])
        db.ensure_geo_index("c", ["loc"], geo_json=True)
        bind = {"lat": lat, "lon": lon, "r": radius, "n": count}
        for query in [
            "FOR d IN @@c FILTER DISTANCE(d.lat, d.lon, @lat, @lon) <= @r RETURN d._key",
            "FOR d IN @@c FILTER GEO_DISTANCE(d.loc, [@lon, @lat]) < @r RETURN d._key",
            "FOR d IN @@c SORT DISTANCE(d.lat, d.lon, @lat, @lon) LIMIT @n RETURN d._key",
            "FOR d IN @@c SORT GEO_DISTANCE(d.loc, [@lon, @lat]) LIMIT @n RETURN d._key",
        ]:
            used = {k: v for k, v in bind.items() if f"@{k}" in query}
            indexed = db.query(query, {"@c": "c", **used})
            scanned = db.query(unhinted(query), {"@c": "plain", **used})
            assert list(indexed) == list(scanned)
            assert indexed.warnings == scanned.warnings
