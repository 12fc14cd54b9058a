"""SORT ... LIMIT read in the order of a persistent index (see ``index_sort.py``).

Reading in index order may only make a query cheaper: every result must equal
the one the scan-everything-then-sort plan gives, for any data (every type,
missing attributes, ties, integers beyond 2**53 and 2**64), direction, offset,
sparse index and shape of query. The cost of the latest version of a name, or
of one page of its versions, must not grow with the number of versions.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arangoml_meta.embedded import EmbeddedDatabase, sorted_reads
from arangoml_meta.embedded.collation import collation_key
from arangoml_meta.embedded.executor import QueryCompiler
from arangoml_meta.errors import ArangoMLMetaError

from .helpers import make_db, run

LATEST = "FOR d IN c FILTER d.name == @name SORT d.version DESC LIMIT 1 RETURN d.version"
PAGE = "FOR d IN c FILTER d.name == @name SORT d.version LIMIT @offset, 3 RETURN d.version"


@contextlib.contextmanager
def scan_then_sort() -> Iterator[None]:
    """Compile queries without the index order: every row scanned, then sorted."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(QueryCompiler, "sort_hint", lambda self, *args: None)
        yield


def outcome(db: EmbeddedDatabase, aql: str, bind: dict[str, Any]) -> Any:
    """The rows of a query, or the error number it fails with."""
    try:
        return list(db.query(aql, bind))
    except ArangoMLMetaError as exc:
        return ("error", getattr(exc, "error_num", None))


def both(
    docs: list[dict[str, Any]], indexes: list[dict[str, Any]], aql: str, **bind: Any
) -> tuple[Any, Any]:
    """(rows in index order, rows scanned then sorted) of ``aql`` over the same collection."""
    results = []
    for plain in (False, True):
        with make_db({"c": docs}) as db:
            for index in indexes:
                db.ensure_index("c", **index)
            with scan_then_sort() if plain else contextlib.nullcontext():
                results.append(outcome(db, aql, bind))
    return results[0], results[1]


class Reads:
    """Counts the statements a storage runs and the rows they return."""

    def __init__(self, db: EmbeddedDatabase) -> None:
        self.statements: list[str] = []
        self.rows = 0
        storage = db.storage
        original = storage.rows

        def rows(sql: str, params: Any) -> list[Any]:
            found = original(sql, params)
            self.statements.append(sql)
            self.rows += len(found)
            return found

        storage.rows = rows  # type: ignore[method-assign]


def versions_db(count: int, index: dict[str, Any]) -> EmbeddedDatabase:
    db = make_db({"c": [{"name": n, "version": v} for v in range(count) for n in ("a", "x")]})
    db.ensure_index("c", **index)
    return db


# --------------------------------------------------------------------------- cost


@pytest.mark.parametrize(
    "index",
    [
        {"fields": ["name", "version"], "unique": True},
        {"fields": ["name", "version"], "unique": True, "sparse": True},
        {"fields": ["name", "version"]},
    ],
)
@pytest.mark.parametrize(("aql", "bind"), [(LATEST, {}), (PAGE, {"offset": 5})])
def test_reads_do_not_grow_with_the_number_of_versions(index, aql, bind):
    reads = []
    for count in (50, 2000):
        with versions_db(count, index) as db:
            counter = Reads(db)
            rows = run(db, aql, name="x", **bind)
            reads.append((counter.statements, counter.rows))
        assert rows == ([count - 1] if aql == LATEST else [5, 6, 7])
    assert reads[0] == reads[1]


@pytest.mark.parametrize(("aql", "bind"), [(LATEST, {}), (PAGE, {"offset": 1})])
def test_a_name_with_few_versions_is_read_with_one_statement(aql, bind):
    with versions_db(5, {"fields": ["name", "version"], "unique": True}) as db:
        counter = Reads(db)
        rows = run(db, aql, name="x", **bind)
    assert rows == ([4] if aql == LATEST else [1, 2, 3])
    assert len(counter.statements) == 1
    assert counter.rows == 5


def test_the_statement_reads_the_index_in_order():
    with versions_db(20, {"fields": ["name", "version"], "unique": True}) as db:
        traced: list[tuple[str, Any]] = []
        db.storage.tracer = lambda sql, params: traced.append((sql, params))
        assert run(db, LATEST, name="x") == [19]
        ordered = [(sql, params) for sql, params in traced if "ORDER BY" in sql]
        assert ordered
        for sql, params in ordered:
            plan = " ".join(
                str(row) for row in db.storage.conn.execute("EXPLAIN QUERY PLAN " + sql, params)
            )
            assert "USING INDEX c1_i1" in plan
            # DESC: SQLite sorts each run of one value by seq, never the whole range
            assert "TEMP B-TREE FOR ORDER BY" not in plan


