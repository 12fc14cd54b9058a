"""The query options memoryLimit (error 32) and maxRuntime (error 1500), as ArangoDB has them.

Queries that would explode — products, dense-graph walks, loops of SLEEP, a
quadratic string function on long strings — stop with the limit's error; what
fits runs; options the engine does not know, or values that are not numbers,
are ignored as ArangoDB ignores them. No test times anything: a query that
failed to stop would not finish.
"""

from __future__ import annotations

from typing import Any

import pytest

from arangoml_meta.embedded import EmbeddedDatabase, limits
from arangoml_meta.embedded.limits import Budget, estimate_size, frame_size
from arangoml_meta.errors import (
    ERROR_QUERY_KILLED,
    ERROR_RESOURCE_LIMIT,
    QueryError,
    error_for,
)

from .helpers import make_db

MB = 1 << 20
PRODUCT = "FOR a IN 1..10000 FOR b IN 1..10000 RETURN [a, b]"
QUIET_PRODUCT = "FOR a IN 1..10000 FOR b IN 1..10000 FILTER a < 0 RETURN a"
SLEEPS = "FOR i IN 1..100 RETURN SLEEP(10)"
DENSE_SIZE = 200


def limit_error(db: EmbeddedDatabase, aql: str, options: dict[str, Any]) -> QueryError:
    with pytest.raises(QueryError) as info:
        db.query(aql, options=options)
    return info.value


@pytest.fixture
def db() -> EmbeddedDatabase:
    return EmbeddedDatabase()


@pytest.fixture(scope="module")
def dense() -> EmbeddedDatabase:
    """200 vertices, each linked to every other one (39,800 edges)."""
    vertices = [{"_key": str(i)} for i in range(DENSE_SIZE)]
    edges = [
        {"_from": f"v/{i}", "_to": f"v/{j}"}
        for i in range(DENSE_SIZE)
        for j in range(DENSE_SIZE)
        if i != j
    ]
    return make_db({"v": vertices}, {"e": edges})


# ---------------------------------------------------------------------- options read as ArangoDB reads them


@pytest.mark.parametrize(
    "options",
    [
        {"memoryLimit": "1000"},  # not a number: ignored
        {"memoryLimit": True},
        {"memoryLimit": None},
        {"memoryLimit": -5},  # not above zero: no limit
        {"memoryLimit": 0},
        {"maxRuntime": "0.001"},
        {"maxRuntime": float("nan")},
        {"maxRuntime": -1},
        {"maxNumberOfPlans": 1, "fullCount": True, "noSuchOption": {"x": 1}},  # unknown: ignored
        {},
        None,
    ],
    ids=repr,
)
def test_options_that_set_no_limit_are_ignored(db: EmbeddedDatabase, options: Any) -> None:
    rows = db.query("FOR i IN 1..1000 SORT i DESC LIMIT 2 RETURN i", options=options)
    assert rows == [1000, 999]
    assert rows.stats["peakMemoryUsage"] == 0  # nothing is counted without a memory limit


def test_budget_from_options_reads_numbers_only() -> None:
    budget = Budget.from_options({"memoryLimit": 2.5e6, "maxRuntime": 1.5, "other": 3})
    assert (budget.memory_limit, budget.max_runtime) == (2_500_000, 1.5)
    assert Budget.from_options({"memoryLimit": "1", "maxRuntime": [1]}).memory_limit == 0


# ---------------------------------------------------------------------- memoryLimit: error 32


def test_a_product_past_the_memory_limit_fails_with_32(db: EmbeddedDatabase) -> None:
    error = limit_error(db, PRODUCT, {"memoryLimit": 20 * MB})
    assert error.error_num == ERROR_RESOURCE_LIMIT
    assert "query would use more memory than allowed" in error.message
    assert error.details["limit"] == "memoryLimit"


def test_a_query_within_the_memory_limit_runs_and_reports_its_peak(db: EmbeddedDatabase) -> None:
    rows = db.query("FOR i IN 1..1000 RETURN {i}", options={"memoryLimit": 10 * MB})
    assert len(rows) == 1000
    assert 1000 * 100 < rows.stats["peakMemoryUsage"] < 10 * MB


