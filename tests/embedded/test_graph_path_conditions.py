"""Path conditions during weighted and globally unique traversals (see ``path_conditions.py``).

From ArangoDB's weighted-traversal suite (``WeightedTraveralsTestSuite`` and
``WeightedTraveralsErrorTestSuite``, in ``tests/js/client/aql``): a FILTER over every
vertex or edge of the path, or over one depth of it, is checked as the walk makes
its paths, so that with ``uniqueVertices: 'global'`` a vertex first reached on a path
that fails is still found on one that passes. The graph (edge weights in
``weight``; vertex 6 has ``value`` 0, the others 1)::

    1 -> 2 - 10 -> 3 -> 5
     \\             |
     1.5          0.5
       \\          |
        4 - 2 -> 6
"""

from __future__ import annotations

import pytest

from .helpers import make_db, query_error, run

VERTICES = [{"_key": k, "value": 0 if k == "6" else 1} for k in "123456"]
EDGES = [
    {"_from": "v/1", "_to": "v/2", "weight": 1},
    {"_from": "v/2", "_to": "v/3", "weight": 10},
    {"_from": "v/1", "_to": "v/4", "weight": 1.5},
    {"_from": "v/4", "_to": "v/6", "weight": 2},
    {"_from": "v/6", "_to": "v/3", "weight": 0.5},
    {"_from": "v/3", "_to": "v/5", "weight": 1},
]
# a breadth-first graph: 1 reaches 3 through 6 (value 0) and through 2, 6 first
BFS_EDGES = [
    {"_from": "v/1", "_to": "v/6"},
    {"_from": "v/1", "_to": "v/2"},
    {"_from": "v/6", "_to": "v/3"},
    {"_from": "v/2", "_to": "v/3"},
]
NEGATIVE = [{"_from": "v/1", "_to": "v/2", "weight": -1}]


@pytest.fixture(scope="module")
def db():
    with make_db({"v": VERTICES}, {"e": EDGES, "b": BFS_EDGES, "neg": NEGATIVE}) as database:
        yield database


def to_five(db, condition: str, unique: str = "global", limit: int = 1):
    """The weighted walk from 1 to 5 of the suite's shortest-path tests."""
    query = f"""
        FOR v, e, p IN 1..10 OUTBOUND 'v/1' e
          PRUNE v._id == 'v/5'
          OPTIONS {{order: 'weighted', weightAttribute: 'weight', uniqueVertices: '{unique}'}}
          {condition}
          FILTER v._id == 'v/5'
          LIMIT {limit}
          RETURN {{path: p.vertices[*]._key, weight: p.weights[-1]}}
    """
    return run(db, query)


def test_weighted_walk_finds_the_lightest_path(db):
    assert to_five(db, "") == [{"path": ["1", "4", "6", "3", "5"], "weight": 5}]


PAST_VERTEX_6 = [{"path": ["1", "2", "3", "5"], "weight": 12}]


@pytest.mark.parametrize(
    "condition",
    [
        "FILTER p.vertices[*].value ALL > 0",  # testShortestPathWithVertexCondition
        "FILTER p.edges[*].weight ALL >= 1",  # testShortestPathWithEdgeCondition
        "FILTER p.vertices[*].value NONE == 0",
        "FILTER p.edges[2].weight >= 1",  # the edge at one depth
        "FILTER p.vertices[2].value > 0",  # the vertex at one depth
        "FILTER p.vertices[*].value ALL > 0 AND LENGTH(p.edges) > 0",  # a conjunct
        "LET n = LENGTH(p.edges) FILTER p.vertices[*].value ALL > 0",  # past a LET
    ],
)
def test_a_path_condition_drops_paths_as_the_walk_makes_them(db, condition):
    assert to_five(db, condition) == PAST_VERTEX_6


def test_a_condition_past_a_subquery_is_not_checked_while_walking(db):
    # the engine's choice (a subquery may write): the FILTER then only filters, and the
    # lightest path to 5, through 6, fails it
    condition = "LET n = (FOR x IN [1] RETURN x) FILTER p.vertices[*].value ALL > 0"
    assert to_five(db, condition) == []


def test_an_any_condition_only_filters(db):
    # ANY is not decided by a path's beginning: the lightest path passes it through 6
    found = to_five(db, "FILTER p.vertices[*].value ANY == 0")
    assert found == [{"path": ["1", "4", "6", "3", "5"], "weight": 5}]


def test_path_uniqueness_finds_every_path_in_order_of_weight(db):
    found = to_five(db, "", unique="path", limit=3)
    assert found == [
        {"path": ["1", "4", "6", "3", "5"], "weight": 5},
        {"path": ["1", "2", "3", "5"], "weight": 12},
    ]


def test_a_start_vertex_that_fails_the_condition_gives_nothing(db):
    query = """
        FOR v, e, p IN 0..3 OUTBOUND 'v/6' e
          OPTIONS {order: 'weighted', uniqueVertices: 'global'}
          FILTER p.vertices[*].value ALL > 0
          RETURN v._key
    """
    assert run(db, query) == []


def test_the_first_weighted_paths(db):
    query = """
        FOR v, e, p IN 1..10 OUTBOUND 'v/1' e
          OPTIONS {order: 'weighted', weightAttribute: 'weight'}
          LIMIT 3
          RETURN {path: p.vertices[*]._key, weight: p.weights[-1]}
    """
    assert run(db, query) == [
        {"path": ["1", "2"], "weight": 1},
        {"path": ["1", "4"], "weight": 1.5},
        {"path": ["1", "4", "6"], "weight": 3.5},
    ]


def test_breadth_first_global_walk_finds_a_vertex_past_a_failing_path(db):
    query = """
        FOR v, e, p IN 1..2 OUTBOUND 'v/1' b
          OPTIONS {order: 'bfs', uniqueVertices: 'global'}
          FILTER p.vertices[*].value ALL > 0
          RETURN p.vertices[*]._key
    """
    assert sorted(run(db, query)) == [["1", "2"], ["1", "2", "3"]]


def test_a_negative_weight_is_an_error_before_the_first_path_is_read(db):
    # WeightedTraveralsErrorTestSuite.testShortestPathNegativeEdgeWeight: LIMIT 1 of 0..10
    query = """
        FOR v, e, p IN 0..10 OUTBOUND 'v/1' neg
          OPTIONS {order: 'weighted', weightAttribute: 'weight', uniqueVertices: 'global'}
          LIMIT 1
          RETURN v
    """
    assert query_error(db, query) == 1948


def test_a_negative_default_weight_is_an_error(db):
    # WeightedTraveralsErrorTestSuite.testShortestPathNegativeDefaultEdgeWeight
    query = """
        FOR v, e, p IN 0..10 OUTBOUND 'v/1' e
          OPTIONS {order: 'weighted', defaultWeight: @weight, uniqueVertices: 'global'}
          LIMIT 1
          RETURN v
    """
    assert query_error(db, query, weight=-1) == 1948
