"""Graph traversals and path searches, from ArangoDB 3.12's "Graph queries" pages.

The traversal graph (edge collection ``e``, plus ``f`` and a second vertex
collection ``w``)::

    A -> B -> D -> E -> A        (a cycle through D and E)
    A -> C -> D
    B -> X   (X is in collection w)
    A -> F   (edge collection f)

The path-search graph (``p`` / ``r``, weights in ``w``)::

    S -> T (5)      S -> A (1) -> T (1)      S -> B (1) -> C (1) -> T (1)      A -> C (2)
"""

from __future__ import annotations

import itertools
from collections import Counter

import pytest

from arangoml_meta.errors import ArangoMLMetaError

from .helpers import make_db, query_error, run

VERTICES = [{"_key": k, "name": k} for k in "ABCDEF"]
EDGES = [
    {"_key": "ab", "_from": "v/A", "_to": "v/B", "w": 1},
    {"_key": "ac", "_from": "v/A", "_to": "v/C", "w": 5},
    {"_key": "bd", "_from": "v/B", "_to": "v/D", "w": 10},
    {"_key": "cd", "_from": "v/C", "_to": "v/D", "w": 1},
    {"_key": "de", "_from": "v/D", "_to": "v/E", "w": 1},
    {"_key": "ea", "_from": "v/E", "_to": "v/A", "w": 1},
    {"_key": "bx", "_from": "v/B", "_to": "w/X", "w": 1},
]

PATH_VERTICES = [{"_key": k} for k in "SABCT"]
PATH_EDGES = [
    {"_key": "st", "_from": "p/S", "_to": "p/T", "w": 5},
    {"_key": "sa", "_from": "p/S", "_to": "p/A", "w": 1},
    {"_key": "at", "_from": "p/A", "_to": "p/T", "w": 1},
    {"_key": "sb", "_from": "p/S", "_to": "p/B", "w": 1},
    {"_key": "bc", "_from": "p/B", "_to": "p/C", "w": 1},
    {"_key": "ct", "_from": "p/C", "_to": "p/T", "w": 1},
    {"_key": "ac", "_from": "p/A", "_to": "p/C", "w": 2},
]


@pytest.fixture(scope="module")
def db():
    with make_db(
        {"v": VERTICES, "w": [{"_key": "X", "name": "X"}], "p": PATH_VERTICES},
        {"e": EDGES, "f": [{"_key": "af", "_from": "v/A", "_to": "v/F"}], "r": PATH_EDGES},
    ) as database:
        database.create_graph(
            "g",
            [
                {"collection": "e", "from": ["v"], "to": ["v", "w"]},
                {"collection": "f", "from": ["v"], "to": ["v"]},
            ],
        )
        database.create_graph("roads", [{"collection": "r", "from": ["p"], "to": ["p"]}])
        yield database


def names(db, query, **bind):
    return sorted(run(db, query, **bind))


# --------------------------------------------------------------------------- directions and depth


@pytest.mark.parametrize(
    ("direction", "start", "expected"),
    [
        ("OUTBOUND", "A", ["B", "C"]),
        ("INBOUND", "D", ["B", "C"]),
        ("ANY", "D", ["B", "C", "E"]),
        ("OUTBOUND", "E", ["A"]),
        ("INBOUND", "A", ["E"]),
        ("OUTBOUND", "X", []),
    ],
)
def test_directions(db, direction, start, expected):
    coll = "w" if start == "X" else "v"
    assert names(db, f"FOR x IN 1 {direction} '{coll}/{start}' e RETURN x.name") == expected


@pytest.mark.parametrize(
    ("depth", "expected"),
    [
        ("", ["B", "C"]),
        ("1", ["B", "C"]),
        ("2", ["D", "D", "X"]),
        ("2..2", ["D", "D", "X"]),
        ("3..3", ["E", "E"]),
        ("1..3", ["B", "C", "D", "D", "E", "E", "X"]),
        ("0..1", ["A", "B", "C"]),
        ("0", ["A"]),
        ("0..0", ["A"]),
        ("4..4", ["A", "A"]),
    ],
)
def test_min_max_depth(db, depth, expected):
    assert names(db, f"FOR x IN {depth} OUTBOUND 'v/A' e RETURN x.name") == expected