def test_the_rows_of_a_writing_query_count_once(db: EmbeddedDatabase) -> None:
    """A writing query runs to its end before its rows are read; they are held once."""
    db.create_collection("docs")
    options = {"memoryLimit": 1 << 40}
    reading = db.query("FOR i IN 1..2000 RETURN {i, s: 'xxxxxxxx'}", options=options)
    writing = db.query(
        "FOR i IN 1..2000 INSERT {i} INTO docs RETURN {i, s: 'xxxxxxxx'}", options=options
    )
    assert writing.stats["peakMemoryUsage"] == reading.stats["peakMemoryUsage"] > 0


def test_the_peak_is_proportional_to_what_is_held(db: EmbeddedDatabase) -> None:
    peaks = [
        db.query(f"FOR i IN 1..{n} RETURN [i, 'x']", options={"memoryLimit": 1 << 40}).stats[
            "peakMemoryUsage"
        ]
        for n in (1000, 2000, 4000)
    ]
    assert peaks[1] == 2 * peaks[0] and peaks[2] == 4 * peaks[0]


@pytest.mark.parametrize(
    "aql",
    [
        "FOR i IN 1..4000 RETURN CONCAT(i, ':', {s})",  # the result
        "FOR i IN 1..4000 SORT i DESC RETURN CONCAT(i, ':', {s})",  # ... and a sort
        "RETURN LENGTH(FOR i IN 1..4000 RETURN CONCAT(i, ':', {s}))",  # a subquery
    ],
    ids=["result", "sort", "subquery"],
)
def test_rows_past_the_measured_ones_count_as_much_as_those(db: EmbeddedDatabase, aql: str) -> None:
    """Rows are measured one by one at first, then one in a few stands for the rest: the
    4,000 rows of 2 kB hold ~8 MB, the measured first ones well under 2 MB."""
    text = aql.format(s=repr("x" * 2000))
    assert limits.MEASURED_ITEMS * 2100 < 2 * MB
    assert limit_error(db, text, {"memoryLimit": 2 * MB}).error_num == ERROR_RESOURCE_LIMIT
    held = db.query(text, options={"memoryLimit": 64 * MB}).stats["peakMemoryUsage"]
    assert 4000 * 2000 < held < 4000 * 2000 * 2


@pytest.mark.parametrize(
    "aql",
    [
        # the LIMIT's offset and count reach the end: the sort holds every row (with LIMIT 1
        # it would hold one, as ArangoDB's sort-limit does: test_bounded_reads.py)
        "FOR i IN 1..200000 SORT i DESC LIMIT 199999, 1 RETURN i",
        "FOR i IN 1..200000 COLLECT k = i % 2 INTO g RETURN k",
        "FOR i IN 1..200000 COLLECT AGGREGATE s = SUM(i) RETURN s",
        "RETURN LENGTH(FOR i IN 1..200000 RETURN i)",
        "RETURN LENGTH(FOR i IN 1..200000 RETURN DISTINCT i)",
    ],
    ids=["sort", "collect-into", "collect-aggregate", "subquery", "distinct"],
)
def test_what_a_query_holds_counts_though_it_returns_one_row(
    db: EmbeddedDatabase, aql: str
) -> None:
    assert db.query(aql, options={"memoryLimit": 1 << 40})  # it runs without the limit
    assert limit_error(db, aql, {"memoryLimit": 4 * MB}).error_num == ERROR_RESOURCE_LIMIT


def test_what_a_finished_part_held_is_given_back(db: EmbeddedDatabase) -> None:
    # each SORT holds ~1,000 rows; 200 of them at once would not fit, one at a time does
    aql = "FOR x IN 1..200 RETURN LENGTH(FOR i IN 1..1000 SORT -i RETURN i)"
    one = db.query(
        "RETURN LENGTH(FOR i IN 1..1000 SORT -i RETURN i)", options={"memoryLimit": 1 << 40}
    )
    limit = 3 * one.stats["peakMemoryUsage"]
    assert db.query(aql, options={"memoryLimit": limit}) == [1000] * 200


