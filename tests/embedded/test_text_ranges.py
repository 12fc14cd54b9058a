"""Strings read in index order a batch at a time (``text_ranges.py``, ``sorted_reads.py``).

The lemma: a string past an ASCII boundary in code point order and in none of
the unsafe ranges sorts past it in AQL's order too. The reads built on it must
give exactly what scanning every row then sorting gives, for any strings
(unicode, control characters, case, ties, prefixes) mixed with other types and
missing attributes; and the newest of ISO timestamps costs the same at 30 rows
of a name as at 3,000.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arangoml_meta.embedded import text_ranges
from arangoml_meta.embedded.collation import collation_key
from arangoml_meta.embedded.text_ranges import in_aql_order, unsafe_ranges

from .helpers import make_db, run
from .test_index_sort import Reads, outcome, scan_then_sort

# characters where code point and AQL order disagree, ignorables, case, accents
TRICKY = "09:.+-_ aAbBzZ~\x00\x01\t\x7f\u00e9e\u0301\u00df\u0130"
# SQLite's json_extract ends a string at U+0000, so an index orders "a\x00b" as "a"
# (a known gap of every index read, not only of this one): stored strings here lack it
NO_NUL = TRICKY.replace("\x00", "")
# text a document can hold: UTF-8 (a lone surrogate is refused with 1227, tested elsewhere)
STRINGS = st.one_of(
    st.text(alphabet=NO_NUL, max_size=4),
    st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=4),
    st.datetimes().map(lambda t: t.isoformat(timespec="milliseconds") + "Z"),
)
VALUES = st.one_of(
    STRINGS,
    STRINGS,
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.lists(st.integers(0, 2), max_size=2),
)


def in_range(text: str, first: str, end: str | None) -> bool:
    return first <= text and (end is None or text < end)


@settings(max_examples=600, deadline=None)
@given(
    boundary=st.text(alphabet=TRICKY, max_size=5),
    other=STRINGS | st.text(TRICKY),
    last=st.none() | STRINGS | st.text(TRICKY),
    ascending=st.booleans(),
)
def test_a_string_outside_the_unsafe_ranges_sorts_past_the_boundary_in_aql_order_too(
    boundary, other, last, ascending
):
    ranges = unsafe_ranges(boundary, ascending, last)
    if ranges is None:
        assert not boundary.isascii()
        return
    past = other > boundary if ascending else other < boundary
    within = last is None or (other <= last if ascending else other >= last)
    if not past or not within or any(in_range(other, first, end) for first, end in ranges):
        return
    mine, theirs = collation_key(boundary), collation_key(other)
    assert (theirs > mine) if ascending else (theirs < mine)


@settings(max_examples=600, deadline=None)
@given(
    texts=st.lists(STRINGS | st.text(TRICKY, max_size=4), max_size=8),
    chunk=st.sampled_from([1, 2, 3, text_ranges._CHUNK]),
)
def test_strings_shown_in_aql_order_are(texts, chunk):
    texts.sort()  # code point order
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(text_ranges, "_CHUNK", chunk)
        shown = in_aql_order(texts)
    if shown:
        assert sorted(texts, key=collation_key) == texts


@pytest.mark.parametrize(
    ("texts", "shown"),
    [
        (["000000000009", "000000000010", "000000000010", "000000000011"], True),
        (["2026-12-07T09:13:57.123Z", "2026-12-07T09:13:58.001Z"], True),
        (["A", "ab"], True),  # the primary level orders them
        (["AB", "a"], False),  # AQL: "a" < "AB"
        (["A", "a"], False),  # the same primary weights: decided by case
        (["9", ":"], False),  # AQL: ":" < "9"
        (["a", "a\t"], False),  # a control character: not printable
        (["a", "\u00e9"], False),  # not ASCII
    ],
)
@pytest.mark.parametrize("chunk", [1, 2, 1024])
def test_which_strings_are_shown_in_aql_order(texts, shown, chunk):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(text_ranges, "_CHUNK", chunk)
        assert in_aql_order(texts) is shown


def test_a_non_ascii_boundary_has_no_ranges():
    assert unsafe_ranges("caf\u00e9", True) is None


def test_a_timestamp_boundary_checks_only_ranges_of_its_own_prefixes():
    ranges = unsafe_ranges("2026-12-07T09:13:57.123Z", False)
    assert ranges
    # digits before ':' sort after it in AQL, before it in code points
    assert ("2026-12-07T09", "2026-12-07T09:") in [(f[:13], (e or "")[:14]) for f, e in ranges]


SHAPES = [
    "FOR d IN c FILTER d.name == @name SORT d.t {dir} LIMIT {limit} RETURN [d._key, d.t]",
    "FOR d IN c FILTER d.name == @name SORT d.t {dir}, d._key DESC LIMIT {limit} RETURN d._key",
    "FOR d IN c SORT d.t {dir} LIMIT {limit} RETURN d.t",
    "FOR d IN c FILTER d.name == @name FILTER d.n != 1 SORT d.t {dir} LIMIT {limit} RETURN d.t",
]


ASCII_TRICKY = "".join(ch for ch in NO_NUL if ch.isascii())


@st.composite
def documents(draw: Any, values: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {"name": draw(st.sampled_from(["a", "b"])), "n": draw(st.integers(0, 2))}
    if draw(st.integers(0, 9)):
        doc["t"] = draw(values)
    return doc


DOCUMENTS = st.one_of(
    st.lists(documents(VALUES), max_size=40),
    # only strings, mostly ASCII: the reads batch, and code point order misleads
    st.lists(documents(st.text(alphabet=ASCII_TRICKY, max_size=2)), min_size=40, max_size=80),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    docs=DOCUMENTS,  # more than a first read of strings (16) of one name
    sparse=st.booleans(),
    shape=st.sampled_from(SHAPES),
    descending=st.booleans(),
    limit=st.sampled_from(["1", "2", "3", "1, 4", "0, 50", "6, 3"]),
)
def test_index_order_of_strings_equals_scan_then_sort(docs, sparse, shape, descending, limit):
    aql = shape.format(dir="DESC" if descending else "ASC", limit=limit)
    bind = {"name": "a"} if "@name" in aql else {}
    with make_db({"c": docs}) as optimised, make_db({"c": docs}) as plain:
        for db in (optimised, plain):
            db.ensure_index("c", ["name", "t"], sparse=sparse)
            db.ensure_index("c", ["t"])
        with scan_then_sort():
            expected = outcome(plain, aql, bind)
        assert outcome(optimised, aql, bind) == expected


@pytest.mark.parametrize("descending", [True, False])
def test_a_row_past_the_boundary_that_aql_sorts_before_it_is_not_missed(descending):
    # symbols before digits in AQL: ":" < "}" < "~" < "1"; in code points "1" < ":" < "}";
    # and "\u00e1" < "b" in AQL, last in code points
    # (and enough others that sort among them for the first read to be a batch)
    if descending:
        texts = ["~", "}", ":", "1", *("~" + chr(ord("a") + i) for i in range(20))]
    else:
        texts = ["b", "c", "d", "\u00e1", *(f"{c}{i}" for c in "cd" for i in range(10))]
    aql = f"FOR d IN c SORT d.t {'DESC' if descending else 'ASC'} LIMIT 1 RETURN d.t"
    with make_db({"c": [{"t": t} for t in texts]}) as db:
        db.ensure_index("c", ["t"])
        assert run(db, aql) == sorted(texts, key=collation_key, reverse=descending)[:1]


def runs_db(count: int) -> Any:
    docs = [
        {
            "name": name,
            "t": f"2026-12-07T09:{i // 60000 % 60:02d}:{i // 1000 % 60:02d}.{i % 1000:03d}Z",
        }
        for i in range(count)
        for name in ("a", "x")
    ]
    db = make_db({"c": docs})
    db.ensure_index("c", ["name", "t"])
    return db


@pytest.mark.parametrize(
    ("aql", "expected"),
    [
        ("FOR d IN c FILTER d.name == 'x' SORT d.t DESC, d._key DESC LIMIT 1 RETURN d.t", -1),
        ("FOR d IN c FILTER d.name == 'x' SORT d.t LIMIT 3, 2 RETURN d.t", 3),
    ],
)
def test_reads_of_timestamps_do_not_grow_with_the_number_of_rows(aql, expected):
    reads = []
    for count in (30, 3000):
        with runs_db(count) as db:
            counter = Reads(db)
            rows = run(db, aql)
            reads.append((len(counter.statements), counter.rows))
            everything = run(db, "FOR d IN c FILTER d.name == 'x' SORT d.t RETURN d.t")
        assert rows[0] == everything[expected]
    assert reads[0] == reads[1]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    texts=st.lists(st.text(alphabet=ASCII_TRICKY + "\u00e9", max_size=3), min_size=17, max_size=60),
    descending=st.booleans(),
    offset=st.integers(0, 4),
    count=st.integers(1, 4),
)
def test_strings_past_a_first_read_sort_as_scan_then_sort(texts, descending, offset, count):
    aql = (
        f"FOR d IN c SORT d.t {'DESC' if descending else 'ASC'} LIMIT {offset}, {count} RETURN d.t"
    )
    with (
        make_db({"c": [{"t": t} for t in texts]}) as optimised,
        make_db({"c": [{"t": t} for t in texts]}) as plain,
    ):
        optimised.ensure_index("c", ["t"])
        with scan_then_sort():
            expected = run(plain, aql)
        assert run(optimised, aql) == expected