def test_depth_zero_returns_the_start_vertex_first(db):
    rows = run(db, "FOR x, ed, p IN 0..2 OUTBOUND 'v/A' e RETURN [x.name, ed, LENGTH(p.edges)]")
    assert rows[0] == ["A", None, 0]


def test_depth_bounds_from_bind_parameters(db):
    assert names(db, "FOR x IN @lo..@hi OUTBOUND 'v/A' e RETURN x.name", lo=2, hi=2) == [
        "D",
        "D",
        "X",
    ]


def test_start_vertex_given_as_document(db):
    rows = names(db, "FOR a IN v FILTER a._key == 'A' FOR x IN 1 OUTBOUND a e RETURN x.name")
    assert rows == ["B", "C"]


def test_start_vertex_from_bind_parameter(db):
    assert names(db, "FOR x IN 1 OUTBOUND @s e RETURN x.name", s="v/D") == ["E"]


# a constant null, boolean or number is refused while the plan is made (1501): see
# test_graph_validation.py
@pytest.mark.parametrize(
    "start", ["''", "[]", "{_key: 'A'}", "NOOPT(null)", "NOOPT(1)", "'not an id'"]
)
def test_invalid_start_vertex_warns_and_yields_nothing(db, start):
    result = db.query(f"FOR x IN 0..1 OUTBOUND {start} e RETURN x")
    assert list(result) == []
    assert result.warnings


def test_missing_start_vertex_yields_nothing(db):
    # "If the specified document does not exist, the result is empty as well and there is no warning."
    result = db.query("FOR x IN 0..1 OUTBOUND 'v/missing' e RETURN x")
    assert list(result) == []
    assert result.warnings == []


def test_missing_start_vertex_without_depth_zero(db):
    result = db.query("FOR x IN 1..2 OUTBOUND 'v/missing' e RETURN x")
    assert list(result) == []
    assert result.warnings == []


def test_named_graph_and_edge_collections_agree(db):
    anonymous = run(db, "FOR x IN 1..3 OUTBOUND 'v/A' e, f RETURN x.name")
    named = run(db, "FOR x IN 1..3 OUTBOUND 'v/A' GRAPH 'g' RETURN x.name")
    assert sorted(anonymous) == sorted(named)
    assert "F" in named


def test_graph_name_from_bind_parameter(db):
    assert names(db, "FOR x IN 1 OUTBOUND 'v/A' GRAPH @g RETURN x.name", g="g") == ["B", "C", "F"]


def test_edge_collection_from_bind_parameter(db):
    assert names(db, "FOR x IN 1 OUTBOUND 'v/A' @@edges RETURN x.name", **{"@edges": "f"}) == ["F"]


def test_with_declares_vertex_collections(db):
    assert names(db, "WITH v, w FOR x IN 1 OUTBOUND 'v/B' e RETURN x.name") == ["D", "X"]


def test_direction_per_edge_collection(db):
    # e is walked INBOUND, f keeps the general OUTBOUND direction
    assert names(db, "FOR x IN 1 OUTBOUND 'v/A' INBOUND e, f RETURN x.name") == ["E", "F"]


def test_direction_cannot_be_a_bind_parameter(db):
    assert query_error(db, "FOR x IN 1 @dir 'v/A' e RETURN x", dir="OUTBOUND") == 1501


def test_unknown_graph(db):
    assert query_error(db, "FOR x IN 1 OUTBOUND 'v/A' GRAPH 'nope' RETURN x") == 1924


def test_unknown_edge_collection(db):
    assert query_error(db, "FOR x IN 1 OUTBOUND 'v/A' nope RETURN x") == 1203


def test_document_collection_is_not_an_edge_collection(db):
    assert query_error(db, "FOR x IN 1 OUTBOUND 'v/A' v RETURN x") == 1218


def test_traversal_variables_are_declared(db):
    assert query_error(db, "LET x = 1 FOR x IN 1 OUTBOUND 'v/A' e RETURN x") == 1511