def test_a_query_without_filter_uses_an_index_leading_with_the_sort_path():
    with make_db({"c": [{"v": i % 7, "i": i} for i in range(50)]}) as db:
        db.ensure_index("c", ["v"])
        counter = Reads(db)
        rows = run(db, "FOR d IN c SORT d.v DESC LIMIT 2 RETURN d.i")
        assert counter.rows < 10
    assert rows == [6, 13]  # ties keep insertion order


# --------------------------------------------------------------------------- semantics

MIXED = [
    None,
    "missing",
    True,
    False,
    0,
    -1,
    2.5,
    -0.5,
    2**53 + 1,
    2**53 + 2.0,
    2**63 - 1,
    2**63 + 1,
    2**64 - 1,
    -(2**63),
    2**70,
    "",
    "a",
    "A",
    "b",
    "é",
    "10",
    "9",
    "_",
    [],
    [1],
    [1, None],
    ["a"],
    {},
    {"a": 1},
    {"a": 1, "b": None},
    1,
    "a",
    None,
]


def mixed_docs() -> list[dict[str, Any]]:
    docs = []
    for i, value in enumerate(MIXED):
        doc: dict[str, Any] = {"name": "x", "i": i}
        if value != "missing":
            doc["version"] = value
        docs.append(doc)
    docs.append({"name": "y", "version": 5, "i": -1})
    return docs


@pytest.mark.parametrize("direction", ["ASC", "DESC"])
@pytest.mark.parametrize("limit", ["1", "4", "3, 4", "0, 100", "30, 10"])
@pytest.mark.parametrize("sparse", [False, True])
def test_mixed_types_come_in_aql_order(direction, limit, sparse):
    aql = f"FOR d IN c FILTER d.name == 'x' SORT d.version {direction} LIMIT {limit} RETURN d.i"
    index = {"fields": ["name", "version"], "sparse": sparse}
    optimised, plain = both(mixed_docs(), [index], aql)
    assert optimised == plain


@pytest.mark.parametrize(
    ("sort", "limit", "expected"),
    [
        ("d.version DESC, d.t DESC, d._key DESC", "1", ["f"]),
        ("d.version DESC, d.t", "2", ["b", "d"]),
        ("d.version, d.t DESC", "1, 2", ["a", "c"]),  # c before f: equal keys, insertion order
    ],
)
def test_more_sort_keys_order_runs_of_equal_first_keys(sort, limit, expected):
    rows = [("a", 1, 3), ("b", 2, 1), ("c", 2, 3), ("d", 2, 2), ("e", 1, 9), ("f", 2, 3)]
    docs = [{"_key": k, "name": "x", "version": v, "t": t} for k, v, t in rows]
    aql = f"FOR d IN c FILTER d.name == 'x' SORT {sort} LIMIT {limit} RETURN d._key"
    optimised, plain = both(docs, [{"fields": ["name", "version"]}], aql)
    assert optimised == plain == expected


def test_equal_keys_keep_insertion_order_in_both_directions():
    docs = [{"_key": str(i), "v": i % 2} for i in range(6)]
    for direction, expected in [("ASC", ["0", "2", "4", "1"]), ("DESC", ["1", "3", "5", "0"])]:
        aql = f"FOR d IN c SORT d.v {direction} LIMIT 4 RETURN d._key"
        optimised, plain = both(docs, [{"fields": ["v"]}], aql)
        assert optimised == plain == expected


def test_sparse_index_reads_the_sort_paths_nulls_without_it():
    docs = [{"name": "x", "version": v} for v in [3, None, 1]] + [{"name": "x"}]
    aql = "FOR d IN c FILTER d.name == 'x' SORT d.version LIMIT 3 RETURN d.version"
    optimised, plain = both(docs, [{"fields": ["name", "version"], "sparse": True}], aql)
    assert optimised == plain == [None, None, 1]


