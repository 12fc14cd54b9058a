"""A SORT on one key that no LIMIT follows, streamed in index order (see ``index_sort.py``).

``FOR d IN c [FILTER ...] SORT d.path RETURN ...`` reads every row in the order of
an index instead of the SORT holding them all: each result must equal the one the
scan-everything-then-sort plan gives (every type, ties in insertion order, both
directions, FILTERs in SQL and in Python, a write in the same query), while the
SORT stage does not run and a cursor holds a batch of documents at a time.
The streams' batch sizes are set small here so that few rows make many batches.
"""

from __future__ import annotations

import contextlib
import gc
import tracemalloc
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arangoml_meta.embedded import EmbeddedDatabase, sorted_reads
from arangoml_meta.embedded.executor import QueryCompiler

from .helpers import make_db, run
from .test_index_sort import INDEXES, MIXED, SCALARS, documents, outcome, scan_then_sort


@contextlib.contextmanager
def stream_batches(first: int, most: int) -> Iterator[None]:
    """Streams read ``first`` rows at first, then at most ``most`` a batch."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sorted_reads, "_STREAM_FIRST", first)
        patch.setattr(sorted_reads, "_STREAM_MOST", most)
        yield


@contextlib.contextmanager
def sorts_run() -> Iterator[list[int]]:
    """How many rows SORT stages sorted (a streamed SORT runs none)."""
    sorted_rows = [0]
    original = QueryCompiler.compile_sort

    def compile_sort(self: QueryCompiler, op: Any, limit: Any = None) -> Any:
        stage = original(self, op, limit)

        def counted(upstream: Iterator[None], frame: list[Any]) -> Iterator[None]:
            for _ in stage(upstream, frame):
                sorted_rows[0] += 1
                yield None

        return counted

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(QueryCompiler, "compile_sort", compile_sort)
        yield sorted_rows


def streamed_and_plain(
    docs: list[dict[str, Any]], indexes: list[dict[str, Any]], aql: str, **bind: Any
) -> tuple[Any, Any, int]:
    """(rows streamed, rows scanned then sorted, rows the streamed run's SORT stages sorted)."""
    results = []
    for plain in (False, True):
        with make_db({"c": docs}) as db:
            for index in indexes:
                db.ensure_index("c", **index)
            with (
                scan_then_sort() if plain else stream_batches(1, 2),
                sorts_run() as sorted_rows,
            ):
                results.append(outcome(db, aql, bind))
            if not plain:
                counted = sorted_rows[0]
    return results[0], results[1], counted


def assert_streamed(
    docs: list[dict[str, Any]], indexes: list[dict[str, Any]], aql: str, **bind: Any
) -> Any:
    """The rows of ``aql``, checked equal to scanning then sorting, and read in index order."""
    streamed, plain, sorted_rows = streamed_and_plain(docs, indexes, aql, **bind)
    assert streamed == plain
    assert sorted_rows == 0
    return streamed


# --------------------------------------------------------------------------- semantics


@pytest.mark.parametrize("direction", ["", "DESC"])
def test_keys_in_both_directions(direction):
    keys = [f"{i:012d}" for i in range(40)]
    docs = [{"_key": k} for k in keys[::3] + keys[1::3] + keys[2::3]]  # not in key order
    rows = assert_streamed(docs, [], f"FOR d IN c SORT d._key {direction} RETURN d._key")
    assert rows == (keys[::-1] if direction else keys)


def test_keys_that_code_points_and_aql_order_apart():
    keys = ["b", "B", "a", "A", "_x", "-x", "0", "9", ":", "@", "a(", "a)", "aB", "ab", "Ab"]
    docs = [{"_key": k} for k in keys]
    for direction in ("ASC", "DESC"):
        assert_streamed(docs, [], f"FOR d IN c SORT d._key {direction} RETURN d._key")


@pytest.mark.parametrize("direction", ["ASC", "DESC"])
def test_iso_timestamps_with_equal_ones_in_insertion_order(direction):
    docs = [{"i": i, "at": f"2024-0{1 + i % 3}-1{i % 4}T10:00:0{i % 2}.000Z"} for i in range(30)]
    rows = assert_streamed(
        docs, [{"fields": ["at"]}], f"FOR d IN c SORT d.at {direction} RETURN [d.at, d.i]"
    )
    assert [row[0] for row in rows] == sorted((row[0] for row in rows), reverse=direction == "DESC")


@pytest.mark.parametrize("direction", ["ASC", "DESC"])
@pytest.mark.parametrize("sparse", [False, True])
def test_numbers_with_long_runs_of_equal_ones(direction, sparse):
    # runs longer than a batch: each batch goes on with the rest of the last value's run
    values = [3, 1, 2.5, 1, 3, 1, 2**64, 2**64 + 1.0, 1, -0.0, 0, 1, 3, 2.5, 1, None]
    docs = [{"v": v, "i": i} for i, v in enumerate(values)] + [{"i": -1}]
    aql = f"FOR d IN c SORT d.v {direction} RETURN d.i"
    assert_streamed(docs, [{"fields": ["v"], "sparse": sparse}], aql)


@pytest.mark.parametrize("direction", ["ASC", "DESC"])
@pytest.mark.parametrize("sparse", [False, True])
def test_mixed_types_and_nulls(direction, sparse):
    docs = [{"i": i, **({} if v == "missing" else {"v": v})} for i, v in enumerate(MIXED)]
    aql = f"FOR d IN c SORT d.v {direction} RETURN d.i"
    assert_streamed(docs, [{"fields": ["v"], "sparse": sparse}], aql)


def test_equal_values_of_every_class_keep_insertion_order():
    values = [None, False, True, 7, 7.5, "s", [1], {"a": 1}]
    docs = [{"v": values[i % len(values)], "i": i} for i in range(len(values) * 5)]
    for direction in ("ASC", "DESC"):
        assert_streamed(docs, [{"fields": ["v"]}], f"FOR d IN c SORT d.v {direction} RETURN d.i")


@pytest.mark.parametrize(
    "filters",
    [
        "FILTER d.name == 'x'",  # a pin of the index's first field
        "FILTER d.name IN ['x', 'y']",  # two prefixes, merged
        "FILTER d.n > 3",  # in SQL, not the index's
        "FILTER LENGTH(TO_STRING(d.n)) == 1",  # left to Python
        "FILTER d.name == 'x' FILTER d.n % 2 == 0",
    ],
)
def test_filters(filters):
    docs = [{"name": "xyz"[i % 3], "n": i, "at": f"2024-01-{1 + i % 9:02d}"} for i in range(40)]
    aql = f"FOR d IN c {filters} SORT d.at DESC RETURN d.n"
    assert_streamed(docs, [{"fields": ["name", "at"]}, {"fields": ["at"]}], aql)


def test_a_bound_sort_path_and_direction():
    docs = [{"m": {"v": (i * 7) % 5}, "i": i} for i in range(20)]
    aql = "FOR d IN c SORT d.@sort @dir RETURN d.i"
    assert_streamed(docs, [{"fields": ["m.v"]}], aql, sort=["m", "v"], dir="DESC")


def test_a_subquery_and_a_later_limit():
    docs = [{"v": i % 4, "i": i} for i in range(20)]
    aql = """
    LET top = (FOR d IN c SORT d.v DESC RETURN d.i)
    FOR d IN c FILTER d.i > 2 SORT d.v LET x = [d.v, d.i] LIMIT 1, 5 RETURN [top, x]
    """
    assert_streamed(docs, [{"fields": ["v"]}], aql)


def test_without_an_index_the_sort_stage_runs():
    docs = [{"v": i % 4, "i": i} for i in range(20)]
    streamed, plain, sorted_rows = streamed_and_plain(docs, [], "FOR d IN c SORT d.v RETURN d.i")
    assert streamed == plain
    assert sorted_rows == 20


@pytest.mark.parametrize(
    ("write", "written"),
    [
        ("UPDATE d WITH {v: 10 - d.v} IN c", "[OLD.v, NEW.v]"),
        ("REPLACE d WITH {v: d.v, i: d.i + 100} IN c", "NEW.i"),
        ("INSERT {v: d.v - 1, i: d.i + 100} INTO c", "NEW.v"),
        ("REMOVE d IN c", "OLD._key"),
    ],
)
@pytest.mark.parametrize("direction", ["ASC", "DESC"])
def test_a_query_writing_the_collection_reads_it_first(write, written, direction):
    # each write moves or adds rows where the rows still to read would be
    docs = [{"_key": f"k{i:02d}", "v": (i * 7) % 10, "i": i} for i in range(20)]
    aql = f"FOR d IN c FILTER d.i % 3 != 1 SORT d.v {direction} {write} RETURN [d.i, {written}]"
    after = "FOR d IN c SORT d._key RETURN [d._key, d.v, d.i]"
    results = []
    for plain in (False, True):
        with make_db({"c": docs}) as db:
            db.ensure_index("c", ["v"])
            with scan_then_sort() if plain else stream_batches(1, 2):
                results.append((run(db, aql), run(db, after)))
    assert results[0] == results[1]
    assert len(results[0][0]) == 13


@pytest.mark.parametrize("sort", ["d.n", "d.n DESC", "d._key", "d._key DESC"])
def test_a_cursor_reads_the_snapshot_it_began_with(tmp_path, sort):
    path = str(tmp_path / "store.db")
    docs = [{"_key": f"k{i:02d}", "n": (i * 7) % 10} for i in range(10)]
    with make_db({"c": docs}, path=path) as reader, EmbeddedDatabase(path) as writer:
        reader.ensure_index("c", ["n"])
        aql = f"FOR d IN c SORT {sort} RETURN [d._key, d.n]"
        with scan_then_sort():
            expected = run(reader, aql)
        reader.close()
        with EmbeddedDatabase(path) as streamed, stream_batches(1, 2):
            rows = streamed.cursor(aql)
            taken = [next(rows) for _ in range(3)]
            # another connection commits rows before, among and after those still to read
            changes = (
                "FOR d IN c FILTER d.n % 2 == 0 UPDATE d WITH {n: 9 - d.n} IN c",
                "FOR k IN ['k00', 'k50', 'k99'] UPSERT {_key: k} INSERT {_key: k, n: 5} "
                "REPLACE {n: -1} IN c",
            )
            for change in changes:
                writer.query(change)
            assert taken + list(rows) == expected
        assert run(writer, aql) != expected  # read now, the changes show


# --------------------------------------------------------------------------- property

FILTERS = [
    "",
    "FILTER d.name == @name",
    "FILTER d.name IN @names",
    "FILTER d.version >= @low",
    "FILTER d.name == @name AND d.t == @t",
    "FILTER @name == d.name AND d.n.v != null",
    "FILTER TO_STRING(d.t) != '1'",
    "FILTER d._key > @k",
    "FILTER d._key <= @k AND d.version != null",
]
SORTS = ["d.version", "d.version DESC", "d.version @dir", "d.n.v", "d._key", "d._key DESC"]
RETURNS = ["d._key", "UNSET(d, '_rev')", "[d._key, d.version, d.n]"]
SHAPES = [
    "FOR d IN c {filter} SORT {sort} RETURN {ret}",
    "LET s = (FOR d IN c {filter} SORT {sort} RETURN {ret}) RETURN s",
    "FOR d IN c {filter} SORT {sort} LET r = {ret} LIMIT @count RETURN r",
]


@st.composite
def queries(draw: Any) -> tuple[str, dict[str, Any]]:
    aql = draw(st.sampled_from(SHAPES)).format(
        filter=draw(st.sampled_from(FILTERS)),
        sort=draw(st.sampled_from(SORTS)),
        ret=draw(st.sampled_from(RETURNS)),
    )
    values = {
        "name": draw(st.sampled_from([None, "x", "y", 1])),
        "names": draw(st.lists(st.sampled_from(["x", "y", "X", 1.5]), max_size=3)),
        "low": draw(st.sampled_from([0, 1.5, -2, 2**53])),
        "t": draw(SCALARS),
        "dir": draw(st.sampled_from(["ASC", "DESC", True, False])),
        "count": draw(st.integers(0, 6)),
        "k": draw(st.sampled_from(["", "1", "12", "2", "9", "a"])),
    }
    return aql, {name: value for name, value in values.items() if "@" + name in aql}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    docs=st.lists(documents(), max_size=30),
    indexes=st.sampled_from(INDEXES),
    checks=st.lists(queries(), min_size=1, max_size=4),
    first=st.integers(1, 3),
    most=st.integers(1, 4),
)
def test_streamed_order_equals_scan_then_sort(docs, indexes, checks, first, most):
    with (
        make_db({"c": docs}) as streamed,
        make_db({"c": docs}) as plain,
        stream_batches(first, most),
    ):
        for index in indexes:
            streamed.ensure_index("c", **index)
            plain.ensure_index("c", **index)
        for aql, bind in checks:
            with scan_then_sort():
                expected = outcome(plain, aql, bind)
            assert outcome(streamed, aql, bind) == expected, aql


