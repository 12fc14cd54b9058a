"""A traversal run once per row of a FOR over a collection (compare_models' shape:
``LET run = FIRST(FOR r, e IN 1..1 INBOUND m GRAPH ... SORT r._id RETURN r)``) costs
one statement a row: the start is a stored document (nothing asks whether it
exists), and the statement reading its edges reads their far ends too. What a
SORT inside it holds is only what it adds to the frame, measured as the rows of
one run of like items across its runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from arangoml_meta.embedded import EmbeddedDatabase
from arangoml_meta.embedded.graph_view import GraphView
from arangoml_meta.errors import QueryError

from .helpers import make_db

WALK = """
FOR m IN models
  LET run = FIRST(
    FOR r, e IN 1..1 INBOUND m GRAPH 'lineage'
      FILTER IS_SAME_COLLECTION('outputs', e)
      SORT r._id
      RETURN r
  )
  SORT m._key
  RETURN [m._key, run._id, run.metrics.accuracy, run.params]
"""


@pytest.fixture
def db() -> Iterator[EmbeddedDatabase]:
    runs = [
        {"_key": f"r{i}", "metrics": {"accuracy": i / 10}, "params": {"lr": i}} for i in range(6)
    ]
    runs.append({"_key": "bare"})  # no metrics, no params
    models = [{"_key": f"m{i}"} for i in range(8)]
    outputs = [{"_from": f"runs/r{i}", "_to": f"models/m{i}"} for i in range(6)]
    outputs += [
        {"_from": "runs/bare", "_to": "models/m5"},  # two runs: the sort picks
        {"_from": "runs/gone", "_to": "models/m6"},  # a run that does not exist
    ]
    derivations = [{"_from": "models/m0", "_to": "models/m7"}]  # another edge collection
    with make_db(
        {"runs": runs, "models": models}, {"outputs": outputs, "derivations": derivations}
    ) as database:
        database.create_graph(
            "lineage",
            [
                {"collection": "outputs", "from": ["runs"], "to": ["models"]},
                {"collection": "derivations", "from": ["models"], "to": ["models"]},
            ],
        )
        yield database


def statements(
    db: EmbeddedDatabase, aql: str, bind: dict[str, Any] | None = None
) -> tuple[list[Any], list[str]]:
    traced: list[str] = []
    db.storage.tracer = lambda sql, params: traced.append(sql)
    try:
        return list(db.query(aql, bind or {})), traced
    finally:
        db.storage.tracer = None


def test_each_model_gets_its_run(db: EmbeddedDatabase) -> None:
    rows, _ = statements(db, WALK)
    assert rows == [
        ["m0", "runs/r0", 0.0, {"lr": 0}],
        ["m1", "runs/r1", 0.1, {"lr": 1}],
        ["m2", "runs/r2", 0.2, {"lr": 2}],
        ["m3", "runs/r3", 0.3, {"lr": 3}],
        ["m4", "runs/r4", 0.4, {"lr": 4}],
        ["m5", "runs/bare", None, None],  # "bare" sorts before "r5"
        ["m6", None, None, None],  # the run is missing: null, as ArangoDB binds it
        ["m7", None, None, None],  # reached by a derivation only
    ]


def test_a_walk_per_stored_document_costs_one_statement_per_edge_collection(
    db: EmbeddedDatabase,
) -> None:
    _, traced = statements(db, WALK)
    assert not [sql for sql in traced if sql.startswith("SELECT 1 ")]  # no existence check
    assert not [sql for sql in traced if "WHERE key = ?" in sql and "seq" not in sql]  # no fetch
    assert len(traced) <= 1 + 2 * 8  # the scan, then per model its edge lists


def test_a_start_that_is_not_a_stored_document_is_still_checked(db: EmbeddedDatabase) -> None:
    aql = "FOR id IN ['models/m0', 'models/nothing'] FOR r IN 1..1 INBOUND id outputs RETURN r._key"
    rows, traced = statements(db, aql)
    assert rows == ["r0"]
    assert [sql for sql in traced if sql.startswith("SELECT 1 ")]


def test_a_subquery_sort_does_not_hold_the_outer_values_again(db: EmbeddedDatabase) -> None:
    aql = """
    FOR m IN models
      LET firsts = (FOR i IN 1..3 SORT i DESC RETURN [i, LENGTH(@big)])
      RETURN firsts[0]
    """
    # the 20 KB string is the frame's; each SORT holding it again would pass 15 KB
    rows = db.query(aql, {"big": "x" * 20_000}, options={"memoryLimit": 15_000})
    assert list(rows) == [[3, 20000]] * 8


def test_a_correlated_subquery_still_counts_its_rows(db: EmbeddedDatabase) -> None:
    aql = (
        "FOR m IN models LET many = (FOR i IN 1..5000 RETURN CONCAT(m._key, i)) RETURN LENGTH(many)"
    )
    with pytest.raises(QueryError) as failed:
        db.query(aql, options={"memoryLimit": 100_000})
    assert failed.value.error_num == 32


def test_the_walks_of_one_execution_bind_their_view_once(db: EmbeddedDatabase) -> None:
    binds = []
    bind = GraphView.bind

    def counting(self: GraphView, *args: Any, **kwargs: Any) -> GraphView:
        binds.append(self)
        return bind(self, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(GraphView, "bind", counting)
        rows, _ = statements(db, WALK)
        assert len(rows) == 8
        assert len(binds) == 1
        db.query(
            "FOR m IN models INSERT {n: 1} INTO runs LET r = (FOR v IN 1..1 INBOUND m outputs RETURN v) RETURN r"
        )
        assert len(binds) > 2  # a query that writes binds it for each walk, as it always did