def test_sparse_index_is_not_used_when_a_later_field_may_be_null():
    docs = [{"name": "x", "version": v, "t": None if v % 2 else v} for v in range(6)]
    aql = "FOR d IN c FILTER d.name == 'x' SORT d.version DESC LIMIT 2 RETURN d.version"
    index = {"fields": ["name", "version", "t"], "sparse": True}
    optimised, plain = both(docs, [index], aql)
    assert optimised == plain == [5, 4]


def test_pin_by_in_and_by_number_merges_prefixes():
    docs = [{"name": n, "version": v} for v in range(5) for n in ("a", "b", 1, "c")]
    aql = "FOR d IN c FILTER d.name IN ['a', 1, 'a'] SORT d.version DESC LIMIT 3 RETURN UNSET(d, '_rev')"
    optimised, plain = both(docs, [{"fields": ["name", "version"]}], aql)
    assert optimised == plain


def test_residual_filter_runs_until_enough_rows_pass():
    docs = [{"name": "x", "version": v, "ok": v % 5 == 0} for v in range(40)]
    aql = (
        "FOR d IN c FILTER d.name == 'x' FILTER d.ok == true OR d.ok == null "
        "SORT d.version DESC LIMIT 1, 2 RETURN d.version"
    )
    optimised, plain = both(docs, [{"fields": ["name", "version"]}], aql)
    assert optimised == plain == [30, 25]


def test_outer_loop_and_subquery_each_get_their_own_top_rows():
    docs = [{"name": n, "version": v} for v in range(6) for n in ("a", "b")]
    aql = """
    FOR n IN ['b', 'a', 'b']
      LET top = (FOR d IN c FILTER d.name == n SORT d.version DESC LIMIT 2 RETURN d.version)
      FOR d IN c FILTER d.name == n SORT d.version LIMIT 1, 2
        RETURN [n, top, d.version]
    """
    optimised, plain = both(docs, [{"fields": ["name", "version"]}], aql)
    assert optimised == plain


def test_sort_on_a_bound_attribute_path():
    docs = [{"m": {"v": (i * 7) % 5}, "i": i} for i in range(10)]
    aql = "FOR d IN c SORT d.@sort DESC LIMIT @limit RETURN d.i"
    optimised, plain = both(docs, [{"fields": ["m.v"]}], aql, sort=["m", "v"], limit=3)
    assert optimised == plain == [2, 7, 4]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("d.version DESC LIMIT 3", [109, 105, 101]),
        ("d.version DESC, d._key LIMIT 3", [109, 105, 101]),
        ("d.version LIMIT 1, 2", [105, 109]),
    ],
)
def test_a_query_writing_the_collection_reads_it_first(sort, expected):
    # every new document sorts before the rows still to read (DESC): none may be read
    docs = [{"name": "x", "version": v} for v in range(10)]
    aql = f"""
    FOR d IN c FILTER d.name == 'x' FILTER d.version * 1 IN [9, 5, 1] SORT {sort}
      INSERT {{name: 'x', version: d.version + 100}} INTO c
      RETURN NEW.version
    """
    results = []
    for plain in (False, True):
        with make_db({"c": docs}) as db:
            db.ensure_index("c", ["name", "version"])
            with scan_then_sort() if plain else contextlib.nullcontext():
                rows = run(db, aql)
            results.append((rows, run(db, "FOR d IN c SORT d._key RETURN d.version")))
    assert results[0] == results[1]
    assert results[0][0] == expected


@pytest.mark.parametrize("limit", ["-1", "'a'", "@bad"])
def test_bad_limit_values_fail_as_before(limit):
    aql = f"FOR d IN c FILTER d.name == 'x' SORT d.version LIMIT {limit} RETURN d"
    bind = {"bad": "x"} if limit == "@bad" else {}
    optimised, plain = both(mixed_docs(), [{"fields": ["name", "version"]}], aql, **bind)
    assert optimised == plain
    assert optimised[0] == "error"


# --------------------------------------------------------------------------- property

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-3, max_value=3),
    st.sampled_from([0.5, -1.5, 2.5, -0.0, 1e20, 2**53 + 2.0]),
    st.sampled_from([2**53, 2**53 + 1, 2**63 - 1, 2**63, 2**64 - 1, -(2**63) - 1, 2**70]),
    st.sampled_from(["", "a", "A", "b", "B", "é", "e", "-", "_", "10", "9"]),
)
VALUES = st.one_of(
    SCALARS,
    st.lists(SCALARS, max_size=2),
    st.dictionaries(st.sampled_from(["a", "b"]), SCALARS, max_size=2),
)
NAMES = st.sampled_from([None, "x", "y", "X", 1, 1.5, True])
MISSING = object()