# --------------------------------------------------------------------------- edge and path variables


def test_edge_variable_is_the_last_edge(db):
    rows = run(db, "FOR x, ed IN 1..2 OUTBOUND 'v/A' e RETURN [ed._from, ed._to, x._id]")
    assert all(to == vid for _, to, vid in rows)


def test_path_object(db):
    rows = run(
        db,
        "FOR x, ed, p IN 2..2 OUTBOUND 'v/A' e FILTER x.name == 'X' "
        "RETURN {vs: p.vertices[*]._key, es: p.edges[*]._key, last: p.vertices[-1] == x, "
        "edge: p.edges[-1] == ed}",
    )
    assert rows == [{"vs": ["A", "B", "X"], "es": ["ab", "bx"], "last": True, "edge": True}]


def test_path_at_depth_zero(db):
    rows = run(db, "FOR x, ed, p IN 0..0 OUTBOUND 'v/A' e RETURN [p.vertices[*]._key, p.edges]")
    assert rows == [[["A"], []]]


def test_path_vertices_are_full_documents(db):
    rows = run(db, "FOR x, ed, p IN 1 OUTBOUND 'v/B' e FILTER x._key == 'D' RETURN p.vertices")
    assert rows == [[run(db, "RETURN DOCUMENT('v/B')")[0], run(db, "RETURN DOCUMENT('v/D')")[0]]]


def test_filter_on_path_positions(db):
    rows = names(
        db, "FOR x, ed, p IN 1..3 OUTBOUND 'v/A' e FILTER p.vertices[1]._key != 'B' RETURN x.name"
    )
    assert rows == ["C", "D", "E"]


def test_filter_on_entire_path(db):
    rows = names(
        db, "FOR x, ed, p IN 1..3 OUTBOUND 'v/A' e FILTER p.edges[*].w ALL < 10 RETURN x.name"
    )
    assert rows == ["B", "C", "D", "E", "X"]


# --------------------------------------------------------------------------- PRUNE


def test_prune_stops_but_emits_the_pruned_vertex(db):
    rows = names(db, "FOR x IN 1..5 OUTBOUND 'v/A' e PRUNE x.name == 'D' RETURN x.name")
    assert rows == ["B", "C", "D", "D", "X"]


def test_prune_variable_can_filter_the_stop_points(db):
    query = "FOR x IN 1..5 OUTBOUND 'v/A' e PRUNE cond = x.name == 'D' OPTIONS {uniqueVertices: 'path'} "
    assert names(db, query + "FILTER cond RETURN x.name") == ["D", "D"]
    assert names(db, query + "FILTER NOT cond RETURN x.name") == ["B", "C", "X"]


def test_prune_is_evaluated_at_depth_zero(db):
    # the start vertex has a null edge: `ed.w < 100` holds for null and stops everything
    assert run(db, "FOR x, ed IN 1..3 OUTBOUND 'v/A' e PRUNE ed.w < 100 RETURN x") == []
    assert names(db, "FOR x, ed IN 0..3 OUTBOUND 'v/A' e PRUNE ed.w < 100 RETURN x.name") == ["A"]


def test_prune_ignoring_the_null_edge(db):
    rows = names(
        db, "FOR x, ed IN 1..3 OUTBOUND 'v/A' e PRUNE ed != null AND ed.w < 100 RETURN x.name"
    )
    assert rows == ["B", "C"]


def test_prune_below_min_depth_still_stops(db):
    assert run(db, "FOR x IN 2..3 OUTBOUND 'v/A' e PRUNE x.name IN ['B', 'C'] RETURN x") == []


def test_prune_can_use_outer_variables_and_the_path(db):
    rows = names(
        db,
        "LET stop = 2 FOR x, ed, p IN 1..5 OUTBOUND 'v/A' e PRUNE LENGTH(p.edges) >= stop RETURN x.name",
    )
    assert rows == ["B", "C", "D", "D", "X"]


def test_prune_with_options(db):
    rows = names(
        db,
        "FOR x IN 1..5 OUTBOUND 'v/A' e PRUNE x.name == 'E' OPTIONS {order: 'bfs'} RETURN x.name",
    )
    assert rows == ["B", "C", "D", "D", "E", "E", "X"]


