"""What graph operations accept: depths, start/target vertices, OPTIONS, edge collections.

The rules come from ArangoDB's graph test suites and the plan code they exercise:

- ``tests/js/client/aql/aql-graph-traverser-invalidStartVertex.js`` (a constant null or
  number start/target is a parse error, 1501; ``''`` is a warning and no result);
- ``arangod/Aql/ExecutionPlan.cpp`` (``checkDepthValue`` / ``getMinMaxDepths``:
  "invalid traversal depth", 1501; ``createTraversalOptions``: the OPTIONS rules, 10),
  ``arangod/Aql/GraphNode.cpp`` ("conflicting directions specified for collection",
  1218);
- the weighted-traversal and ``aql-graph-all-shortest-path.js`` error suites
  (``ERROR_GRAPH_NEGATIVE_EDGE_WEIGHT``, 1948);
- ``arangod/Aql/Expression.cpp`` (an inline ``[* LIMIT offset, count]``: a negative
  offset or a count below 1 gives ``[]``).

The graph::

    v/A -> v/B -> v/C        (e, weights in ``w``: 1, 2)
    v/A -> v/D               (e, weight 5)
"""

from __future__ import annotations

import pytest

from .helpers import make_db, query_error, run

VERTICES = [{"_key": k} for k in "ABCD"]
EDGES = [
    {"_key": "ab", "_from": "v/A", "_to": "v/B", "w": 1, "data": {"w": 10}, "data.w": 7},
    {"_key": "bc", "_from": "v/B", "_to": "v/C", "w": 2, "data": {"w": 20}, "data.w": 8},
    {"_key": "ad", "_from": "v/A", "_to": "v/D", "w": 5, "data": {"w": 50}, "data.w": 9},
]
NEGATIVE = [{"_key": "ab", "_from": "v/A", "_to": "v/B", "w": -1}]


@pytest.fixture(scope="module")
def db():
    with make_db({"v": VERTICES}, {"e": EDGES, "neg": NEGATIVE}) as database:
        yield database


def keys(db, query, **bind):
    return sorted(run(db, query, **bind))


# --------------------------------------------------------------------------- depths
# ExecutionPlan.cpp, checkDepthValue / getMinMaxDepths: 1501 "invalid traversal depth"


@pytest.mark.parametrize(
    "depth",
    [
        "-1",
        "-1..2",
        "1..-1",
        "1.5..2",
        "1..2.5",
        "3..1",
        "'1'..2",
        "null..2",
        "true..2",
        "[1]..2",
        "1..9223372036854775808",
        "1..1e300",
    ],
)
def test_an_invalid_depth_is_a_parse_error(db, depth):
    assert query_error(db, f"FOR x IN {depth} OUTBOUND 'v/A' e RETURN x") == 1501


@pytest.mark.parametrize(
    ("low", "high"), [(-1, 2), (1.5, 2), (1, "2"), (None, 1), (2, 1), ([1], 2)]
)
def test_an_invalid_depth_from_bind_parameters_is_a_parse_error(db, low, high):
    assert (
        query_error(db, "FOR x IN @low..@high OUTBOUND 'v/A' e RETURN x", low=low, high=high)
        == 1501
    )


def test_depths_read_from_a_variable_are_a_parse_error(db):
    assert query_error(db, "FOR d IN [1] FOR x IN d OUTBOUND 'v/A' e RETURN x") == 1501


def test_depths_of_a_let_variable_are_a_parse_error(db):
    assert query_error(db, "LET d = 2 FOR x IN 1..d OUTBOUND 'v/A' e RETURN x") == 1501


def test_depths_are_checked_before_any_row(db):
    assert query_error(db, "FOR s IN [] FOR x IN 2..1 OUTBOUND s e RETURN x") == 1501


def test_a_depth_that_folds_to_a_number_is_valid(db):
    assert keys(db, "FOR x IN 1..LENGTH([1, 2]) OUTBOUND 'v/A' e RETURN x._key") == ["B", "C", "D"]


def test_a_depth_that_is_not_folded_is_a_parse_error(db):
    assert query_error(db, "FOR x IN 1..NOOPT(2) OUTBOUND 'v/A' e RETURN x") == 1501


def test_depth_zero_to_zero_is_the_start_vertex(db):
    assert run(db, "FOR x IN 0..0 OUTBOUND 'v/A' e RETURN x._key") == ["A"]


def test_a_whole_float_depth_is_valid(db):
    assert keys(db, "FOR x IN 1.0..2.0 OUTBOUND 'v/A' e RETURN x._key") == ["B", "C", "D"]


