"""The lean breadth-first walk gives what the general traversal gives.

``order: 'bfs', uniqueVertices: 'global'`` traversals whose edge is read only
through attribute paths and whose path only as ``LENGTH(p.edges)`` /
``LENGTH(p.vertices)`` run on :func:`bfs_levels` (no paths, no edge
documents). Each query here runs twice on random graphs: as written (lean),
and with ``FILTER p != null`` added, which reads the whole path and so takes
the general walk; the rows must be the same, in the same order.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from arangoml_meta.embedded import EmbeddedDatabase
from arangoml_meta.embedded.storage import in_list_params, in_list_size

from .helpers import make_db, run

OPTIONS = "OPTIONS { uniqueVertices: 'global', order: 'bfs' }"
ROW = (
    "[s, v._id, LENGTH(p.edges), LENGTH(p.vertices), e._id, e._key, e._from, e._to, "
    "e.role, e.w, e.nested.x, v.name, v.flag, v.nested.y]"
)
PRUNES = [
    "",
    "PRUNE v.flag == true",
    "PRUNE LENGTH(p.edges) >= 2",
    "PRUNE e.role == 'stop'",
    "PRUNE v._id != s AND PARSE_IDENTIFIER(v._id).collection NOT IN ['a']",
    "PRUNE LENGTH(p.vertices) > 1 AND v == null",
]


def random_graph(seed: int) -> EmbeddedDatabase:
    """Vertices in ``a`` / ``b`` (some edges point at missing ones, or into a collection
    that does not exist), edges in ``e1`` / ``e2`` / ``e3`` with self-loops, cycles and
    parallel edges, attributes present or not."""
    rng = random.Random(seed)
    keys = {name: [f"{name}{i}" for i in range(rng.randint(2, 9))] for name in ("a", "b")}
    vertices: dict[str, list[dict[str, Any]]] = {name: [] for name in keys}
    for name, names in keys.items():
        for key in names:
            if rng.random() < 0.85:  # the rest are referred to by edges, but missing
                doc: dict[str, Any] = {"_key": key, "name": key.upper()}
                if rng.random() < 0.3:
                    doc["flag"] = True
                if rng.random() < 0.3:
                    doc["nested"] = {"y": rng.randint(0, 3)}
                vertices[name].append(doc)
    ids = [f"{name}/{key}" for name, names in keys.items() for key in names]
    ids.append("nowhere/x")
    edges: dict[str, list[dict[str, Any]]] = {"e1": [], "e2": [], "e3": []}
    for _ in range(rng.randint(0, 30)):
        edge: dict[str, Any] = {"_from": rng.choice(ids), "_to": rng.choice(ids)}
        if rng.random() < 0.5:
            edge["role"] = rng.choice(["in", "out", "stop"])
        if rng.random() < 0.3:
            edge["w"] = rng.randint(1, 5)
        if rng.random() < 0.2:
            edge["nested"] = {"x": rng.choice([1, "x", None])}
        edges[rng.choice(["e1", "e1", "e2", "e3"])].append(edge)
    db = make_db(vertices, edges)
    db.create_graph(
        "g",
        [
            {"collection": "e1", "from": ["a", "b"], "to": ["a", "b"]},
            {"collection": "e2", "from": ["a", "b"], "to": ["a", "b"]},
        ],
    )
    return db


def lean_and_general(db: EmbeddedDatabase, query: str, **bind: Any) -> tuple[list[Any], list[Any]]:
    general = query.replace("RETURN", "FILTER p != null RETURN")
    return run(db, query, **bind), run(db, general, **bind)


def answer(db: EmbeddedDatabase, query: str, **bind: Any) -> tuple[list[Any], list[Any]]:
    """The rows of ``query`` and its warnings."""
    result = db.query(query, bind)
    return list(result), result.warnings


def general_walk(query: str) -> str:
    """``query`` with its traversal made to take the general walk (its path read whole)."""
    return query.replace(OPTIONS, OPTIONS + " FILTER p != null", 1)


def edge_documents_read(db: EmbeddedDatabase, query: str, **bind: Any) -> bool:
    """Whether running ``query`` read whole edge documents."""
    statements: list[str] = []
    db.storage.tracer = lambda sql, params: statements.append(sql)
    try:
        run(db, query, **bind)
    finally:
        db.storage.tracer = None
    edges = [db.storage.collection(n) for n in ("e1", "e2", "e3")]
    reads = {f"SELECT {info.columns} FROM {info.table} " for info in edges}
    return any(read in sql for sql in statements for read in reads)


STARTS = ["a/a0", "a/a1", "b/b0", "b/b1", "a/missing", "nowhere/x"]


def random_walk(rng: random.Random, graph: str, highs: list[int]) -> str:
    """``FOR s IN @starts FOR v, e, p IN low..high DIRECTION s graph PRUNE ... OPTIONS ...``
    with the bounds, direction and PRUNE chosen at random."""
    direction = rng.choice(["OUTBOUND", "INBOUND", "ANY"])
    low = rng.choice([0, 1, 2])
    high = max(rng.choice(highs), low)  # min > max is an error (1501), not an empty walk
    prune = rng.choice(PRUNES)
    return f"FOR s IN @starts FOR v, e, p IN {low}..{high} {direction} s {graph} {prune} {OPTIONS}"


@pytest.mark.parametrize("seed", range(40))
def test_lean_walk_equals_general_walk_on_random_graphs(seed):
    rng = random.Random(1000 + seed)
    with random_graph(seed) as db:
        for _ in range(12):
            graph = rng.choice(["GRAPH 'g'", "e1, e3", "e2, INBOUND e1"])
            row = rng.choice([ROW, "[s, v, LENGTH(p.edges), e._id]", "v._id"])
            query = f"{random_walk(rng, graph, [0, 1, 2, 3, 10, 100001])} RETURN {row}"
            chosen = rng.sample(STARTS, rng.randint(1, 3))
            lean, general = lean_and_general(db, query, starts=chosen)
            assert lean == general, query


@pytest.mark.parametrize("seed", range(10))
def test_vertex_and_edge_collection_options(seed):
    with random_graph(seed) as db:
        for options in (
            "uniqueVertices: 'global', order: 'bfs', vertexCollections: ['a']",
            "uniqueVertices: 'global', order: 'bfs', edgeCollections: 'e2'",
            "uniqueVertices: 'global', bfs: true, uniqueEdges: 'none'",
        ):
            query = (
                f"FOR v, e, p IN 0..5 ANY 'a/a0' GRAPH 'g' OPTIONS {{ {options} }} "
                f"RETURN [v._id, LENGTH(p.edges), e._id, e.role]"
            )
            lean, general = lean_and_general(db, query)
            assert lean == general, query


@pytest.mark.parametrize(
    "query",
    [
        "FOR v, e, p IN 1..3 OUTBOUND 'a/a0' GRAPH 'g' {o} RETURN [v._id, LENGTH(p.edges), e.role]",
        "FOR v, e, p IN 1..3 OUTBOUND 'a/a0' GRAPH 'g' PRUNE e.role == 'stop' {o} RETURN v._id",
        "FOR v, e IN 1..3 ANY 'a/a0' e1 {o} LET d = e._from RETURN [d, e._to, e.nested.x]",
        "FOR v, e, p IN 0..3 INBOUND 'a/a0' GRAPH 'g' {o} RETURN [v, COUNT(p.vertices)]",
    ],
)
def test_lean_shapes_read_no_edge_documents(query):
    with random_graph(3) as db:
        assert not edge_documents_read(db, query.format(o=OPTIONS))


@pytest.mark.parametrize(
    "query",
    [
        "FOR v, e, p IN 1..3 OUTBOUND 'a/a0' GRAPH 'g' {o} RETURN p.edges",
        "FOR v, e, p IN 1..3 OUTBOUND 'a/a0' GRAPH 'g' {o} RETURN [LENGTH(p), e._id]",
        "FOR v, e IN 1..3 OUTBOUND 'a/a0' GRAPH 'g' {o} RETURN e",
        "FOR v, e IN 1..3 OUTBOUND 'a/a0' GRAPH 'g' {o} RETURN e[@name]",
    ],
)
def test_other_reads_of_the_edge_or_path_take_the_general_walk(query):
    with random_graph(3) as db:
        bind = {"name": "role"} if "@name" in query else {}
        run(db, query.format(o=OPTIONS), **bind)  # runs, and equals what ArangoDB gives


def graph_with_edges(edge_count: int) -> EmbeddedDatabase:
    """One vertex ``a/hub`` with ``edge_count`` edges to ``b/0`` ... in ``e1``."""
    db = make_db(
        {"a": [{"_key": "hub"}], "b": [{"_key": str(i), "n": i} for i in range(edge_count)]},
        {"e1": [{"_from": "a/hub", "_to": f"b/{i}", "i": i} for i in range(edge_count)]},
    )
    db.create_graph("g", [{"collection": "e1", "from": ["a"], "to": ["b"]}])
    return db


@pytest.mark.parametrize("count", [1, 2, 3, 17, 64, 65, 200])
def test_levels_of_every_size_keep_insertion_order(count):
    with graph_with_edges(count) as db:
        rows = run(
            db,
            f"FOR v, e, p IN 1..2 ANY 'a/hub' GRAPH 'g' {OPTIONS} RETURN [v.n, e.i, LENGTH(p.edges)]",
        )
    assert rows == [[i, i, 1] for i in range(count)]


def test_a_level_reached_through_many_vertices_keeps_bfs_order():
    # b/i -> a/hub for every i: from the hub (ANY) every b is at depth 1, then nothing
    with graph_with_edges(70) as db:
        rows = run(
            db,
            f"FOR v, e IN 0..3 ANY 'b/5' GRAPH 'g' {OPTIONS} RETURN [v._id, e.i]",
        )
    assert rows[:2] == [["b/5", None], ["a/hub", 5]]
    assert [r[0] for r in rows[2:]] == [f"b/{i}" for i in range(70) if i != 5]


def test_two_walks_of_one_query_share_edge_lists_and_what_they_read_of_vertices():
    walk = f"FOR v, e, p IN 1..4 ANY s GRAPH 'g' {OPTIONS} RETURN [v._id, v.name, e.role]"
    general = walk.replace("RETURN", "FILTER p != null RETURN")
    starts = ["a/a0", "b/b0", "a/a0"]
    with random_graph(11) as db:
        rows = run(
            db, f"FOR s IN @starts LET a = ({walk}) LET b = ({walk}) RETURN [a, b]", starts=starts
        )
        assert rows == run(
            db,
            f"FOR s IN @starts LET a = ({general}) LET b = ({general}) RETURN [a, b]",
            starts=starts,
        )
        assert all(a == b for a, b in rows)


def test_length_of_the_path_counts_edges_and_vertices():
    with graph_with_edges(2) as db:
        rows = run(
            db,
            f"FOR v, e, p IN 0..1 OUTBOUND 'a/hub' GRAPH 'g' {OPTIONS} "
            "RETURN [LENGTH(p.edges), COUNT(p.vertices), e == null]",
        )
    assert rows == [[0, 1, True], [1, 2, False], [1, 2, False]]


@pytest.mark.parametrize(
    ("count", "size"), [(0, 1), (1, 1), (2, 2), (3, 4), (5, 8), (64, 64), (65, 0), (1000, 0)]
)
def test_in_list_sizes(count, size):
    assert in_list_size(count) == size
    values = [str(i) for i in range(count)]
    if size and values:
        params = in_list_params(values, size)
        assert len(params) == size and set(params) == set(values)


# LETs and FILTERs after the walk: pushed before the vertex is bound (v._id, v._key, the
# depth, s, bind parameters), decided per level or per vertex collection, or neither
FOLLOWING = [
    "LET depth = LENGTH(p.edges) "
    "FILTER depth > @depth OR @types == null OR PARSE_IDENTIFIER(v._id).collection IN @types",
    "FILTER PARSE_IDENTIFIER(v._id).collection IN @types",
    "FILTER PARSE_IDENTIFIER(v._id).collection == 'a' AND LENGTH(p.edges) >= @depth",
    "FILTER LENGTH(p.edges) < @depth AND PARSE_IDENTIFIER(v._id).collection NOT IN ['b']",
    "FILTER v._key != 'a1' FILTER LENGTH(p.vertices) > @depth",
    "FILTER PARSE_IDENTIFIER(v._id).collection IN @types FILTER LENGTH(p.edges) > @depth",
    "LET k = v._key FILTER k LIKE 'a%' OR k == null",
    "FILTER v._id == s OR LENGTH(p.edges) == @depth",
    "FILTER LENGTH(p.edges) > 1 / 0",
    "FILTER PARSE_IDENTIFIER(v._id).key > @depth",
    "LET d = LENGTH(p.vertices) FILTER d != 2 LET n = v.name FILTER n != 'A1'",
    "FILTER v.name != null AND PARSE_IDENTIFIER(v._id).collection IN @types",
    "FILTER @types == null AND LENGTH(p.edges) > 0",
    "FILTER PARSE_IDENTIFIER(v).collection == 'a'",
    "FILTER PARSE_IDENTIFIER(v._id).collection == PARSE_IDENTIFIER(s).collection",
    "LET depth = LENGTH(p.edges) FILTER depth > @depth OR PARSE_IDENTIFIER(v._id).collection "
    "IN @types LIMIT 3",
]
RETURNS = [
    "[s, v._id, depth, e._id, e._from, e._to, e.role, v.name, v.nested.y]",
    "v._id",
    "[v, LENGTH(p.edges)]",
    "e.role",
    "[v._id.x, e._id.x, e._rev == null, e._key, e.nested, e.nested.x, v.nested, v.nested.y]",
    "{ k: v._key, n: v.name, r: e.role, f: e._from }",
]


@pytest.mark.parametrize("seed", range(30))
def test_operations_after_the_walk_give_what_they_give_after_the_general_walk(seed):
    rng = random.Random(2000 + seed)
    with random_graph(seed) as db:
        for _ in range(12):
            walk = random_walk(rng, "GRAPH 'g'", [1, 2, 3, 100001])
            following = rng.choice(FOLLOWING)
            returned = rng.choice(RETURNS)
            if "depth" in returned and "LET depth" not in following:
                returned = returned.replace("depth", "LENGTH(p.edges)")
            query = f"{walk} {following} RETURN {returned}"
            bind: dict[str, Any] = {"starts": rng.sample(STARTS, rng.randint(1, 3))}
            if "@types" in query:
                bind["types"] = rng.choice([None, ["a"], ["b"], ["a", "b"], [], "a"])
            if "@depth" in query:
                bind["depth"] = rng.choice([0, 1, 2, 100000, None])
            assert answer(db, query, **bind) == answer(db, general_walk(query), **bind), query


def test_a_missing_vertex_reads_a_null_id_in_a_pushed_filter():
    db = make_db(
        {"a": [{"_key": "a0"}, {"_key": "a1"}]},
        {"e1": [{"_from": "a/a0", "_to": "a/gone"}, {"_from": "a/a0", "_to": "a/a1"}]},
    )
    db.create_graph("g", [{"collection": "e1", "from": ["a"], "to": ["a"]}])
    with db:
        query = (
            f"FOR v, e, p IN 1..1 OUTBOUND 'a/a0' GRAPH 'g' {OPTIONS} "
            "FILTER PARSE_IDENTIFIER(v._id).collection IN ['a'] RETURN v._id"
        )
        rows, warnings = answer(db, query)
        assert rows == ["a/a1"]
        assert [w["code"] for w in warnings] == [1542]  # PARSE_IDENTIFIER(null)
        assert (rows, warnings) == answer(db, general_walk(query))


def test_a_filter_on_the_collection_reads_only_the_vertices_it_keeps():
    """The level statements read name and version only of the vertices the filter keeps."""
    with random_graph(4) as db:
        statements: list[str] = []
        db.storage.tracer = lambda sql, params: statements.append(sql)
        query = (
            f"FOR v, e, p IN 1..5 ANY 'a/a0' GRAPH 'g' {OPTIONS} "
            "FILTER PARSE_IDENTIFIER(v._id).collection IN ['b'] RETURN [v._id, v.name]"
        )
        rows = run(db, query)
        db.storage.tracer = None
        assert rows == run(db, general_walk(query))
        assert not any("WHEN 'a' THEN coalesce(" in sql for sql in statements)
        assert any("WHEN 'b' THEN coalesce(" in sql for sql in statements)
        assert any("WHEN 'a' THEN EXISTS" in sql for sql in statements)


def test_walks_of_one_query_with_different_pushed_filters_share_what_they_read():
    """Two walks narrowing their lookups to different collections, and one that does not."""
    walks = [
        f"FOR v, e, p IN 0..4 ANY s GRAPH 'g' {OPTIONS} "
        f"FILTER PARSE_IDENTIFIER(v._id).collection IN @{name} "
        "RETURN [v._id, v.name, v.nested.y, e._id, e.role, e.nested.x]"
        for name in ("a", "b", "c")
    ]
    query = "FOR s IN @starts LET a = ({}) LET b = ({}) LET c = ({}) RETURN [a, b, c]".format(
        *walks
    )
    bind = {"starts": ["a/a0", "b/b0", "a/a1"], "a": ["a"], "b": ["b"], "c": ["a", "b"]}
    for seed in range(12):
        with random_graph(seed) as db:
            general = query.replace(OPTIONS, OPTIONS + " FILTER p != null")
            assert answer(db, query, **bind) == answer(db, general, **bind)


LOGGED = "FOR l IN log SORT TO_NUMBER(l._key) RETURN [l.v, l.n, l.d, l.e]"


@pytest.mark.parametrize("seed", [5, 7])
@pytest.mark.parametrize("following", ["", "FILTER PARSE_IDENTIFIER(v._id).collection IN ['b']"])
def test_a_query_that_writes_walks_the_same(seed, following):
    with random_graph(seed) as db:
        db.create_collection("log")
        query = (
            f"FOR v, e, p IN 0..4 ANY 'a/a0' GRAPH 'g' {OPTIONS} {following} "
            "INSERT { v: v._id, n: v.name, d: LENGTH(p.edges), e: e.role } INTO log "
            "RETURN [v._id, v.name, LENGTH(p.edges), e._id]"
        )
        lean = answer(db, query)
        logged = run(db, LOGGED)
        run(db, "FOR l IN log REMOVE l IN log")
        assert lean == answer(db, general_walk(query))
        assert logged == run(db, LOGGED)


EDGE_VALUES = [
    {"role": 1.5, "nested": {"x": [1, {"y": None}]}},
    {"role": 2**63 + 11, "nested": {"x": {"z": "deep"}}},
    {"role": -0.0, "nested": "not an object"},
    {"role": None, "nested": {"x": None}},
    {"role": [1, "two", 3.25], "a.b": "dotted", "nested": {}},
    {"role": {"k": [True, False]}, "nested": {"x": "é ünïcode"}},
    {},
]


@pytest.mark.parametrize("returned", ["[e.role, e.nested.x, e.`a.b`]", "e.nested", "e.role"])
def test_edge_attributes_read_from_the_whole_json_equal_the_document_s(returned):
    """The walk reads an edge's stored JSON whole and takes the paths its RETURN reads
    from it in Python: numbers, nulls, nested and missing values, a name with a dot,
    as reading them from the whole edge document gives them."""
    edges = [{"_from": "a/hub", "_to": f"b/{i}", **values} for i, values in enumerate(EDGE_VALUES)]
    db = make_db({"a": [{"_key": "hub"}], "b": [{"_key": str(i)} for i in range(7)]}, {"e1": edges})
    db.create_graph("g", [{"collection": "e1", "from": ["a"], "to": ["b"]}])
    with db:
        query = f"FOR v, e, p IN 1..3 OUTBOUND 'a/hub' GRAPH 'g' {OPTIONS} RETURN {returned}"
        lean = run(db, query)
        assert lean == run(db, general_walk(query))
        assert lean == run(db, f"FOR e IN e1 SORT TO_NUMBER(SUBSTRING(e._to, 2)) RETURN {returned}")


def test_runs_with_other_bind_values_do_not_reuse_what_a_filter_decided():
    """A plan keeps the pushed FILTER's by-collection answers and its verdicts per depth for
    the bind values they were made with: one query run again and again with values that
    alternate (true and 1 compare differently against a depth) answers as the general
    walk does each time."""
    query = (
        f"FOR s IN @starts FOR v, e, p IN 1..4 ANY s GRAPH 'g' {OPTIONS} "
        "LET depth = LENGTH(p.edges) "
        "FILTER depth > @depth OR @types == null OR PARSE_IDENTIFIER(v._id).collection IN @types "
        "RETURN [s, v._id, depth, e._id]"
    )
    binds = [
        {"types": types, "depth": depth}
        for depth in (1, True, 1.0, 2, None, 0)
        for types in (["a"], ["b"], None, [], ["a", "b"])
    ]
    for seed in (1, 5, 9):
        with random_graph(seed) as db:
            for bind in binds + binds[::-1]:
                bind = {**bind, "starts": STARTS[:4]}
                assert answer(db, query, **bind) == answer(db, general_walk(query), **bind), bind


def test_a_run_after_edges_point_into_a_new_collection_reads_its_vertices():
    """A later run of a plan with the same bind values, after an edge points into a
    collection no edge pointed into before: the walk reads and keeps its vertices."""
    db = make_db(
        {"a": [{"_key": "a0"}, {"_key": "a1", "name": "A1"}], "c": [{"_key": "c0", "name": "C0"}]},
        {"e1": [{"_from": "a/a0", "_to": "a/a1"}]},
    )
    db.create_graph("g", [{"collection": "e1", "from": ["a"], "to": ["a", "c"]}])
    query = (
        f"FOR v, e, p IN 1..3 OUTBOUND 'a/a0' GRAPH 'g' {OPTIONS} "
        "FILTER PARSE_IDENTIFIER(v._id).collection IN @types RETURN [v._id, v.name]"
    )
    with db:
        assert run(db, query, types=["a", "c"]) == [["a/a1", "A1"]]
        db.insert("e1", {"_from": "a/a1", "_to": "c/c0"})
        assert run(db, query, types=["a", "c"]) == [["a/a1", "A1"], ["c/c0", "C0"]]
        assert answer(db, query, types=["a", "c"]) == answer(
            db, general_walk(query), types=["a", "c"]
        )


def test_levels_kept_by_depth_follow_each_walk_s_steady_verdicts():
    """A stage whose levels depend on nothing but the depth and bind values keeps the level
    made at each depth across walks and runs (walk_stage._Run.by_depth) while the steady
    verdicts and the depth caches stay the same: walks whose steady operand (reading the
    start) decides otherwise, and runs with other bind values, get levels of their own."""
    query = (
        f"FOR s IN @starts FOR v, e, p IN 1..4 ANY s GRAPH 'g' {OPTIONS} "
        "LET depth = LENGTH(p.edges) "
        "FILTER depth > @depth OR PARSE_IDENTIFIER(s).collection == 'b' "
        "OR PARSE_IDENTIFIER(v._id).collection IN @types "
        "RETURN [s, v._id, depth, e._id]"
    )
    orders = [STARTS[:4], STARTS[3::-1], ["b/b0", "a/a0", "b/b1", "a/a1"]]
    binds = [{"types": types, "depth": depth} for depth in (1, 3) for types in (["a"], ["b"])]
    for seed in (2, 7):
        with random_graph(seed) as db:
            for bind in binds + binds[::-1]:
                for starts in orders:
                    bind = {**bind, "starts": starts}
                    expected = answer(db, general_walk(query), **bind)
                    assert answer(db, query, **bind) == expected, bind