# --------------------------------------------------------------------------- uniqueness


def test_default_uniqueness_revisits_vertices_but_not_edges(db):
    rows = names(db, "FOR x IN 1..5 OUTBOUND 'v/A' e RETURN x.name")
    # depth 4 returns to A twice; depth 5 continues over the edge not yet on each path
    assert Counter(rows) == Counter({"B": 2, "C": 2, "D": 2, "E": 2, "A": 2, "X": 1})


def test_unique_vertices_path(db):
    rows = names(
        db, "FOR x IN 1..5 OUTBOUND 'v/A' e OPTIONS {uniqueVertices: 'path'} RETURN x.name"
    )
    assert rows == ["B", "C", "D", "D", "E", "E", "X"]


def test_unique_vertices_path_never_repeats_a_vertex_on_a_path(db):
    paths = run(
        db,
        "FOR x, ed, p IN 1..6 ANY 'v/D' e OPTIONS {uniqueVertices: 'path'} RETURN p.vertices[*]._id",
    )
    assert paths and all(len(set(p)) == len(p) for p in paths)


@pytest.mark.parametrize("order", ["order: 'bfs'", "bfs: true", "order: 'weighted'"])
def test_unique_vertices_global_visits_each_vertex_once(db, order):
    rows = run(
        db,
        f"FOR x IN 1..5 OUTBOUND 'v/A' e OPTIONS {{uniqueVertices: 'global', {order}}} RETURN x.name",
    )
    assert sorted(rows) == ["B", "C", "D", "E", "X"]


def test_unique_vertices_global_with_bfs_keeps_shortest_depths(db):
    rows = run(
        db,
        "FOR x, ed, p IN 1..5 OUTBOUND 'v/A' e OPTIONS {uniqueVertices: 'global', order: 'bfs'} "
        "RETURN [x.name, LENGTH(p.edges)]",
    )
    assert sorted(rows) == [["B", 1], ["C", 1], ["D", 2], ["E", 3], ["X", 2]]


def test_unique_edges_path_is_the_default(db):
    default = names(db, "FOR x IN 2..2 ANY 'v/D' e RETURN x.name")
    explicit = names(db, "FOR x IN 2..2 ANY 'v/D' e OPTIONS {uniqueEdges: 'path'} RETURN x.name")
    assert default == explicit == ["A", "A", "A", "X"]


def test_unique_edges_none_walks_back_over_the_same_edge(db):
    rows = names(db, "FOR x IN 2..2 ANY 'v/D' e OPTIONS {uniqueEdges: 'none'} RETURN x.name")
    assert rows == ["A", "A", "A", "D", "D", "D", "X"]


def test_any_may_return_duplicate_vertices(db):
    rows = run(db, "FOR x IN 1..3 ANY 'v/E' e RETURN x.name")
    assert len(rows) > len(set(rows))


# --------------------------------------------------------------------------- order


def test_bfs_emits_by_increasing_depth(db):
    depths = run(
        db, "FOR x, ed, p IN 1..5 ANY 'v/A' e OPTIONS {order: 'bfs'} RETURN LENGTH(p.edges)"
    )
    assert depths == sorted(depths)
    assert len(set(depths)) == 5


def test_deprecated_bfs_option_equals_order_bfs(db):
    old = run(db, "FOR x IN 1..4 ANY 'v/A' e OPTIONS {bfs: true} RETURN x._id")
    new = run(db, "FOR x IN 1..4 ANY 'v/A' e OPTIONS {order: 'bfs'} RETURN x._id")
    assert old == new


def test_dfs_finishes_one_depth_one_subtree_before_the_next(db):
    # "It first returns all paths from min depth to max depth for one node at depth 1,
    #  then for the next node at depth 1, and so on."
    for order in ("", "OPTIONS {order: 'dfs'}"):
        first_hops = run(db, f"FOR x, ed, p IN 1..4 ANY 'v/A' e {order} RETURN p.vertices[1]._key")
        changes = [a for a, b in itertools.pairwise(first_hops) if a != b]
        assert len(changes) == len(set(first_hops)) - 1