def test_a_huge_max_depth_is_valid(db):
    assert keys(db, "FOR x IN 1..1000000000 OUTBOUND 'v/A' e RETURN x._key") == ["B", "C", "D"]


def test_a_cached_plan_checks_the_depths_of_each_run(db):
    query = "FOR x IN 1..@high OUTBOUND 'v/A' e RETURN x._key"
    assert sorted(run(db, query, high=1)) == ["B", "D"]
    assert query_error(db, query, high=-1) == 1501


@pytest.mark.parametrize("depth", ["2..1", "-1..2", "1..0.5"])
def test_an_invalid_k_paths_depth_is_a_parse_error(db, depth):
    assert query_error(db, f"FOR p IN {depth} OUTBOUND K_PATHS 'v/A' TO 'v/C' e RETURN p") == 1501


# --------------------------------------------------------------------------- start and target
# aql-graph-traverser-invalidStartVertex.js: a constant null or number is 1501, '' a warning

GRAPH_OPERATIONS = [
    "FOR x IN 1 OUTBOUND {start} e RETURN x",
    "FOR x IN OUTBOUND SHORTEST_PATH {start} TO 'v/C' e RETURN x",
    "FOR x IN OUTBOUND SHORTEST_PATH 'v/A' TO {start} e RETURN x",
    "FOR x IN OUTBOUND K_SHORTEST_PATHS {start} TO 'v/C' e RETURN x",
    "FOR x IN OUTBOUND K_SHORTEST_PATHS 'v/A' TO {start} e RETURN x",
    "FOR x IN OUTBOUND ALL_SHORTEST_PATHS {start} TO 'v/C' e RETURN x",
    "FOR x IN OUTBOUND ALL_SHORTEST_PATHS 'v/A' TO {start} e RETURN x",
    "FOR x IN 1..2 OUTBOUND K_PATHS {start} TO 'v/C' e RETURN x",
    "FOR x IN 1..2 OUTBOUND K_PATHS 'v/A' TO {start} e RETURN x",
]


@pytest.mark.parametrize("operation", GRAPH_OPERATIONS)
@pytest.mark.parametrize("vertex", ["null", "-123", "true", "1 + 1", "{_id: 5}", "{_id: null}"])
def test_a_constant_vertex_that_is_not_an_id_is_a_parse_error(db, operation, vertex):
    assert query_error(db, operation.format(start=vertex)) == 1501


@pytest.mark.parametrize("operation", GRAPH_OPERATIONS)
def test_a_vertex_bind_parameter_that_is_a_number_is_a_parse_error(db, operation):
    assert query_error(db, operation.format(start="@vertex"), vertex=42) == 1501


@pytest.mark.parametrize("operation", GRAPH_OPERATIONS)
@pytest.mark.parametrize("vertex", ["''", "[]", "{_key: 'A'}", "NOOPT(null)", "'no id'"])
def test_a_vertex_that_is_not_an_id_otherwise_warns_and_yields_nothing(db, operation, vertex):
    result = db.query(operation.format(start=vertex))
    assert list(result) == []
    assert result.warnings


def test_a_computed_null_start_vertex_warns(db):
    result = db.query("FOR s IN [null] FOR x IN 1 OUTBOUND s e RETURN x")
    assert list(result) == []
    assert result.warnings


def test_a_start_vertex_object_with_an_id_is_walked_from_its_id(db):
    assert keys(db, "FOR x IN 1 OUTBOUND {_id: 'v/A', x: 1} e RETURN x._key") == ["B", "D"]


def test_a_vertex_check_fails_before_any_row(db):
    assert (
        query_error(db, "FOR s IN [] FOR x IN OUTBOUND SHORTEST_PATH null TO s e RETURN x") == 1501
    )


# --------------------------------------------------------------------------- OPTIONS
# ExecutionPlan.cpp, createTraversalOptions


def test_order_is_compared_without_case(db):
    query = "FOR x IN 1..2 OUTBOUND 'v/A' e OPTIONS {order: @order} RETURN x._key"
    assert run(db, query, order="BFS") == run(db, query, order="bfs")


def test_bfs_given_before_order_wins(db):
    query = "FOR x IN 1..2 OUTBOUND 'v/A' e OPTIONS {options} RETURN x._key"
    dfs = run(db, query.format(options="{order: 'dfs'}"))
    bfs = run(db, query.format(options="{order: 'bfs'}"))
    assert dfs != bfs
    assert run(db, query.format(options="{bfs: false, order: 'bfs'}")) == dfs
    assert run(db, query.format(options="{order: 'dfs', bfs: true}")) == bfs


def test_unique_vertices_is_compared_without_case(db):
    query = (
        "FOR x IN 0..3 ANY 'v/A' e OPTIONS {order: 'bfs', uniqueVertices: 'GLOBAL'} RETURN x._key"
    )
    assert keys(db, query) == ["A", "B", "C", "D"]