# --------------------------------------------------------------------------- memory

ROWS = 3000


@pytest.fixture(scope="module")
def large() -> Iterator[tuple[EmbeddedDatabase, EmbeddedDatabase]]:
    """Two databases alike (a query's plan is kept per database: one for each plan)."""
    docs = [
        {"_key": f"{i * 7919 % ROWS:012d}", "at": f"2024-{i % 12 + 1:02d}-01", "pad": "x" * 1000}
        for i in range(ROWS)
    ]
    with make_db({"c": docs}) as streamed, make_db({"c": docs}) as plain:
        for db in (streamed, plain):
            db.ensure_index("c", ["at"])
        yield streamed, plain


def peak_of_cursor(db: EmbeddedDatabase, aql: str) -> tuple[int, int]:
    """(rows, tracemalloc peak in bytes) of draining a cursor over ``aql``."""
    gc.collect()
    tracemalloc.start()
    try:
        count = sum(1 for _ in db.cursor(aql))
        return count, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("sort", ["d._key", "d._key DESC", "d.at", "d.at DESC"])
def test_a_sorted_cursor_holds_a_batch_of_documents_not_all(large, sort):
    aql = f"FOR d IN c SORT {sort} RETURN d"
    streamed_db, plain_db = large
    with stream_batches(16, 100):
        count, streamed = peak_of_cursor(streamed_db, aql)
    with scan_then_sort():
        _, held = peak_of_cursor(plain_db, aql)
    assert count == ROWS
    # every document is ~1 KB: all of them held take over 3 MB, 100 of them ~0.1 MB
    assert held > 3_000_000
    assert streamed < held / 8, (streamed, held)