@st.composite
def documents(draw: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {}
    for field, values in (("name", NAMES), ("version", VALUES), ("t", SCALARS)):
        value = draw(st.one_of(st.just(MISSING), values))
        if value is not MISSING:
            doc[field] = value
    if draw(st.booleans()):
        doc["n"] = {"v": draw(VALUES)}
    return doc


INDEXES = [
    [],
    [{"fields": ["name", "version"]}],
    [{"fields": ["name", "version"], "sparse": True}],
    [{"fields": ["version"]}],
    [{"fields": ["version"], "sparse": True}],
    [{"fields": ["name", "version", "t"]}],
    [{"fields": ["name"]}, {"fields": ["name", "t", "version"]}],
    [{"fields": ["n.v"]}, {"fields": ["name", "n.v"], "sparse": True}],
]
FILTERS = [
    "",
    "FILTER d.name == @name",
    "FILTER d.name IN @names",
    "FILTER d.name == @name FILTER d.t != 1",
    "FILTER d.name == @name AND d.version > @low",
    "FILTER d.version >= @low",
    "FILTER d.name == @name AND d.t == @t",
    "FILTER @name == d.name AND d.n.v != null",
]
SORTS = [
    "d.version",
    "d.version DESC",
    "d.version @dir",
    "d.version DESC, d.t",
    "d.version, d.t DESC, d._key",
    "d.n.v",
    "d.n.v DESC, d.version",
]
LIMITS = ["1", "3", "2, 3", "0, 100", "5, 1", "@offset, @count"]
RETURNS = ["d._key", "UNSET(d, '_rev')", "[d._key, d.version, d.n]"]
SHAPES = [
    "FOR d IN c {filter} SORT {sort} LIMIT {limit} RETURN {ret}",
    "FOR o IN [1, 2] FOR d IN c {filter} SORT {sort} LIMIT {limit} RETURN [o, {ret}]",
    "LET s = (FOR d IN c {filter} SORT {sort} LIMIT {limit} RETURN {ret}) RETURN s",
]


@st.composite
def queries(draw: Any) -> tuple[str, dict[str, Any]]:
    shape = draw(st.sampled_from(SHAPES))
    aql = shape.format(
        filter=draw(st.sampled_from(FILTERS)),
        sort=draw(st.sampled_from(SORTS)),
        limit=draw(st.sampled_from(LIMITS)),
        ret=draw(st.sampled_from(RETURNS)),
    )
    values = {
        "name": draw(NAMES),
        "names": draw(st.lists(NAMES, max_size=3)),
        "low": draw(st.sampled_from([0, 1.5, -2, 2**53])),
        "t": draw(SCALARS),
        "dir": draw(st.sampled_from(["ASC", "DESC", "desc", True, False, 0, None])),
        "offset": draw(st.integers(0, 6)),
        "count": draw(st.integers(0, 6)),
    }
    return aql, {name: value for name, value in values.items() if "@" + name in aql}


# a pinned range of up to _SMALL_RANGE rows is read whole and sorted in Python; 0 makes
# every range go through the class-by-class reads of the index
@pytest.mark.parametrize("small_range", [0, sorted_reads._SMALL_RANGE])
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    docs=st.lists(documents(), max_size=30),
    indexes=st.sampled_from(INDEXES),
    checks=st.lists(queries(), min_size=1, max_size=6),
)
def test_index_order_equals_scan_then_sort(small_range, docs, indexes, checks):
    check_order(docs, indexes, checks, "_SMALL_RANGE", small_range)


def check_order(
    docs: list[dict[str, Any]],
    indexes: list[dict[str, Any]],
    checks: list[tuple[str, dict[str, Any]]],
    constant: str,
    value: int,
) -> None:
    """Each query of ``checks`` answers alike in index order and scanned then sorted, with
    ``sorted_reads``'s ``constant`` set to ``value``."""
    with (
        make_db({"c": docs}) as optimised,
        make_db({"c": docs}) as plain,
        pytest.MonkeyPatch.context() as patch,
    ):
        patch.setattr(sorted_reads, constant, value)
        for index in indexes:
            optimised.ensure_index("c", **index)
            plain.ensure_index("c", **index)
        for aql, bind in checks:
            with scan_then_sort():
                expected_rows = outcome(plain, aql, bind)
            assert outcome(optimised, aql, bind) == expected_rows, aql


