"""ArangoDB's execution statistics as the embedded engine counts them (``statistics=True``):
what each kind of scan reads, what FILTERs drop, index cursors, LIMIT's early stop and
fullCount (see ``arangoml_meta/embedded/statistics.py``).

``items`` holds ``k0`` .. ``k9`` with ``n`` = 0 .. 9 and ``tag`` "even" / "odd";
``links`` the edges k0 -> k1, k0 -> k2, k1 -> k2. A case may add a persistent index
on ``n`` (``index``: "n", or "sparse n")."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from arangoml_meta.embedded import EmbeddedDatabase

COUNTERS = (
    "scannedFull",
    "scannedIndex",
    "filtered",
    "documentLookups",
    "cursorsCreated",
    "cursorsRearmed",
)


@pytest.fixture
def db() -> Iterator[EmbeddedDatabase]:
    with EmbeddedDatabase() as database:
        database.create_collection("items")
        database.insert_many(
            "items",
            [{"_key": f"k{i}", "n": i, "tag": "even" if i % 2 == 0 else "odd"} for i in range(10)],
        )
        database.create_collection("links", edge=True)
        database.insert_many(
            "links",
            [
                {"_from": "items/k0", "_to": "items/k1"},
                {"_from": "items/k0", "_to": "items/k2"},
                {"_from": "items/k1", "_to": "items/k2"},
            ],
        )
        yield database


def nonzero(stats: dict[str, Any]) -> dict[str, int]:
    return {name: stats[name] for name in COUNTERS if stats[name]}


def case(aql: str, expected: dict[str, int], index: str = "", *, name: str) -> Any:
    return pytest.param(aql, index, expected, id=name)


PLANS = [
    # full collection scans
    case("FOR d IN items RETURN d", {"scannedFull": 10}, name="full-scan"),
    case("FOR d IN items LIMIT 3 RETURN d", {"scannedFull": 3}, name="limit-stops-a-scan"),
    case(
        "FOR d IN items FILTER d.n >= 7 RETURN d",
        {"scannedFull": 10, "filtered": 7},
        name="filter-in-sql-drops",
    ),
    # n = 0 and 1 dropped, 2, 3, 4 pass: five read before the LIMIT is met
    case(
        "FOR d IN items FILTER d.n >= 2 LIMIT 3 RETURN d",
        {"scannedFull": 5, "filtered": 2},
        name="limit-after-a-filter-in-sql",
    ),
    case(
        "FOR d IN items FILTER LENGTH(d.tag) == 4 RETURN d._key",
        {"scannedFull": 10, "filtered": 5},
        name="filter-in-python-drops",
    ),
    case(
        "FOR i IN 1..2 LET s = (FOR d IN items RETURN d) RETURN LENGTH(s)",
        {"scannedFull": 20},
        name="a-scan-per-row-from-upstream",
    ),
    # a collection the query writes: what its access read before the writes changed it
    case(
        "FOR d IN items FILTER d.n < 3 REMOVE d IN items",
        {"scannedFull": 10, "filtered": 7},
        name="scan-of-a-written-collection",
    ),
    case(
        "FOR d IN items FILTER d.n >= 2 LIMIT 3 REMOVE d IN items",
        {"scannedFull": 5, "filtered": 2},
        name="limit-on-a-scan-of-a-written-collection",
    ),
    # index scans
    case(
        "FOR d IN items FILTER d._key == 'k3' RETURN d",
        {"scannedIndex": 1, "documentLookups": 1, "cursorsCreated": 1},
        name="primary-key-lookup",
    ),
    case(
        "FOR d IN items FILTER d._key IN ['k1', 'k2', 'nope'] RETURN d._id",
        {"scannedIndex": 2, "cursorsCreated": 1},
        name="index-holds-all-read-no-lookups",
    ),
    case(
        "FOR d IN items FILTER d._key IN ['k1', 'k2'] FILTER d.n == 2 RETURN d",
        {"scannedIndex": 2, "filtered": 1, "documentLookups": 2, "cursorsCreated": 1},
        name="conditions-beside-the-index-condition",
    ),
    case(
        "FOR d IN items FILTER d.n > 6 RETURN d",
        {"scannedIndex": 3, "documentLookups": 3, "cursorsCreated": 1},
        "n",
        name="persistent-index-range",
    ),
    case(
        "FOR d IN items FILTER d.n < 2 RETURN d",
        {"scannedFull": 10, "filtered": 8},
        "sparse n",
        name="sparse-index-unused-where-null-matches",
    ),
    case(
        "FOR e IN links FILTER e._from == 'items/k0' RETURN e._to",
        {"scannedIndex": 2, "cursorsCreated": 1},
        name="edge-index",
    ),
    case(
        "FOR d IN items RETURN d._key",
        {"scannedIndex": 10, "cursorsCreated": 1},
        name="only-keys-read-scans-the-primary-index",
    ),
    case(
        "FOR k IN ['k1', 'k2', 'k3'] FOR d IN items FILTER d._key == k RETURN d",
        {"scannedIndex": 3, "documentLookups": 3, "cursorsCreated": 1, "cursorsRearmed": 2},
        name="index-scan-rearmed-per-row",
    ),
    # a bound given as a sum narrows the index range too (not 2 .. 9 read, 5 dropped)
    case(
        "FOR lo IN [2] FOR d IN items FILTER d.n >= lo AND d.n < lo + 3 RETURN d.n",
        {"scannedIndex": 3, "cursorsCreated": 1},
        "n",
        name="sum-bound-narrows-the-range",
    ),
    # n > 7: 8, 9 (8 dropped); n > 3: 4 to 9 (4, 6, 8 dropped)
    case(
        "FOR m IN [7, 3] FOR d IN items FILTER d.n > m FILTER d.tag == 'odd' RETURN d._key",
        {
            "scannedIndex": 8,
            "filtered": 4,
            "documentLookups": 8,
            "cursorsCreated": 1,
            "cursorsRearmed": 1,
        },
        "n",
        name="each-run-counts-its-own-range",
    ),
    case(
        "FOR d IN items FILTER d.tag == 'odd' SORT d.n DESC RETURN d.n",
        {"scannedIndex": 10, "filtered": 5, "documentLookups": 10, "cursorsCreated": 1},
        "n",
        name="sort-reads-an-index-in-its-order",
    ),
    case(
        "FOR d IN items SORT d.tag, d.n RETURN d.n",
        {"scannedFull": 10},
        "n",
        name="sort-no-index-leads-with",
    ),
    case(
        "FOR d IN items SORT d.n DESC LIMIT 2 RETURN d.n",
        {"scannedIndex": 2, "cursorsCreated": 1},
        "n",
        name="sort-and-limit-in-index-order",
    ),
    # a SORT without LIMIT streams the index order: read to its end it counts as above
    case(
        "FOR d IN items FILTER d.n > 2 SORT d._key RETURN d",
        {"scannedIndex": 10, "filtered": 3, "documentLookups": 10, "cursorsCreated": 1},
        name="sort-by-key-reads-the-primary-index-in-its-order",
    ),
    # ... stopped early by a later LIMIT, it counts the entries read, as SORT and LIMIT do
    case(
        "FOR d IN items SORT d.n LET x = d.n LIMIT 2 RETURN x",
        {"scannedIndex": 2, "cursorsCreated": 1},
        "n",
        name="a-later-limit-stops-a-sort-in-index-order",
    ),
    # UPSERT looks up as a FOR with the search's FILTER and LIMIT 1 would
    case(
        "UPSERT {_key: 'k1'} INSERT {_key: 'k1'} UPDATE {seen: true} IN items",
        {"scannedIndex": 1, "documentLookups": 1, "cursorsCreated": 1},
        name="upsert-by-key",
    ),
    case(
        "UPSERT {n: 5} INSERT {n: 5} UPDATE {seen: true} IN items",
        {"scannedFull": 6, "filtered": 5},
        name="upsert-scans-until-it-finds",
    ),
    case(
        "FOR i IN [3, 30] UPSERT {n: i} INSERT {n: i} UPDATE {seen: true} IN items",
        {"scannedIndex": 1, "documentLookups": 1, "cursorsCreated": 1, "cursorsRearmed": 1},
        "n",
        name="upsert-through-an-index-per-row",
    ),
    # other operations
    case("FOR i IN 1..10 FILTER i % 2 == 0 RETURN i", {"filtered": 5}, name="filter-over-an-array"),
    # ArangoDB counts what the plan's nodes read, not what functions fetch
    case("RETURN DOCUMENT('items/k1')", {}, name="document-function"),
]


@pytest.mark.parametrize(("aql", "index", "expected"), PLANS)
def test_counters_of_a_plan(
    db: EmbeddedDatabase, aql: str, index: str, expected: dict[str, int]
) -> None:
    if index:
        db.ensure_index("items", [index.split()[-1]], sparse=index.startswith("sparse"))
    assert nonzero(db.query(aql, statistics=True).stats) == expected


def test_a_remove_of_each_document_reads_only_its_key(db: EmbeddedDatabase) -> None:
    stats = db.query("FOR d IN items REMOVE d IN items", statistics=True).stats
    assert stats["writesExecuted"] == 10
    assert nonzero(stats) == {"scannedIndex": 10, "cursorsCreated": 1}


def test_full_count_reads_past_the_final_limit(db: EmbeddedDatabase) -> None:
    aql = "FOR d IN items FILTER d.n >= 2 LIMIT 3 RETURN d"
    rows = db.query(aql, options={"fullCount": True}, statistics=True)
    assert len(rows) == 3
    assert nonzero(rows.stats) == {"scannedFull": 10, "filtered": 2}


def test_full_count_reads_an_index_to_its_end_for_sort_and_limit(db: EmbeddedDatabase) -> None:
    db.ensure_index("items", ["n"])
    rows = db.query(
        "FOR d IN items SORT d.n LIMIT 2 RETURN d.n", options={"fullCount": True}, statistics=True
    )
    assert list(rows) == [0, 1]
    assert rows.stats["scannedIndex"] == 10


def test_statistics_are_counted_only_when_asked_for(db: EmbeddedDatabase) -> None:
    stats = db.query("FOR d IN items FILTER d.n > 2 RETURN d").stats
    assert "scannedFull" not in stats and "filtered" not in stats
    assert stats["writesExecuted"] == 0
