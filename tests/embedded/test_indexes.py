"""Persistent indexes and filter push-down.

A unique index compares values the way AQL's ``==`` does (``1`` differs from
``"1"`` and ``true``; ``1`` equals ``1.0``), a non-sparse index indexes a missing
attribute as ``null``, a sparse one skips ``null`` / missing values. An index or
a pushed-down filter may only speed a query up: results must equal those of an
unindexed collection and of a pure-Python evaluation with AQL's comparison.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arangoml_meta.embedded.values import compare, equal

from .helpers import error_num, make_db, run

# --------------------------------------------------------------------------- unique indexes


@pytest.fixture
def unique_db():
    with make_db({"c": []}) as db:
        db.ensure_index("c", ["v"], unique=True)
        yield db


@pytest.mark.parametrize(
    "values",
    [
        [1, "1", True],
        [0, "0", False, None, "", []],
        [1, 1.5, "1.5", [1.5]],
        [[1], [1, 2], [2, 1], {"a": 1}, {"a": "1"}],
    ],
)
def test_unique_index_distinguishes_types(unique_db, values):
    for v in values:
        unique_db.insert("c", {"v": v})
    assert unique_db.count("c") == len(values)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (1, 1),
        (1, 1.0),
        ("1", "1"),
        (True, True),
        (None, None),
        ([1, "a"], [1, "a"]),
        ({"a": 1}, {"a": 1}),
        ({"a": {"b": 1.0}}, {"a": {"b": 1}}),
    ],
)
def test_unique_index_rejects_duplicates(unique_db, first, second):
    unique_db.insert("c", {"_key": "first", "v": first})
    assert error_num(unique_db.insert, "c", {"v": second}) == 1210
    assert unique_db.count("c") == 1


def test_unique_index_treats_objects_with_reordered_attributes_as_equal(unique_db):
    # AQL's comparison of objects ignores attribute order ({a:1,b:2} == {b:2,a:1})
    unique_db.insert("c", {"_key": "first", "v": {"x": 1, "y": {"p": [1, {"q": 2, "r": 3}]}}})
    again = {"v": {"y": {"p": [1, {"r": 3, "q": 2.0}]}, "x": 1}}
    assert error_num(unique_db.insert, "c", again) == 1210
    assert unique_db.count("c") == 1
    unique_db.insert("c", {"v": {"y": {"p": [{"r": 3, "q": 2}, 1]}, "x": 1}})  # array order counts


def test_unique_objects_are_checked_within_one_batch_and_by_aql(unique_db):
    batch = [{"v": {"a": 1, "b": 2}}, {"v": {"b": 2, "a": 1}}]
    assert error_num(unique_db.insert_many, "c", batch) == 1210
    assert unique_db.count("c") == 0
    unique_db.insert("c", {"_key": "k", "v": {"a": 1, "b": 2}})
    ignored = "INSERT {v: {b: 2, a: 1}} INTO c OPTIONS {ignoreErrors: true} RETURN NEW"
    assert run(unique_db, ignored) == []
    assert unique_db.count("c") == 1  # refused, and nothing left behind
    unique_db.insert("c", {"_key": "other", "v": {"a": 1}})
    assert error_num(run, unique_db, "UPDATE 'other' WITH {v: {b: 2}} IN c") == 1210
    assert run(unique_db, "RETURN DOCUMENT('c/other').v") == [{"a": 1}]


def test_a_unique_index_over_existing_reordered_objects_is_refused():
    with make_db({"c": [{"v": {"a": 1, "b": 2}}, {"v": {"b": 2, "a": 1}}]}) as db:
        assert error_num(db.ensure_index, "c", ["v"], unique=True) == 1210
        assert [i["type"] for i in db.indexes("c")] == ["primary"]
        db.ensure_index("c", ["v"])  # not unique: fine


def test_non_sparse_unique_index_indexes_missing_as_null(unique_db):
    unique_db.insert("c", {"other": 1})
    assert error_num(unique_db.insert, "c", {"other": 2}) == 1210
    assert error_num(unique_db.insert, "c", {"v": None}) == 1210


def test_sparse_unique_index_allows_many_missing_and_null():
    with make_db({"c": []}) as db:
        db.ensure_index("c", ["v"], unique=True, sparse=True)
        db.insert_many("c", [{}, {}, {"v": None}, {"v": None}, {"v": 1}])
        assert db.count("c") == 5
        assert error_num(db.insert, "c", {"v": 1}) == 1210


def test_sparse_multi_field_index_skips_documents_with_any_null_field():
    with make_db({"c": []}) as db:
        db.ensure_index("c", ["a", "b"], unique=True, sparse=True)
        db.insert_many("c", [{"a": 1}, {"a": 1}, {"a": 1, "b": None}, {"b": 2}, {"b": 2}])
        db.insert("c", {"a": 1, "b": 2})
        assert error_num(db.insert, "c", {"a": 1, "b": 2}) == 1210
        db.insert("c", {"a": 2, "b": 1})
        assert db.count("c") == 7


def test_multi_field_unique_index_is_on_the_combination():
    with make_db({"c": []}) as db:
        db.ensure_index("c", ["a", "b"], unique=True)
        db.insert_many("c", [{"a": 1, "b": 1}, {"a": 1, "b": 2}, {"a": 2, "b": 1}])
        assert error_num(db.insert, "c", {"a": 1, "b": 1.0}) == 1210


def test_unique_index_on_nested_path():
    with make_db({"c": []}) as db:
        db.ensure_index("c", ["n.k"], unique=True)
        db.insert_many("c", [{"n": {"k": 1}}, {"n": {"k": 2}}, {"n": {"other": 1}}])
        assert error_num(db.insert, "c", {"n": {"k": 1, "x": True}}) == 1210
        assert error_num(db.insert, "c", {"n": "not an object"}) == 1210  # n.k is null


def test_creating_a_unique_index_over_duplicates_fails_and_leaves_no_index():
    with make_db({"c": [{"v": 1}, {"v": 1}]}) as db:
        assert error_num(db.ensure_index, "c", ["v"], unique=True) == 1210
        assert [i["type"] for i in db.indexes("c")] == ["primary"]
        db.insert("c", {"v": 1})


def test_ensure_index_is_idempotent(unique_db):
    again = unique_db.ensure_index("c", ["v"], unique=True)
    persistent = [i for i in unique_db.indexes("c") if i["type"] == "persistent"]
    assert len(persistent) == 1
    assert again["id"] == persistent[0]["id"]


def test_ensure_index_on_unknown_collection():
    with make_db() as db:
        assert error_num(db.ensure_index, "nope", ["a"]) == 1203


def test_ensure_index_needs_fields():
    with make_db({"c": []}) as db:
        assert error_num(db.ensure_index, "c", []) == 10


@pytest.mark.parametrize(
    "query",
    [
        "INSERT {v: 1} INTO c",
        "UPDATE 'b' WITH {v: 1} IN c",
        "REPLACE 'b' WITH {v: 1} IN c",
        "UPSERT {v: 3} INSERT {v: 1} UPDATE {} IN c",
        "UPSERT {v: 2} INSERT {} UPDATE {v: 1} IN c",
        "INSERT {_key: 'b', v: 1} INTO c OPTIONS {overwriteMode: 'replace'}",
    ],
)
def test_modification_queries_respect_unique_indexes(unique_db, query):
    unique_db.insert_many("c", [{"_key": "a", "v": 1}, {"_key": "b", "v": 2}])
    assert error_num(unique_db.query, query) == 1210
    assert run(unique_db, "FOR d IN c RETURN [d._key, d.v]") == [["a", 1], ["b", 2]]


def test_removing_a_document_frees_its_unique_value(unique_db):
    unique_db.insert("c", {"_key": "a", "v": 1})
    unique_db.query("REMOVE 'a' IN c")
    unique_db.insert("c", {"v": 1})
    assert unique_db.count("c") == 1


def test_ignore_errors_skips_unique_violations(unique_db):
    unique_db.insert("c", {"v": 3})
    run(unique_db, "FOR i IN 1..5 INSERT {v: i} INTO c OPTIONS {ignoreErrors: true}")
    assert run(unique_db, "FOR d IN c RETURN d.v") == [3, 1, 2, 4, 5]


# --------------------------------------------------------------------------- indexed filters

DOCS: list[dict[str, Any]] = [
    {"v": 1},
    {"v": 1.5},
    {"v": -3},
    {"v": 0},
    {"v": "1"},
    {"v": "a"},
    {"v": ""},
    {"v": "B"},
    {"v": True},
    {"v": False},
    {"v": None},
    {},
    {"v": [1]},
    {"v": []},
    {"v": {"x": 1}},
    {"v": {}},
    {"v": 10},
    {"v": 1},
    {"n": {"k": 1}},
    {"n": {"k": "1"}},
    {"n": {"k": None}},
    {"n": 5},
    {"n": [{"k": 1}]},
    {"n": {"k": 2}},
]

FILTERS = [
    "d.v == 1",
    "d.v == 1.0",
    "d.v == '1'",
    "d.v == true",
    "d.v == false",
    "d.v == null",
    "d.v == 'a'",
    "d.v == ''",
    "d.v == [1]",
    "d.v == {x: 1}",
    "d.v != 1",
    "d.v < 1",
    "d.v <= 1",
    "d.v > 1",
    "d.v >= 1",
    "d.v > -100",
    "d.v < 0",
    "d.v < 'a'",
    "d.v > 'a'",
    "d.v >= ''",
    "d.v < true",
    "d.v > null",
    "d.v >= null",
    "d.v <= null",
    "d.v < []",
    "d.v > []",
    "d.v IN [1, 'a', null]",
    "d.v IN [true, false]",
    "d.v IN [1.5, 10]",
    "d.v NOT IN [1, null]",
    "d.v IN []",
    "1 == d.v",
    "1 < d.v",
    "'a' > d.v",
    "d.v > 0 && d.v < 5",
    "d.v == 1 || d.v == 'a'",
    "d.n.k == 1",
    "d.n.k == null",
    "d.n.k >= 1",
    "d.n.k IN [1, '1']",
    "d.n == 5",
    "d.missing == null",
    "d.missing.deeper == null",
    "d._key == '3'",
    "d._key == 3",
    "d._key IN ['1', '2', 'zz']",
    "d._id == 'c/4'",
    "d._id == 'other/4'",
]


@pytest.fixture(scope="module")
def indexed_pair():
    with make_db({"plain": DOCS, "indexed": DOCS, "sparse": DOCS}) as db:
        db.ensure_index("indexed", ["v"])
        db.ensure_index("indexed", ["n.k"])
        db.ensure_index("indexed", ["v", "n.k"])
        db.ensure_index("sparse", ["v"], sparse=True)
        db.ensure_index("sparse", ["n.k"], sparse=True)
        yield db


def _rows(db, collection: str, condition: str) -> list[Any]:
    query = f"FOR d IN {collection} FILTER {condition} RETURN d._key"
    return sorted(run(db, query), key=int)


@pytest.mark.parametrize("condition", FILTERS)
@pytest.mark.parametrize("collection", ["indexed", "sparse"])
def test_indexed_filter_returns_the_same_rows(indexed_pair, condition, collection):
    plain = _rows(indexed_pair, "plain", condition.replace("c/", "plain/"))
    assert _rows(indexed_pair, collection, condition.replace("c/", f"{collection}/")) == plain


@pytest.mark.parametrize("condition", FILTERS)
def test_scan_filter_equals_filter_over_plain_array(indexed_pair, condition):
    # iterating an array (a bind parameter) never pushes anything down to SQLite
    condition = condition.replace("c/", "plain/")
    docs = run(indexed_pair, "FOR d IN plain RETURN d")
    expected = run(indexed_pair, f"FOR d IN @docs FILTER {condition} RETURN d._key", docs=docs)
    assert _rows(indexed_pair, "plain", condition) == sorted(expected, key=int)


def test_push_down_keeps_insertion_order(indexed_pair):
    assert run(indexed_pair, "FOR d IN indexed FILTER d.v == 1 RETURN d._key") == ["1", "18"]


def test_filter_with_bind_parameter_values(indexed_pair):
    for bound in [1, "1", True, None, [1], 1.5]:
        plain = run(indexed_pair, "FOR d IN plain FILTER d.v == @x RETURN d._key", x=bound)
        indexed = run(indexed_pair, "FOR d IN indexed FILTER d.v == @x RETURN d._key", x=bound)
        assert indexed == plain


def test_filter_using_outer_loop_variable(indexed_pair):
    query = "FOR x IN [1, 'a', null] FOR d IN {} FILTER d.v == x RETURN [x, d._key]"
    assert run(indexed_pair, query.format("indexed")) == run(indexed_pair, query.format("plain"))


def test_join_between_indexed_and_plain_collection(indexed_pair):
    query = (
        "FOR a IN plain FILTER a.v > 0 FOR b IN indexed FILTER b.v == a.v RETURN [a._key, b._key]"
    )
    rows = run(indexed_pair, query)
    assert rows == run(indexed_pair, query.replace("indexed", "plain"))
    assert ["1", "18"] in rows


def test_filter_with_integer_bind_value_beyond_int64():
    with make_db({"c": [{"v": 1}]}) as db:
        assert run(db, "FOR d IN c FILTER d.v < @x RETURN d.v", x=2**64) == [1]


# --------------------------------------------------------------------------- property: push-down never changes results

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-5, max_value=5),
    st.sampled_from([0.5, -1.5, 2.0, 1e20, -0.0]),
    st.sampled_from(["", "0", "1", "a", "b", "A", "ab", "é", "true", "null"]),
)
VALUES = st.one_of(
    SCALARS,
    st.lists(SCALARS, max_size=2),
    st.dictionaries(st.sampled_from(["a", "k"]), SCALARS, max_size=2),
)
PATHS = [("a",), ("b",), ("n", "k"), ("a", "k")]


@st.composite
def documents(draw):
    doc: dict[str, Any] = {}
    for name in ("a", "b"):
        if draw(st.booleans()):
            doc[name] = draw(VALUES)
    shape = draw(st.integers(0, 3))
    if shape == 1:
        doc["n"] = {"k": draw(VALUES)}
    elif shape == 2:
        doc["n"] = draw(SCALARS)
    elif shape == 3:
        doc["n"] = {}
    return doc


COMPARISONS = ["==", "!=", "<", "<=", ">", ">="]


@st.composite
def conditions(draw):
    """(AQL text, python predicate) for one conjunct over the loop variable d."""
    path = draw(st.sampled_from(PATHS))
    access = "d." + ".".join(path)
    op = draw(st.sampled_from([*COMPARISONS, "IN", "NOT IN", "flipped"]))
    if op in ("IN", "NOT IN"):
        items = draw(st.lists(VALUES, max_size=4))
        return (
            f"{access} {op} @{{}}",
            items,
            lambda doc, items=items, op=op: (
                any(equal(_get(doc, path), x) for x in items) != (op == "NOT IN")
            ),
        )
    value = draw(VALUES)
    if op == "flipped":
        op = draw(st.sampled_from(COMPARISONS))
        return (
            f"@{{}} {op} {access}",
            value,
            lambda doc, value=value, op=op: _holds(op, value, _get(doc, path)),
        )
    return (
        f"{access} {op} @{{}}",
        value,
        lambda doc, value=value, op=op: _holds(op, _get(doc, path), value),
    )


def _get(doc: Any, path: tuple[str, ...]) -> Any:
    for name in path:
        doc = doc.get(name) if isinstance(doc, dict) else None
    return doc


def _holds(op: str, left: Any, right: Any) -> bool:
    if op == "==":
        return equal(left, right)
    if op == "!=":
        return not equal(left, right)
    c = compare(left, right)
    return {"<": c < 0, "<=": c <= 0, ">": c > 0, ">=": c >= 0}[op]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    docs=st.lists(documents(), min_size=0, max_size=25),
    conds=st.lists(conditions(), min_size=1, max_size=3),
    indexed=st.sampled_from(["none", "plain", "sparse"]),
)
def test_push_down_equals_python_reference(docs, conds, indexed):
    with make_db({"c": docs}) as db:
        if indexed != "none":
            for path in PATHS:
                db.ensure_index("c", [".".join(path)], sparse=indexed != "plain")
        stored = run(db, "FOR d IN c RETURN d")
        bind = {f"p{i}": value for i, (_, value, _) in enumerate(conds)}
        text = " FILTER ".join(template.format(f"p{i}") for i, (template, _, _) in enumerate(conds))
        rows = run(db, f"FOR d IN c FILTER {text} RETURN d._key", **bind)
        combined = " AND ".join(
            template.format(f"p{i}") for i, (template, _, _) in enumerate(conds)
        )
        rows_and = run(db, f"FOR d IN c FILTER {combined} RETURN d._key", **bind)
    expected = [d["_key"] for d in stored if all(pred(d) for _, _, pred in conds)]
    assert rows == expected
    assert rows_and == expected


def test_unique_objects_next_to_integers_beyond_64_bits():
    with make_db({"c": []}) as db:
        db.ensure_index("c", ["a", "b"], unique=True)
        for big in (2**70, 2**63 + 1):
            db.insert("c", {"a": {"p": 1, "q": 2}, "b": big})
            assert error_num(db.insert, "c", {"a": {"q": 2, "p": 1}, "b": big}) == 1210
        assert db.count("c") == 2


@pytest.mark.parametrize("indexed", [False, True])
def test_a_filter_on_a_name_sqlite_cannot_quote_runs_in_python(indexed):
    """``d.`a"b``` cannot be written as a SQLite JSON path: the FILTER is not pushed down,
    with or without an index on another field, and still finds its documents."""
    db = make_db({"c": [{"_key": "1", 'a"b': 1, "x": 1}, {"_key": "2", 'a"b': 2, "x": 1}]})
    if indexed:
        db.ensure_index("c", ["x"])
    with db:
        rows = run(db, 'FOR d IN c FILTER d.`a"b` == @v AND d.x == 1 RETURN d._key', v=2)
        assert rows == ["2"]
        assert run(db, "FOR d IN c FILTER d.`a\\\\b` == null RETURN d._key") == ["1", "2"]