def test_a_dense_traversal_past_the_memory_limit_fails_with_32(dense: EmbeddedDatabase) -> None:
    aql = "FOR v IN 1..100 OUTBOUND 'v/0' e OPTIONS {uniqueVertices: 'none'} RETURN v"
    assert limit_error(dense, aql, {"memoryLimit": 10 * MB}).error_num == ERROR_RESOURCE_LIMIT


@pytest.mark.parametrize("order", ["bfs", "weighted"])
def test_a_walk_frontier_counts_though_nothing_is_returned(
    dense: EmbeddedDatabase, order: str
) -> None:
    aql = (
        f"FOR v IN 1..4 OUTBOUND 'v/0' e OPTIONS {{order: '{order}', uniqueVertices: 'none'}} "
        "FILTER v == null RETURN v"
    )
    assert limit_error(dense, aql, {"memoryLimit": 20 * MB}).error_num == ERROR_RESOURCE_LIMIT


def test_k_paths_count_the_paths_they_sort(dense: EmbeddedDatabase) -> None:
    aql = "FOR p IN 1..3 OUTBOUND K_PATHS 'v/0' TO 'v/1' e LIMIT 1 RETURN LENGTH(p.edges)"
    assert limit_error(dense, aql, {"memoryLimit": 2 * MB}).error_num == ERROR_RESOURCE_LIMIT


def test_memory_limit_zero_is_no_limit(db: EmbeddedDatabase) -> None:
    assert db.query("FOR i IN 1..3 RETURN i", options={"memoryLimit": 0}) == [1, 2, 3]


# ---------------------------------------------------------------------- maxRuntime: error 1500


def test_a_product_past_the_runtime_fails_with_1500(db: EmbeddedDatabase) -> None:
    error = limit_error(db, QUIET_PRODUCT, {"maxRuntime": 0.2})
    assert error.error_num == ERROR_QUERY_KILLED
    assert "query killed" in error.message
    assert error.details["limit"] == "maxRuntime"


def test_sleep_waits_on_the_deadline(db: EmbeddedDatabase) -> None:
    error = limit_error(db, SLEEPS, {"maxRuntime": 0.2})
    assert error.error_num == ERROR_QUERY_KILLED
    assert error.details["limit"] == "maxRuntime"


def test_sleep_within_the_runtime_returns_null(db: EmbeddedDatabase) -> None:
    assert db.query("RETURN SLEEP(0.01)", options={"maxRuntime": 30}) == [None]


def test_a_dense_traversal_past_the_runtime_fails_with_1500(dense: EmbeddedDatabase) -> None:
    aql = (
        "FOR v IN 1..100 OUTBOUND 'v/0' e OPTIONS {uniqueVertices: 'none'} "
        "FILTER v == null RETURN v"
    )
    assert limit_error(dense, aql, {"maxRuntime": 0.3}).error_num == ERROR_QUERY_KILLED


@pytest.mark.parametrize("function", ["LEVENSHTEIN_DISTANCE", "NGRAM_SIMILARITY"])
def test_a_quadratic_string_function_is_interrupted(db: EmbeddedDatabase, function: str) -> None:
    args = "REPEAT('ab', 50000), REPEAT('ba', 50000)" + (
        ", 2" if function.startswith("NGRAM") else ""
    )
    aql = f"RETURN {function}({args})"
    assert limit_error(db, aql, {"maxRuntime": 0.3}).error_num == ERROR_QUERY_KILLED


@pytest.mark.parametrize("function", ["CRC32", "FNV64"])
def test_a_checksum_of_long_text_is_interrupted(db: EmbeddedDatabase, function: str) -> None:
    aql = f"FOR i IN 1..1000 RETURN {function}(REPEAT('abcd', 4000000))"
    assert limit_error(db, aql, {"maxRuntime": 0.3}).error_num == ERROR_QUERY_KILLED


def test_a_collection_product_past_the_runtime_fails_with_1500() -> None:
    db = make_db({"c": [{"n": i} for i in range(300)]})
    aql = "FOR a IN c FOR b IN c FOR d IN c FILTER a.n < 0 RETURN a"
    assert limit_error(db, aql, {"maxRuntime": 0.2}).error_num == ERROR_QUERY_KILLED