# --------------------------------------------------------------------------- the primary index

# every character a document key may hold: code point order and AQL's differ for case
# and punctuation
KEY_CHARACTERS = "abcxyzABCXYZ0129_-:.@()+,=;$!*'%"
KEYS = st.text(alphabet=KEY_CHARACTERS, min_size=1, max_size=4)
KEY_FILTERS = [
    "",
    "FILTER d._key > @k",
    "FILTER d._key >= @k",
    "FILTER d._key < @k",
    "FILTER @k >= d._key",
    "FILTER d._key >= @k AND d._key < @k2",
    "FILTER d.i % 3 != 0",
    "FILTER d.i >= 5",
]
KEY_SORTS = ["d._key", "d._key DESC", "d._key @dir", "d._key DESC, d.i", "d._id", "d._id @dir"]
KEY_SHAPES = [
    "FOR d IN c {filter} SORT {sort} LIMIT {limit} RETURN [d._key, d.i]",
    "FOR d IN c {filter} SORT {sort} LIMIT {limit} RETURN d._key",
    "FOR o IN [1, 2] FOR d IN c {filter} SORT {sort} LIMIT {limit} RETURN [o, d._key]",
]


@st.composite
def key_queries(draw: Any) -> tuple[str, dict[str, Any]]:
    aql = draw(st.sampled_from(KEY_SHAPES)).format(
        filter=draw(st.sampled_from(KEY_FILTERS)),
        sort=draw(st.sampled_from(KEY_SORTS)),
        limit=draw(st.sampled_from(LIMITS)),
    )
    values = {
        "k": draw(KEYS),
        "k2": draw(KEYS),
        "dir": draw(st.sampled_from(["ASC", "DESC"])),
        "offset": draw(st.integers(0, 6)),
        "count": draw(st.integers(0, 20)),
    }
    return aql, {name: value for name, value in values.items() if "@" + name in aql}


# strings are read in batches of at least _FEW_STRINGS: 1 makes every batch check the
# rows past it
@pytest.mark.parametrize("few_strings", [1, sorted_reads._FEW_STRINGS])
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    keys=st.lists(KEYS, unique=True, max_size=60),
    checks=st.lists(key_queries(), min_size=1, max_size=6),
)
def test_primary_index_order_equals_scan_then_sort(few_strings, keys, checks):
    docs = [{"_key": key, "i": i} for i, key in enumerate(keys)]
    check_order(docs, [], checks, "_FEW_STRINGS", few_strings)


def test_the_primary_index_orders_case_and_punctuation_as_aql_does():
    keys = ["b", "B", "a", "A", "_x", "-x", "0", "9", ":", "@", "a(", "a)", "aB", "ab", "Ab"]
    expected = sorted(keys, key=collation_key)
    docs = [{"_key": key} for key in keys]
    with make_db({"c": docs}) as db, pytest.MonkeyPatch.context() as patch:
        patch.setattr(sorted_reads, "_FEW_STRINGS", 1)
        for limit in range(1, len(keys) + 1):
            asc = run(db, "FOR d IN c SORT d._key LIMIT @n RETURN d._key", n=limit)
            desc = run(db, "FOR d IN c SORT d._key DESC LIMIT @n RETURN d._key", n=limit)
            assert asc == expected[:limit]
            assert desc == expected[::-1][:limit]


def test_ids_are_read_in_the_order_of_the_primary_index():
    keys = ["b", "B", "a", "A", "_x", "-x", "0", "9", ":", "@", "a(", "a)", "aB", "ab", "Ab"]
    expected = sorted((f"c/{key}" for key in keys), key=collation_key)
    with make_db({"c": [{"_key": key} for key in keys]}) as db:
        reads = []
        db.storage.tracer = lambda sql, params: reads.append(sql)
        for limit in range(1, len(keys) + 1):
            asc = run(db, "FOR d IN c SORT d._id LIMIT @n RETURN d._id", n=limit)
            desc = run(db, "FOR d IN c SORT d._id DESC LIMIT @n RETURN d._id", n=limit)
            assert asc == expected[:limit]
            assert desc == expected[::-1][:limit]
    assert any("ORDER BY key" in sql for sql in reads)


HEAD = "FOR a IN c SORT a._key DESC LIMIT 1 RETURN a"