def test_dfs_emits_paths_in_pre_order(db):
    paths = run(db, "FOR x, ed, p IN 1..4 OUTBOUND 'v/A' e RETURN p.vertices[*]._key")
    for earlier, later in itertools.pairwise(paths):
        assert len(later) <= len(earlier) + 1
        if len(later) == len(earlier) + 1:
            assert later[:-1] == earlier


def test_dfs_explores_the_most_recently_inserted_edge_first(db):
    # observed ArangoDB 3.12 behaviour (see the conformance corpus README)
    rows = run(db, "FOR x IN 1..3 OUTBOUND 'v/A' e RETURN x.name")
    assert rows == ["C", "D", "E", "B", "X", "D", "E"]


def test_bfs_and_dfs_return_the_same_multiset(db):
    dfs = run(db, "FOR x IN 1..4 ANY 'v/A' e RETURN x._id")
    bfs = run(db, "FOR x IN 1..4 ANY 'v/A' e OPTIONS {order: 'bfs'} RETURN x._id")
    assert Counter(dfs) == Counter(bfs)


def test_weighted_order_by_increasing_cost(db):
    rows = run(
        db,
        "FOR x, ed, p IN 1..4 OUTBOUND 'v/A' e OPTIONS {order: 'weighted', weightAttribute: 'w'} "
        "RETURN p.weights",
    )
    totals = [weights[-1] for weights in rows]
    assert totals == sorted(totals)
    assert rows[0] == [0, 1]  # A -> B costs 1


def test_weighted_path_weights_are_cumulative(db):
    rows = run(
        db,
        "FOR x, ed, p IN 3..3 OUTBOUND 'v/A' e OPTIONS {order: 'weighted', weightAttribute: 'w'} "
        "FILTER p.vertices[1]._key == 'C' RETURN p.weights",
    )
    assert rows == [[0, 5, 6, 7]]


def test_weighted_default_weight(db):
    rows = run(
        db,
        "FOR x, ed, p IN 1 OUTBOUND 'v/A' e, f OPTIONS {order: 'weighted', weightAttribute: 'w', "
        "defaultWeight: 3} RETURN [x.name, p.weights[-1]]",
    )
    assert rows == [["B", 1], ["F", 3], ["C", 5]]


# --------------------------------------------------------------------------- collection restrictions


@pytest.mark.parametrize(
    ("option", "expected"),
    [
        ("{edgeCollections: ['f']}", ["F"]),
        ("{edgeCollections: 'f'}", ["F"]),
        ("{edgeCollections: ['e']}", ["B", "C"]),
        ("{edgeCollections: []}", ["B", "C", "F"]),
    ],
)
def test_edge_collections_option(db, option, expected):
    # "If omitted or an empty array is specified, then there are no restrictions."
    assert (
        names(db, f"FOR x IN 1 OUTBOUND 'v/A' GRAPH 'g' OPTIONS {option} RETURN x.name") == expected
    )


@pytest.mark.parametrize(
    ("option", "expected"),
    [
        ("{vertexCollections: ['v']}", ["D"]),
        ("{vertexCollections: 'v'}", ["D"]),
        ("{vertexCollections: ['w']}", ["X"]),
        ("{vertexCollections: []}", ["D", "X"]),
    ],
)
def test_vertex_collections_option(db, option, expected):
    assert (
        names(db, f"FOR x IN 1 OUTBOUND 'v/B' GRAPH 'g' OPTIONS {option} RETURN x.name") == expected
    )


def test_start_vertex_is_allowed_outside_vertex_collections(db):
    rows = names(
        db, "FOR x IN 0..1 INBOUND 'w/X' GRAPH 'g' OPTIONS {vertexCollections: ['v']} RETURN x.name"
    )
    assert rows == ["B", "X"]


# --------------------------------------------------------------------------- invalid options


