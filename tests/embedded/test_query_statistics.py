"""ArangoDB's execution statistics as the embedded engine counts them (``statistics=True``):
what each kind of scan reads, what FILTERs drop, index cursors, LIMIT's early stop and
fullCount (see ``arangoml_meta/embedded/statistics.py``)."""

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


def counted(
    db: EmbeddedDatabase,
    aql: str,
    bind_vars: dict[str, Any] | None = None,
    options: dict[str, Any] | None = None,
) -> dict[str, int]:
    """The counters of running ``aql`` with statistics; only those not 0."""
    stats = db.query(aql, bind_vars, options, statistics=True).stats
    return {name: stats[name] for name in COUNTERS if stats[name]}


# ------------------------------------------------------------------ full collection scans


def test_a_full_scan_reads_every_document(db: EmbeddedDatabase) -> None:
    assert counted(db, "FOR d IN items RETURN d") == {"scannedFull": 10}


def test_a_limit_stops_a_full_scan_early(db: EmbeddedDatabase) -> None:
    assert counted(db, "FOR d IN items LIMIT 3 RETURN d") == {"scannedFull": 3}


def test_a_filter_run_in_sql_counts_the_documents_it_drops(db: EmbeddedDatabase) -> None:
    assert counted(db, "FOR d IN items FILTER d.n >= 7 RETURN d") == {
        "scannedFull": 10,
        "filtered": 7,
    }


def test_a_limit_after_a_filter_in_sql_counts_what_was_read_before_it_was_met(
    db: EmbeddedDatabase,
) -> None:
    # n = 0 and 1 are dropped, 2, 3, 4 pass: five documents read
    aql = "FOR d IN items FILTER d.n >= 2 LIMIT 3 RETURN d"
    assert counted(db, aql) == {"scannedFull": 5, "filtered": 2}


def test_a_filter_run_in_python_counts_the_documents_it_drops(db: EmbeddedDatabase) -> None:
    aql = "FOR d IN items FILTER LENGTH(d.tag) == 4 RETURN d._key"
    assert counted(db, aql) == {"scannedFull": 10, "filtered": 5}


def test_a_scan_per_row_from_upstream_counts_each_time(db: EmbeddedDatabase) -> None:
    aql = "FOR i IN 1..2 LET s = (FOR d IN items RETURN d) RETURN LENGTH(s)"
    assert counted(db, aql) == {"scannedFull": 20}


@pytest.mark.parametrize(
    ("aql", "expected"),
    [
        ("FOR d IN items FILTER d.n < 3 REMOVE d IN items", {"scannedFull": 10, "filtered": 7}),
        # stopped by the LIMIT at n = 4, two dropped before it
        (
            "FOR d IN items FILTER d.n >= 2 LIMIT 3 REMOVE d IN items",
            {"scannedFull": 5, "filtered": 2},
        ),
    ],
)
def test_a_scan_of_a_collection_the_query_writes_counts_what_it_read_before_the_writes(
    db: EmbeddedDatabase, aql: str, expected: dict[str, int]
) -> None:
    assert counted(db, aql) == expected


# ------------------------------------------------------------------ index scans


def test_a_primary_key_lookup_reads_one_entry_and_fetches_its_document(
    db: EmbeddedDatabase,
) -> None:
    assert counted(db, "FOR d IN items FILTER d._key == 'k3' RETURN d") == {
        "scannedIndex": 1,
        "documentLookups": 1,
        "cursorsCreated": 1,
    }


def test_an_index_holding_everything_read_fetches_no_document(db: EmbeddedDatabase) -> None:
    aql = "FOR d IN items FILTER d._key IN ['k1', 'k2', 'nope'] RETURN d._id"
    assert counted(db, aql) == {"scannedIndex": 2, "cursorsCreated": 1}


def test_conditions_beside_the_index_condition_count_as_filtered(db: EmbeddedDatabase) -> None:
    aql = "FOR d IN items FILTER d._key IN ['k1', 'k2'] FILTER d.n == 2 RETURN d"
    assert counted(db, aql) == {
        "scannedIndex": 2,
        "filtered": 1,
        "documentLookups": 2,
        "cursorsCreated": 1,
    }


def test_a_persistent_index_reads_the_entries_of_its_range(db: EmbeddedDatabase) -> None:
    db.ensure_index("items", ["n"])
    assert counted(db, "FOR d IN items FILTER d.n > 6 RETURN d") == {
        "scannedIndex": 3,
        "documentLookups": 3,
        "cursorsCreated": 1,
    }


def test_a_sparse_index_is_not_used_for_a_condition_null_meets(db: EmbeddedDatabase) -> None:
    db.ensure_index("items", ["n"], sparse=True)
    assert counted(db, "FOR d IN items FILTER d.n < 2 RETURN d") == {
        "scannedFull": 10,
        "filtered": 8,
    }