def test_max_runtime_zero_is_no_limit(db: EmbeddedDatabase) -> None:
    assert db.query("RETURN SLEEP(0.01)", options={"maxRuntime": 0}) == [None]


def test_a_failed_query_leaves_the_database_usable(db: EmbeddedDatabase) -> None:
    limit_error(db, PRODUCT, {"memoryLimit": MB})
    assert db.query(PRODUCT.replace("10000", "2"), options={"memoryLimit": MB}) == [
        [1, 1],
        [1, 2],
        [2, 1],
        [2, 2],
    ]


# ---------------------------------------------------------------------- the numbers


def test_error_32_is_a_query_error_on_every_backend() -> None:
    error = error_for(ERROR_RESOURCE_LIMIT, "query would use more memory than allowed")
    assert isinstance(error, QueryError)
    assert isinstance(error_for(ERROR_QUERY_KILLED, "query killed"), QueryError)


@pytest.mark.parametrize(
    ("value", "low", "high"),
    [
        ("", 40, 60),
        ("x" * 1000, 1000, 1100),
        ([1, 2], 100, 200),
        ({"a": 1, "bb": "text"}, 300, 500),
        (list(range(1000, 1100)), 3500, 4500),
        (None, 0, 0),
        (True, 0, 0),
    ],
    ids=["empty", "text", "pair", "object", "numbers", "null", "bool"],
)
def test_estimates_are_near_what_cpython_holds(value: Any, low: int, high: int) -> None:
    assert low <= estimate_size(value) <= high


def test_a_copied_frame_counts_each_value_once() -> None:
    shared = ["x" * 1000]
    first = [None, shared, 1]
    second = [None, shared, 2]
    assert frame_size(second, first) < frame_size(first, None) - 1000


def test_a_killed_write_query_writes_nothing() -> None:
    db = make_db({"c": [{"_key": "kept"}]})
    aql = "FOR i IN 1..10000000 INSERT {i, pause: SLEEP(0.001)} INTO c"
    assert limit_error(db, aql, {"maxRuntime": 0.3}).error_num == ERROR_QUERY_KILLED
    assert db.query("FOR d IN c RETURN d._key") == ["kept"]


def test_a_range_built_in_an_expression_must_fit(db: EmbeddedDatabase) -> None:
    aql = "RETURN LENGTH(1..1000000)"
    assert db.query(aql, options={"memoryLimit": 1 << 30}) == [1000000]
    assert limit_error(db, aql, {"memoryLimit": 10 * MB}).error_num == ERROR_RESOURCE_LIMIT


def test_a_window_counts_its_rows_and_is_interrupted(db: EmbeddedDatabase) -> None:
    aql = (
        "FOR i IN 1..200000 WINDOW {preceding: 'unbounded', following: 'unbounded'} "
        "AGGREGATE s = SUM(i) FILTER i < 0 RETURN s"
    )
    assert limit_error(db, aql, {"memoryLimit": 4 * MB}).error_num == ERROR_RESOURCE_LIMIT
    assert limit_error(db, aql, {"maxRuntime": 0.5}).error_num == ERROR_QUERY_KILLED


class FakeClock:
    """Stands in for the ``time`` module of ``limits.py``: time moves only when told."""

    def __init__(self) -> None:
        self.now = 0.0
        self.reads = 0

    def monotonic(self) -> float:
        self.reads += 1
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(limits, "time", fake)
    return fake


def test_slow_work_is_checked_at_each_tick(clock: FakeClock) -> None:
    budget = Budget(max_runtime=2)
    ticks = 0
    with pytest.raises(QueryError):
        while ticks < 1000:
            clock.now += 0.25  # each unit of work takes a quarter of a second
            ticks += 1
            budget.tick()
    assert ticks == 9  # the first tick past the 2 s deadline


def test_fast_work_reads_the_clock_every_32_ticks(clock: FakeClock) -> None:
    budget = Budget(max_runtime=2)
    for _ in range(3200):
        clock.now += 1e-6
        budget.tick()
    assert clock.reads <= 3200 // 32 + 6  # 1, 2, 4, ... 32 ticks apart
