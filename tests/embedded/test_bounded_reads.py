"""Reads that hold no more than they must: a FOR over a UNION of subqueries streams each
subquery in turn, and a SORT right before a LIMIT keeps only the rows the LIMIT can return
(``executor.py``). The answers are those of the whole materialised reads; a memory limit
far below what holding every row takes shows they are not held."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from arangoml_meta.embedded import EmbeddedDatabase, runtime
from arangoml_meta.errors import QueryError

ROWS = 3000
PADDING = "x" * 200  # every document is ~250 bytes: holding 3,000 of them is ~1 MB
UNION = "UNION((FOR x IN a RETURN x), (FOR y IN b RETURN y))"


@pytest.fixture
def db() -> Iterator[EmbeddedDatabase]:
    with EmbeddedDatabase() as database:
        for name, offset in (("a", 0), ("b", ROWS)):
            database.create_collection(name)
            database.insert_many(
                name,
                [
                    {"_key": f"k{i}", "n": i, "group": i % 7, "pad": PADDING}
                    for i in range(offset, offset + ROWS)
                ],
            )
        yield database


def numbers(db: EmbeddedDatabase, aql: str, limit: int | None = None) -> list[int]:
    options = None if limit is None else {"memoryLimit": limit}
    return list(db.query(aql, options=options))


# ---------------------------------------------------------------------- UNION of subqueries


def test_a_union_of_subqueries_gives_its_rows_in_order(db: EmbeddedDatabase) -> None:
    everything = numbers(db, f"FOR d IN {UNION} RETURN d.n")
    # a's rows (in its order), then b's: as the materialised UNION gives them
    expected = numbers(db, "FOR x IN a RETURN x.n") + numbers(db, "FOR y IN b RETURN y.n")
    assert everything == expected
    assert numbers(db, f"FOR d IN {UNION} LIMIT 2995, 10 RETURN d.n") == expected[2995:3005]


def test_a_union_of_subqueries_is_read_as_it_streams(db: EmbeddedDatabase) -> None:
    aql = f"FOR d IN {UNION} FILTER d.n % 1000 == 999 RETURN d.n"
    assert numbers(db, aql, limit=200_000) == [999, 1999, 2999, 3999, 4999, 5999]
    # the same rows held at once (a LET keeps the union) go past the limit
    with pytest.raises(QueryError) as caught:
        numbers(
            db, f"LET held = {UNION} FOR d IN held FILTER d.n % 1000 == 999 RETURN d.n", 200_000
        )
    assert caught.value.error_num == 32


def test_subqueries_that_read_an_outer_variable_stream_too(db: EmbeddedDatabase) -> None:
    aql = """
        FOR k IN [1, 5]
          FOR d IN UNION((FOR x IN a FILTER x.n == k RETURN x.n),
                         (FOR y IN b FILTER y.n == k + @rows RETURN y.n))
            RETURN [k, d]"""
    assert list(db.query(aql, {"rows": ROWS})) == [[1, 1], [1, 1 + ROWS], [5, 5], [5, 5 + ROWS]]


def test_a_query_that_writes_reads_the_union_before_its_writes(db: EmbeddedDatabase) -> None:
    db.query(f"FOR d IN {UNION} INSERT {{n: d.n + 100000}} INTO a")
    assert db.query("RETURN LENGTH(a)")[0] == 3 * ROWS


# ---------------------------------------------------------------------- SORT then LIMIT


def test_sort_and_limit_give_what_the_whole_sort_gives(db: EmbeddedDatabase) -> None:
    for sort in ("d.group, d.n DESC", "d.group DESC", "d.group"):  # ties: arrival order
        whole = list(db.query(f"FOR d IN a SORT {sort} RETURN d.n"))
        for offset, count in ((0, 5), (10, 7), (2990, 20), (0, 0)):
            page = f"FOR d IN a SORT {sort} LIMIT {offset}, {count} RETURN d.n"
            assert list(db.query(page)) == whole[offset : offset + count], (sort, offset)


def test_sort_and_limit_hold_only_the_rows_the_limit_returns(db: EmbeddedDatabase) -> None:
    # a sort key no index holds: the rows come from a scan and are sorted here
    aql = "FOR d IN a LET g = d.group * 1 SORT g DESC, d.n LIMIT 3, 4 RETURN [g, d.n]"
    expected = sorted(([i % 7, i] for i in range(ROWS)), key=lambda r: (-r[0], r[1]))[3:7]
    assert list(db.query(aql, options={"memoryLimit": 200_000})) == expected
    with pytest.raises(QueryError) as caught:  # the whole sort holds every row
        db.query(aql.replace(" LIMIT 3, 4", ""), options={"memoryLimit": 200_000})
    assert caught.value.error_num == 32


# ---------------------------------------------------------------------- decoded documents


@pytest.fixture
def chain() -> Iterator[EmbeddedDatabase]:
    """v0 -> v1 -> ... -> v59, each vertex also linked to a hub."""
    with EmbeddedDatabase() as database:
        database.create_collection("v")
        database.create_collection("e", edge=True)
        database.insert_many("v", [{"_key": f"v{i}", "n": i, "pad": PADDING} for i in range(60)])
        database.insert_many("v", [{"_key": "hub", "n": -1}])
        edges = [{"_from": f"v/v{i}", "_to": f"v/v{i + 1}"} for i in range(59)]
        edges += [{"_from": f"v/v{i}", "_to": "v/hub"} for i in range(60)]
        database.insert_many("e", edges)
        yield database


WALKS = [
    "FOR v, e, p IN 1..100 OUTBOUND 'v/v0' e RETURN [v.n, p.vertices[*].n]",
    "FOR s IN v FILTER s.n >= 0 FOR w IN 1..1 OUTBOUND s e SORT w.n RETURN [s.n, w.n, w.pad]",
]


@pytest.mark.parametrize("aql", WALKS)
def test_a_query_keeps_a_bounded_number_of_decoded_documents(
    chain: EmbeddedDatabase, aql: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = list(chain.query(aql))
    sizes: list[int] = []
    original = runtime.Runtime.make_room

    def make_room(self: runtime.Runtime, cache: dict[str, object]) -> None:
        original(self, cache)
        sizes.append(len(cache))

    monkeypatch.setattr(runtime, "CACHED_DOCUMENTS", 5)
    monkeypatch.setattr(runtime.Runtime, "make_room", make_room)
    assert list(chain.query(aql)) == whole
    assert sizes and max(sizes) < 5  # what a fetch adds stays only until the next one


def test_a_query_that_writes_keeps_what_it_read(
    chain: EmbeddedDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The hub is reached once from each vertex: every time as the walk first read it,
    before the query's own update of it (as without a bound)."""
    monkeypatch.setattr(runtime, "CACHED_DOCUMENTS", 1)
    aql = "FOR w IN 1..100 OUTBOUND 'v/v0' e UPDATE w WITH {seen: true} IN v RETURN w.seen"
    assert set(chain.query(aql)) == {None}