def test_the_last_key_is_read_with_a_few_statements_whatever_the_size():
    reads = []
    for count in (50, 5000):
        docs = [{"_key": f"{i:012d}", "n": i} for i in range(count)]
        with make_db({"c": docs}) as db:
            counter = Reads(db)
            rows = run(db, HEAD)
            reads.append((len(counter.statements), counter.rows))
        assert [row["n"] for row in rows] == [count - 1]
    assert reads[0] == reads[1]
    assert reads[1][0] <= 6 and reads[1][1] <= 40


@pytest.mark.parametrize(
    ("ret", "expected"),
    [
        ("a", {"scannedIndex": 1, "documentLookups": 1, "scannedFull": 0}),
        ("a._key", {"scannedIndex": 1, "documentLookups": 0, "scannedFull": 0}),
    ],
)
def test_the_last_key_counts_as_one_read_of_the_primary_index(ret, expected):
    docs = [{"_key": f"{i:012d}"} for i in range(300)]
    with make_db({"c": docs}) as db:
        stats = db.query(HEAD.replace("RETURN a", f"RETURN {ret}"), statistics=True).stats
    assert {name: stats[name] for name in expected} == expected


N = 3000


@pytest.mark.parametrize(
    ("aql", "bind", "expected"),
    [
        ("FILTER d._key > @k SORT d._key LIMIT 2", {"k": "000000001000"}, [1001, 1002]),
        ("FILTER d._key >= @k SORT d._key DESC LIMIT 2", {"k": "000000001000"}, [N - 1, N - 2]),
        ("FILTER d._key < @k SORT d._key DESC LIMIT 2", {"k": "000000001000"}, [999, 998]),
        ("FILTER d._key <= @k SORT d._key LIMIT 1", {"k": "000000001000"}, [0]),
        (
            "FILTER d._key > @lo AND d._key < @hi SORT d._key DESC LIMIT 3",
            {"lo": "000000000007", "hi": "000000000010"},
            [9, 8],
        ),
    ],
)
def test_a_key_range_bounds_the_read_of_the_primary_index(aql, bind, expected):
    docs = [{"_key": f"{i:012d}", "n": i} for i in range(N)]
    with make_db({"c": docs}) as db:
        counter = Reads(db)
        assert run(db, f"FOR d IN c {aql} RETURN d.n", **bind) == expected
    assert counter.rows <= 60  # a few batches and seeks: not the keys outside the range


@pytest.mark.parametrize(
    ("aql", "k", "expected"),
    [
        # code point order: "-" < "0" < "B" < "a" < "c"; AQL's: "-" < "0" < "a" < "B" < "c"
        ("FILTER d._key > @k SORT d._key", "B", ["c"]),
        ("FILTER d._key < @k SORT d._key DESC", "B", ["a", "0", "-"]),
        ("FILTER d._key >= @k SORT d._key", "a", ["a", "B", "c"]),
        ("FILTER d._key <= @k SORT d._key DESC", "a", ["a", "0", "-"]),
        ("FILTER d._key > @k SORT d._key", "-", ["0", "a", "B", "c"]),
    ],
)
def test_a_key_outside_a_bound_in_code_point_order_is_still_found(aql, k, expected):
    keys = ["c", "B", "a", "0", "-"]
    with make_db({"c": [{"_key": key} for key in keys]}) as db:
        for limit in (1, 2, 5):
            rows = run(db, f"FOR d IN c {aql} LIMIT @n RETURN d._key", k=k, n=limit)
            assert rows == expected[:limit]


def test_keys_that_others_extend_do_not_make_the_read_sort_everything():
    # numeric keys as the engine generates them: "9" and "98" are prefixes of the boundary
    with make_db({"c": [{"n": i} for i in range(1, 1001)]}) as db:
        counter = Reads(db)
        assert run(db, "FOR d IN c SORT d._key DESC LIMIT 2 RETURN d._key") == ["999", "998"]
    assert counter.rows <= 40


def test_a_key_range_counts_only_the_keys_in_it():
    docs = [{"_key": f"{i:012d}"} for i in range(300)]
    aql = "FOR a IN c FILTER a._key > @k SORT a._key LIMIT 2 RETURN a._key"
    with make_db({"c": docs}) as db:
        result = db.query(aql, {"k": "000000000100"}, statistics=True)
        assert list(result) == ["000000000101", "000000000102"]
    stats = result.stats
    assert (stats["scannedIndex"], stats["filtered"], stats["scannedFull"]) == (2, 0, 0)