def test_the_edge_index_reads_the_edges_of_a_vertex(db: EmbeddedDatabase) -> None:
    aql = "FOR e IN links FILTER e._from == 'items/k0' RETURN e._to"
    assert counted(db, aql) == {"scannedIndex": 2, "cursorsCreated": 1}


def test_reading_only_keys_scans_the_primary_index(db: EmbeddedDatabase) -> None:
    assert counted(db, "FOR d IN items RETURN d._key") == {
        "scannedIndex": 10,
        "cursorsCreated": 1,
    }


def test_a_remove_of_each_document_reads_only_its_key(db: EmbeddedDatabase) -> None:
    stats = db.query("FOR d IN items REMOVE d IN items", statistics=True).stats
    assert stats["writesExecuted"] == 10
    assert {name: stats[name] for name in COUNTERS if stats[name]} == {
        "scannedIndex": 10,
        "cursorsCreated": 1,
    }


def test_an_index_scan_run_again_for_a_later_row_rearms_its_cursor(
    db: EmbeddedDatabase,
) -> None:
    aql = "FOR k IN ['k1', 'k2', 'k3'] FOR d IN items FILTER d._key == k RETURN d"
    assert counted(db, aql) == {
        "scannedIndex": 3,
        "documentLookups": 3,
        "cursorsCreated": 1,
        "cursorsRearmed": 2,
    }


def test_each_run_of_an_index_scan_counts_its_own_range(db: EmbeddedDatabase) -> None:
    db.ensure_index("items", ["n"])
    # n > 7: 8, 9 (8 dropped); n > 3: 4 to 9 (4, 6, 8 dropped)
    aql = "FOR m IN [7, 3] FOR d IN items FILTER d.n > m FILTER d.tag == 'odd' RETURN d._key"
    assert counted(db, aql) == {
        "scannedIndex": 8,
        "filtered": 4,
        "documentLookups": 8,
        "cursorsCreated": 1,
        "cursorsRearmed": 1,
    }


def test_a_sort_by_an_indexed_attribute_reads_the_index_in_its_order(
    db: EmbeddedDatabase,
) -> None:
    db.ensure_index("items", ["n"])
    aql = "FOR d IN items FILTER d.tag == 'odd' SORT d.n DESC RETURN d.n"
    assert counted(db, aql) == {
        "scannedIndex": 10,
        "filtered": 5,
        "documentLookups": 10,
        "cursorsCreated": 1,
    }
    # no index leads with the sort key: the collection is scanned, then sorted
    assert counted(db, "FOR d IN items SORT d.tag, d.n RETURN d.n") == {"scannedFull": 10}


def test_sort_and_limit_in_index_order_read_the_entries_they_need(
    db: EmbeddedDatabase,
) -> None:
    db.ensure_index("items", ["n"])
    rows = db.query("FOR d IN items SORT d.n DESC LIMIT 2 RETURN d.n", statistics=True)
    assert list(rows) == [9, 8]
    assert {name: rows.stats[name] for name in COUNTERS if rows.stats[name]} == {
        "scannedIndex": 2,
        "cursorsCreated": 1,
    }


# ------------------------------------------------------------------ other operations


def test_a_filter_over_an_array_counts_the_values_it_drops(db: EmbeddedDatabase) -> None:
    assert counted(db, "FOR i IN 1..10 FILTER i % 2 == 0 RETURN i") == {"filtered": 5}


def test_document_lookups_by_function_count_nothing(db: EmbeddedDatabase) -> None:
    # ArangoDB counts what the plan's nodes read, not what functions fetch
    assert counted(db, "RETURN DOCUMENT('items/k1')") == {}


def test_full_count_reads_past_the_final_limit(db: EmbeddedDatabase) -> None:
    aql = "FOR d IN items FILTER d.n >= 2 LIMIT 3 RETURN d"
    rows = db.query(aql, options={"fullCount": True}, statistics=True)
    assert len(rows) == 3
    assert {name: rows.stats[name] for name in COUNTERS if rows.stats[name]} == {
        "scannedFull": 10,
        "filtered": 2,
    }


def test_full_count_reads_an_index_to_its_end_for_sort_and_limit(db: EmbeddedDatabase) -> None:
    db.ensure_index("items", ["n"])
    rows = db.query(
        "FOR d IN items SORT d.n LIMIT 2 RETURN d.n", options={"fullCount": True}, statistics=True
    )
    assert list(rows) == [0, 1]
    assert rows.stats["scannedFull"] + rows.stats["scannedIndex"] == 10


def test_statistics_are_counted_only_when_asked_for(db: EmbeddedDatabase) -> None:
    stats = db.query("FOR d IN items FILTER d.n > 2 RETURN d").stats
    assert "scannedFull" not in stats and "filtered" not in stats
    assert stats["writesExecuted"] == 0