@pytest.mark.parametrize(
    "options",
    [
        "{uniqueVertices: 'global'}",
        "{uniqueVertices: 'global', order: 'dfs'}",
        "{uniqueEdges: 'global'}",
        "{order: 'bogus'}",
    ],
)
def test_invalid_traversal_options(db, options):
    assert query_error(db, f"FOR x IN 1..3 OUTBOUND 'v/A' e OPTIONS {options} RETURN x") == 10


def test_options_must_be_an_object(db):
    assert query_error(db, "FOR x IN 1 OUTBOUND 'v/A' e OPTIONS 'bfs' RETURN x") == 1501


# --------------------------------------------------------------------------- SHORTEST_PATH


def test_shortest_path_fewest_edges(db):
    rows = run(db, "FOR x, ed IN OUTBOUND SHORTEST_PATH 'p/S' TO 'p/T' r RETURN [x._key, ed._key]")
    assert rows == [["S", None], ["T", "st"]]


def test_shortest_path_lowest_weight(db):
    rows = run(
        db,
        "FOR x, ed IN OUTBOUND SHORTEST_PATH 'p/S' TO 'p/T' r OPTIONS {weightAttribute: 'w'} "
        "RETURN [x._key, ed._key]",
    )
    assert rows == [["S", None], ["A", "sa"], ["T", "at"]]


def test_shortest_path_default_weight(db):
    # with a huge default for the (missing) attribute the direct edge is lightest again
    rows = run(
        db,
        "FOR x IN OUTBOUND SHORTEST_PATH 'p/S' TO 'p/T' r OPTIONS {weightAttribute: 'nope', defaultWeight: 7} "
        "RETURN x._key",
    )
    assert rows == ["S", "T"]


def test_shortest_path_named_graph_and_documents(db):
    rows = run(
        db,
        "FOR a IN p FILTER a._key == 'S' FOR b IN p FILTER b._key == 'C' "
        "FOR x IN OUTBOUND SHORTEST_PATH a TO b GRAPH 'roads' RETURN x._key",
    )
    assert rows[0] == "S" and rows[-1] == "C" and len(rows) == 3


def test_shortest_path_inbound_and_any(db):
    assert run(db, "FOR x IN INBOUND SHORTEST_PATH 'p/T' TO 'p/S' r RETURN x._key") == ["T", "S"]
    assert run(db, "FOR x IN ANY SHORTEST_PATH 'p/T' TO 'p/S' r RETURN x._key") == ["T", "S"]


def test_shortest_path_without_connection(db):
    assert run(db, "FOR x IN OUTBOUND SHORTEST_PATH 'p/T' TO 'p/S' r RETURN x") == []


def test_shortest_path_invalid_start_warns(db):
    # a constant number is 1501 (test_graph_validation.py); '' is judged per row
    result = db.query("FOR x IN OUTBOUND SHORTEST_PATH '' TO 'p/S' r RETURN x")
    assert list(result) == [] and result.warnings


def test_shortest_path_emits_one_or_two_variables_only(db):
    assert (
        query_error(db, "FOR a, b, c IN OUTBOUND SHORTEST_PATH 'p/S' TO 'p/T' r RETURN a") == 1501
    )


# --------------------------------------------------------------------------- K_SHORTEST_PATHS


def test_k_shortest_paths_by_length(db):
    rows = run(
        db,
        "FOR path IN OUTBOUND K_SHORTEST_PATHS 'p/S' TO 'p/T' r RETURN [path.vertices[*]._key, path.weight]",
    )
    assert rows[:2] == [[["S", "T"], 1], [["S", "A", "T"], 2]]
    assert sorted(rows[2:]) == [[["S", "A", "C", "T"], 3], [["S", "B", "C", "T"], 3]]


def test_k_shortest_paths_by_weight(db):
    rows = run(
        db,
        "FOR path IN OUTBOUND K_SHORTEST_PATHS 'p/S' TO 'p/T' GRAPH 'roads' "
        "OPTIONS {weightAttribute: 'w', defaultWeight: 15} "
        "RETURN [path.vertices[*]._key, path.edges[*]._key, path.weight]",
    )
    assert rows == [
        [["S", "A", "T"], ["sa", "at"], 2],
        [["S", "B", "C", "T"], ["sb", "bc", "ct"], 3],
        [["S", "A", "C", "T"], ["sa", "ac", "ct"], 4],
        [["S", "T"], ["st"], 5],
    ]