def test_global_vertex_uniqueness_in_depth_first_order_is_refused_without_case(db):
    query = "FOR x IN 1 OUTBOUND 'v/A' e OPTIONS {uniqueVertices: 'Global'} RETURN x"
    assert query_error(db, query) == 10


def test_global_edge_uniqueness_is_refused_without_case(db):
    query = "FOR x IN 1 OUTBOUND 'v/A' e OPTIONS {uniqueEdges: 'GLOBAL'} RETURN x"
    assert query_error(db, query) == 10


@pytest.mark.parametrize(
    "options",
    ["{uniqueVertices: 'bogus'}", "{uniqueEdges: 'bogus'}", "{uniqueVertices: true}", "{foo: 1}"],
)
def test_unknown_option_values_are_ignored(db, options):
    query = "FOR x IN 0..3 ANY 'v/A' e OPTIONS {options} RETURN x._key"
    assert run(db, query.format(options=options)) == run(db, query.format(options="{}"))


@pytest.mark.parametrize(
    "options",
    [
        "{edgeCollections: 5}",
        "{edgeCollections: ['e', 1]}",
        "{vertexCollections: true}",
        "{vertexCollections: {v: 1}}",
    ],
)
def test_a_collection_restriction_must_be_names(db, options):
    assert query_error(db, f"FOR x IN 1 OUTBOUND 'v/A' e OPTIONS {options} RETURN x") == 10


def test_a_path_search_collection_restriction_must_be_names(db):
    query = "FOR x IN OUTBOUND SHORTEST_PATH 'v/A' TO 'v/C' e OPTIONS {edgeCollections: 5} RETURN x"
    assert query_error(db, query) == 10


def test_a_restriction_to_one_name_is_a_string(db):
    query = "FOR x IN 1 OUTBOUND 'v/A' e OPTIONS {edgeCollections: 'e'} RETURN x._key"
    assert keys(db, query) == ["B", "D"]


# --------------------------------------------------------------------------- edge collections
# GraphNode.cpp: "conflicting directions specified for collection" (1218)


@pytest.mark.parametrize("collections", ["e, INBOUND e", "INBOUND e, e", "e, ANY e"])
def test_one_collection_in_two_directions_is_an_error(db, collections):
    assert query_error(db, f"FOR x IN 1 OUTBOUND 'v/A' {collections} RETURN x") == 1218


def test_a_collection_listed_twice_in_one_direction_is_walked_once(db):
    query = "FOR x IN 1 ANY 'v/B' {} RETURN x._key"
    assert keys(db, query.format("e, e, ANY e")) == keys(db, query.format("e")) == ["A", "C"]


def test_path_searches_refuse_conflicting_directions_too(db):
    query = "FOR x IN OUTBOUND SHORTEST_PATH 'v/A' TO 'v/C' e, INBOUND e RETURN x"
    assert query_error(db, query) == 1218


def test_a_document_collection_is_not_an_edge_collection(db):
    assert query_error(db, "FOR x IN 1 OUTBOUND 'v/A' v RETURN x") == 1218


def test_an_unknown_edge_collection(db):
    assert query_error(db, "FOR x IN 1 OUTBOUND 'v/A' nowhere RETURN x") == 1203


# --------------------------------------------------------------------------- weights
# the weighted-traversal error suite and aql-graph-all-shortest-path.js: 1948


def test_a_negative_edge_weight_in_a_weighted_traversal(db):
    query = "FOR x IN 1..2 OUTBOUND 'v/A' neg OPTIONS {order: 'weighted', weightAttribute: 'w'} RETURN x"
    assert query_error(db, query) == 1948


@pytest.mark.parametrize(
    "query",
    [
        "FOR x IN 0..2 OUTBOUND 'v/A' e OPTIONS {order: 'weighted', defaultWeight: -1} RETURN x",
        "FOR x IN OUTBOUND SHORTEST_PATH 'v/A' TO 'v/C' e OPTIONS {defaultWeight: -1} RETURN x",
        "FOR x IN OUTBOUND ALL_SHORTEST_PATHS 'v/A' TO 'v/C' e OPTIONS {defaultWeight: -1} RETURN x",
        "FOR x IN OUTBOUND K_SHORTEST_PATHS 'v/A' TO 'v/C' e OPTIONS {defaultWeight: -0.5} RETURN x",
    ],
)
def test_a_negative_default_weight(db, query):
    assert query_error(db, query) == 1948