def test_k_shortest_paths_with_limit(db):
    rows = run(
        db,
        "FOR path IN OUTBOUND K_SHORTEST_PATHS 'p/S' TO 'p/T' r OPTIONS {weightAttribute: 'w'} "
        "LIMIT 1, 2 RETURN path.weight",
    )
    assert rows == [3, 4]


def test_k_shortest_paths_without_connection(db):
    assert run(db, "FOR path IN OUTBOUND K_SHORTEST_PATHS 'p/T' TO 'p/S' r RETURN path") == []


# --------------------------------------------------------------------------- K_PATHS


@pytest.mark.parametrize(
    ("depth", "expected"),
    [
        ("1..3", [["S", "A", "C", "T"], ["S", "A", "T"], ["S", "B", "C", "T"], ["S", "T"]]),
        ("2..2", [["S", "A", "T"]]),
        ("3", [["S", "A", "C", "T"], ["S", "B", "C", "T"]]),
        ("1..10", [["S", "A", "C", "T"], ["S", "A", "T"], ["S", "B", "C", "T"], ["S", "T"]]),
        ("4..10", []),
    ],
)
def test_k_paths(db, depth, expected):
    rows = run(
        db,
        f"FOR path IN {depth} OUTBOUND K_PATHS 'p/S' TO 'p/T' GRAPH 'roads' RETURN path.vertices[*]._key",
    )
    assert sorted(rows) == expected


def test_k_paths_default_depth_is_one(db):
    assert run(db, "FOR path IN OUTBOUND K_PATHS 'p/S' TO 'p/T' r RETURN path.edges[*]._key") == [
        ["st"]
    ]


def test_k_paths_never_repeat_a_vertex(db):
    paths = run(db, "FOR path IN 1..6 ANY K_PATHS 'p/S' TO 'p/T' r RETURN path.vertices[*]._key")
    assert paths and all(len(set(p)) == len(p) for p in paths)
    assert all(p[0] == "S" and p[-1] == "T" for p in paths)


def test_k_paths_edges_match_vertices(db):
    for path in run(db, "FOR path IN 1..3 OUTBOUND K_PATHS 'p/S' TO 'p/T' r RETURN path"):
        assert len(path["edges"]) == len(path["vertices"]) - 1
        for edge, (a, b) in zip(
            path["edges"], zip(path["vertices"], path["vertices"][1:], strict=False), strict=True
        ):
            assert (edge["_from"], edge["_to"]) == (a["_id"], b["_id"])


# --------------------------------------------------------------------------- ALL_SHORTEST_PATHS


def test_all_shortest_paths_returns_every_minimal_path(db):
    rows = run(
        db, "FOR path IN OUTBOUND ALL_SHORTEST_PATHS 'p/S' TO 'p/C' r RETURN path.vertices[*]._key"
    )
    assert sorted(rows) == [["S", "A", "C"], ["S", "B", "C"]]


def test_all_shortest_paths_single_shortest(db):
    rows = run(
        db,
        "FOR path IN OUTBOUND ALL_SHORTEST_PATHS 'p/S' TO 'p/T' GRAPH 'roads' RETURN path.edges[*]._key",
    )
    assert rows == [["st"]]


def test_all_shortest_paths_without_connection(db):
    assert run(db, "FOR path IN OUTBOUND ALL_SHORTEST_PATHS 'p/T' TO 'p/S' r RETURN path") == []


def test_all_shortest_paths_inbound(db):
    rows = run(
        db, "FOR path IN INBOUND ALL_SHORTEST_PATHS 'p/C' TO 'p/S' r RETURN path.vertices[*]._key"
    )
    assert sorted(rows) == [["C", "A", "S"], ["C", "B", "S"]]


def test_path_search_variable_count(db):
    # K_PATHS "emits the variable path"
    with pytest.raises(ArangoMLMetaError):
        db.query("FOR a, b IN OUTBOUND K_PATHS 'p/S' TO 'p/T' r RETURN a")