@pytest.mark.parametrize("kind", ["SHORTEST_PATH", "K_SHORTEST_PATHS"])
def test_a_negative_edge_weight_in_a_weighted_path_search(db, kind):
    query = f"FOR x IN OUTBOUND {kind} 'v/A' TO 'v/B' neg OPTIONS {{weightAttribute: 'w'}} RETURN x"
    assert query_error(db, query) == 1948


def test_a_negative_weight_is_not_read_when_weights_are_not_asked(db):
    assert run(db, "FOR x IN OUTBOUND SHORTEST_PATH 'v/A' TO 'v/B' neg RETURN x._key") == ["A", "B"]


WEIGHTS = "FOR x, e, p IN 2 OUTBOUND 'v/A' e OPTIONS {{order: 'weighted', {}}} RETURN p.weights"


def test_a_weight_attribute_is_one_attribute_name(db):
    assert run(db, WEIGHTS.format("weightAttribute: 'data.w'")) == [[0, 7, 15]]


def test_a_weight_attribute_array_is_a_path(db):
    assert run(db, WEIGHTS.format("weightAttribute: ['data', 'w']")) == [[0, 10, 30]]


def test_a_weight_attribute_that_is_not_a_number_weighs_the_default(db):
    assert run(db, WEIGHTS.format("weightAttribute: 'data', defaultWeight: 3")) == [[0, 3, 6]]


def test_a_weighted_traversal_without_a_weight_attribute_weighs_the_default(db):
    assert run(db, WEIGHTS.format("defaultWeight: 2")) == [[0, 2, 4]]


# --------------------------------------------------------------------------- inline LIMIT
# Expression.cpp (array expansion): offset and count are cast to integers; an offset
# below 0 or a count below 1 gives []


@pytest.mark.parametrize(
    ("limit", "expected"),
    [
        ("0", []),
        ("-1", []),
        ("-1, 2", []),
        ("1, 0", []),
        ("1, -2", []),
        ("1, 1", [2]),
        ("5, 1", []),
        ("1.9", [1]),
        ("'2'", [1, 2]),
        ("null", []),
        ("true", [1]),
        ("0, 10", [1, 2, 3]),
    ],
)
def test_inline_limit(db, limit, expected):
    assert run(db, f"RETURN [1, 2, 3][* LIMIT {limit}]") == [expected]


def test_inline_limit_counts_what_the_filter_lets_pass(db):
    assert run(db, "RETURN [1, 2, 3, 4][* FILTER CURRENT > 1 LIMIT 1, 2]") == [[3, 4]]


def test_inline_limit_of_a_path_expansion(db):
    query = "FOR x, e, p IN 2 OUTBOUND 'v/A' e RETURN p.vertices[* LIMIT 1, 1]._key"
    assert run(db, query) == [["B"]]


def test_a_default_weight_that_is_not_a_number_is_ignored(db):
    assert run(db, WEIGHTS.format("defaultWeight: '2'")) == [[0, 1, 2]]


def test_global_vertex_uniqueness_is_accepted_in_weighted_order(db):
    query = "FOR x IN 1..2 OUTBOUND 'v/A' e OPTIONS {order: 'Weighted', uniqueVertices: 'global'} RETURN x._key"
    assert sorted(run(db, query)) == ["B", "C", "D"]


# aql-graph-k-shortest-path-range-syntax-regression.js: only K_PATHS takes a depth range


@pytest.mark.parametrize("kind", ["SHORTEST_PATH", "K_SHORTEST_PATHS", "ALL_SHORTEST_PATHS"])
def test_a_depth_range_before_a_shortest_path_search_is_a_syntax_error(db, kind):
    assert query_error(db, f"FOR p IN 1..5 ANY {kind} 'v/A' TO 'v/C' e RETURN p") == 1501


def test_k_paths_without_depths_walks_one_edge(db):
    assert run(db, "FOR p IN OUTBOUND K_PATHS 'v/A' TO 'v/B' e RETURN p.vertices[*]._key") == [
        ["A", "B"]
    ]


# the order ArangoDB checks a graph clause in: depths, OPTIONS, edge collections, vertices


def test_a_bad_depth_is_reported_before_bad_options(db):
    query = "FOR x IN 2..1 OUTBOUND 'v/A' e OPTIONS {order: 'bogus'} RETURN x"
    assert query_error(db, query) == 1501


def test_bad_options_are_reported_before_a_bad_start_vertex(db):
    assert query_error(db, "FOR x IN 1 OUTBOUND null e OPTIONS {order: 'bogus'} RETURN x") == 10


def test_conflicting_directions_are_reported_before_a_bad_start_vertex(db):
    assert query_error(db, "FOR x IN 1 OUTBOUND null e, INBOUND e RETURN x") == 1218
